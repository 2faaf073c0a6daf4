"""A desk that cannot be tricked: each test here failed before its fix.

* CSRF is checked for every cookie-authenticated request, whatever other headers say:
  an `Authorization: Bearer <anything>` header once switched it off for the pages (an
  admin was created that way). Bearer tokens authenticate only the API, and then no
  cookie does.
* The login throttle is atomic, per name and per address, with exponential backoff: of
  30 concurrent wrong passwords only a few are checked and the right one in the same
  burst does not log in; 25 names from one address do not pass a limit of 20; and the
  right password works again after a short wait, not a 15-minute lockout.
* An id no page has (CR LF, a character a header cannot carry) is a 404, not a traceback.
* Served over TLS, the desk sends HSTS.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.settings import Settings
from dashboard import auth
from dashboard.app import create_app
from dashboard.server import DeskServer
from dashboard.settings import DashboardSettings
from dashboard.tables import OperatorRow
from tests.fakes.desk import PASSWORDS
from tests.fakes.desk_client import Desk, open_desk


@pytest.fixture
def desk(world_path: Path) -> Iterator[Desk]:
    with open_desk(world_path) as opened:
        yield opened


def _operators(desk: Desk) -> set[str]:
    async def names() -> set[str]:
        async with desk.desk.db.session() as session:
            return set(await session.scalars(select(OperatorRow.name)))

    result: set[str] = desk.call(names)
    return result


# --- CSRF ------------------------------------------------------------------------------


def test_a_bearer_header_does_not_switch_off_csrf_for_a_cookie_session(desk: Desk) -> None:
    desk.login("ada")  # an admin's session cookie, as a victim's browser holds it
    forged = {"name": "mallory", "password": "mallory-pass-1", "role": "admin"}
    for header in ("Bearer anything", "Bearer ", "bearer x"):
        response = desk.client.post(
            "/admin/operators", data=forged, headers={"Authorization": header}
        )
        assert response.status_code == 403, (header, response.status_code)
    assert "mallory" not in _operators(desk)


def test_a_bearer_call_is_authenticated_by_its_token_alone(desk: Desk) -> None:
    approval = desk.park()
    desk.login("ada")  # the cookie of an admin rides along ...
    path = f"/api/approvals/{approval.id}/decision"
    # ... but a bearer call is the token's: an empty or unknown token is refused,
    for header in ("Bearer ", "Bearer not-a-token"):
        response = desk.client.post(
            path, json={"verdict": "approve"}, headers={"Authorization": header}
        )
        assert response.status_code == 401, header
    # and a viewer's token acts with the viewer's role, whatever the cookie's.
    token = desk.call(desk.desk.operators.issue_token, "vera", "tests", by="ada")
    response = desk.client.post(
        path, json={"verdict": "approve"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    # A bearer header means nothing on a page: that POST needs the session's CSRF token.
    page = desk.client.post(
        f"/approvals/{approval.id}/decide",
        data={"verdict": "approve"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert page.status_code == 403


# --- the login throttle --------------------------------------------------------------------


def _burst(desk: Desk, attempts: list[tuple[str, str]], *, address: str = "203.0.113.9") -> Any:
    """POST the login form for every (name, password) at once, from one client address;
    the responses' status codes in order."""
    app = desk.client.app

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            page = await c.get("/login")
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            posts = [
                c.post("/login", data={"name": n, "password": p, "csrf_token": token})
                for n, p in attempts
            ]
            return [r.status_code for r in await asyncio.gather(*posts)]

    return desk.call(burst)


def test_a_burst_of_wrong_passwords_is_not_all_checked_and_the_right_one_waits(
    desk: Desk,
) -> None:
    wrong = [("abe", f"wrong-guess-{n}") for n in range(30)]
    codes = _burst(desk, [*wrong, ("abe", PASSWORDS["abe"])])
    checked = Counter(codes[:-1])
    assert checked[401] <= desk.desk.operators.max_failures, checked
    assert checked[429] >= 30 - desk.desk.operators.max_failures, checked
    assert codes[-1] == 429, "the right password in the burst logged in"


def test_one_address_trying_many_names_is_held_to_its_limit(desk: Desk) -> None:
    names = [(f"user{n:02d}", "wrong-guess-1") for n in range(25)]
    codes = Counter(_burst(desk, names))
    assert codes[401] <= desk.desk.operators.max_failures * 4, codes
    assert codes[429] >= 25 - desk.desk.operators.max_failures * 4, codes


def test_failures_cost_a_growing_wait_not_a_lockout(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [auth._now()]
    monkeypatch.setattr(auth, "_now", lambda: clock[0])
    waits = []
    for _ in range(8):
        response = desk.attempt_login("abe", "guess-guess")
        if response.status_code == 429:
            waits.append(int(response.headers["retry-after"]))
            clock[0] += timedelta(seconds=waits[-1])
            assert desk.attempt_login("abe", "guess-guess").status_code == 401
    assert waits == sorted(waits) and waits[-1] > waits[0], waits  # it grows
    assert waits[-1] < 15 * 60  # and is no lockout
    refused = desk.attempt_login("abe")  # the right password, right away: waits too
    assert refused.status_code == 429
    clock[0] += timedelta(seconds=int(refused.headers["retry-after"]))
    assert desk.attempt_login("abe").status_code == 303  # after the wait, it works


# --- ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["%0d%0aSet-Cookie:%20x=1", "AP-%E6%BC%A2", "%00"])
def test_an_invalid_id_is_not_found_never_a_server_error(desk: Desk, bad: str) -> None:
    csrf = desk.login("abe")
    htmx = {"HX-Request": "true", "X-CSRF-Token": csrf}
    for method, path, kwargs in (
        ("POST", f"/approvals/{bad}/decide", {"data": {"verdict": "approve"}, "headers": htmx}),
        ("GET", f"/api/approvals/{bad}", {}),
        ("GET", f"/customers/{bad}", {}),
        ("GET", f"/disruptions/{bad}", {}),
    ):
        response = desk.client.request(method, path, **kwargs)
        assert response.status_code == 404, (path, response.status_code, response.text[:200])
        assert "x=1" not in response.headers.get("set-cookie", "")  # nothing injected


# --- TLS ---------------------------------------------------------------------------------


def test_hsts_is_sent_over_tls_only(desk: Desk) -> None:
    assert "strict-transport-security" not in desk.client.get("/login").headers
    desk.client.base_url = "https://testserver"  # type: ignore[assignment]
    hsts = desk.client.get("/login").headers["strict-transport-security"]
    assert "max-age=31536000" in hsts


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate and its key, made by openssl."""
    cert, key = tmp_path / "desk.pem", tmp_path / "desk.key"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return cert, key


async def test_the_desk_served_over_tls_sends_hsts(
    world_path: Path, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    settings = Settings(
        data_dir=world_path.parent,
        dashboard=DashboardSettings(tls_certfile=str(cert), tls_keyfile=str(key)),
    )
    app = create_app(settings)
    async with DeskServer(
        app, host="127.0.0.1", port=0, tls_certfile=str(cert), tls_keyfile=str(key)
    ) as server:
        assert server.url.startswith("https://")
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        async with httpx.AsyncClient(verify=context) as client:
            response = await client.get(server.url + "/login")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["strict-transport-security"]
