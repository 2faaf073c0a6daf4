"""The SMS channel: hand the text to an SMS provider's HTTP API.

The provider speaks a generic JSON API: ``POST <url>`` with ``Authorization: Bearer
<token>`` and ``{"to", "body", "reference"[, "from"]}``; 2xx accepts the message. The
reference is the message's idempotency key, so a provider that deduplicates sends a
retried message once.

A text is billed per segment. GSM-7 fits 160 characters in one segment (153 per part of
a longer one; ``€[]{}|^~\\`` take two); anything outside GSM-7 — Chinese, but also
``→`` or ``ê`` — switches the whole text to UCS-2: 70 UTF-16 units (67 per part). A text
longer than `max_segments` is refused (final), so the passenger's next channel — email,
usually — gets the whole message instead of a truncated one.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from types import TracebackType
from typing import Literal
from urllib.parse import urlsplit

from tools.channels.base import ChannelError, OutboundMessage
from tools.channels.config import is_loopback, require_secret
from tools.channels.http_post import HttpxPoster, RetryPolicy, Sleep
from travel_agent.errors import ConfigError

# GSM 03.38 default alphabet (without ESC) and its extension table (ESC + char, 2 septets).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

# Typography with a GSM-7 spelling: replacing it can halve the segment count of a text
# that is otherwise GSM-7 ("FRA→LHR" alone would make an English text UCS-2).
_PLAIN = str.maketrans(
    {
        "→": "->",
        "←": "<-",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "‚": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "…": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)

_E164 = re.compile(r"\+[1-9]\d{6,14}")
_FORMATTING = re.compile(r"[\s\-().]")

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class Segments:
    """How a text travels: its encoding and the parts it is split into."""

    encoding: Encoding
    parts: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.parts)


def septets(char: str) -> int | None:
    """GSM-7 septets for `char`: 1, 2 (extension table), or None if GSM-7 cannot say it."""
    if char in _GSM_BASIC:
        return 1
    if char in _GSM_EXTENSION:
        return 2
    return None


def is_gsm7(text: str) -> bool:
    return all(septets(c) is not None for c in text)


def plain(text: str) -> str:
    """`text` with typographic punctuation spelt the GSM-7 way, if that makes it GSM-7."""
    replaced = text.translate(_PLAIN)
    return replaced if is_gsm7(replaced) else text


def segments(text: str) -> Segments:
    """Split `text` as a handset will see it; an escape pair or a surrogate pair stays whole."""
    encoding: Encoding
    if is_gsm7(text):
        sizes = [septets(c) or 0 for c in text]
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]  # UTF-16 code units
        single, multi, encoding = 70, 67, "UCS-2"
    if sum(sizes) <= single:
        return Segments(encoding, (text,) if text else ())
    parts: list[str] = []
    start, used = 0, 0
    for i, size in enumerate(sizes):
        if used + size > multi:
            parts.append(text[start:i])
            start, used = i, 0
        used += size
    parts.append(text[start:])
    return Segments(encoding, tuple(parts))


def e164(address: str | None) -> str:
    """`address` as an E.164 number (``+4915112345678``); `ChannelError` (final) if it is not.

    Spaces, dashes, dots and brackets people write in numbers are dropped; nothing else is
    guessed (no national prefixes: we cannot know the country).
    """
    number = _FORMATTING.sub("", address or "")
    if not _E164.fullmatch(number):
        raise ChannelError(
            "sms: the address is not an E.164 number (+ country code, then up to 14 digits)",
            retriable=False,
        )
    return number


class SmsChannel:
    """Delivers through an SMS provider's HTTP API; an async context manager.

    Args:
        url: the provider's send-message endpoint (TRAVEL_AGENT_SMS__URL).
        token: the bearer token (TRAVEL_AGENT_SMS__TOKEN); placeholders refused.
        sender: the sender id or number shown to the passenger, if the provider wants one.
        max_segments: longest text sent, in segments; a longer one is refused.
        timeout: seconds for connecting and for each read or write.
        retry: retries within one delivery.
        sleep: waits between attempts (tests record instead).
    """

    name = "sms"

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        sender: str | None = None,
        max_segments: int = 6,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError("TRAVEL_AGENT_SMS__URL must be an http(s) URL with a host")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise ConfigError("TRAVEL_AGENT_SMS__URL must use https: the token travels with it")
        if max_segments < 1:
            raise ConfigError("TRAVEL_AGENT_SMS__MAX_SEGMENTS must be at least 1")
        self.url = url
        self._token = require_secret(token, setting="TRAVEL_AGENT_SMS__TOKEN")
        self.sender = sender
        self.max_segments = max_segments
        self._poster = HttpxPoster(self.name, timeout=timeout, retry=retry, sleep=sleep)

    async def __aenter__(self) -> SmsChannel:
        await self._poster.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._poster.__aexit__(exc_type, exc, tb)

    def prepare(self, message: OutboundMessage) -> tuple[str, str, Segments]:
        """The number, text and segments for `message`; `ChannelError` (final) if unsendable."""
        to = e164(message.address)
        text = plain(" ".join(message.body.split()))
        if not text:
            raise ChannelError("sms: the message body is empty", retriable=False)
        split = segments(text)
        if split.count > self.max_segments:
            raise ChannelError(
                f"sms: the text needs {split.count} {split.encoding} segments "
                f"({len(text)} characters); at most {self.max_segments} are sent",
                retriable=False,
            )
        return to, text, split

    async def deliver(self, message: OutboundMessage) -> None:
        """Hand `message` to the provider; raises `ChannelError` when it was not accepted."""
        to, text, _ = self.prepare(message)
        payload: dict[str, str] = {"to": to, "body": text, "reference": message.idempotency_key}
        if self.sender:
            payload["from"] = self.sender
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.idempotency_key,
        }
        await self._poster.post(self.url, body, lambda: headers)
