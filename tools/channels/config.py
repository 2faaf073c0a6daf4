"""Checks the channel adapters run on their configuration when they are built.

A secret left at its placeholder must stop the process at start-up, not fail every
delivery later (or, worse, sign webhooks with a key printed in the README).
"""

from __future__ import annotations

import ipaddress
import re

from travel_agent.errors import ConfigError

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
