"""A passenger's own words go to the desk; the operator who reads them answers the offer
for the passenger from the conversation (an option, or the refund), and the daemon
carries the answer out once, as the passenger's own would be."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.choices import ChoiceDesk
from agent.offers import OfferDesk, apply_desk_answers
from agent.tables import OfferRow, ReplyRow
from airline.reservations import load_booking
from airline.tables import BookingRow
from streams.replies import PassengerReply
from tests.fakes.desk_client import Desk, open_desk
from tests.fakes.offers import Offered, offered_booking, world_deps
from travel_agent.db import Database

WORDS = "Can I take the later flight instead? My meeting moved."


async def wrote(world_path: Path) -> tuple[Offered, str]:
    """An offered booking whose passenger answered in words of their own."""
    async with Database(f"sqlite+aiosqlite:///{world_path}") as db:
        deps = await world_deps(db)
        offered = await offered_booking(deps)
        reply = PassengerReply(
            reply_id="sms:words",
            pnr=offered.pnr,
            channel="sms",
            choice="text",
            text=WORDS,
            received_at=deps.clock.now(),
        )
        assert await OfferDesk(deps).answer(reply) == "to the operator desk: the passenger wrote"
        async with db.session() as session:
            booking = await session.get(BookingRow, offered.pnr)
        assert booking is not None
        return offered, booking.customer_id


async def carry_out(world_path: Path) -> int:
    """What the daemon does with the desk's recorded answers (`Pump.apply_decisions`)."""
    async with Database(f"sqlite+aiosqlite:///{world_path}") as db:
        return await apply_desk_answers(OfferDesk(await world_deps(db)))


async def afterwards(world_path: Path, offered: Offered) -> tuple[list[str], OfferRow, ReplyRow]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as db, db.session() as session:
        booking = await load_booking(session, offered.pnr)
        offer = await session.get(OfferRow, offered.offer_id)
        (desk_reply,) = (
            await session.scalars(select(ReplyRow).where(ReplyRow.channel == "desk"))
        ).all()
    assert offer is not None
    return [s.flight_key for s in booking.active_segments], offer, desk_reply


def answer(desk: Desk, customer: str, offer_id: str, csrf: str, value: str) -> int:
    response = desk.client.post(
        f"/customers/{customer}/offers/{offer_id}/answer",
        data={"csrf_token": csrf, "answer": value},
        follow_redirects=False,
    )
    return response.status_code


def test_the_operator_answers_an_offer_for_the_passenger_once(world_path: Path) -> None:
    offered, customer = asyncio.run(wrote(world_path))
    with open_desk(world_path) as desk:
        desk.desk.clock.follow(offered_at(world_path, offered))
        csrf = desk.login("abe")
        page = desk.client.get(f"/customers/{customer}").text
        # Their words, the offer's open options and the way to answer, on one page.
        conversation = page[page.index('id="conversation"') :]
        assert WORDS.replace("'", "&#39;") in conversation
        assert f"/customers/{customer}/offers/{offered.offer_id}/answer" in conversation
        for number, flights in enumerate(offered.options, start=1):
            assert f'<option value="{number}">{number}: {" + ".join(flights)}' in conversation

        assert answer(desk, customer, offered.offer_id, csrf, "9") == 409
        assert answer(desk, customer, offered.offer_id, csrf, "2") == 303
        assert answer(desk, customer, offered.offer_id, csrf, "2") == 303  # a double click
        assert answer(desk, customer, offered.offer_id, csrf, "refund") == 303  # too late
        recorded = desk.call(ChoiceDesk(desk.desk.db, desk.desk.clock).of_booking, offered.pnr)
        assert [(c.choice, c.chosen_by, c.status) for c in recorded] == [
            ("offer:2", "abe", "recorded")
        ]
        assert [(c.offer_id, c.flight_key) for c in recorded] == [(offered.offer_id, None)]

        assert asyncio.run(carry_out(world_path)) == 1
        assert asyncio.run(carry_out(world_path)) == 0  # carried out once
        flights, offer, desk_reply = asyncio.run(afterwards(world_path, offered))
        assert flights == offered.options[1]
        assert (offer.status, desk_reply.disposition, desk_reply.sender) == (
            "changed",
            "changed",
            "abe",
        )
        page = desk.client.get(f"/customers/{customer}").text
        assert "abe answered 2 for the passenger: done" in page
        # The offer is answered: nobody can answer it again from the desk.
        assert f"/offers/{offered.offer_id}/answer" not in page
        assert answer(desk, customer, offered.offer_id, csrf, "3") == 409


def test_a_viewer_cannot_answer_for_the_passenger(world_path: Path) -> None:
    offered, customer = asyncio.run(wrote(world_path))
    with open_desk(world_path) as desk:
        csrf = desk.login("vera")
        assert "/answer" not in desk.client.get(f"/customers/{customer}").text
        assert answer(desk, customer, offered.offer_id, csrf, "2") == 403


def offered_at(world_path: Path, offered: Offered) -> datetime:
    async def created() -> datetime:
        async with Database(f"sqlite+aiosqlite:///{world_path}") as db, db.session() as session:
            offer = await session.get(OfferRow, offered.offer_id)
            assert offer is not None
            return offer.created_at

    return asyncio.run(created())


def test_the_cli_numbers_the_options_as_the_desk_and_answers_once(
    world_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from app.cli import app

    offered, _ = asyncio.run(wrote(world_path))
    monkeypatch.setenv("TRAVEL_AGENT_DATA_DIR", str(world_path.parent))
    runner = CliRunner()

    shown = runner.invoke(app, ["customers", "answer", offered.pnr])
    assert shown.exit_code == 0, shown.output
    for number, flights in enumerate(offered.options, start=1):
        assert f"  {number}: {' + '.join(flights)}" in shown.output
    assert WORDS in shown.output and "the passenger wrote" in shown.output

    nobody = runner.invoke(app, ["customers", "answer", offered.pnr, "2"])
    assert nobody.exit_code == 2 and "--as" in nobody.output
    done = runner.invoke(app, ["customers", "answer", offered.pnr, "2", "--as", "maria"])
    again = runner.invoke(app, ["customers", "answer", offered.pnr, "refund", "--as", "ole"])
    assert done.exit_code == 0 and "recorded: 2" in done.output
    assert again.exit_code == 0 and "not recorded" in again.output
    wrong = runner.invoke(app, ["customers", "answer", offered.pnr, "9", "--as", "maria"])
    assert wrong.exit_code == 1 and "has no option 9" in wrong.output
