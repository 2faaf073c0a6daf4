"""The desk's settings section (``TRAVEL_AGENT_DASHBOARD__*``), owned by the dashboard."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

__all__ = ["DashboardSettings", "DeskSettings"]


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


class DeskSettings(Protocol):
    """What the desk reads of the application's settings (the root `Settings` has it)."""

    @property
    def dashboard(self) -> DashboardSettings: ...

    @property
    def db_url(self) -> str: ...

    @property
    def clock(self) -> str: ...
