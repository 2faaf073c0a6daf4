"""A desk app over a private copy of the seeded world, driven by Starlette's TestClient."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from agent.tables import ApprovalRow
from app.settings import Settings
from dashboard.app import create_app
from dashboard.auth import Role
from dashboard.settings import DashboardSettings
from tests.fakes.desk import PASSWORDS, ROLES, park_case

NOW = datetime.fromisoformat("2026-03-01T07:00:00+00:00")


class Desk:
    """The app, its TestClient, and shortcuts to log in and to park cases."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.desk = client.app.state.desk  # type: ignore[attr-defined]

    def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a coroutine function in the app's event loop."""
        assert self.client.portal is not None
        return self.client.portal.call(lambda: fn(*args, **kwargs))

    def park(self, n: int = 0) -> ApprovalRow:
        return self.call(park_case, self.desk.db, now=NOW, n=n)  # type: ignore[no-any-return]

    def login_form_token(self) -> str:
        page = self.client.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)

    def attempt_login(self, name: str, password: str | None = None, next: str = "") -> Any:
        """Post the login form as a browser would; the response, whatever it is."""
        form = {
            "name": name,
            "password": password or PASSWORDS[name],
            "csrf_token": self.login_form_token(),
        }
        return self.client.post(
            "/login", data=form | ({"next": next} if next else {}), follow_redirects=False
        )

    def login(self, name: str, password: str | None = None) -> str:
        """Log in; returns the session's CSRF token."""
        response = self.attempt_login(name, password)
        assert response.status_code == 303, response.text
        return self.csrf()

    def csrf(self) -> str:
        page = self.client.get("/approvals")
        found = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)


@contextmanager
def open_desk(
    world: Path, *, memory: Any = None, add_operators: bool = True, **dashboard: Any
) -> Iterator[Desk]:
    """The desk on `world`, with an operator of each role (unless another desk on the same
    world added them already)."""
    settings = Settings(
        data_dir=world.parent,
        dashboard=DashboardSettings(
            **({"secure_cookies": False, "poll_seconds": 0.2, "metrics_url": None} | dashboard)
        ),
    )
    assert settings.db_url.endswith(str(world))
    app = create_app(settings, memory=memory)
    with TestClient(app, base_url="http://testserver") as client:
        desk = Desk(client)
        for name, role in ROLES.items() if add_operators else ():
            desk.call(desk.desk.operators.add, name, PASSWORDS[name], Role(role))
        yield desk
