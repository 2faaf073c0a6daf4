"""The desk's doors: login, sessions, roles, CSRF, rate limits, and what reaches the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from airline.models import Preferences, SeatPreference
from airline.tables import CustomerRow
from dashboard.tables import AuditRow, OperatorRow, SessionRow
from memory.base import CustomerProfile, MemoryKind, MemoryRecord
from tests.fakes.desk_client import Desk, open_desk

PAGES = [
    "/",
    "/approvals",
    "/disruptions",
    "/board",
    "/audit",
    "/customers/C000001",
    "/admin/operators",
    "/account",
    "/fragments/overview",
    "/fragments/approvals",
    "/events",
]


@pytest.fixture
def desk(world_path: Path) -> Iterator[Desk]:
    with open_desk(world_path) as opened:
        yield opened


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_stranger_to_the_login(desk: Desk, path: str) -> None:
    response = desk.client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_the_api_answers_401_to_a_stranger(desk: Desk) -> None:
    assert desk.client.get("/api/approvals").status_code == 401
    assert desk.client.get("/api/approvals/AP-NOPE").status_code == 401


def test_login_opens_an_httponly_strict_session_and_logout_ends_it(desk: Desk) -> None:
    response = desk.attempt_login("vera", next="/board")
    assert response.status_code == 303 and response.headers["location"] == "/board"
    cookie = next(c for c in response.headers.get_list("set-cookie") if "desk_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert desk.client.get("/", follow_redirects=False).status_code == 200
    csrf = desk.csrf()
    desk.client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert desk.client.get("/", follow_redirects=False).status_code == 303


def test_secrets_are_stored_hashed(desk: Desk) -> None:
    desk.login("vera")
    cookie = desk.client.cookies["desk_session"]

    async def stored() -> tuple[list[str], list[str]]:
        async with desk.desk.db.session() as session:
            hashes = list(await session.scalars(select(OperatorRow.password_hash)))
            ids = list(await session.scalars(select(SessionRow.id)))
        return hashes, ids

    hashes, ids = desk.call(stored)
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert cookie not in ids and len(ids) == 1


def test_session_cookie_is_secure_unless_served_on_loopback(world_path: Path) -> None:
    with open_desk(world_path, secure_cookies=None, host="0.0.0.0") as desk:
        desk.client.base_url = "https://testserver"  # type: ignore[assignment]
        response = desk.attempt_login("vera")
        cookie = next(c for c in response.headers.get_list("set-cookie") if "desk_session=" in c)
        assert "Secure" in cookie


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(desk: Desk) -> None:
    for name, password in (("vera", "not-her-password"), ("nobody", "whatever-pass")):
        response = desk.attempt_login(name, password)
        assert response.status_code == 401
        assert "wrong name or password" in response.text


def test_a_login_without_its_csrf_token_is_refused(desk: Desk) -> None:
    desk.login_form_token()
    response = desk.client.post("/login", data={"name": "vera", "password": "viewer-pass-1"})
    assert response.status_code == 403
    assert desk.client.get("/", follow_redirects=False).status_code == 303


def test_logins_are_rate_limited_per_name(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    # The desk's security clock stands still: on a loaded machine five logins can take
    # longer than the first backoff (1 s), and the sixth would rightly be let through.
    instant = datetime.now(UTC)
    monkeypatch.setattr("dashboard.auth._now", lambda: instant)
    for _ in range(5):
        response = desk.attempt_login("abe", "guess-guess")
        assert response.status_code == 401
    # Even the right password waits now: guessing stops.
    response = desk.attempt_login("abe")
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    # Another operator is not locked out by abe's attempts.
    desk.login("vera")


def test_after_login_the_operator_returns_to_a_local_page_only(desk: Desk) -> None:
    response = desk.attempt_login("vera", next="//evil.example/")
    assert response.headers["location"] == "/"


def test_a_viewer_sees_the_queue_but_cannot_decide(desk: Desk) -> None:
    approval = desk.park()
    csrf = desk.login("vera")
    page = desk.client.get("/approvals")
    assert approval.id in page.text and "View only" in page.text
    assert 'value="approve"' not in page.text
    response = desk.client.post(
        f"/approvals/{approval.id}/decide", data={"verdict": "approve", "csrf_token": csrf}
    )
    assert response.status_code == 403
    assert desk.call(desk.desk.approvals.get, approval.id).status == "pending"
    assert desk.client.get("/admin/operators").status_code == 403


def test_an_approver_decides_only_with_the_csrf_token(desk: Desk) -> None:
    approval = desk.park()
    csrf = desk.login("abe")
    refused = desk.client.post(f"/approvals/{approval.id}/decide", data={"verdict": "approve"})
    assert refused.status_code == 403
    wrong = desk.client.post(
        f"/approvals/{approval.id}/decide", data={"verdict": "approve", "csrf_token": "x" * 40}
    )
    assert wrong.status_code == 403
    assert desk.call(desk.desk.approvals.get, approval.id).status == "pending"
    done = desk.client.post(
        f"/approvals/{approval.id}/decide",
        data={"verdict": "approve"},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert done.status_code == 200 and "abe" in done.text
    decided = desk.call(desk.desk.approvals.get, approval.id)
    assert decided.status == "approved" and decided.decided_by == "abe"
    audit = desk.client.get("/audit").text
    assert approval.id in audit and "abe" in audit


def test_edit_and_reject_need_their_option_and_reason(desk: Desk) -> None:
    first, second = desk.park(0), desk.park(1)
    csrf = desk.login("abe")
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    no_reason = desk.client.post(
        f"/approvals/{first.id}/decide", data={"verdict": "reject"}, headers=headers
    )
    assert "needs a reason" in no_reason.text
    assert no_reason.headers["HX-Retarget"] == f"#flash-{first.id}"
    desk.client.post(
        f"/approvals/{first.id}/decide",
        data={"verdict": "reject", "reason": "customer called"},
        headers=headers,
    )
    desk.client.post(
        f"/approvals/{second.id}/decide", data={"verdict": "edit", "option": "1"}, headers=headers
    )
    rejected = desk.call(desk.desk.approvals.get, first.id)
    edited = desk.call(desk.desk.approvals.get, second.id)
    assert rejected.status == "rejected" and rejected.decision.reason == "customer called"
    assert edited.status == "edited" and edited.decision.option == 1
    again = desk.client.post(
        f"/approvals/{first.id}/decide", data={"verdict": "approve"}, headers=headers
    )
    assert "it takes no decision now" in again.text


def test_no_passenger_data_reaches_the_logs(desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    approval = desk.park()

    async def name_of() -> str:
        async with desk.desk.db.session() as session:
            row = await session.get(CustomerRow, approval.customer_id)
            assert row is not None
            return row.name

    name = desk.call(name_of)
    caplog.set_level(logging.INFO)  # as the CLI runs (DEBUG adds the database driver's SQL)
    csrf = desk.login("abe")
    for path in ("/approvals", f"/customers/{approval.customer_id}"):
        assert name in desk.client.get(path).text
    desk.client.post(
        f"/approvals/{approval.id}/decide", data={"verdict": "approve", "csrf_token": csrf}
    )
    assert approval.pnr in desk.client.get("/audit").text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"approval {approval.id}: approve by abe" in logged
    assert name not in logged and approval.pnr not in logged


def test_pages_show_local_airport_time_with_the_zone(desk: Desk) -> None:
    approval = desk.park()
    desk.login("vera")
    page = desk.client.get("/approvals").text
    # The seeded world's flights leave from European hubs: CET in March.
    assert '<span class="tz">' in page
    assert approval.flight_key in page


def test_pages_forbid_framing_and_foreign_scripts(desk: Desk) -> None:
    headers = desk.client.get("/login").headers
    assert "script-src" not in headers["content-security-policy"]  # default-src 'self' rules
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"


def test_an_admin_disables_an_operator_and_their_session_ends(desk: Desk) -> None:
    desk.login("abe")
    abe_cookie = desk.client.cookies["desk_session"]
    csrf = desk.login("ada")
    assert 'data-operator="abe"' in desk.client.get("/admin/operators").text
    response = desk.client.post(
        "/admin/operators/abe/active",
        data={"active": "false", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    lock_self = desk.client.post(
        "/admin/operators/ada/active", data={"active": "false", "csrf_token": csrf}
    )
    assert lock_self.status_code == 400
    desk.client.cookies.clear()
    desk.client.cookies.set("desk_session", abe_cookie)
    assert desk.client.get("/approvals", follow_redirects=False).status_code == 303
    refused = desk.attempt_login("abe")
    assert refused.status_code == 401


class _Memory:
    """A stand-in for the memory port: one remembered preference."""

    async def profile(self, customer_id: str, *, history: int = 10) -> CustomerProfile:
        record = MemoryRecord(
            id="m1",
            customer_id=customer_id,
            kind=MemoryKind.PREFERENCE,
            text="asked for aisle seats on the phone",
            at=datetime(2026, 2, 1, tzinfo=UTC),
        )
        return CustomerProfile(
            customer_id=customer_id,
            preferences=Preferences(seat=SeatPreference.AISLE),
            history=[record],
        )


def test_the_customer_page_shows_what_memory_holds(world_path: Path) -> None:
    with open_desk(world_path, memory=_Memory()) as desk:
        desk.login("vera")
        page = desk.client.get("/customers/C000001").text
        assert "aisle seat" in page and "asked for aisle seats on the phone" in page


def test_without_memory_the_customer_page_says_so(desk: Desk) -> None:
    desk.login("vera")
    assert "not connected" in desk.client.get("/customers/C000001").text


def test_an_operator_changes_their_password_and_their_other_sessions_end(
    world_path: Path, desk: Desk
) -> None:
    with open_desk(world_path, add_operators=False) as elsewhere:  # another browser
        elsewhere.login("vera")
        assert elsewhere.client.get("/", follow_redirects=False).status_code == 200

        csrf = desk.login("vera")
        page = desk.client.get("/account")
        assert page.status_code == 200 and "Change your password" in page.text
        form = {"current": "viewer-pass-1", "password": "a-new-pass-22", "again": "a-new-pass-22"}

        assert desk.client.post("/account/password", data=form).status_code == 403  # no CSRF
        wrong = desk.client.post(
            "/account/password", data=form | {"current": "guess-guess", "csrf_token": csrf}
        )
        assert wrong.status_code == 400 and "current password is wrong" in wrong.text
        differ = desk.client.post(
            "/account/password", data=form | {"again": "a-new-pass-23", "csrf_token": csrf}
        )
        assert differ.status_code == 400 and "new passwords differ" in differ.text

        done = desk.client.post("/account/password", data=form | {"csrf_token": csrf})
        assert done.status_code == 200 and "Your password is changed" in done.text
        assert desk.client.get("/", follow_redirects=False).status_code == 200  # this one stays
        assert elsewhere.client.get("/", follow_redirects=False).status_code == 303  # ended

        desk.client.post("/logout", data={"csrf_token": desk.csrf()})
        assert desk.attempt_login("vera", "viewer-pass-1").status_code == 401
        desk.login("vera", "a-new-pass-22")

    async def audited() -> list[str]:
        async with desk.desk.db.session() as session:
            return list(
                await session.scalars(
                    select(AuditRow.action).where(AuditRow.action == "password_changed")
                )
            )

    assert desk.call(audited) == ["password_changed"]


def test_the_customer_page_shows_the_conversation_as_data(world_path: Path) -> None:
    import asyncio

    from agent.offers import OfferDesk
    from airline.tables import BookingRow
    from streams.replies import PassengerReply
    from tests.fakes.offers import offered_booking, world_deps
    from travel_agent.db import Database

    async def converse() -> tuple[str, str]:
        async with Database(f"sqlite+aiosqlite:///{world_path}") as db:
            deps = await world_deps(db)
            offered = await offered_booking(deps)
            for n, (choice, text) in enumerate(
                [("text", "<script>alert(1)</script> can I bring my bike?"), ("option", "")]
            ):
                reply = PassengerReply.model_validate(
                    {
                        "reply_id": f"r{n}",
                        "pnr": offered.pnr,
                        "channel": "sms",
                        "choice": choice,
                        "option": 2 if choice == "option" else None,
                        "text": text,
                        "received_at": deps.clock.now(),
                    }
                )
                await OfferDesk(deps).answer(reply)
            async with db.session() as session:
                booking = await session.get(BookingRow, offered.pnr)
            assert booking is not None
            return booking.customer_id, offered.offer_id

    customer, offer = asyncio.run(converse())
    with open_desk(world_path) as desk:
        desk.login("vera")
        page = desk.client.get(f"/customers/{customer}").text
    assert offer in page and "changed" in page
    assert "moved to option 2" in page and "to the operator desk: the passenger wrote" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; can I bring my bike?" in page
    assert "<script>alert(1)" not in page
