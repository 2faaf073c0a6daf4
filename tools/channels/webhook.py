"""The webhook channel: POST the message as signed JSON to the passenger's (or our) endpoint.

Every request carries

- ``X-Travel-Agent-Timestamp``: Unix seconds when this attempt was signed;
- ``X-Travel-Agent-Signature``: ``sha256=<hex>``, the HMAC-SHA256 with the shared secret of
  ``<timestamp>.<raw body>``. The timestamp is inside the MAC so that a captured request
  cannot be replayed later with a fresh timestamp (the scheme of Stripe and Slack);
- ``Idempotency-Key``: the same on every retry of one message, so a receiver that saw it
  once can answer 2xx and do nothing.

Receivers check a request with `verify_signature`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from types import TracebackType
from urllib.parse import urlsplit

from tools.channels.base import ChannelError, OutboundMessage
from tools.channels.config import is_loopback, require_secret
from tools.channels.http_post import HttpxPoster, RetryPolicy, Sleep
from travel_agent.errors import ConfigError

SIGNATURE_HEADER = "X-Travel-Agent-Signature"
TIMESTAMP_HEADER = "X-Travel-Agent-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SECRET_MIN_LENGTH = 16


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for `body` sent at `timestamp`: ``sha256=<hex>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str,
    body: bytes,
    header: str | None,
    timestamp: str | int | None,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """Whether a webhook request is authentic and fresh.

    Args:
        secret: the shared secret.
        body: the raw request body, exactly as received (not re-serialized JSON).
        header: the ``X-Travel-Agent-Signature`` value.
        timestamp: the ``X-Travel-Agent-Timestamp`` value.
        tolerance: largest accepted difference, in seconds, between the timestamp and now.
        now: the receiver's clock in Unix seconds (default: `time.time()`).
    """
    if not secret or not header or timestamp is None:
        return False
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        return False
    scheme, _, given = header.strip().partition("=")
    if scheme != "sha256" or not given:
        return False
    expected = sign(secret, body, sent_at)
    return hmac.compare_digest(expected.encode(), f"sha256={given.strip().lower()}".encode())


def encode(message: OutboundMessage) -> bytes:
    """The JSON body for `message`: its `OutboundMessage` fields only, UTF-8, compact.

    Subclasses may carry routing data (the passenger's other addresses); that stays here.
    """
    payload = message.model_dump(mode="json", include=set(OutboundMessage.model_fields))
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class WebhookChannel:
    """Delivers by POSTing signed JSON; an async context manager.

    The target is the message's address when its channel is ``webhook`` (the passenger's
    own endpoint), else the configured `url` (an operator's endpoint that receives every
    message routed to this channel).

    Args:
        secret: the shared HMAC secret (TRAVEL_AGENT_WEBHOOK__SECRET); placeholders refused.
        url: the configured endpoint, if any.
        timeout: seconds for connecting and for each read or write.
        retry: retries within one delivery.
        sleep: waits between attempts (tests record instead).
        clock: Unix seconds, for the timestamp header.
        require_https: refuse plain http except to loopback hosts.
    """

    name = "webhook"

    def __init__(
        self,
        secret: str | None,
        *,
        url: str | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        require_https: bool = True,
    ) -> None:
        self._secret = require_secret(
            secret, setting="TRAVEL_AGENT_WEBHOOK__SECRET", min_length=SECRET_MIN_LENGTH
        )
        self.require_https = require_https
        if url is not None:
            problem = self._check_url(url)
            if problem:
                raise ConfigError(f"TRAVEL_AGENT_WEBHOOK__URL {problem}")
        self.url = url
        self.clock = clock
        self._poster = HttpxPoster(
            self.name, timeout=timeout, retry=retry, sleep=sleep, clock=clock
        )

    async def __aenter__(self) -> WebhookChannel:
        await self._poster.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._poster.__aexit__(exc_type, exc, tb)

    async def deliver(self, message: OutboundMessage) -> None:
        """POST `message`; raises `ChannelError` (retriable or not) when it was not accepted."""
        url = self.target(message)
        body = encode(message)

        def headers() -> dict[str, str]:
            timestamp = int(self.clock())
            return {
                "Content-Type": "application/json; charset=utf-8",
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(self._secret, body, timestamp),
                IDEMPOTENCY_HEADER: message.idempotency_key,
            }

        await self._poster.post(url, body, headers)

    def target(self, message: OutboundMessage) -> str:
        """Where `message` goes; `ChannelError` (final) when there is nowhere valid."""
        if message.channel == self.name and message.address:
            problem = self._check_url(message.address)
            if problem:
                raise ChannelError(f"webhook address {problem}", retriable=False)
            return message.address
        if self.url is None:
            raise ChannelError(
                "webhook: the message has no webhook address and no "
                "TRAVEL_AGENT_WEBHOOK__URL is configured",
                retriable=False,
            )
        return self.url

    def _check_url(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "must be an http(s) URL with a host"
        if self.require_https and parts.scheme == "http" and not is_loopback(parts.hostname):
            return "must use https (the body carries passenger data)"
        return None
