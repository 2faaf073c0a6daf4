"""A booking placed again on its own (a lost seat, a stale approval) stays with the
bookings linked to it: it joins the itinerary its companion holds when a seat is left
there, and when the companion has none it is placed where there is room for both
(`agent.planner.companions`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.planner.place import Need, place_cases
from agent.settings import PlannerSettings
from agent.state import CaseReason
from airline.board import LiveBoard
from airline.holds import release_case_holds
from airline.models import FlightStatus
from airline.schedule import Schedule
from app.migrate import open_database
from evals.scenario_world import WorldSpec
from evals.world import write
from travel_agent.db import Database

DAY = "2026-03-01"
NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
WEIGHTS = PlannerSettings()
CANCELLED = f"XA102/{DAY}"
ONE_SEAT = f"XA104/{DAY}"


def _world() -> WorldSpec:
    return WorldSpec.model_validate(
        {
            "customers": [{"id": "C1", "name": "Anna Weber"}],
            # One customer's two bookings on the same flight: a companion on a second PNR.
            "bookings": [
                {"pnr": "COMP01", "customer": "C1", "segments": [{"flight": "XA102"}]},
                {"pnr": "COMP02", "customer": "C1", "segments": [{"flight": "XA102"}]},
            ],
            # The next flight out has one seat: room for one of them, not both.
            "inventory": [{"flight": "XA104", "seats_left": 1}],
        }
    )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Database, Schedule, LiveBoard]]:
    path = tmp_path / "airline.sqlite"
    url = f"sqlite+aiosqlite:///{path}"
    await write(_world(), path, open_database=lambda p: open_database(url))
    async with Database(url) as db:
        schedule = await Schedule.load(db)
        board = LiveBoard()
        await board.load(db)
        state = board.get(CANCELLED)
        assert state is not None
        board.apply_in_memory(
            state.model_copy(
                update={
                    "status": FlightStatus.CANCELLED,
                    "reason": "technical",
                    "event_id": "x",
                    "emitted_at": NOW,
                }
            )
        )
        yield db, schedule, board


def _need(n: int) -> Need:
    return Need(f"case-{n}", f"COMP0{n}", CaseReason.CANCELLED, CANCELLED)


async def _replan_second(
    db: Database, schedule: Schedule, board: LiveBoard, *, join: bool
) -> list[str]:
    async with db.transaction() as session:
        await release_case_holds(session, "case-2", NOW)
        placed = await place_cases(
            session,
            schedule,
            board,
            [_need(2)],
            WEIGHTS,
            now=NOW,
            generation="r1a0",
            join_companions=join,
        )
    return placed.assignments["case-2"].flights


async def test_a_replanned_booking_joins_the_itinerary_its_companion_holds(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    db, schedule, board = world
    async with db.transaction() as session:
        wave = await place_cases(session, schedule, board, [_need(1), _need(2)], WEIGHTS, now=NOW)
    together = wave.assignments["case-1"].flights
    assert together and wave.assignments["case-2"].flights == together
    assert ONE_SEAT not in together, "one seat cannot take both"
    # The second booking's seat is given back and it is placed again on its own: the one
    # seat on the earlier flight is cheaper for it alone, but its companion is elsewhere.
    assert await _replan_second(db, schedule, board, join=True) == together


async def test_a_booking_placed_alone_leaves_room_for_a_companion_without_seats(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    db, schedule, board = world
    # Alone, without its companion in mind, it takes the one seat ...
    assert await _replan_second(db, schedule, board, join=False) == [ONE_SEAT]
    # ... with it, an itinerary with a seat for each of them (only its own is held).
    flights = await _replan_second(db, schedule, board, join=True)
    assert flights and ONE_SEAT not in flights
