"""The operator desk as a FastAPI app: `create_app(settings)`.

Server-rendered Jinja2 pages, HTMX for partial updates, server-sent events to say when
something changed. The app keeps no state of its own between requests — sessions, rate
limits and audit live in the database — so any number of copies can run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from agent.approvals import ApprovalDesk
from airline.board import newest_event_time
from dashboard import api, pages
from dashboard.auth import OperatorStore
from dashboard.deps import (
    HERE,
    Desk,
    DeskClock,
    ForbiddenError,
    LoginRequiredError,
    cookies_secure,
    csrf_guard,
    make_templates,
    session_of,
)
from dashboard.live import LiveFeed
from dashboard.reads import Places
from dashboard.settings import DeskSettings
from memory.base import CustomerMemory
from travel_agent.db import Database

log = logging.getLogger(__name__)


def create_app(
    settings: DeskSettings,
    *,
    db: Database | None = None,
    memory: CustomerMemory | None = None,
) -> FastAPI:
    """The desk over the configured database (or `db`, owned by the caller).

    `memory`, when given, is read (never written) for the customer page's profile.
    """
    config = settings.dashboard

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if db is None:
                database = await stack.enter_async_context(Database(settings.db_url))
            else:
                database = db
            places = Places()
            await places.load(database)
            clock = DeskClock(system=settings.clock == "system")
            newest = await newest_event_time(database)
            if newest is not None:
                clock.follow(newest)
            feed = LiveFeed(
                database,
                poll_seconds=config.poll_seconds,
                metrics_url=config.metrics_url,
                on_board_time=clock.follow,
            )
            app.state.desk = Desk(
                settings=config,
                db=database,
                approvals=ApprovalDesk(database, clock),
                operators=OperatorStore(
                    database,
                    session_hours=config.session_hours,
                    max_failures=config.login_max_failures,
                    window_minutes=config.login_window_minutes,
                ),
                feed=feed,
                places=places,
                clock=clock,
                secure_cookies=cookies_secure(config),
                memory=memory,
            )
            stop = asyncio.Event()
            poller = asyncio.create_task(feed.run(stop), name="desk-live-poll")
            try:
                yield
            finally:
                feed.close()
                stop.set()
                await asyncio.gather(poller, return_exceptions=True)

    app = FastAPI(
        title="travel-agent operator desk",
        description="Approvals the agent handed to a human: list, show, decide. "
        "Authenticate with `Authorization: Bearer <token>` (`travel-agent operators token`) "
        "or a desk session cookie plus the `X-CSRF-Token` header.",
        version="1",
        lifespan=lifespan,
        dependencies=[Depends(csrf_guard)],
        docs_url=None,  # Swagger UI loads from a CDN; the desk fetches nothing at run time
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
            "form-action 'self'; base-uri 'none'",
        )
        if not request.url.path.startswith("/static"):
            headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, _exc: LoginRequiredError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": "not authenticated"}, 401, headers={"WWW-Authenticate": "Bearer"}
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("HX-Request"):  # a fragment: send the whole page to the login
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login?next=" + quote(target, safe="/"), status_code=303)

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, exc: ForbiddenError) -> Response:
        if request.url.path.startswith("/api/") or request.headers.get("HX-Request"):
            return JSONResponse({"detail": str(exc)}, 403)
        session = await session_of(request)
        return pages.render(
            request,
            "error.html",
            session,
            {"title": "Not allowed", "message": str(exc), "nav": ""},
            status_code=403,
        )

    app.include_router(pages.router)
    app.include_router(api.router)
    return app
