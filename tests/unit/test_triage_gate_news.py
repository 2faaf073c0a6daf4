"""Gate news is decided by the change and the board, not by the decision clock.

The clock a wave is decided at is its newest event on any partition: how far other
flights' records had moved it must not decide whether a gate change reaches passengers
(a run under load, or a replay, that groups records into waves differently would
otherwise tell different passengers).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.state import CaseReason
from agent.triage import GATE_NEWS_AHEAD, affected_bookings
from airline.board import Change, ChangeKind
from airline.clock import SimulatedClock
from airline.models import FlightStatus
from app.settings import Settings
from app.wiring import Agent, open_agent

NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
FLIGHT = "XA102/2026-03-01"  # FRA→LHR, 08:20 UTC, about a hundred passengers


@pytest.fixture
async def agent(world_path: Path, tmp_path: Path) -> AsyncIterator[Agent]:
    async with open_agent(Settings(data_dir=tmp_path), SimulatedClock(NOW, speed=0)) as opened:
        yield opened


def gate_change(agent: Agent, emitted_at: datetime) -> Change:
    previous = agent.deps.board.get(FLIGHT)
    assert previous is not None
    current = previous.model_copy(
        update={
            "status": FlightStatus.GATE_CHANGE,
            "gate": "Z99",
            "event_id": f"ev-gate-{emitted_at:%H%M}",
            "emitted_at": emitted_at,
        }
    )
    return Change(
        flight_key=FLIGHT, kind=ChangeKind.GATE_CHANGE, previous=previous, current=current
    )


async def told(agent: Agent, change: Change, now: datetime) -> set[str]:
    """The bookings told of the new gate when the decision clock reads `now`."""
    async with agent.deps.db.session() as session:
        affected = await affected_bookings(
            session,
            change,
            agent.deps.schedule,
            agent.deps.board,
            now=now,
            delay_notify=timedelta(minutes=60),
        )
    assert {a.reason for a in affected} <= {CaseReason.GATE_CHANGE}
    return {a.pnr for a in affected}


async def test_gate_news_does_not_depend_on_how_far_other_partitions_moved_the_clock(
    agent: Agent,
) -> None:
    departure = agent.deps.schedule.flights[FLIGHT].sched_dep
    inside = gate_change(agent, departure - GATE_NEWS_AHEAD + timedelta(minutes=20))
    outside = gate_change(agent, departure - GATE_NEWS_AHEAD - timedelta(minutes=40))
    # Other partitions' records moved the clock anywhere from not at all to past departure.
    clocks = [inside.current.emitted_at + timedelta(minutes=m) for m in (0, 45, 170, 200)]
    everyone = await told(agent, inside, inside.current.emitted_at)
    assert len(everyone) > 10  # the flight's passengers hear of a gate change 2 h 40 out
    for now in clocks:
        assert await told(agent, inside, now) == everyone
    # Announced 3 h 40 out, it is not news; a clock moved 1 h on by others does not make it.
    for minutes in (0, 60, 90):
        assert (
            await told(agent, outside, outside.current.emitted_at + timedelta(minutes=minutes))
            == set()
        )
