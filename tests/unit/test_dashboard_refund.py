"""The desk records a passenger's refund choice for the daemon to carry out."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.choices import ChoiceDesk
from airline.tables import BookingRow, SegmentRow
from tests.fakes.desk_client import Desk, open_desk


@pytest.fixture
def desk(world_path: Path) -> Iterator[Desk]:
    with open_desk(world_path) as opened:
        yield opened


def _a_booking(desk: Desk) -> tuple[str, str, str]:
    async def first() -> tuple[str, str, str]:
        async with desk.desk.db.session() as session:
            row = (await session.execute(select(BookingRow.pnr, BookingRow.customer_id))).first()
            assert row is not None
            flight = await session.scalar(
                select(SegmentRow.flight_key).where(SegmentRow.pnr == row[0])
            )
            assert flight is not None
            return row[0], row[1], flight

    found: tuple[str, str, str] = desk.call(first)
    return found


def test_an_approver_records_the_refund_and_the_page_shows_it(desk: Desk) -> None:
    pnr, customer, flight = _a_booking(desk)
    csrf = desk.login("abe")
    page = desk.client.get(f"/customers/{customer}")
    assert "Record refund" in page.text
    response = desk.client.post(
        f"/customers/{customer}/refund",
        data={"csrf_token": csrf, "pnr": pnr, "flight_key": flight},
        follow_redirects=False,
    )
    assert response.status_code == 303
    choices = desk.call(ChoiceDesk(desk.desk.db, desk.desk.clock).of_booking, pnr)
    assert [(c.flight_key, c.choice, c.chosen_by, c.status) for c in choices] == [
        (flight, "refund", "abe", "recorded")
    ]
    assert (
        f"refund chosen for {flight} by abe: recorded"
        in desk.client.get(f"/customers/{customer}").text
    )
    # Recording it twice changes nothing: the daemon carries a choice out once.
    desk.client.post(
        f"/customers/{customer}/refund",
        data={"csrf_token": csrf, "pnr": pnr, "flight_key": flight},
    )
    assert len(desk.call(ChoiceDesk(desk.desk.db, desk.desk.clock).of_booking, pnr)) == 1


def test_a_flight_not_on_the_booking_is_refused_and_a_viewer_cannot_record(desk: Desk) -> None:
    pnr, customer, _ = _a_booking(desk)
    csrf = desk.login("abe")
    wrong = desk.client.post(
        f"/customers/{customer}/refund",
        data={"csrf_token": csrf, "pnr": pnr, "flight_key": "XX1/2026-03-01"},
    )
    assert wrong.status_code == 404 and "has no flight" in wrong.text
    desk.client.post("/logout", data={"csrf_token": csrf})
    csrf = desk.login("vera")
    assert "Record refund" not in desk.client.get(f"/customers/{customer}").text
    denied = desk.client.post(
        f"/customers/{customer}/refund",
        data={"csrf_token": csrf, "pnr": pnr, "flight_key": "XX1/2026-03-01"},
        follow_redirects=False,
    )
    assert denied.status_code == 403
    assert desk.call(ChoiceDesk(desk.desk.db, desk.desk.clock).of_booking, pnr) == []


def test_the_cli_records_the_refund_and_names_a_wrong_flight(
    world_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from app.cli import app
    from travel_agent.db import Database

    monkeypatch.setenv("TRAVEL_AGENT_DATA_DIR", str(world_path.parent))

    async def first() -> tuple[str, str]:
        async with Database(f"sqlite+aiosqlite:///{world_path}") as db, db.session() as session:
            row = (await session.execute(select(SegmentRow.pnr, SegmentRow.flight_key))).first()
            assert row is not None
            return row[0], row[1]

    pnr, flight = asyncio.run(first())
    runner = CliRunner()
    wrong = runner.invoke(
        app, ["customers", "refund", pnr, "--flight", "XX1/2026-03-01", "--as", "maria"]
    )
    assert wrong.exit_code == 1 and "has no flight XX1/2026-03-01" in wrong.output
    done = runner.invoke(app, ["customers", "refund", pnr, "--flight", flight, "--as", "maria"])
    assert done.exit_code == 0 and "recorded" in done.output
    again = runner.invoke(app, ["customers", "refund", pnr, "--flight", flight, "--as", "maria"])
    assert again.exit_code == 0 and "before" in again.output
