"""What may reach a log line or a terminal: URLs without their password, passengers by
a keyed pseudonym.

* `masked_url` hides a URL's password (``postgresql+asyncpg://app:***@db/travel``).
  Every URL we print or put in an error goes through it.
* `passenger` is how a log line names a passenger (a customer id, a PNR): by a keyed
  hash (HMAC-SHA256) unless `log_passenger_data` is on. The same passenger gets the same
  pseudonym throughout a process — so one can follow them through its log — and across
  processes that share `TRAVEL_AGENT_LOG_PSEUDONYM_KEY`; without the key the log alone
  cannot be turned back into passengers (a bare hash of a six-letter PNR could).

The policy is set once by the entry point (`configure`), like the logging it belongs to;
until then passengers are pseudonymized with a key random to the process.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit, urlunsplit

_policy = {"show": False}
_key = [secrets.token_bytes(32)]


def configure(*, log_passenger_data: bool, key: str | None = None) -> None:
    """Set the process's policy: show passengers as they are, or by pseudonym (keyed)."""
    _policy["show"] = log_passenger_data
    _key[0] = key.encode() if key else secrets.token_bytes(32)


def pseudonym(value: str) -> str:
    """A stable, keyed stand-in for `value` (``p:`` and 12 hex digits)."""
    return "p:" + hmac.digest(_key[0], value.encode(), hashlib.sha256).hex()[:12]


def passenger(value: str | None) -> str:
    """A passenger identifier as a log line may show it (see the module docstring)."""
    if value is None:
        return "-"
    return value if _policy["show"] else pseudonym(value)


def masked_url(url: str | None) -> str:
    """`url` with its password replaced by ``***`` (anything unparsable: shown as is)."""
    if not url:
        return str(url)
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
