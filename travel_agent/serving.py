"""Serving an ASGI app inside an asyncio program: `async with AsgiServer(app, ...)`.

uvicorn's `Server.serve()` runs in the caller's event loop, so the daemon serves its ops
endpoints, the demo the operator desk, and the evals their model endpoint beside the
work they do. Signals stay with the caller (its stop event ends everything in order);
uvicorn's access log is off, because request paths can name customers.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Generator
from types import TracebackType
from typing import Any, Self

import uvicorn

from travel_agent.errors import ConfigError

__all__ = ["AsgiServer"]


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the program that embeds us owns SIGINT/SIGTERM


class AsgiServer:
    """`app` served on host:port while open; port 0 picks a free one (`url` tells).

    Args:
        what: what is served, for the error when the port is taken.
        setting: how to choose another port, for the same error.
        lifespan: run the app's lifespan (startup/shutdown) — "on" for an app that has one.
        graceful_seconds: how long requests in flight may finish when it stops.
    """

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        what: str = "the HTTP endpoint",
        setting: str = "another port",
        lifespan: str = "off",
        graceful_seconds: int = 2,
    ) -> None:
        self.app = app
        self.host = host
        self._port = port
        self._what = what
        self._setting = setting
        self._server = _Server(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                lifespan=lifespan,  # type: ignore[arg-type]
                timeout_graceful_shutdown=graceful_seconds,
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

    async def __aenter__(self) -> Self:
        # Bound here, not by uvicorn, which would sys.exit() on a port in use.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._port))
        except OSError as exc:
            sock.close()
            raise ConfigError(
                f"cannot serve {self._what} on {self.host}:{self._port}: {exc.strerror}; "
                f"choose {self._setting}"
            ) from exc
        self._socket = sock
        self._task = asyncio.create_task(self._server.serve([sock]), name=f"serve {self._what}")
        while not self._server.started:
            if self._task.done():
                await self._task  # raises what stopped it
                raise ConfigError(f"{self._what} stopped while starting")
            await asyncio.sleep(0.02)
        return self

    async def before_shutdown(self) -> None:
        """Called first on exit: end what would hold connections open (live streams)."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.before_shutdown()
        self._server.should_exit = True
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        if self._socket is not None:
            self._socket.close()
