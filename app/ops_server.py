"""The ops endpoints: ``/metrics``, ``/healthz`` and ``/readyz``, a Starlette app served by
uvicorn in the daemon's event loop (`travel_agent.serving.AsgiServer`).

For a process supervisor, an orchestrator and Prometheus. uvicorn (h11) parses the
requests: a malformed or oversized one is answered 400 and the daemon goes on; a
client that never finishes its request holds only its own connection.

* ``GET /metrics`` — the daemon's `Metrics` in Prometheus's text format 0.0.4
  (`prometheus_client.generate_latest`); the consumer-lag gauges are refreshed from the
  source at scrape time.
* ``GET /healthz`` — 200 while the event loop answers and the daemon task has not
  crashed; 503 with a JSON reason once it has.
* ``GET /readyz`` — 200 once the board is loaded, pending cases are resumed and the
  source is connected (on Kafka: partitions assigned and the broker answering); 503
  with a JSON reason otherwise — during start-up, while the broker is unreachable,
  after the daemon stopped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agent.metrics import LagReporter, Metrics
from travel_agent.errors import TravelAgentError
from travel_agent.serving import AsgiServer

__all__ = ["DaemonProbe", "OpsServer", "Probe", "ops_app"]

log = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store"}
# A probe waits this long for the source (the Kafka broker) before calling it unreachable.
SOURCE_TIMEOUT = 2.0
# Probes and scrapes arriving within this many seconds share one look at the source.
SOURCE_CACHE_SECONDS = 1.0


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


def ops_app(metrics: Metrics, probe: Probe) -> Starlette:
    """The three endpoints as a Starlette app (served by uvicorn in `OpsServer`)."""

    async def scrape(_request: Request) -> Response:
        await probe.refresh()  # the lag gauges, as the source reports them now
        return Response(
            generate_latest(metrics.registry),
            media_type=CONTENT_TYPE_PLAIN_0_0_4,  # what every Prometheus reads
            headers=NO_STORE,
        )

    async def healthz(_request: Request) -> Response:
        why = probe.alive()
        if why is None:
            return JSONResponse({"status": "alive"}, headers=NO_STORE)
        return JSONResponse({"status": "failed", "reason": why}, 503, headers=NO_STORE)

    async def readyz(_request: Request) -> Response:
        why = await probe.ready()
        if why is None:
            return JSONResponse({"status": "ready"}, headers=NO_STORE)
        return JSONResponse({"status": "not_ready", "reason": why}, 503, headers=NO_STORE)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return JSONResponse(
                {"error": f"{request.method} not allowed"},
                405,
                headers={**NO_STORE, "Allow": "GET, HEAD"},
            )
        if exc.status_code == 404:
            error = f"no such endpoint: {request.url.path}"
            return JSONResponse({"error": error}, 404, headers=NO_STORE)
        return JSONResponse({"error": str(exc.detail)}, exc.status_code, headers=NO_STORE)

    return Starlette(
        routes=[
            Route("/metrics", scrape, methods=["GET", "HEAD"]),
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Route("/readyz", readyz, methods=["GET", "HEAD"]),
        ],
        exception_handlers={HTTPException: refused},
    )


class OpsServer(AsgiServer):
    """Serves the ops endpoints while open: ``async with OpsServer(...) as ops``.

    Port 0 binds an ephemeral port (tests); `port` then tells which.
    """

    def __init__(
        self, metrics: Metrics, probe: Probe, *, host: str = "127.0.0.1", port: int = 9464
    ) -> None:
        self.metrics = metrics
        self.probe = probe
        super().__init__(
            ops_app(metrics, probe),
            host=host,
            port=port,
            what="the ops endpoints",
            setting="a free port with TRAVEL_AGENT_OPS__PORT (0 disables them)",
        )

    async def __aenter__(self) -> OpsServer:
        await super().__aenter__()
        log.info("ops endpoints on %s (/metrics, /healthz, /readyz)", self.url)
        return self
