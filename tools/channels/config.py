"""The channels' settings sections (``TRAVEL_AGENT_SMTP__*``, ``__SMS__``, ``__WEBHOOK__``)
and the checks the channel adapters run on their configuration when they are built.

A secret left at its placeholder must stop the process at start-up, not fail every
delivery later (or, worse, sign webhooks with a key printed in the README).
"""

from __future__ import annotations

import ipaddress
import re

from pydantic import BaseModel, Field, SecretStr

from travel_agent.errors import ConfigError

__all__ = [
    "SmsSettings",
    "SmtpSettings",
    "WebhookSettings",
    "is_loopback",
    "require_secret",
]

_PLACEHOLDER = re.compile(
    r"""^(
        changeme | change[-_ ]?me | change[-_ ]?this | replace[-_ ]?me
      | secret | password | passwd | token | placeholder | example | dummy | test
      | todo | fixme | xxx+ | \*+ | none | null | default
      | your[-_ ].* | <.*> | \$\{.*\} | \{\{.*\}\}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def require_secret(value: str | None, *, setting: str, min_length: int = 1) -> str:
    """The secret, or `ConfigError` naming `setting` when it is empty or a placeholder.

    Args:
        value: the configured secret.
        setting: the environment variable that sets it, named in the error.
        min_length: the shortest secret accepted.
    """
    secret = (value or "").strip()
    if not secret:
        raise ConfigError(f"{setting} is empty: set it to the shared secret")
    if _PLACEHOLDER.match(secret) or "changeme" in secret.lower():
        raise ConfigError(f"{setting} still holds a placeholder: set it to the real secret")
    if len(secret) < min_length:
        raise ConfigError(
            f"{setting} is shorter than {min_length} characters: use a random one, e.g. "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return secret


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, where plain text never leaves the machine."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


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
