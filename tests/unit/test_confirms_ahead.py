"""A batch's hold confirmations read ahead and written together end as one at a time:
the same segments, seats, holds and ledger, in a fraction of the statements; seats a
batch gives back count for a later take in it; a closed held flight is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update

from airline.confirms_ahead import read_confirms_ahead
from airline.errors import FlightClosedError
from airline.holds import confirm_hold, hold_seats
from airline.inventory import give_back_seats, take_seats
from airline.ledger import read_ledger_ahead
from airline.models import Cabin
from airline.reservations import load_booking, passengers_on
from airline.tables import BoardRow, InventoryRow, LedgerRow, SeatHoldRow, SegmentRow
from travel_agent.db import Database, copy_sqlite, defer_writes, write_deferred

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
CANCELLED = "XA102/2026-03-01"  # FRA→LHR 08:20 UTC
LATER_DIRECT = "XA104/2026-03-01"  # FRA→LHR 13:30 UTC
BATCH = 5


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


async def _held(db: Database) -> list[str]:
    """Holds on the later direct flight for the first `BATCH` passengers of the cancelled
    one whose trip is that flight alone (party sizes as booked)."""
    pnrs = []
    async with db.session() as session:
        for pnr in await passengers_on(session, CANCELLED):
            booking = await load_booking(session, pnr)
            if [s.flight_key for s in booking.segments] == [CANCELLED]:
                pnrs.append((pnr, booking.seats_needed, booking.segments[0].cabin))
    ids = []
    for n, (pnr, party, cabin) in enumerate(pnrs[:BATCH]):
        async with db.transaction() as session:
            held = await hold_seats(
                session,
                key=f"case-{n}:hold",
                case_id=f"case-{n}",
                pnr=pnr,
                flights=[LATER_DIRECT],
                cabin=cabin,
                party=party,
                expires_at=NOW + timedelta(minutes=15),
                now=NOW,
            )
        ids.append(held.id)
    assert len(ids) == BATCH
    return ids


async def _confirm(session: Any, n: int, hold_id: str) -> None:
    await confirm_hold(
        session, key=f"rebook:case-{n}", case_id=f"case-{n}", hold_id=hold_id,
        replace_seqs=[1], now=NOW,
    )  # fmt: skip


async def _state(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    async with db.session() as session:
        return {
            "segments": [
                tuple(r)
                for r in await session.execute(
                    select(
                        SegmentRow.pnr, SegmentRow.seq, SegmentRow.flight_key, SegmentRow.status
                    ).order_by(SegmentRow.id)
                )
            ],
            "inventory": [
                tuple(r)
                for r in await session.execute(
                    select(InventoryRow.flight_key, InventoryRow.cabin, InventoryRow.sold).order_by(
                        InventoryRow.flight_key, InventoryRow.cabin
                    )
                )
            ],
            "holds": [
                tuple(r)
                for r in await session.execute(
                    select(SeatHoldRow.id, SeatHoldRow.status).order_by(SeatHoldRow.id)
                )
            ],
            "ledger": [
                tuple(r)
                for r in await session.execute(
                    select(LedgerRow.idempotency_key, LedgerRow.detail).order_by(LedgerRow.id)
                )
            ],
        }


def _counting(db: Database) -> list[str]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    return statements


async def test_a_batch_of_confirmations_read_ahead_ends_as_one_at_a_time(
    db: Database, world_path: Path, tmp_path: Path
) -> None:
    reference_path = copy_sqlite(world_path, tmp_path / "one-at-a-time.sqlite")
    async with Database(f"sqlite+aiosqlite:///{reference_path}") as reference:
        ids = await _held(reference)
        single = _counting(reference)
        for n, hold_id in enumerate(ids):
            async with reference.transaction() as session:
                await _confirm(session, n, hold_id)
        single = single[:]
        expected = await _state(reference)

    assert await _held(db) == ids
    batched = _counting(db)
    async with db.transaction() as session:
        defer_writes(session)
        # What `agent.runtime.settle` reads ahead for a batch of rebooked cases.
        await read_ledger_ahead(session, [f"rebook:case-{n}" for n in range(BATCH)])
        await read_confirms_ahead(session, ids)
        for n, hold_id in enumerate(ids):
            await _confirm(session, n, hold_id)
        await write_deferred(session)
    batched = batched[:]
    assert await _state(db) == expected
    # About a dozen statements a confirmation, against a dozen for the whole batch.
    assert len(single) >= 10 * BATCH
    assert len(batched) <= 15, batched


async def test_seats_given_back_in_a_batch_count_for_a_later_take(db: Database) -> None:
    """A batch holds its given-back seats until it writes them; a take in between (a
    kept flight's seat, taken again) must see them, or a full flight refuses it."""
    async with db.transaction() as session:
        await session.execute(
            update(InventoryRow)
            .where(InventoryRow.flight_key == LATER_DIRECT, InventoryRow.cabin == "economy")
            .values(sold=InventoryRow.capacity)
        )
    async with db.transaction() as session:
        defer_writes(session)
        await give_back_seats(session, LATER_DIRECT, "economy", 1)
        await take_seats(session, [LATER_DIRECT], Cabin.ECONOMY, 1)
        await give_back_seats(session, LATER_DIRECT, "economy", 2)
        await write_deferred(session)
    async with db.session() as session:
        row = await session.get(InventoryRow, (LATER_DIRECT, "economy"))
        assert row is not None and row.sold == row.capacity - 2


async def test_a_closed_held_flight_is_refused_when_read_ahead(db: Database) -> None:
    ids = await _held(db)
    async with db.transaction() as session:  # news committed since the holds were taken
        await session.execute(
            update(BoardRow).where(BoardRow.flight_key == LATER_DIRECT).values(status="cancelled")
        )
    with pytest.raises(FlightClosedError):
        async with db.transaction() as session:
            defer_writes(session)
            await read_confirms_ahead(session, ids)
            await _confirm(session, 0, ids[0])
