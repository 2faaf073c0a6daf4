"""The root `Settings`: every room's section nested in one object, loaded once from the
environment in the entry point and passed down (no import-time singleton).

Every field has an embedded default, so nothing needs configuring to run the demo.
Environment variables use the prefix ``TRAVEL_AGENT_`` and ``__`` between nested
sections, e.g. ``TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS=broker:9092``. Each room owns its
section (``agent.settings``, ``streams.config``, ``tools.channels.config``,
``memory.config``, ``dashboard.settings``); only the application composes them, so no
room imports the root. Loading is here and only here (`load_settings`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.settings import AgentSettings, LlmSettings
from dashboard.settings import DashboardSettings
from memory.config import MemorySettings
from streams.config import KafkaSettings
from tools.channels.config import SmsSettings, SmtpSettings, WebhookSettings
from travel_agent.errors import ConfigError

__all__ = [
    "CheckpointSettings",
    "DbSettings",
    "OpsSettings",
    "SeedSettings",
    "Settings",
    "load_settings",
]


class DbSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; default: a SQLite file in the data directory",
    )


class OpsSettings(BaseModel):
    """The /metrics, /healthz and /readyz endpoints of `travel-agent run`."""

    host: str = Field(
        default="127.0.0.1", description="address to bind; 0.0.0.0 to be scraped from elsewhere"
    )
    port: int = Field(default=9464, ge=0, le=65535, description="0 turns the endpoints off")


class RepliesSettings(BaseModel):
    """Passengers' answers: the inbound endpoints (`app.replies_server`) of `travel-agent run`.

    The webhook endpoint checks signatures with `TRAVEL_AGENT_WEBHOOK__SECRET`; the SMS
    and e-mail hooks send `inbound_token` as a bearer token.
    """

    host: str = Field(default="127.0.0.1", description="address to bind")
    port: int = Field(default=0, ge=0, le=65535, description="0: no inbound endpoints")
    inbound_token: SecretStr | None = Field(
        default=None, description="bearer token of the SMS provider's and mail server's hooks"
    )
    tolerance_seconds: float = Field(
        default=300.0, gt=0, description="a signed request's timestamp may differ this much"
    )


class CheckpointSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="postgresql://user:password@host/dbname for LangGraph's PostgreSQL saver; "
        "default: a SQLite file in the data directory",
    )


class SeedSettings(BaseModel):
    seed: int = 7
    service_date: str = Field(default="2026-03-01", description="the seeded day, YYYY-MM-DD")


class Settings(BaseSettings):
    """travel-agent's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="TRAVEL_AGENT_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(default=Path("data"), description="where embedded state lives")
    source: Literal["embedded", "kafka"] = "embedded"
    clock: Literal["event", "system"] = Field(
        default="event",
        description="event: follow the stream's time (simulated and replayed days); "
        "system: wall time",
    )
    db: DbSettings = DbSettings()
    checkpoints: CheckpointSettings = CheckpointSettings()
    kafka: KafkaSettings = KafkaSettings()
    agent: AgentSettings = AgentSettings()
    seed: SeedSettings = SeedSettings()
    smtp: SmtpSettings = SmtpSettings()
    sms: SmsSettings = SmsSettings()
    webhook: WebhookSettings = WebhookSettings()
    ops: OpsSettings = OpsSettings()
    replies: RepliesSettings = RepliesSettings()
    dashboard: DashboardSettings = DashboardSettings()
    reasoner: Literal["rules", "llm", "hybrid"] = Field(
        default="rules",
        description="rules: deterministic; llm: the model for every case; hybrid: the model "
        "for complex cases only (both fall back to the rules when the model fails)",
    )
    llm: LlmSettings = LlmSettings()
    memory: MemorySettings = MemorySettings()
    log_passenger_data: bool = Field(
        default=False, description="include names and addresses in logs (off in production)"
    )

    @model_validator(mode="after")
    def _desk_reads_our_metrics(self) -> Settings:
        if self.dashboard.metrics_url is None:  # the desk shows the daemon's ops endpoint
            url = f"http://{self.ops.host}:{self.ops.port}/metrics"
            self.dashboard = self.dashboard.model_copy(update={"metrics_url": url})
        return self

    @model_validator(mode="after")
    def _no_placeholders(self) -> Settings:
        if "changeme" in (self.db.url or "").lower():
            raise ConfigError("TRAVEL_AGENT_DB__URL still holds a placeholder password")
        if self.reasoner != "rules" and not self.llm.base_url:
            raise ConfigError(
                f"TRAVEL_AGENT_REASONER={self.reasoner} needs a model endpoint: set "
                "TRAVEL_AGENT_LLM__BASE_URL (and TRAVEL_AGENT_LLM__API_KEY, "
                "TRAVEL_AGENT_LLM__MODEL)"
            )
        key = self.llm.api_key.get_secret_value() if self.llm.api_key else ""
        if "changeme" in key.lower():
            raise ConfigError("TRAVEL_AGENT_LLM__API_KEY still holds a placeholder")
        token = self.replies.inbound_token
        if token is not None and "changeme" in token.get_secret_value().lower():
            raise ConfigError("TRAVEL_AGENT_REPLIES__INBOUND_TOKEN still holds a placeholder")
        return self

    @property
    def db_url(self) -> str:
        return self.db.url or f"sqlite+aiosqlite:///{self.data_dir / 'airline.sqlite'}"

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "checkpoints.sqlite"

    def topic(self, name: str) -> str:
        return f"{self.kafka.topic_prefix}{name}"


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment (and `overrides`): the one place they are read."""
    return Settings(**overrides)
