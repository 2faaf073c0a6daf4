"""Serving the desk inside an asyncio program: `async with DeskServer(app, host, port)`.

uvicorn's `Server.serve()` runs in the caller's event loop, so `travel-agent demo` serves
the desk beside the daemon, and the tests beside the browser. Signals stay with the
caller (its stop event ends everything in order); uvicorn's own access log is off,
because request paths name customers and passenger data stays out of logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from travel_agent.errors import ConfigError

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the program that embeds us owns SIGINT/SIGTERM


class DeskServer:
    """The desk served on host:port while open; port 0 picks a free one (`url` tells)."""

    def __init__(self, app: Starlette, *, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.app = app
        self.host = host
        self._port = port
        self._server = _Server(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                lifespan="on",
                timeout_graceful_shutdown=2,
                proxy_headers=False,
            )
        )
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None

    @property
    def port(self) -> int:
        if self._socket is not None:
            return int(self._socket.getsockname()[1])
        return self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def __aenter__(self) -> DeskServer:
        # Bound here, not by uvicorn, which would sys.exit() on a port in use.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._port))
        except OSError as exc:
            sock.close()
            raise ConfigError(
                f"cannot serve the operator desk on {self.host}:{self._port}: {exc.strerror}; "
                "choose another with --port (or TRAVEL_AGENT_DASHBOARD__PORT)"
            ) from exc
        self._socket = sock
        self._task = asyncio.create_task(self._server.serve([sock]), name="desk-server")
        while not self._server.started:
            if self._task.done():
                await self._task  # raises what stopped it
                raise ConfigError("the operator desk stopped while starting")
            await asyncio.sleep(0.02)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        desk = getattr(self.app.state, "desk", None)
        if desk is not None:
            desk.feed.close()  # end the live streams, so no connection holds up shutdown
        self._server.should_exit = True
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        if self._socket is not None:
            self._socket.close()
