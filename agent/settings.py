"""One Settings object, built once in the entry point and passed down.

Every field has an embedded default, so nothing needs configuring to run the demo.
Environment variables use the prefix ``TRAVEL_AGENT_`` and ``__`` between nested
sections, e.g. ``TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS=broker:9092``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from airline.models import LoyaltyTier
from memory.config import MemorySettings
from tools.money import RateTable
from tools.policy.config import PolicyConfig
from travel_agent.errors import ConfigError


class DbSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; default: a SQLite file in the data directory",
    )


class KafkaSettings(BaseModel):
    bootstrap_servers: str = Field(default="localhost:9092", description="host:port[,host:port]")
    group_id: str = "travel-agent"
    topic_prefix: str = Field(default="", description="prepended to every topic name")
    client_id: str = "travel-agent"


class ApprovalLimits(BaseModel):
    """Autonomy limits: above any of them a human decides (LangGraph `interrupt()`)."""

    cabin_change: bool = Field(default=True, description="a rebooking into another cabin")
    other_carrier_above_cents: int = Field(
        default=50_000,
        ge=0,
        description="a rebooking onto another carrier whose estimated cost (the interline "
        "fare we pay, in `money.currency`) is above this (0: every other-carrier rebooking "
        "asks)",
    )
    compensation_above_required: bool = Field(
        default=True, description="compensation beyond what the rules require"
    )
    compensation_above_cents: int = Field(
        default=60_000,
        ge=0,
        description="compensation above this amount per traveller asks a human (in "
        "`money.currency`: an amount in another currency is converted at `money`'s rates)",
    )
    money: RateTable = Field(
        default_factory=RateTable,
        description="the currency the limits are written in and a dated table of rates to "
        "compare amounts in other currencies with them",
    )
    min_confidence: float = Field(
        default=0.6, ge=0, le=1, description="a plan less sure than this asks a human"
    )
    all_rebookings: bool = Field(
        default=False, description="every rebooking asks a human (a cautious launch; demos)"
    )
    deadline_minutes: int = Field(
        default=30, ge=1, description="how long an approval waits for an operator"
    )
    decide_before_departure_minutes: int = Field(
        default=90,
        ge=0,
        description="an approval's deadline comes at the latest this long before the "
        "proposed departure; then the safe default runs",
    )
    on_deadline: Literal["safe_default", "approve"] = Field(
        default="safe_default",
        description="safe_default: run only what needs no human and tell the passenger; "
        "approve: run the proposal as it is",
    )


class SchedulerSettings(BaseModel):
    """Scheduled follow-ups (approval deadlines, reminders, re-checks), kept in the database."""

    tick_seconds: float = Field(
        default=1.0, gt=0, description="how often due jobs are looked for (wall time)"
    )
    reminder_before_minutes: int = Field(
        default=180,
        ge=0,
        description="re-check a rebooked itinerary this long before departure and, if it "
        "still flies, remind the passenger",
    )


class AgentSettings(BaseModel):
    approvals: ApprovalLimits = ApprovalLimits()
    scheduler: SchedulerSettings = SchedulerSettings()
    policy: PolicyConfig = Field(
        default_factory=PolicyConfig,
        description="the readings of the regulations the policy engine applies "
        "(tools.policy.config; e.g. __POLICY__LAP_INFANTS_COMPENSATED)",
    )
    concurrency: int = Field(default=8, ge=1, description="cases run at once")
    delay_notify_minutes: int = Field(
        default=30, ge=0, description="notify passengers of departure delays at least this long"
    )
    rebook_horizon_hours: int = Field(
        default=36, ge=1, description="how far ahead alternatives are searched"
    )
    other_carrier_after_hours: dict[LoyaltyTier, float] = Field(
        default_factory=lambda: {
            LoyaltyTier.NONE: 4.0,
            LoyaltyTier.SILVER: 3.0,
            LoyaltyTier.GOLD: 2.0,
            LoyaltyTier.PLATINUM: 1.0,
        },
        description="per loyalty tier: use another carrier's seat only when it arrives this "
        "many hours sooner than own metal (elite passengers get earlier access, as in "
        "published airline policies)",
    )

    def other_carrier_after(self, tier: LoyaltyTier) -> timedelta:
        return timedelta(hours=self.other_carrier_after_hours.get(tier, 4.0))


class SmtpSettings(BaseModel):
    """Email over SMTP; no email channel while `host` is unset."""

    host: str | None = Field(default=None, description="SMTP server; unset: no email channel")
    port: int = Field(default=587, description="587 with STARTTLS, 465 implicit TLS, 25 plain")
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = Field(default=True, description="upgrade with STARTTLS (port 587)")
    implicit_tls: bool = Field(default=False, description="TLS from the start (port 465)")
    from_address: str = Field(
        default="Travel Agent <noreply@example.com>", description="the From header"
    )
    ca_file: str | None = Field(default=None, description="CA bundle for a private CA")
    timeout_seconds: float = Field(default=30.0, gt=0)


class SmsSettings(BaseModel):
    """An SMS provider's JSON API; no SMS channel while `url` is unset."""

    url: str | None = Field(default=None, description="the provider's send-message endpoint")
    token: SecretStr | None = Field(default=None, description="bearer token")
    sender: str | None = Field(default=None, description="sender id or number, if required")
    max_segments: int = Field(default=6, ge=1, description="longer texts go to the next channel")
    retries: int = Field(default=3, ge=0, description="retries within one delivery")
    timeout_seconds: float = Field(default=10.0, gt=0)


class WebhookSettings(BaseModel):
    """Signed JSON webhooks; no webhook channel while `secret` is unset."""

    secret: SecretStr | None = Field(default=None, description="shared HMAC-SHA256 secret")
    url: str | None = Field(
        default=None, description="endpoint for webhook messages without their own address"
    )
    retries: int = Field(default=3, ge=0, description="retries within one delivery")
    timeout_seconds: float = Field(default=10.0, gt=0)


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


class OpsSettings(BaseModel):
    """The /metrics, /healthz and /readyz endpoints of `travel-agent run`."""

    host: str = Field(
        default="127.0.0.1", description="address to bind; 0.0.0.0 to be scraped from elsewhere"
    )
    port: int = Field(default=9464, ge=0, le=65535, description="0 turns the endpoints off")


class DashboardSettings(BaseModel):
    """The operator desk (`travel-agent dashboard`, and inside `travel-agent demo`)."""

    host: str = Field(default="127.0.0.1", description="address to bind")
    port: int = Field(default=8000, ge=0, le=65535, description="0: an ephemeral port")
    secure_cookies: bool | None = Field(
        default=None,
        description="the session cookie's Secure flag; unset: on, except when the desk is "
        "bound to a loopback address (browsers drop Secure cookies on plain http://127.0.0.1)",
    )
    session_hours: float = Field(default=12.0, gt=0, description="a session lasts one shift")
    login_max_failures: int = Field(
        default=5, ge=1, description="failed logins per name (and 4x per address) per window"
    )
    login_window_minutes: float = Field(default=15.0, gt=0)
    poll_seconds: float = Field(
        default=1.0, gt=0, description="how often live pages look at the database for changes"
    )
    metrics_url: str | None = Field(
        default=None,
        description="the daemon's Prometheus endpoint, for events per minute and dead letters; "
        "unset: http://<ops.host>:<ops.port>/metrics",
    )


class LlmSettings(BaseModel):
    """An OpenAI-compatible chat endpoint, for the llm and hybrid reasoners."""

    base_url: str | None = Field(
        default=None,
        description="e.g. https://api.openai.com/v1 or http://localhost:11434/v1 (Ollama)",
    )
    api_key: SecretStr | None = Field(default=None, description="unset for a local server")
    model: str = "gpt-4o-mini"
    timeout_seconds: float = Field(
        default=30.0, gt=0, description="for one case's whole conversation with the model"
    )
    max_retries: int = Field(default=2, ge=0, description="HTTP retries of one model call")
    max_tool_rounds: int = Field(
        default=4, ge=0, description="model turns that may call read-only tools"
    )
    input_price_per_1k: float = Field(default=0.0, ge=0, description="per 1 000 prompt tokens")
    output_price_per_1k: float = Field(default=0.0, ge=0, description="per 1 000 completion tokens")


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
