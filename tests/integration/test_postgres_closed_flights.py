"""A rebooking and another daemon's cancellation of its new flight, at the same time, on
PostgreSQL: both orders of the two transactions (`airline.closed_flights`).

R confirms a hold onto flight F (the booking's new segment on F); C writes F's board row
as cancelled and, in the same transaction, triage reads who is on F. Whichever takes F's
board row first, the other waits for it; the passenger either is among those C's
cancellation finds, or R is refused. Each test holds the first transaction open until
the second is seen waiting on a lock (pg_stat_activity), then lets it commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from airline import holds
from airline.board import FlightState, LiveBoard
from airline.models import Cabin, FlightStatus
from airline.reservations import FlightClosedError, load_booking, passengers_on
from airline.seed import World, build_world, write_world
from app.migrate import open_database
from travel_agent.db import Database

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
DISRUPTED = "XA102/2026-03-01"  # FRA→LHR 08:20 UTC
NEW_FLIGHT = "XA104/2026-03-01"  # FRA→LHR 13:30 UTC: the flight C cancels


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(7, date(2026, 3, 1))


@pytest.fixture
async def pg_world(pg_db_url: str, world: World) -> AsyncIterator[Database]:
    async with open_database(pg_db_url) as db:
        await write_world(db, world)
        yield db


async def _held(db: Database) -> tuple[str, int, str]:
    """A one-flight economy booking on DISRUPTED with a hold for it on NEW_FLIGHT: its
    pnr, the segment to replace and the hold's id."""
    async with db.transaction() as session:
        for pnr in await passengers_on(session, DISRUPTED):
            booking = await load_booking(session, pnr)
            trip = [(s.flight_key, s.cabin) for s in booking.active_segments]
            if trip == [(DISRUPTED, Cabin.ECONOMY)]:
                hold = await holds.hold_seats(
                    session,
                    key=f"c-{pnr}:hold:w",
                    case_id=f"c-{pnr}",
                    pnr=pnr,
                    flights=[NEW_FLIGHT],
                    cabin=Cabin.ECONOMY,
                    party=booking.seats_needed,
                    expires_at=NOW + timedelta(minutes=30),
                    now=NOW,
                )
                return pnr, booking.active_segments[0].seq, hold.id
    raise AssertionError("the seeded world has a one-flight economy booking on XA102")


async def _cancelled_elsewhere(db: Database) -> tuple[LiveBoard, FlightState]:
    """Another daemon's board, and the cancellation of NEW_FLIGHT it is about to apply."""
    theirs = LiveBoard()
    await theirs.load(db)
    state = theirs.get(NEW_FLIGHT)
    assert state is not None and state.flyable
    return theirs, state.model_copy(
        update={"status": FlightStatus.CANCELLED, "event_id": "ev-other", "emitted_at": NOW}
    )


async def _one_waits_on_a_lock(db: Database) -> None:
    """Until a transaction of this database waits on a row lock (10 s at most)."""
    for _ in range(200):
        async with db.session() as session:
            waiting = await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the second transaction never waited for the first")


async def _on_new_flight(db: Database, pnr: str) -> bool:
    async with db.session() as session:
        return pnr in await passengers_on(session, NEW_FLIGHT)


async def test_a_rebooking_first_is_found_by_the_cancellation(pg_world: Database) -> None:
    db = pg_world
    pnr, seq, hold_id = await _held(db)
    theirs, cancelled = await _cancelled_elsewhere(db)
    confirmed, commit = asyncio.Event(), asyncio.Event()

    async def rebooking() -> None:
        async with db.transaction() as session:
            await holds.confirm_hold(
                session,
                key=f"c-{pnr}:rebook",
                case_id=f"c-{pnr}",
                hold_id=hold_id,
                replace_seqs=[seq],
                now=NOW,
            )
            confirmed.set()
            await commit.wait()

    async def cancellation() -> list[str]:
        async with db.transaction() as session:
            await theirs.apply(session, cancelled)
            return await passengers_on(session, NEW_FLIGHT)

    first = asyncio.create_task(rebooking())
    await confirmed.wait()
    second = asyncio.create_task(cancellation())
    await _one_waits_on_a_lock(db)
    commit.set()
    await first
    assert pnr in await second, "the cancellation's triage finds the rebooked passenger"
    assert await _on_new_flight(db, pnr)


async def test_a_cancellation_first_refuses_the_rebooking(pg_world: Database) -> None:
    db = pg_world
    pnr, seq, hold_id = await _held(db)
    theirs, cancelled = await _cancelled_elsewhere(db)
    written, commit = asyncio.Event(), asyncio.Event()

    async def cancellation() -> list[str]:
        async with db.transaction() as session:
            await theirs.apply(session, cancelled)
            written.set()
            await commit.wait()
            return await passengers_on(session, NEW_FLIGHT)

    async def rebooking() -> None:
        async with db.transaction() as session:
            await holds.confirm_hold(
                session,
                key=f"c-{pnr}:rebook",
                case_id=f"c-{pnr}",
                hold_id=hold_id,
                replace_seqs=[seq],
                now=NOW,
            )

    first = asyncio.create_task(cancellation())
    await written.wait()
    second = asyncio.create_task(rebooking())
    await _one_waits_on_a_lock(db)
    commit.set()
    assert pnr not in await first
    with pytest.raises(FlightClosedError):
        await second
    assert not await _on_new_flight(db, pnr), "nobody lands on the cancelled flight"
    async with db.session() as session:
        booking = await load_booking(session, pnr)
        assert [s.flight_key for s in booking.active_segments] == [DISRUPTED]
