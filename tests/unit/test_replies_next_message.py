"""What a passenger said in their answer applies to the next message of their case: the
reminder before the new departure and the refund's confirmation go on the channel they
asked for, read from memory when the message is written."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from agent.choices import ChoiceDesk, tool_deps
from agent.offers import OfferDesk
from agent.tables import OfferRow
from airline.clock import SimulatedClock
from airline.tables import BookingRow, ChannelRow
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.events import TOPIC_NOTIFICATIONS
from streams.replies import PassengerReply
from tests.fakes.memory import DictMemory
from tests.unit.test_case_graph import NOW
from tests.unit.test_followups import rebooked
from tools.tables import OutboxRow

TEXT_ONLY = "Please never email me again, text only."


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW, speed=0)


@pytest.fixture
def memory() -> DictMemory:
    return DictMemory()


@pytest.fixture
async def agent(
    world_path: Path, tmp_path: Path, clock: SimulatedClock, memory: DictMemory
) -> AsyncIterator[Agent]:
    async with open_agent(Settings(data_dir=tmp_path), clock, memory=memory) as opened:
        yield opened


async def reached_by_email_then_sms(agent: Agent, pnr: str) -> None:
    """The booking's customer consented to both, e-mail first on file."""
    async with agent.deps.db.transaction() as session:
        owner = await session.get(BookingRow, pnr)
        assert owner is not None
        await session.execute(delete(ChannelRow).where(ChannelRow.customer_id == owner.customer_id))
        for kind, address, priority in (("email", "p@example.com", 0), ("sms", "+491510", 1)):
            session.add(
                ChannelRow(
                    customer_id=owner.customer_id,
                    kind=kind,
                    address=address,
                    consent=True,
                    priority=priority,
                )
            )


async def answer(agent: Agent, memory: DictMemory, pnr: str, n: int, **said: object) -> str:
    reply = PassengerReply.model_validate(
        {
            "reply_id": f"sms:{n}",
            "pnr": pnr,
            "channel": "sms",
            "received_at": agent.deps.clock.now(),
            **said,
        }
    )
    return await OfferDesk(tool_deps(agent.deps), memory).answer(reply)


async def channel_of(agent: Agent, pnr: str, kind: str) -> str | None:
    async with agent.deps.db.session() as session:
        channels = (
            await session.scalars(
                select(OutboxRow.channel)
                .where(OutboxRow.key == pnr, OutboxRow.topic == TOPIC_NOTIFICATIONS)
                .where(OutboxRow.payload["kind"].as_string() == kind)
                .order_by(OutboxRow.id)
            )
        ).all()
    assert channels, f"no {kind} message for {pnr}"
    return channels[-1]


@pytest.mark.parametrize("wrote", [TEXT_ONLY, None])
async def test_the_reminder_goes_where_the_answer_asked(
    agent: Agent, clock: SimulatedClock, memory: DictMemory, wrote: str | None
) -> None:
    daemon, pnr, flights = await rebooked(agent)
    await reached_by_email_then_sms(agent, pnr)
    if wrote is not None:
        assert "operator desk" in await answer(agent, memory, pnr, 1, choice="text", text=wrote)

    first = agent.deps.schedule.flights[flights[0]]
    clock.advance(first.sched_dep - timedelta(minutes=180) - clock.now() + timedelta(seconds=1))
    await daemon.scheduler.run_due()

    assert await channel_of(agent, pnr, "reminder") == ("sms" if wrote else "email")


async def test_a_refund_after_a_wish_is_confirmed_where_the_wish_said(
    agent: Agent, memory: DictMemory
) -> None:
    _, pnr, _ = await rebooked(agent)
    await reached_by_email_then_sms(agent, pnr)

    await answer(agent, memory, pnr, 1, choice="text", text=TEXT_ONLY)
    refunded = await answer(agent, memory, pnr, 2, choice="decline", text="REFUND")

    assert refunded.startswith("refunded"), refunded
    assert await channel_of(agent, pnr, "refund") == "sms"
    async with agent.deps.db.session() as session:
        (offer,) = (await session.scalars(select(OfferRow).where(OfferRow.pnr == pnr))).all()
    assert offer.status == "declined"


async def test_the_rebooking_message_tells_until_when_to_answer(agent: Agent) -> None:
    _, pnr, flights = await rebooked(agent)
    async with agent.deps.db.session() as session:
        (offer,) = (await session.scalars(select(OfferRow).where(OfferRow.pnr == pnr))).all()
        bodies = (
            await session.scalars(
                select(OutboxRow.payload["body"].as_string()).where(
                    OutboxRow.key == pnr, OutboxRow.topic == TOPIC_NOTIFICATIONS
                )
            )
        ).all()
    first = agent.deps.schedule.flights[flights[0]]
    zone = ZoneInfo(agent.deps.schedule.airports[first.origin].tz)
    told = offer.deadline.replace(tzinfo=UTC).astimezone(zone).strftime("%H:%M")
    assert any("refund" in body.lower() for body in bodies), bodies
    assert any(f"REFUND by {told}" in body for body in bodies), (told, bodies)


async def test_a_wish_in_the_answer_that_takes_the_refund_applies_to_its_confirmation(
    agent: Agent, memory: DictMemory
) -> None:
    _, pnr, _ = await rebooked(agent)
    await reached_by_email_then_sms(agent, pnr)

    refunded = await answer(
        agent, memory, pnr, 1, choice="decline", text="Refund please. " + TEXT_ONLY
    )

    assert refunded.startswith("refunded"), refunded
    assert await channel_of(agent, pnr, "refund") == "sms"


async def test_the_rebooking_message_lists_every_other_option_by_the_offers_number(
    agent: Agent,
) -> None:
    # "Reply 2" must mean the option 2 the desk shows and the offer books: a message that
    # named only the refund left options 2..N unknowable to the passenger.
    _, pnr, _ = await rebooked(agent)
    async with agent.deps.db.session() as session:
        (offer,) = (await session.scalars(select(OfferRow).where(OfferRow.pnr == pnr))).all()
        (body,) = (
            await session.scalars(
                select(OutboxRow.payload["body"].as_string()).where(
                    OutboxRow.key == pnr,
                    OutboxRow.topic == TOPIC_NOTIFICATIONS,
                    OutboxRow.payload["kind"].as_string().like("%rebooked"),
                )
            )
        ).all()
    assert len(offer.options) >= 2, offer.options
    (line,) = [line for line in body.splitlines() if "Reply its number" in line]
    listed = re.findall(r"(\d)\) ([A-Z0-9+]+) ", line)
    numbered = [
        (str(n), "+".join(key.split("/")[0] for key in option["flights"]))
        for n, option in enumerate(offer.options, start=1)
    ]
    assert listed == numbered[1:], (line, offer.options)


async def test_the_daemon_carries_out_a_refund_the_desk_recorded_for_the_passenger(
    agent: Agent, memory: DictMemory
) -> None:
    # The passenger said it to an operator; the daemon's decisions loop takes it through
    # the offers desk (the offer closes as declined), once however often it runs.
    daemon, pnr, _ = await rebooked(agent)
    async with agent.deps.db.session() as session:
        (offer,) = (await session.scalars(select(OfferRow).where(OfferRow.pnr == pnr))).all()
    desk = ChoiceDesk(agent.deps.db, agent.deps.clock)
    assert await desk.record_offer_answer(offer.id, pnr, "refund", chosen_by="abe")

    await daemon.apply_decisions()
    await daemon.apply_decisions()

    (recorded,) = await desk.of_booking(pnr)
    assert (recorded.status, recorded.choice) == ("done", "offer:refund"), recorded.result
    assert (recorded.offer_id, recorded.flight_key) == (offer.id, None)  # an offer, no flight
    async with agent.deps.db.session() as session:
        offer_now = await session.get(OfferRow, offer.id)
        booking = await session.get(BookingRow, pnr)
    assert offer_now is not None and offer_now.status == "declined"
    assert booking is not None and booking.status == "refunded"
    assert await channel_of(agent, pnr, "refund")  # confirmed to the passenger


async def test_a_refund_the_desk_records_for_the_booking_closes_its_open_offer(
    agent: Agent,
) -> None:
    # Left open, the offer defaulted at its deadline as if the re-routing stood, and a
    # later "2" tried to move a journey already refunded.
    daemon, pnr, _ = await rebooked(agent)
    async with agent.deps.db.session() as session:
        (offer,) = (await session.scalars(select(OfferRow).where(OfferRow.pnr == pnr))).all()
    desk = ChoiceDesk(agent.deps.db, agent.deps.clock)
    assert await desk.record_refund(pnr, offer.disruption_flight, chosen_by="abe")

    await daemon.apply_decisions()

    (recorded,) = await desk.of_booking(pnr)
    assert recorded.status == "done", recorded.result
    assert (recorded.offer_id, recorded.flight_key) == (None, offer.disruption_flight)
    async with agent.deps.db.session() as session:
        closed = await session.get(OfferRow, offer.id)
    assert closed is not None and closed.status == "declined"
    assert (closed.outcome or {}).get("by") == "abe"
