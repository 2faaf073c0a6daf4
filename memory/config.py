"""Memory settings: where memories live and how texts become vectors.

Embedded default: a persistent Chroma directory under the data directory, embedded
offline by the packaged all-MiniLM-L6-v2. Nothing here needs configuring for the demo.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, model_validator

from travel_agent.errors import ConfigError


class MemorySettings(BaseModel):
    """``TRAVEL_AGENT_MEMORY__*``: customer memory (ChromaDB)."""

    enabled: bool = Field(default=True, description="false: the agent runs without customer memory")
    path: Path | None = Field(
        default=None,
        description="the persistent Chroma directory (one process owns it); "
        "default: <data dir>/memory",
    )
    url: str | None = Field(
        default=None,
        description="a Chroma server, e.g. http://chroma:8000; set, it replaces the directory "
        "and several processes may share memory",
    )
    token: SecretStr | None = Field(
        default=None, description="bearer token for a Chroma server with token auth"
    )
    collection: str = Field(
        default="customer-memory", description="the Chroma collection of customer memories"
    )
    embeddings: Literal["minilm", "openai"] = Field(
        default="minilm",
        description="minilm: the packaged all-MiniLM-L6-v2, offline; openai: an "
        "OpenAI-compatible /embeddings endpoint",
    )
    openai_base_url: str | None = Field(
        default=None, description="e.g. https://api.openai.com/v1; needed for embeddings=openai"
    )
    openai_api_key: SecretStr | None = Field(default=None, description="unset for a local server")
    openai_model: str = "text-embedding-3-small"
    openai_timeout_seconds: float = Field(default=30.0, gt=0)
    preferences_by_model: bool = Field(
        default=True,
        description="when a chat model is configured (TRAVEL_AGENT_LLM__BASE_URL), it reads "
        "stated preferences, checked and falling back to the embedding reader; false: the "
        "embedding reader alone",
    )
    retention_days: int | None = Field(
        default=730, ge=1, description="memories older than this are pruned; unset keeps all"
    )

    @model_validator(mode="after")
    def _coherent(self) -> MemorySettings:
        if self.url is not None:
            parts = urlsplit(self.url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(
                    f"TRAVEL_AGENT_MEMORY__URL={self.url!r} is not a Chroma server URL: "
                    "use http://host:port or https://host:port"
                )
        if self.embeddings == "openai" and not self.openai_base_url:
            raise ConfigError(
                "TRAVEL_AGENT_MEMORY__EMBEDDINGS=openai needs an endpoint: set "
                "TRAVEL_AGENT_MEMORY__OPENAI_BASE_URL (and __OPENAI_API_KEY, __OPENAI_MODEL)"
            )
        for name, secret in (("OPENAI_API_KEY", self.openai_api_key), ("TOKEN", self.token)):
            if secret is not None and "changeme" in secret.get_secret_value().lower():
                raise ConfigError(f"TRAVEL_AGENT_MEMORY__{name} still holds a placeholder")
        return self

    def directory(self, data_dir: Path) -> Path:
        """The persistent directory: `path`, else ``<data_dir>/memory``."""
        return self.path if self.path is not None else data_dir / "memory"

    def retention_cutoff(self, now: datetime) -> datetime | None:
        """Memories recorded before this are due for pruning; None keeps everything."""
        return None if self.retention_days is None else now - timedelta(days=self.retention_days)
