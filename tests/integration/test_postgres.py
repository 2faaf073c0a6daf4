"""The airline systems on a real PostgreSQL: the same world, the same seat guarantee.

The server comes from `postgres_url` (TEST_POSTGRES_URL, else scripts/postgres-local);
each test gets a database of its own from `pg_db_url`, dropped afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from airline import reservations
from airline.board import ChangeKind, FlightState, LiveBoard
from airline.models import BookingStatus, Cabin, FlightStatus, SegmentStatus
from airline.seed import World, build_world, seed_database, write_world
from airline.tables import BoardRow, BookingRow, FlightRow, InventoryRow, PassengerRow, SegmentRow
from app.migrate import open_database
from tests.unit.unit_of_work_contract import CHECKS
from travel_agent.db import Database
from travel_agent.errors import NoSeatsError

pytestmark = pytest.mark.integration

SEED = 7
SERVICE_DATE = date(2026, 3, 1)
FREE_SEATS = 10
CONTENDERS = 50


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(SEED, SERVICE_DATE)


@pytest.fixture
async def pg_world(pg_db_url: str, world: World) -> AsyncIterator[Database]:
    """A fresh PostgreSQL database holding the seeded world."""
    async with open_database(pg_db_url) as db:
        await write_world(db, world)
        yield db


async def _figures(db: Database) -> dict[str, Any]:
    async with db.session() as s:
        return {
            "flights": await s.scalar(select(func.count()).select_from(FlightRow)),
            "bookings": await s.scalar(select(func.count()).select_from(BookingRow)),
            "segments": await s.scalar(select(func.count()).select_from(SegmentRow)),
            "sold": await s.scalar(select(func.sum(InventoryRow.sold))),
            "schedule": [
                tuple(row)
                for row in await s.execute(
                    select(FlightRow.key, FlightRow.service_date, FlightRow.sched_dep).order_by(
                        FlightRow.key
                    )
                )
            ],
            "board": [
                tuple(row)
                for row in await s.execute(
                    select(
                        BoardRow.flight_key, BoardRow.est_dep, BoardRow.last_emitted_at
                    ).order_by(BoardRow.flight_key)
                )
            ],
        }


async def test_seed_writes_the_same_world_to_postgresql_as_to_sqlite(
    pg_db_url: str, tmp_path: Path
) -> None:
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'world.sqlite'}") as lite:
        lite_summary = await seed_database(lite, seed=SEED, service_date=SERVICE_DATE)
        on_sqlite = await _figures(lite)
    async with open_database(pg_db_url) as pg:
        pg_summary = await seed_database(pg, seed=SEED, service_date=SERVICE_DATE)
        on_pg = await _figures(pg)

    assert pg_summary == lite_summary
    for figure in ("flights", "bookings", "segments", "sold"):
        assert on_pg[figure] == on_sqlite[figure], figure
    assert on_pg["flights"] == lite_summary.flights
    assert on_pg["bookings"] == lite_summary.bookings
    assert on_pg["sold"] == lite_summary.seats_sold
    # The same instants, aware and in UTC, whichever backend stored them.
    assert on_pg["schedule"] == on_sqlite["schedule"]
    assert on_pg["board"] == on_sqlite["board"]
    _, _, dep = on_pg["schedule"][0]
    assert dep.utcoffset() == timedelta(0)


async def test_fifty_rebookings_race_for_ten_seats_and_exactly_ten_win(
    pg_world: Database,
) -> None:
    db = pg_world
    async with db.transaction() as s:
        # The target: the first short-haul flight by key, its economy cabin 10 seats short.
        target = await s.get_one(InventoryRow, ("XA101/2026-03-01", Cabin.ECONOMY.value))
        target.sold = target.capacity - FREE_SEATS
        capacity = target.capacity

        # 50 contenders: active bookings with one active segment, in economy, each on a
        # different other flight, so that a loser's old flight must come out untouched.
        single = (
            select(SegmentRow.pnr)
            .where(SegmentRow.status == SegmentStatus.ACTIVE.value)
            .group_by(SegmentRow.pnr)
            .having(func.count() == 1)
        )
        alone = select(PassengerRow.pnr).group_by(PassengerRow.pnr).having(func.count() == 1)
        rows = await s.execute(
            select(SegmentRow.pnr, SegmentRow.seq, SegmentRow.flight_key)
            .join(BookingRow, BookingRow.pnr == SegmentRow.pnr)
            .where(
                SegmentRow.pnr.in_(single),
                SegmentRow.pnr.in_(alone),  # one traveller: one seat moves
                SegmentRow.status == SegmentStatus.ACTIVE.value,
                SegmentRow.cabin == Cabin.ECONOMY.value,
                SegmentRow.flight_key != target.flight_key,
                BookingRow.status == BookingStatus.ACTIVE.value,
            )
            .order_by(SegmentRow.flight_key, SegmentRow.pnr)
        )
        contenders: dict[str, tuple[str, int]] = {}  # old flight -> (pnr, seq)
        for pnr, seq, old_flight in rows:
            contenders.setdefault(old_flight, (pnr, seq))
    assert len(contenders) >= CONTENDERS
    chosen = list(contenders.items())[:CONTENDERS]

    async def sold_on(flight_keys: list[str]) -> dict[str, int]:
        async with db.session() as s:
            found = await s.execute(
                select(InventoryRow.flight_key, InventoryRow.sold).where(
                    InventoryRow.flight_key.in_(flight_keys),
                    InventoryRow.cabin == Cabin.ECONOMY.value,
                )
            )
            return {key: sold for key, sold in found}

    old_flights = [old for old, _ in chosen]
    before = await sold_on(old_flights)

    async def move(pnr: str, seq: int) -> None:
        async with db.transaction() as s:
            await reservations.rebook(
                s,
                pnr=pnr,
                replace_seqs=[seq],
                new_flights=[target.flight_key],
                cabin=Cabin.ECONOMY,
            )

    outcomes = await asyncio.gather(
        *(move(pnr, seq) for _, (pnr, seq) in chosen), return_exceptions=True
    )

    unexpected = [o for o in outcomes if o is not None and not isinstance(o, NoSeatsError)]
    assert not unexpected, unexpected
    won = [c for c, o in zip(chosen, outcomes, strict=True) if o is None]
    lost = [c for c, o in zip(chosen, outcomes, strict=True) if isinstance(o, NoSeatsError)]
    assert (len(won), len(lost)) == (FREE_SEATS, CONTENDERS - FREE_SEATS)

    after = await sold_on([*old_flights, target.flight_key])
    assert after[target.flight_key] == capacity  # full, never above
    async with db.session() as s:
        for old_flight, (pnr, _) in won:
            booking = await reservations.load_booking(s, pnr)
            assert [seg.flight_key for seg in booking.active_segments] == [target.flight_key]
            assert after[old_flight] == before[old_flight] - 1  # the seat went back
        for old_flight, (pnr, seq) in lost:
            booking = await reservations.load_booking(s, pnr)
            assert [(seg.seq, seg.flight_key) for seg in booking.segments] == [(seq, old_flight)]
            assert booking.active_segments[0].status == SegmentStatus.ACTIVE
            assert after[old_flight] == before[old_flight]
        on_target = await s.scalar(
            select(func.count())
            .select_from(SegmentRow)
            .where(
                SegmentRow.flight_key == target.flight_key,
                SegmentRow.status == SegmentStatus.ACTIVE.value,
                SegmentRow.pnr.in_([pnr for _, (pnr, _) in chosen]),
            )
        )
        assert on_target == FREE_SEATS
    # And the database itself refuses a seat beyond capacity (ck_inventory_sold).
    with pytest.raises(IntegrityError, match="ck_inventory_sold"):
        async with db.transaction() as s:
            await s.execute(
                update(InventoryRow)
                .where(
                    InventoryRow.flight_key == target.flight_key,
                    InventoryRow.cabin == Cabin.ECONOMY.value,
                )
                .values(sold=InventoryRow.sold + 1)
            )


async def test_live_board_writes_a_cancellation_through_to_postgresql(
    pg_world: Database,
) -> None:
    db = pg_world
    board = LiveBoard()
    await board.load(db)
    key = "XA101/2026-03-01"
    before = board.get(key)
    assert before is not None
    assert before.status == FlightStatus.SCHEDULED
    assert before.est_dep.utcoffset() == timedelta(0)

    berlin = ZoneInfo("Europe/Berlin")  # any aware time is stored as the same instant
    cancelled = FlightState(
        flight_key=key,
        status=FlightStatus.CANCELLED,
        est_dep=before.est_dep.astimezone(berlin),
        est_arr=before.est_arr.astimezone(berlin),
        reason="weather",
        event_id="evt-cancel-1",
        emitted_at=before.est_dep.astimezone(berlin) - timedelta(hours=3),
    )
    async with db.transaction() as s:
        change = await board.apply(s, cancelled)
    assert change is not None
    assert change.kind == ChangeKind.CANCELLATION

    fresh = LiveBoard()
    await fresh.load(db)
    assert len(fresh) == len(board)
    state = fresh.get(key)
    assert state is not None
    assert state.status == FlightStatus.CANCELLED
    assert not state.flyable
    assert state.reason == "weather"
    assert state.event_id == "evt-cancel-1"
    for stored, sent in (
        (state.est_dep, cancelled.est_dep),
        (state.est_arr, cancelled.est_arr),
        (state.emitted_at, cancelled.emitted_at),
    ):
        assert stored.tzinfo is not None
        assert stored.utcoffset() == timedelta(0)
        assert stored == sent
    assert state.emitted_at.tzinfo == UTC
    # The same state again is stale: nothing more is written.
    async with db.transaction() as s:
        assert await fresh.apply(s, cancelled) is None


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__.removeprefix("check_"))
async def test_the_unit_of_work_on_postgresql(
    pg_world: Database, check: Callable[[Database], Awaitable[None]]
) -> None:
    """The graph nodes' one port to the database (`agent.work`), on the adapter's other
    dialect: the same contract as on SQLite (tests/unit/test_unit_of_work.py)."""
    await check(pg_world)
