"""The planner's unit is a booking's party, re-accommodated on the journey it was on.

A family takes a seat each but lap infants, together on one itinerary; a trip's
cancelled outbound is re-planned to the outbound's own destination, and only onto
options that arrive in time for the booking's next journey to leave: when none does,
nothing is held and the case offers the refund (`agent.planner.inputs`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.planner.inputs import broken_segments, party_of
from agent.planner.options import Network
from agent.planner.place import Need, place_cases
from agent.settings import PlannerSettings
from agent.state import CaseReason
from airline.board import LiveBoard
from airline.models import FlightStatus, LoyaltyTier
from airline.reservations import load_booking
from airline.schedule import Schedule
from airline.tables import InventoryRow, SeatHoldRow
from app.migrate import open_database
from evals.scenario_world import WorldSpec
from evals.world import write
from travel_agent.db import Database

DAY = "2026-03-01"
NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
WEIGHTS = PlannerSettings()


def _world() -> WorldSpec:
    return WorldSpec.model_validate(
        {
            "customers": [{"id": "C1", "name": "Anna Weber"}, {"id": "C2", "name": "Ola Berg"}],
            "bookings": [
                {
                    "pnr": "FAMILY",
                    "customer": "C1",
                    "price": 900,
                    "passengers": [
                        {},
                        {"name": "Jonas Weber"},
                        {"name": "Lea Weber", "type": "child"},
                        {"name": "Mia Weber", "type": "infant"},
                        {"name": "Tom Weber"},
                    ],
                    "segments": [{"flight": "XA102"}],
                },
                {
                    "pnr": "RETURN",
                    "customer": "C2",
                    "journeys": [
                        {"segments": [{"flight": "XA141"}, {"flight": "XA800"}], "price": 700},
                        {"segments": [{"flight": "XA101", "date": "2026-03-02"}], "price": 150},
                    ],
                },
            ],
            # Fewer seats than the family needs on the next flight out.
            "inventory": [{"flight": "XA104", "seats_left": 3}],
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
        yield db, schedule, board


def _cancel(board: LiveBoard, key: str) -> None:
    state = board.get(key)
    assert state is not None
    board.apply_in_memory(
        state.model_copy(
            update={"status": FlightStatus.CANCELLED, "event_id": f"x-{key}", "emitted_at": NOW}
        )
    )
    assert board.get(key).status is FlightStatus.CANCELLED  # type: ignore[union-attr]


async def test_a_family_is_one_party_placed_together_with_a_seat_each(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    db, schedule, board = world
    cancelled = f"XA102/{DAY}"
    _cancel(board, cancelled)
    async with db.session() as session:
        booking = await load_booking(session, "FAMILY")
    broken = broken_segments(schedule, board, CaseReason.CANCELLED, booking, cancelled, NOW)
    assert broken is not None
    party = party_of(
        schedule,
        booking,
        broken,
        tier=LoyaltyTier.NONE,
        reason=CaseReason.CANCELLED,
        weights=WEIGHTS,
    )
    assert (party.ref, party.seats) == ("FAMILY", 4)  # five travellers, one on a lap

    async with db.transaction() as session:
        before = dict(
            (await session.execute(select(InventoryRow.flight_key, InventoryRow.sold))).all()
        )
        placed = await place_cases(
            session,
            schedule,
            board,
            [Need("case-1", "FAMILY", CaseReason.CANCELLED, cancelled)],
            WEIGHTS,
            now=NOW,
        )
    assignment = placed.assignments["case-1"]
    assert assignment.placed
    assert f"XA104/{DAY}" not in assignment.flights, "three seats cannot take four travellers"
    async with db.session() as session:
        hold = await session.scalar(select(SeatHoldRow).where(SeatHoldRow.case_id == "case-1"))
        assert hold is not None and hold.party == 4
        for key in assignment.flights:
            row = await session.get_one(InventoryRow, (key, "economy"))
            assert row.sold == before[key] + 4


async def test_an_outbound_that_cannot_arrive_before_the_next_journey_is_not_placed(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    db, schedule, board = world
    cancelled = f"XA141/{DAY}"
    _cancel(board, cancelled)
    async with db.session() as session:
        booking = await load_booking(session, "RETURN")
    broken = broken_segments(schedule, board, CaseReason.CANCELLED, booking, cancelled, NOW)
    assert broken is not None
    outbound_end = schedule.flights[f"XA800/{DAY}"].destination
    back = schedule.flights["XA101/2026-03-02"]
    assert broken.destination == outbound_end
    assert [s.journey for s in broken.replace] == [1, 1], "the return keeps its segment"
    assert broken.arrive_by is not None and broken.arrive_by < back.sched_dep

    party = party_of(
        schedule,
        booking,
        broken,
        tier=LoyaltyTier.NONE,
        reason=CaseReason.CANCELLED,
        weights=WEIGHTS,
    )
    assert party.arrive_by == broken.arrive_by
    horizon = timedelta(hours=WEIGHTS.horizon_hours)
    network = Network(schedule, board)
    # The outbound's only ways on (via tomorrow's XA800) reach its destination after the
    # return has left: they are no options, and the party is not placed ...
    unbounded = network.options(replace(party, arrive_by=None), horizon)
    assert unbounded, "the schedule does reach the outbound's destination later"
    assert {schedule.flights[o.flights[-1]].destination for o in unbounded} == {outbound_end}
    assert all(o.arr > broken.arrive_by for o in unbounded)
    assert network.options(party, horizon) == []
    async with db.transaction() as session:
        placed = await place_cases(
            session,
            schedule,
            board,
            [Need("case-2", "RETURN", CaseReason.CANCELLED, cancelled)],
            WEIGHTS,
            now=NOW,
        )
    # ... so no seat is held and the case tells "no alternative", offering the refund.
    assignment = placed.assignments["case-2"]
    assert not assignment.placed and assignment.hold_id is None
