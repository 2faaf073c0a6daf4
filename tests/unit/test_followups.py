"""Scheduled follow-ups of a rebooking, on simulated time: re-check soon, remind before.

A rebooking schedules a re-check two minutes later (a change to the new flight that
raced the rebooking found nobody on it) and, before the new departure, a second re-check
that reminds the passenger if the itinerary still flies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.runtime import Daemon
from agent.tables import CaseRow, JobRow
from airline.clock import SimulatedClock
from airline.models import FlightStatus
from airline.reservations import load_booking
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource
from streams.events import TOPIC_NOTIFICATIONS
from tests.unit.test_case_graph import NOW, cancel_and_open, passenger
from tools.tables import OutboxRow


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW, speed=0)


@pytest.fixture
async def agent(world_path: Path, tmp_path: Path, clock: SimulatedClock) -> AsyncIterator[Agent]:
    async with open_agent(Settings(data_dir=tmp_path), clock) as opened:
        yield opened


async def rebooked(agent: Agent) -> tuple[Daemon, str, list[str]]:
    booking = await passenger(agent, connecting=False)
    case = await cancel_and_open(agent, booking.pnr)
    daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker(), follow=False))
    await daemon.run_cases([case])
    async with agent.deps.db.session() as session:
        after = await load_booking(session, booking.pnr)
    return daemon, booking.pnr, [s.flight_key for s in after.active_segments]


async def messages(agent: Agent, pnr: str) -> list[str]:
    async with agent.deps.db.session() as session:
        kinds = await session.scalars(
            select(OutboxRow.payload["kind"].as_string())
            .where(OutboxRow.key == pnr, OutboxRow.topic == TOPIC_NOTIFICATIONS)
            .order_by(OutboxRow.id)
        )
        return list(kinds)


async def test_a_rebooking_schedules_a_recheck_and_a_reminder(agent: Agent) -> None:
    _, pnr, _flights = await rebooked(agent)
    async with agent.deps.db.session() as session:
        jobs = (await session.execute(select(JobRow.kind, JobRow.due_at))).all()
    kinds = sorted(kind for kind, _ in jobs)
    # ... and the deadline of the offer the passenger may answer (agent.offers).
    assert kinds == ["recheck", "reminder", "reply_deadline"]
    due = dict(jobs)
    assert due["recheck"] == NOW + timedelta(minutes=2)
    assert due["reminder"] > NOW
    assert NOW <= due["reply_deadline"] <= NOW + timedelta(hours=2)
    del pnr


async def test_the_reminder_goes_out_when_the_new_flight_still_flies(
    agent: Agent, clock: SimulatedClock
) -> None:
    daemon, pnr, flights = await rebooked(agent)
    first = agent.deps.schedule.flights[flights[0]]
    clock.advance(first.sched_dep - timedelta(minutes=180) - clock.now() + timedelta(seconds=1))
    # The early re-check, the offer's reply deadline, then the reminder.
    assert await daemon.scheduler.run_due() == 3
    assert (await messages(agent, pnr))[-1] == "reminder"
    assert await daemon.scheduler.run_due() == 0  # each fired once


async def test_a_new_flight_cancelled_in_a_race_is_caught_by_the_recheck(
    agent: Agent, clock: SimulatedClock
) -> None:
    daemon, pnr, flights = await rebooked(agent)
    # The new flight's cancellation reached the board while the rebooking was being made,
    # so its triage found no one on it: only the board knows.
    state = agent.deps.board.get(flights[0])
    assert state is not None
    raced = state.model_copy(
        update={"status": FlightStatus.CANCELLED, "event_id": "ev-raced", "emitted_at": NOW}
    )
    async with agent.deps.db.transaction() as session:
        await agent.deps.board.apply(session, raced)

    clock.advance(timedelta(minutes=2, seconds=1))
    assert await daemon.scheduler.run_due() == 1
    async with agent.deps.db.session() as session:
        cases = (
            await session.execute(
                select(CaseRow.reason, CaseRow.status).where(
                    CaseRow.pnr == pnr, CaseRow.disruption_id.startswith(flights[0])
                )
            )
        ).all()
        after = await load_booking(session, pnr)
    assert cases == [("cancelled", "done")]
    assert flights[0] not in [s.flight_key for s in after.active_segments]
