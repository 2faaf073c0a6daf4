"""A re-check triages one booking: `affected_bookings(only=pnr)` is that booking's entry of
the whole flight's triage, read from its own rows alone.

The scheduled re-check of a rebooked itinerary (`opening.recheck`) asked triage for every
booking on the flight and kept one: on the 2013-02-08 storm day's replay that was ~15 000
re-checks reading a whole flight's segments, messages and tiers each. Each booking's
entry depends only on its own rows and the board, so the one-booking answer must equal
the one taken out of the whole (checked here for every booking and every kind triage
reads rows for).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from agent.triage import affected_bookings
from airline.board import Change, ChangeKind
from airline.clock import SimulatedClock
from airline.models import FlightStatus
from app.settings import Settings
from app.wiring import Agent, open_agent
from tests.unit.test_triage_gate_news import FLIGHT, NOW


@pytest.fixture
async def agent(world_path: Path, tmp_path: Path) -> AsyncIterator[Agent]:
    async with open_agent(Settings(data_dir=tmp_path), SimulatedClock(NOW, speed=0)) as opened:
        yield opened


def change_of(agent: Agent, kind: ChangeKind, status: FlightStatus, late: int) -> Change:
    previous = agent.deps.board.get(FLIGHT)
    assert previous is not None
    current = previous.model_copy(
        update={
            "status": status,
            "est_dep": previous.est_dep + timedelta(minutes=late),
            "est_arr": previous.est_arr + timedelta(minutes=late),
            "gate": "Z99",
            "event_id": f"ev-{kind.value}",
            # Gate news is news within `GATE_NEWS_AHEAD` of the departure, judged then.
            "emitted_at": agent.deps.schedule.flights[FLIGHT].sched_dep - timedelta(hours=1),
        }
    )
    return Change(flight_key=FLIGHT, kind=kind, previous=previous, current=current)


@pytest.mark.parametrize(
    ("kind", "status", "late"),
    [
        (ChangeKind.CANCELLATION, FlightStatus.CANCELLED, 0),
        (ChangeKind.DELAY, FlightStatus.DELAYED, 240),
        (ChangeKind.GATE_CHANGE, FlightStatus.GATE_CHANGE, 0),
    ],
)
async def test_one_bookings_triage_is_its_entry_in_the_whole_flights(
    agent: Agent, kind: ChangeKind, status: FlightStatus, late: int
) -> None:
    change = change_of(agent, kind, status, late)
    now = change.current.emitted_at

    async def triage(only: str | None = None) -> list[tuple[str, str, int]]:
        async with agent.deps.db.session() as session:
            found = await affected_bookings(
                session,
                change,
                agent.deps.schedule,
                agent.deps.board,
                now=now,
                delay_notify=timedelta(minutes=60),
                only=only,
            )
        return [(a.pnr, a.reason.value, a.priority) for a in found]

    whole = await triage()
    assert len(whole) > 10
    for entry in whole:
        assert await triage(only=entry[0]) == [entry]
    assert await triage(only="NOSUCH") == []
