"""An approval over a booking another case rebooked goes stale at once and gives its seat back.

The booking connects onto the cancelled XA102: its cancellation's case parks at an
approval holding a seat FRA→LHR. Then the first leg is cancelled too, and that case,
approved, rebooks the whole journey: the first approval's rebooking replaces a segment
the booking no longer holds. It goes stale in the rebooking's own transaction (not at its
deadline, hours of a held seat later), the desk shows it stale with why, its hold is
released, and its case plans again from the booking as it is now.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from agent import approvals, choices
from agent.approvals import Approval, ApprovalDesk, ApprovalStatus, Decision
from agent.choices import take_refund, tool_deps
from agent.runtime import Daemon
from agent.sql_store import SqlCaseStore
from airline.clock import SimulatedClock
from airline.models import BookingStatus, FlightStatus
from airline.reservations import HoldStatus, load_booking
from airline.tables import InventoryRow, SeatHoldRow
from app.settings import Settings
from app.wiring import Agent, open_agent
from dashboard.deps import make_templates
from dashboard.reads import Places
from streams.embedded import EmbeddedBroker, EmbeddedSink, EmbeddedSource
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode
from tests.unit.test_case_graph import CANCELLED, NOW, cancel_and_open, passenger
from tools.effects import ToolStatus
from tools.refunds import RefundChoice


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW, speed=0)


@pytest.fixture
async def agent(world_path: Path, tmp_path: Path, clock: SimulatedClock) -> AsyncIterator[Agent]:
    settings = Settings(data_dir=tmp_path, agent={"approvals": {"all_rebookings": True}})
    async with open_agent(settings, clock) as opened:
        yield opened


def daemon(agent: Agent, broker: EmbeddedBroker | None = None) -> Daemon:
    return Daemon(agent.deps, agent.graph, EmbeddedSource(broker or EmbeddedBroker(), follow=False))


async def holds_of(agent: Agent, case_id: str) -> list[str]:
    async with agent.deps.db.session() as session:
        rows = await session.scalars(
            select(SeatHoldRow.status).where(SeatHoldRow.case_id == case_id)
        )
        return sorted(rows)


async def two_cases_of_one_booking(agent: Agent) -> tuple[Daemon, str, Approval, Approval]:
    """The booking's second leg cancelled (its case parked, holding a seat), then its
    first leg (that case parked too): (daemon, pnr, the first approval, the second)."""
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    booking = await passenger(agent, connecting=True)
    first_leg = booking.segments[0].flight_key
    runner = daemon(agent)
    await runner.run_cases([await cancel_and_open(agent, booking.pnr)])
    [waiting] = await desk.pending()
    assert await holds_of(agent, waiting.case_id) == [HoldStatus.HELD.value]

    broker = EmbeddedBroker()
    state = agent.deps.board.get(first_leg)
    assert state is not None
    event = FlightStatusEvent.about(
        agent.deps.schedule.flights[first_leg],
        event_id="ev-first-leg-cancelled",
        status=FlightStatus.CANCELLED,
        est_dep=state.est_dep,
        est_arr=state.est_arr,
        emitted_at=NOW + timedelta(minutes=1),
    )
    await EmbeddedSink(broker).send(TOPIC_FLIGHT_STATUS, first_leg, encode(event))
    await daemon(agent, broker).run(asyncio.Event())
    [rebooking] = [a for a in await desk.pending() if a.pnr == booking.pnr and a.id != waiting.id]
    return runner, booking.pnr, await desk.get(waiting.id), rebooking


async def decided_card(agent: Agent, approval: Approval) -> str:
    """The desk's card of a decided approval, as the queue shows it under what is pending."""
    places = Places()
    await places.load(agent.deps.db)
    template = make_templates().env.get_template("_decided.html")
    return template.render(approval=approval, places=places)


async def seats_sold(agent: Agent, flight_key: str) -> int:
    async with agent.deps.db.session() as session:
        sold = await session.scalar(
            select(func.sum(InventoryRow.sold)).where(InventoryRow.flight_key == flight_key)
        )
        return int(sold or 0)


async def test_an_approval_over_a_booking_another_case_rebooked_goes_stale_at_once(
    agent: Agent,
) -> None:
    runner, pnr, waiting, rebooking = await two_cases_of_one_booking(agent)
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    [held_flight] = waiting.proposal["actions"][0]["flights"]
    sold = await seats_sold(agent, held_flight)

    await desk.decide(rebooking.id, Decision(verdict="approve"), operator="maria")
    assert await runner.apply_decisions() == 1  # the second case rebooks the journey

    # Before its deadline, before anyone answers it: stale, with why, on the desk.
    stale = await desk.get(waiting.id)
    assert stale.status is ApprovalStatus.STALE and stale.decided_by == "agent"
    assert stale.decision is not None and stale.decision.reason is not None
    assert stale.decision.reason.startswith(f"replaced: case {rebooking.case_id} rebooked {pnr}")
    assert waiting.id not in {a.id for a in await desk.pending()}
    card = await decided_card(agent, stale)
    assert 'data-status="stale"' in card and "No longer applies: replaced: case" in card
    # Its held seat is free for other passengers now, not when the hold expires.
    assert await holds_of(agent, waiting.case_id) == [HoldStatus.RELEASED.value]
    assert await seats_sold(agent, held_flight) == sold - 1

    # The approvals loop resumes the case: it plans again from the booking as it is.
    assert await runner.apply_decisions() == 1
    assert (await desk.get(waiting.id)).applied_at is not None
    async with agent.deps.db.session() as session:
        booking = await load_booking(session, pnr)
    assert [s.flight_key for s in booking.active_segments] == rebooking.proposal["actions"][0][
        "flights"
    ]
    assert all(
        a.case_id != waiting.case_id or a.revision > waiting.revision for a in await desk.pending()
    )
    assert await runner.apply_decisions() == 0


async def test_a_rebooking_killed_before_its_commit_leaves_both_approvals_as_they_were(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The approval goes stale in the rebooking's transaction: a daemon killed in it
    (here: the marking itself fails, after the booking was changed in the transaction)
    leaves neither the rebooking nor the staleness; the retry makes both."""
    runner, pnr, waiting, rebooking = await two_cases_of_one_booking(agent)
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    await desk.decide(rebooking.id, Decision(verdict="approve"), operator="maria")

    async def killed(*args: object, **kwargs: object) -> list[str]:
        raise RuntimeError("killed between the rebooking and the marking")

    with monkeypatch.context() as patch:
        patch.setattr(approvals, "stale_replaced", killed)
        assert await runner.apply_decisions() == 0  # the resume failed, logged
    assert (await desk.get(waiting.id)).status is ApprovalStatus.PENDING
    assert await holds_of(agent, waiting.case_id) == [HoldStatus.HELD.value]
    async with agent.deps.db.session() as session:
        booking = await load_booking(session, pnr)
    assert [s.seq for s in booking.active_segments] == [1, 2]  # not rebooked either

    assert await runner.apply_decisions() == 1  # the restart's loop runs it again
    assert (await desk.get(waiting.id)).status is ApprovalStatus.STALE
    assert await holds_of(agent, waiting.case_id) == [HoldStatus.RELEASED.value]


async def test_a_refund_and_the_staleness_of_the_bookings_approvals_commit_together(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A passenger who takes the refund while their case waits for an operator: the
    approval goes stale in the refund's transaction (it was marked in a second one, so a
    kill between them left it pending over a refunded booking until its deadline)."""
    booking = await passenger(agent, connecting=False)
    runner = daemon(agent)
    await runner.run_cases([await cancel_and_open(agent, booking.pnr)])
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    [waiting] = await desk.pending()
    choice = RefundChoice(pnr=booking.pnr, flight_key=CANCELLED, chosen_at=NOW)

    async def killed(*args: object, **kwargs: object) -> int:
        raise RuntimeError("killed between the refund and the marking")

    with monkeypatch.context() as patch:
        patch.setattr(choices, "stale_approvals_of", killed)
        with pytest.raises(RuntimeError):
            await take_refund(tool_deps(agent.deps), choice)
    assert (await desk.get(waiting.id)).status is ApprovalStatus.PENDING
    async with agent.deps.db.session() as session:
        assert (await load_booking(session, booking.pnr)).status is BookingStatus.ACTIVE

    refunded = await take_refund(tool_deps(agent.deps), choice)
    assert refunded.status is ToolStatus.OK, refunded.message
    stale = await desk.get(waiting.id)
    assert stale.status is ApprovalStatus.STALE
    assert stale.decision is not None and stale.decision.reason == f"{booking.pnr} chose a refund"


async def test_bookings_read_ahead_without_a_pending_approval_cost_no_query_and_hide_none(
    agent: Agent,
) -> None:
    """A settled batch reads at once which of its rebooked bookings have an approval
    pending (`SqlCaseStore.read_approvals_ahead`): the others ask nothing when they
    rebook, and a booking with one still has it marked stale."""
    _, pnr, waiting, rebooking = await two_cases_of_one_booking(agent)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    async with agent.deps.db.transaction() as session:
        cases = SqlCaseStore(agent.deps.db, session)
        await cases.read_approvals_ahead([pnr, "NOAPPR"])
        event.listen(agent.deps.db.engine.sync_engine, "before_cursor_execute", count)
        try:
            none = await cases.stale_replaced_approvals(
                pnr="NOAPPR", replaced_seqs=[1], replaced_flights=[], by_case="x", at=NOW
            )
            assert (none, statements) == ([], [])
            seqs = rebooking.proposal["actions"][0]["replace_seqs"]
            marked = await cases.stale_replaced_approvals(
                pnr=pnr, replaced_seqs=seqs, replaced_flights=[], by_case="x", at=NOW
            )
        finally:
            event.remove(agent.deps.db.engine.sync_engine, "before_cursor_execute", count)
    assert waiting.case_id in marked and statements
