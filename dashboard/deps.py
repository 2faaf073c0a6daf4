"""What every desk route needs: the `Desk` on the app, sessions, roles and CSRF."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.approvals import ApprovalDesk
from airline.clock import Clock, EventTimeClock, SystemClock
from dashboard import timefmt
from dashboard.auth import OperatorStore, Role, Session, tokens_match
from dashboard.live import LiveFeed
from dashboard.reads import Places
from dashboard.settings import DashboardSettings
from memory.base import CustomerMemory
from travel_agent.db import Database

HERE = Path(__file__).parent
SESSION_COOKIE = "desk_session"
LOGIN_CSRF_COOKIE = "desk_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSET = object()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cookies_secure(settings: DashboardSettings) -> bool:
    """Secure cookies unless configured otherwise or bound to loopback (plain http there)."""
    if settings.secure_cookies is not None:
        return settings.secure_cookies
    return not is_loopback(settings.host)


class DeskClock:
    """The time decisions are recorded at: the stream's time, as the board last showed it.

    On a simulated or replayed day (clock "event") that is the day being played, like the
    daemon's clock; with clock "system" it is wall time.
    """

    def __init__(self, system: bool) -> None:
        self._system = SystemClock() if system else None
        self._event: EventTimeClock | None = None

    def follow(self, instant: datetime) -> None:
        if self._system is not None:
            return
        if self._event is None:
            self._event = EventTimeClock(instant)
        elif instant > self._event.now():
            self._event.follow(instant)

    def now(self) -> datetime:
        if self._event is not None:
            return self._event.now()
        return SystemClock().now()

    async def sleep_until(self, instant: datetime) -> None:
        await (self._event or SystemClock()).sleep_until(instant)


@dataclass
class Desk:
    """What every request needs; one per app, on `app.state.desk`."""

    settings: DashboardSettings
    db: Database
    approvals: ApprovalDesk
    operators: OperatorStore
    feed: LiveFeed
    places: Places
    clock: Clock
    secure_cookies: bool
    memory: CustomerMemory | None


class LoginRequiredError(Exception):
    """No (live) session: pages redirect to the login, the API answers 401."""


class ForbiddenError(Exception):
    def __init__(self, needed: Role) -> None:
        super().__init__(f"this needs the {needed.value} role")
        self.needed = needed


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


async def session_of(request: Request) -> Session | None:
    """The request's live session (cached on the request), or None."""
    cached = getattr(request.state, "desk_session", _UNSET)
    if cached is not _UNSET:
        return cached if isinstance(cached, Session) else None
    token = request.cookies.get(SESSION_COOKIE)
    found = await desk_of(request).operators.session_for(token) if token else None
    request.state.desk_session = found
    return found


async def csrf_guard(request: Request) -> None:
    """Every state-changing request carries the session's CSRF token (header or form field).

    Bearer-token API calls are exempt: a browser never sends that header on its own.
    The login form is protected by a double-submit cookie, as it has no session yet.
    """
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    if request.url.path == "/login":
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    else:
        session = await session_of(request)
        if session is None:
            raise LoginRequiredError
        expected = session.csrf_token
    if not expected or not tokens_match(given, expected):
        raise StarletteHTTPException(403, "CSRF token missing or wrong: reload the page")


def require(role: Role) -> Any:
    """A dependency: the logged-in session, with at least `role`."""

    async def dependency(request: Request) -> Session:
        session = await session_of(request)
        if session is None:
            raise LoginRequiredError
        if not session.operator.role.allows(role):
            raise ForbiddenError(role)
        return session

    return Depends(dependency)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    env = templates.env
    env.filters["local"] = timefmt.local
    env.filters["money"] = timefmt.money
    env.globals["until"] = timefmt.until
    return templates
