"""The ops endpoints: ``/metrics``, ``/healthz`` and ``/readyz`` over plain HTTP/1.1.

For a process supervisor, an orchestrator and Prometheus. No web framework: the three
routes are answered by a small `asyncio.start_server` handler that reads one request,
answers it and closes the connection (``Connection: close``), with a deadline and size
limits, so a slow or malformed client can neither hang nor crash the daemon.

* ``GET /metrics`` — the daemon's `Metrics` in the Prometheus text format 0.0.4; the
  consumer-lag gauges are refreshed from the source at scrape time.
* ``GET /healthz`` — 200 while the event loop answers and the daemon task has not
  crashed; 503 with a JSON reason once it has.
* ``GET /readyz`` — 200 once the board is loaded, pending cases are resumed and the
  source is connected (on Kafka: partitions assigned and the broker answering); 503
  with a JSON reason otherwise — during start-up, while the broker is unreachable,
  after the daemon stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from types import TracebackType
from typing import Protocol

from agent.metrics import LagReporter, Metrics
from travel_agent.errors import ConfigError, TravelAgentError

log = logging.getLogger(__name__)

CONTENT_TYPE_METRICS = "text/plain; version=0.0.4; charset=utf-8"
CONTENT_TYPE_JSON = "application/json"

# One request per connection, and it must arrive whole within this many seconds.
READ_TIMEOUT = 5.0
MAX_LINE = 8 * 1024
MAX_HEADERS = 100
# A probe waits this long for the source (the Kafka broker) before calling it unreachable.
SOURCE_TIMEOUT = 2.0
# Probes and scrapes arriving within this many seconds share one look at the source.
SOURCE_CACHE_SECONDS = 1.0

_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Probe(Protocol):
    """What the endpoints ask about the daemon."""

    def alive(self) -> str | None:
        """None while alive, else why not."""
        ...

    async def ready(self) -> str | None:
        """None when ready to consume, else why not."""
        ...

    async def refresh(self) -> None:
        """Bring scrape-time gauges (consumer lag) up to date."""
        ...


class Watched(Protocol):
    """The daemon as the probe sees it (`agent.runtime.Daemon`)."""

    @property
    def consuming(self) -> bool:
        """True from the end of start-up until the daemon stops."""
        ...


class DaemonProbe:
    """Liveness and readiness of one daemon, watched once it exists (`watch()`).

    Until then the daemon is starting: the source is connecting, the board loading.
    """

    def __init__(self, metrics: Metrics | None = None) -> None:
        self._metrics = metrics
        self._daemon: Watched | None = None
        self._source: LagReporter | None = None
        self._task: asyncio.Task[None] | None = None
        self._looked_at = float("-inf")
        self._looked: dict[tuple[str, int], int] | str = {}
        self._looking = asyncio.Lock()

    def watch(
        self, daemon: Watched, source: object, task: asyncio.Task[None] | None = None
    ) -> None:
        """Watch `daemon`, consuming `source` in `task` (the task's crash is un-health)."""
        self._daemon = daemon
        self._source = source if isinstance(source, LagReporter) else None
        self._task = task

    def alive(self) -> str | None:
        task = self._task
        if task is None or not task.done() or task.cancelled():
            return None
        error = task.exception()
        return None if error is None else f"the daemon crashed: {error!r}"

    async def ready(self) -> str | None:
        if self._daemon is None:
            return "starting: connecting to the source and loading the board"
        if not self._daemon.consuming:
            if self._task is not None and self._task.done():
                return "the daemon has stopped"
            return "starting: resuming cases left pending by a previous run"
        looked = await self._look()
        if isinstance(looked, str):
            return looked
        if self._source is not None and not looked:
            return "no partition assigned yet (joining the consumer group)"
        return None

    async def refresh(self) -> None:
        await self._look()

    async def _look(self) -> dict[tuple[str, int], int] | str:
        """The source's lag (also into the gauges), or why the source could not say.

        Cached for a second; while the source cannot say, the gauges keep their last values.
        """
        source = self._source
        if source is None:
            return {}
        async with self._looking:  # concurrent probes wait for one answer
            if time.monotonic() - self._looked_at < SOURCE_CACHE_SECONDS:
                return self._looked
            try:
                self._looked = await asyncio.wait_for(source.lag(), SOURCE_TIMEOUT)
            except TimeoutError:
                self._looked = f"the source did not answer within {SOURCE_TIMEOUT:g} s"
            except TravelAgentError as exc:
                self._looked = f"the source is unreachable: {exc}"
            else:
                if self._metrics is not None:
                    self._metrics.set_lag(self._looked)
            self._looked_at = time.monotonic()
            return self._looked


class OpsServer:
    """Serves the ops endpoints while open: ``async with OpsServer(...) as ops``."""

    def __init__(
        self,
        metrics: Metrics,
        probe: Probe,
        *,
        host: str = "127.0.0.1",
        port: int = 9464,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        """Port 0 binds an ephemeral port (tests); `port` then tells which."""
        self.metrics = metrics
        self.probe = probe
        self.host = host
        self._port = port
        self.read_timeout = read_timeout
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        if self._server is None or not self._server.sockets:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def __aenter__(self) -> OpsServer:
        try:
            self._server = await asyncio.start_server(
                self._serve, self.host, self._port, limit=MAX_LINE
            )
        except OSError as exc:
            raise ConfigError(
                f"cannot serve the ops endpoints on {self.host}:{self._port}: {exc.strerror}; "
                "set TRAVEL_AGENT_OPS__PORT to a free port (0 disables them)"
            ) from exc
        log.info("ops endpoints on %s (/metrics, /healthz, /readyz)", self.url)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for writer in list(self._clients):  # a scraper mid-request must not hold us up
            writer.close()
        await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        try:
            try:
                async with asyncio.timeout(self.read_timeout):
                    method, path = await _read_request(reader)
            except TimeoutError:
                await _respond(writer, 408, _json({"error": "request not received in time"}))
                return
            except _BadRequest as exc:
                await _respond(writer, 400, _json({"error": str(exc)}))
                return
            status, content_type, body, extra = await self._route(method, path)
            await _respond(writer, status, body, content_type, extra, head=method == "HEAD")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        except Exception:
            log.exception("ops endpoint failed")
            with contextlib.suppress(ConnectionError):
                await _respond(writer, 500, _json({"error": "internal error"}))
        finally:
            self._clients.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _route(self, method: str, path: str) -> tuple[int, str, bytes, dict[str, str]]:
        if path not in ("/metrics", "/healthz", "/readyz"):
            return 404, CONTENT_TYPE_JSON, _json({"error": f"no such endpoint: {path}"}), {}
        if method not in ("GET", "HEAD"):
            allow = {"Allow": "GET, HEAD"}
            return 405, CONTENT_TYPE_JSON, _json({"error": f"{method} not allowed"}), allow
        if path == "/metrics":
            await self.probe.refresh()
            return 200, CONTENT_TYPE_METRICS, self.metrics.exposition(), {}
        if path == "/healthz":
            why = self.probe.alive()
            if why is None:
                return 200, CONTENT_TYPE_JSON, _json({"status": "alive"}), {}
            return 503, CONTENT_TYPE_JSON, _json({"status": "failed", "reason": why}), {}
        why = await self.probe.ready()
        if why is None:
            return 200, CONTENT_TYPE_JSON, _json({"status": "ready"}), {}
        return 503, CONTENT_TYPE_JSON, _json({"status": "not_ready", "reason": why}), {}


class _BadRequest(Exception):
    pass


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    """The method and path of one HTTP/1.x request; its headers are read and ignored."""
    line = await _read_line(reader)
    parts = line.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest("expected an HTTP/1.x request line")
    method, target, _ = parts
    for _ in range(MAX_HEADERS):
        if not await _read_line(reader):
            path = target.split("?", 1)[0]
            if not path.startswith("/"):
                raise _BadRequest("expected a path such as /metrics")
            return method, path
    raise _BadRequest(f"more than {MAX_HEADERS} header lines")


async def _read_line(reader: asyncio.StreamReader) -> str:
    try:
        raw = await reader.readuntil(b"\n")
    except asyncio.LimitOverrunError as exc:
        raise _BadRequest(f"a request line longer than {MAX_LINE} bytes") from exc
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise _BadRequest("the request ended mid-line") from exc
        raise
    return raw.decode("latin-1").rstrip("\r\n")


async def _respond(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes,
    content_type: str = CONTENT_TYPE_JSON,
    extra: dict[str, str] | None = None,
    *,
    head: bool = False,
) -> None:
    headers = {
        "Content-Type": content_type,
        "Content-Length": str(len(body)),
        "Cache-Control": "no-store",
        "Connection": "close",
        **(extra or {}),
    }
    lines = [f"HTTP/1.1 {status} {_REASONS[status]}", *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    if not head:
        writer.write(body)
    await writer.drain()


def _json(value: dict[str, str]) -> bytes:
    return json.dumps(value).encode()
