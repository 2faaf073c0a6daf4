"""Serving the desk inside an asyncio program: `async with DeskServer(app, host, port)`.

`travel_agent.serving.AsgiServer` runs uvicorn in the caller's event loop, so
`travel-agent demo` serves the desk beside the daemon, and the tests beside the browser;
uvicorn's access log is off, because request paths name customers.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette

from travel_agent.serving import AsgiServer

__all__ = ["DeskServer"]

log = logging.getLogger(__name__)


class DeskServer(AsgiServer):
    """The desk served on host:port while open; port 0 picks a free one (`url` tells)."""

    def __init__(self, app: Starlette, *, host: str = "127.0.0.1", port: int = 8000) -> None:
        super().__init__(
            app,
            host=host,
            port=port,
            what="the operator desk",
            setting="another with --port (or TRAVEL_AGENT_DASHBOARD__PORT)",
            lifespan="on",
        )

    async def before_shutdown(self) -> None:
        desk = getattr(self.app.state, "desk", None)
        if desk is not None:
            desk.feed.close()  # end the live streams, so no connection holds up shutdown
