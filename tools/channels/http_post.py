"""POST a body over HTTP with bounded retries: the one module that imports httpx.

The webhook and the SMS adapters both deliver by POSTing to somebody else's server, so
the retry policy and the translation of httpx's errors into `ChannelError` live here,
once. What is worth retrying: no connection, a timeout, 5xx, 408 and 429 (honouring a
short Retry-After). Everything else the server said (3xx, other 4xx) is final: sending
the same request again would get the same answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from tools.channels.base import ChannelError

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
"""How to wait between attempts; tests pass one that records instead of sleeping."""

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
"""Answers that say "not now" rather than "never"; any other 5xx is retried as well."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff for one delivery.

    The outbox relay retries a failed row on its next pass; these retries only ride out
    a blip (a restart, a brief overload) within one pass.
    """

    retries: int = 3
    """Attempts after the first; 0 disables retrying."""
    backoff: float = 0.5
    """Seconds before the first retry; doubles each time."""
    max_backoff: float = 8.0
    """Longest wait between two attempts."""
    max_retry_after: float = 30.0
    """Longest Retry-After honoured; a longer one ends this delivery (retriable)."""

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        return float(min(self.max_backoff, self.backoff * 2 ** (retry - 1)))


@dataclass(frozen=True)
class PostResult:
    """A 2xx answer and how many attempts it took."""

    status: int
    body: bytes
    attempts: int


def retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or HTTP-date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        return None
    return max(0.0, when.timestamp() - now)


def redact(url: str) -> str:
    """scheme://host/path of `url`, without query or credentials, for errors and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class HttpxPoster:
    """POSTs bodies with retries; an async context manager owning one `httpx.AsyncClient`.

    Args:
        name: the channel using it, for error messages (``webhook``, ``sms``).
        timeout: seconds for connecting and for each read or write.
        retry: how often and how long to retry.
        sleep: waits between attempts (`asyncio.sleep`).
        clock: wall-clock seconds, to read HTTP-date Retry-After values.
    """

    def __init__(
        self,
        name: str,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> HttpxPoster:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,  # a redirect could carry a signed body somewhere else
            headers={"User-Agent": "travel-agent"},
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def post(
        self, url: str, body: bytes, headers: Callable[[], Mapping[str, str]]
    ) -> PostResult:
        """POST `body` to `url` until a 2xx, a final answer, or the retries run out.

        Args:
            url: where to POST.
            body: the exact bytes to send (each attempt sends the same bytes).
            headers: called before each attempt, so signatures and timestamps are fresh.

        Raises:
            ChannelError: `retriable` when trying again later may help.
        """
        if self._client is None:
            raise RuntimeError(f"open the {self.name} channel with `async with` before use")
        where = redact(url)
        attempts = self.retry.retries + 1
        for attempt in range(1, attempts + 1):
            wait: float | None
            try:
                response = await self._client.post(url, content=body, headers=headers())
            except httpx.UnsupportedProtocol as exc:
                raise ChannelError(
                    f"{self.name}: cannot POST to {where}: {exc}", retriable=False
                ) from exc
            except httpx.TransportError as exc:
                # No answer (refused, reset, timed out): the request may not have arrived.
                problem = f"{type(exc).__name__}: {exc}".rstrip(": ")
                if attempt == attempts:
                    raise ChannelError(
                        f"{self.name}: {where} unreachable after {attempts} attempts ({problem})",
                        retriable=True,
                    ) from exc
                wait = self.retry.delay(attempt)
                log.info(
                    "%s: %s unreachable (%s); retry in %.1f s", self.name, where, problem, wait
                )
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return PostResult(status, response.content, attempt)
                detail = response.text[:200].strip()
                answer = f"{status} {response.reason_phrase}" + (f": {detail}" if detail else "")
                if status not in RETRY_STATUSES and status < 500:
                    raise ChannelError(f"{self.name}: {where} answered {answer}", retriable=False)
                asked = retry_after(response.headers.get("Retry-After"), now=self.clock())
                if asked is not None and asked > self.retry.max_retry_after:
                    raise ChannelError(
                        f"{self.name}: {where} answered {answer} and asks to retry after "
                        f"{asked:.0f} s",
                        retriable=True,
                    )
                if attempt == attempts:
                    raise ChannelError(
                        f"{self.name}: {where} answered {answer} after {attempts} attempts",
                        retriable=True,
                    )
                wait = asked if asked is not None else self.retry.delay(attempt)
                log.info("%s: %s answered %d; retry in %.1f s", self.name, where, status, wait)
            await self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
