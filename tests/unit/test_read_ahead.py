"""A batch's bookings and customers, read ahead a chunk at a time, are what each case
would have read alone; each is handed out once; unknown bookings fall back to a read."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from agent.read_ahead import ReadAhead
from airline.bookings import load_bookings, load_customers
from airline.reservations import load_booking, load_customer, passengers_on
from airline.tables import (
    BookingRow,
    ChannelRow,
    CustomerRow,
    JourneyRow,
    LedgerRow,
    PassengerRow,
    SegmentRow,
)
from travel_agent.db import Database, insert_row

CANCELLED = "XA102/2026-03-01"


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


def _count_statements(db: Database) -> Counter[str]:
    seen: Counter[str] = Counter()

    def count(*args: Any) -> None:
        seen["statements"] += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    return seen


async def test_read_ahead_gives_what_each_case_would_read_alone_in_few_queries(
    db: Database,
) -> None:
    async with db.session() as session:
        pnrs = await passengers_on(session, CANCELLED)
        alone = {}
        for pnr in pnrs:
            booking = await load_booking(session, pnr)
            alone[pnr] = (booking, await load_customer(session, booking.customer_id))
    assert len(pnrs) > 4, "the seeded world has passengers on the flight"
    reads = ReadAhead(db, pnrs, chunk=4)
    seen = _count_statements(db)
    for pnr in pnrs:
        assert await reads.take(pnr) == alone[pnr]
    chunks = -(-len(pnrs) // 4)
    # Per chunk: bookings, segments, passengers, journeys, customers, channels (and
    # the BEGIN of its read): far fewer than six per case.
    assert seen["statements"] <= chunks * 8 < len(pnrs) * 6
    # Handed out once: a case that gathers its context again reads afresh.
    assert await reads.take(pnrs[0]) is None


async def test_an_unknown_or_skipped_booking_is_left_to_the_caller(db: Database) -> None:
    async with db.session() as session:
        pnrs = (await session.scalars(select(BookingRow.pnr).limit(6))).all()
    reads = ReadAhead(db, [*pnrs, "NOPNR9"], chunk=3)
    assert await reads.take("ZZZZZZ") is None  # not one of the batch's cases
    assert await reads.take(pnrs[3]) is not None  # reads pnrs[3:6]
    assert await reads.take(pnrs[0]) is None  # before the chunk read: the case reads it
    assert await reads.take("NOPNR9") is None  # no such booking: load_booking says so


async def test_insert_row_writes_the_row_with_its_column_defaults_in_the_transaction(
    db: Database,
) -> None:
    at = datetime(2026, 3, 1, 8, tzinfo=UTC)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await insert_row(
                session,
                LedgerRow(
                    idempotency_key="k:rolled-back",
                    case_id="c",
                    action="care",
                    pnr="ABC123",
                    detail={"x": 1},
                    created_at=at,
                ),
            )
            raise RuntimeError("rolled back")
    async with db.transaction() as session:
        row = LedgerRow(
            idempotency_key="k:1",
            case_id="c",
            action="care",
            pnr="ABC123",
            detail={"items": ["meal"]},
            created_at=at,
        )
        await insert_row(session, row)
        assert row not in session  # not attached: nothing reads it back as an object
    async with db.session() as session:
        stored = (await session.scalars(select(LedgerRow).where(LedgerRow.case_id == "c"))).all()
    assert [(r.idempotency_key, r.detail, r.created_at) for r in stored] == [
        ("k:1", {"items": ["meal"]}, at)
    ]


async def test_bookings_are_read_as_rows_and_see_what_the_session_holds(db: Database) -> None:
    """A wave's thousands of booking rows are read as plain rows, not ORM objects (an
    object each, with its identity and state, cost more than the row: ~100k of them on
    the storm of 50); and still after the session flushes what it holds, as a query of
    the mapped class did."""
    built: Counter[str] = Counter()

    def note(target: object, _: object) -> None:
        built.update([type(target).__name__])

    tables = (BookingRow, SegmentRow, PassengerRow, JourneyRow, CustomerRow, ChannelRow)
    for table in tables:
        event.listen(table, "load", note)
    try:
        await _read_with_a_change_held(db)
    finally:
        for table in tables:
            event.remove(table, "load", note)
    assert built == {"BookingRow": 1}, "no ORM object but the one the test itself loaded"


async def _read_with_a_change_held(db: Database) -> None:
    async with db.session() as session:
        pnrs = await passengers_on(session, CANCELLED)
        row = await session.get(BookingRow, pnrs[0])
        assert row is not None
        row.price_cents += 1  # not flushed yet
        bookings = await load_bookings(session, pnrs)
        customers = await load_customers(session, [b.customer_id for b in bookings.values()])
        assert bookings[pnrs[0]].price_cents == row.price_cents, "flushed first"
        assert len(bookings) == len(pnrs) and customers


async def test_an_effect_and_its_event_are_written_without_mapped_objects(db: Database) -> None:
    """The ledger row and the outbox event of an effect go in as values (`insert_values`):
    a mapped object each (instrumented state, then read back as a dict) cost more CPU than
    the INSERT, thousands per settled wave. They are the rows `action_event` describes."""
    from tools.effects import action_event, record_and_announce
    from tools.tables import OutboxRow

    at = datetime(2026, 3, 1, 8, tzinfo=UTC)
    built: list[str] = []

    def note(target: object, *_: object) -> None:
        built.append(type(target).__name__)

    for table in (LedgerRow, OutboxRow):
        event.listen(table, "init", note)
    try:
        async with db.transaction() as session:
            await record_and_announce(
                session, key="k:2", case_id="c", action="care", pnr="ABC123", detail={}, at=at
            )
    finally:
        for table in (LedgerRow, OutboxRow):
            event.remove(table, "init", note)
    assert built == []
    want = action_event("k:2", "c", "ABC123", "care", {}, at)
    async with db.session() as session:
        [stored] = (await session.scalars(select(OutboxRow))).all()
        [ledger] = (await session.scalars(select(LedgerRow).where(LedgerRow.case_id == "c"))).all()
    assert (stored.idempotency_key, stored.topic, stored.key, stored.payload, stored.status) == (
        want.idempotency_key,
        want.topic,
        want.key,
        want.payload,
        want.status,
    )
    assert (ledger.idempotency_key, ledger.action, ledger.created_at) == ("k:2", "care", at)
