"""Rebooking moves seats atomically; inventory never leaves [0, capacity]."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from airline.models import Booking, Cabin, SegmentStatus
from airline.reservations import load_booking, passengers_on, rebook
from airline.tables import InventoryRow
from travel_agent.db import Database
from travel_agent.errors import NoSeatsError, NotFoundError

CANCELLED = "XA102/2026-03-01"  # FRA→LHR 08:20 UTC
LATER_DIRECT = "XA104/2026-03-01"  # FRA→LHR 13:30 UTC
VIA_AMS = ["XB1043/2026-03-01", "XB1002/2026-03-01"]  # FRA→AMS→LHR


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


async def economy_passengers(db: Database) -> list[Booking]:
    """Economy passengers travelling alone whose whole trip is the FRA→LHR flight."""
    found = []
    async with db.session() as session:
        for pnr in await passengers_on(session, CANCELLED):
            booking = await load_booking(session, pnr)
            trip = [(s.flight_key, s.cabin) for s in booking.segments]
            if trip == [(CANCELLED, Cabin.ECONOMY)] and booking.seats_needed == 1:
                found.append(booking)
    assert len(found) >= 3, f"the seeded world has economy passengers on {CANCELLED}"
    return found


@pytest.fixture
async def booking(db: Database) -> Booking:
    return (await economy_passengers(db))[0]


async def sold(db: Database, flight_key: str, cabin: Cabin = Cabin.ECONOMY) -> int:
    async with db.session() as session:
        row = await session.get(InventoryRow, (flight_key, cabin.value))
        assert row is not None
        return row.sold


async def inventory(db: Database) -> list[tuple[str, str, int]]:
    async with db.session() as session:
        rows = await session.execute(
            select(InventoryRow.flight_key, InventoryRow.cabin, InventoryRow.sold).order_by(
                InventoryRow.flight_key, InventoryRow.cabin
            )
        )
        return [(key, cabin, count) for key, cabin, count in rows]


async def reread(db: Database, pnr: str) -> Booking:
    async with db.session() as session:
        return await load_booking(session, pnr)


async def sell_out(db: Database, flight_key: str) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(InventoryRow)
            .where(InventoryRow.flight_key == flight_key, InventoryRow.cabin == "economy")
            .values(sold=InventoryRow.capacity)
        )


async def test_rebook_moves_the_seat_and_the_segment(db: Database, booking: Booking) -> None:
    old_before, new_before = await sold(db, CANCELLED), await sold(db, LATER_DIRECT)

    async with db.transaction() as session:
        await rebook(
            session,
            pnr=booking.pnr,
            replace_seqs=[1],
            new_flights=[LATER_DIRECT],
            cabin=Cabin.ECONOMY,
        )

    assert await sold(db, CANCELLED) == old_before - 1
    assert await sold(db, LATER_DIRECT) == new_before + 1
    after = await reread(db, booking.pnr)
    assert [(s.flight_key, s.status) for s in after.segments] == [
        (LATER_DIRECT, SegmentStatus.ACTIVE),
        (CANCELLED, SegmentStatus.REPLACED),
    ]
    assert [s.flight_key for s in after.active_segments] == [LATER_DIRECT]
    assert after.active_segments[0].seq == 2, "new segments take fresh sequence numbers"
    async with db.session() as session:
        assert booking.pnr not in await passengers_on(session, CANCELLED)
        assert booking.pnr in await passengers_on(session, LATER_DIRECT)


async def test_rebook_onto_a_one_stop_takes_a_seat_on_each_leg(
    db: Database, booking: Booking
) -> None:
    before = [await sold(db, key) for key in VIA_AMS]
    async with db.transaction() as session:
        await rebook(
            session, pnr=booking.pnr, replace_seqs=[1], new_flights=VIA_AMS, cabin=Cabin.ECONOMY
        )
    assert [await sold(db, key) for key in VIA_AMS] == [n + 1 for n in before]
    assert [s.flight_key for s in (await reread(db, booking.pnr)).active_segments] == VIA_AMS


async def test_a_full_flight_raises_and_changes_nothing(db: Database, booking: Booking) -> None:
    # The first leg has seats, the second is full: the seat taken on the first is given back.
    await sell_out(db, VIA_AMS[1])
    seats_before = await inventory(db)

    with pytest.raises(NoSeatsError) as caught:
        async with db.transaction() as session:
            await rebook(
                session,
                pnr=booking.pnr,
                replace_seqs=[1],
                new_flights=VIA_AMS,
                cabin=Cabin.ECONOMY,
            )
    assert caught.value.flight_key == VIA_AMS[1]
    assert caught.value.retriable
    assert await inventory(db) == seats_before
    assert await reread(db, booking.pnr) == booking


async def test_a_missing_segment_raises_and_changes_nothing(db: Database, booking: Booking) -> None:
    seats_before = await inventory(db)
    with pytest.raises(NotFoundError):
        async with db.transaction() as session:
            await rebook(
                session,
                pnr=booking.pnr,
                replace_seqs=[7],
                new_flights=[LATER_DIRECT],
                cabin=Cabin.ECONOMY,
            )
    assert await inventory(db) == seats_before
    assert await reread(db, booking.pnr) == booking


async def test_the_last_seat_goes_to_one_booking_only(db: Database) -> None:
    rivals = (await economy_passengers(db))[:3]
    async with db.transaction() as session:
        await session.execute(
            update(InventoryRow)
            .where(InventoryRow.flight_key == LATER_DIRECT, InventoryRow.cabin == "economy")
            .values(sold=InventoryRow.capacity - 1)
        )

    async def move(booking: Booking) -> bool:
        try:
            async with db.transaction() as session:
                await rebook(
                    session,
                    pnr=booking.pnr,
                    replace_seqs=[1],
                    new_flights=[LATER_DIRECT],
                    cabin=Cabin.ECONOMY,
                )
        except NoSeatsError:
            return False
        return True

    won = await asyncio.gather(*(move(b) for b in rivals))
    assert sorted(won) == [False, False, True]
    assert await sold(db, LATER_DIRECT) == await capacity(db, LATER_DIRECT)
    for booking, moved in zip(rivals, won, strict=True):
        flights = [s.flight_key for s in (await reread(db, booking.pnr)).active_segments]
        assert flights == ([LATER_DIRECT] if moved else [CANCELLED])


async def capacity(db: Database, flight_key: str) -> int:
    async with db.session() as session:
        row = await session.get(InventoryRow, (flight_key, "economy"))
        assert row is not None
        return row.capacity


@pytest.mark.parametrize(
    "value",
    [InventoryRow.capacity + 1, -1],
    ids=["oversold", "negative"],
)
async def test_the_database_refuses_impossible_inventory(db: Database, value: object) -> None:
    before = await sold(db, LATER_DIRECT)
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await session.execute(
                update(InventoryRow)
                .where(InventoryRow.flight_key == LATER_DIRECT, InventoryRow.cabin == "economy")
                .values(sold=value)
            )
    assert await sold(db, LATER_DIRECT) == before


async def test_ledger_keys_read_ahead_answer_for_their_transaction_only(db: Database) -> None:
    from datetime import UTC, datetime

    from airline.reservations import effect_done, read_ledger_ahead, record_effect

    async def record(session: object, key: str) -> None:
        await record_effect(
            session,  # type: ignore[arg-type]
            idempotency_key=key,
            case_id="c-1",
            action="notify",
            pnr="P1",
            detail={},
            at=datetime(2026, 3, 1, tzinfo=UTC),
        )

    async with db.transaction() as session:
        await record(session, "k-done")
    async with db.transaction() as session:
        await read_ledger_ahead(session, ["k-done", "k-new"])
        assert await effect_done(session, "k-done")
        assert not await effect_done(session, "k-new")
        await record(session, "k-new")
        assert await effect_done(session, "k-new")  # recorded here: known at once
        assert not await effect_done(session, "k-other")  # not read ahead: asked
    async with db.transaction() as session:
        await record(session, "k-other")  # a transaction that read nothing ahead
    async with db.transaction() as session:
        assert await effect_done(session, "k-other")  # a new transaction asks afresh
    # Whatever was read ahead, the unique key refuses a second row.
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await read_ledger_ahead(session, ["k-new"])
            await record(session, "k-new")
