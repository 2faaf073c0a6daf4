"""Seat holds, confirmation, refunds and cancellations: once per key, inventory in bounds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from airline.holds import (
    Hold,
    HoldStatus,
    confirm_hold,
    hold_seats,
    load_hold,
    release_expired_holds,
    release_hold,
)
from airline.models import Booking, BookingStatus, Cabin, SegmentStatus
from airline.reservations import (
    BookingClosedError,
    HoldExpiredError,
    InvalidRequestError,
    Settlement,
    cancel_booking,
    load_booking,
    passengers_on,
    refund,
)
from airline.tables import BookingRow, InventoryRow, LedgerRow, SeatHoldRow
from travel_agent.db import Database
from travel_agent.errors import NoSeatsError, NotFoundError, ReservationError

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
CANCELLED = "XA102/2026-03-01"  # FRA→LHR 08:20 UTC
LATER_DIRECT = "XA104/2026-03-01"  # FRA→LHR 13:30 UTC
VIA_AMS = ["XB1043/2026-03-01", "XB1002/2026-03-01"]  # FRA→AMS→LHR
FREE = 10
CONTENDERS = 30


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


async def economy_passengers(db: Database, flight_key: str = CANCELLED) -> list[Booking]:
    """Economy passengers whose whole trip is `flight_key`."""
    found = []
    async with db.session() as session:
        for pnr in await passengers_on(session, flight_key):
            booking = await load_booking(session, pnr)
            trip = [(s.flight_key, s.cabin) for s in booking.segments]
            if trip == [(flight_key, Cabin.ECONOMY)] and booking.seats_needed == 1:
                found.append(booking)
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


async def ledger_rows(db: Database, key: str) -> int:
    async with db.session() as session:
        found = await session.scalar(
            select(func.count()).select_from(LedgerRow).where(LedgerRow.idempotency_key == key)
        )
        return int(found or 0)


async def hold(
    db: Database,
    pnr: str,
    *,
    key: str,
    flights: list[str] | None = None,
    party: int = 1,
    minutes: int = 15,
) -> Hold:
    async with db.transaction() as session:
        return await hold_seats(
            session,
            key=key,
            case_id="case-1",
            pnr=pnr,
            flights=flights or [LATER_DIRECT],
            cabin=Cabin.ECONOMY,
            party=party,
            expires_at=NOW + timedelta(minutes=minutes),
            now=NOW,
        )


async def confirm(db: Database, hold_id: str, *, key: str, at: datetime = NOW) -> Hold:
    async with db.transaction() as session:
        return await confirm_hold(
            session, key=key, case_id="case-1", hold_id=hold_id, replace_seqs=[1], now=at
        )


async def sweep(db: Database, at: datetime) -> list[str]:
    async with db.transaction() as session:
        return await release_expired_holds(session, at)


async def test_a_hold_takes_seats_until_it_expires(db: Database, booking: Booking) -> None:
    before = await sold(db, LATER_DIRECT)
    held = await hold(db, booking.pnr, key="case-1:hold:a")
    assert held.status == HoldStatus.HELD
    assert held.expires_at == NOW + timedelta(minutes=15)
    assert await sold(db, LATER_DIRECT) == before + 1

    assert await sweep(db, NOW + timedelta(minutes=14)) == []
    assert await sold(db, LATER_DIRECT) == before + 1, "not expired yet"

    assert await sweep(db, NOW + timedelta(minutes=15)) == [held.id]
    assert await sold(db, LATER_DIRECT) == before
    async with db.session() as session:
        assert (await load_hold(session, held.id)).status == HoldStatus.EXPIRED
    assert await sweep(db, NOW + timedelta(hours=1)) == [], "a hold expires once"
    assert await sold(db, LATER_DIRECT) == before

    with pytest.raises(HoldExpiredError) as caught:
        await confirm(db, held.id, key="case-1:rebook:v1", at=NOW + timedelta(minutes=16))
    assert caught.value.retriable
    assert await reread(db, booking.pnr) == booking, "an expired hold books nothing"


async def test_a_hold_past_its_expiry_cannot_be_confirmed_before_the_sweep(
    db: Database, booking: Booking
) -> None:
    held = await hold(db, booking.pnr, key="case-1:hold:a", minutes=5)
    with pytest.raises(HoldExpiredError):
        await confirm(db, held.id, key="case-1:rebook:v1", at=NOW + timedelta(minutes=5))
    assert await sweep(db, NOW + timedelta(minutes=5)) == [held.id]


async def test_confirm_rebooks_onto_the_held_seats_without_taking_them_twice(
    db: Database, booking: Booking
) -> None:
    old_before, new_before = await sold(db, CANCELLED), await sold(db, LATER_DIRECT)
    held = await hold(db, booking.pnr, key="case-1:hold:a")
    assert await sold(db, LATER_DIRECT) == new_before + 1

    confirmed = await confirm(db, held.id, key="case-1:rebook:v1")

    assert confirmed.status == HoldStatus.CONFIRMED
    assert not confirmed.replayed
    assert await sold(db, LATER_DIRECT) == new_before + 1, "the held seat is the booked seat"
    assert await sold(db, CANCELLED) == old_before - 1, "the old seat went back"
    after = await reread(db, booking.pnr)
    assert [(s.flight_key, s.status) for s in after.segments] == [
        (LATER_DIRECT, SegmentStatus.ACTIVE),
        (CANCELLED, SegmentStatus.REPLACED),
    ]
    # A confirmed hold is not swept, however late.
    assert await sweep(db, NOW + timedelta(days=1)) == []
    assert await sold(db, LATER_DIRECT) == new_before + 1


async def test_confirm_is_idempotent_by_key(db: Database, booking: Booking) -> None:
    held = await hold(db, booking.pnr, key="case-1:hold:a")
    await confirm(db, held.id, key="case-1:rebook:v1")
    seats, rebooked = await inventory(db), await reread(db, booking.pnr)

    again = await confirm(db, held.id, key="case-1:rebook:v1", at=NOW + timedelta(hours=2))

    assert again.replayed
    assert again.status == HoldStatus.CONFIRMED
    assert await inventory(db) == seats
    assert await reread(db, booking.pnr) == rebooked
    assert await ledger_rows(db, "case-1:rebook:v1") == 1
    # Under another key it is a second rebooking, which a confirmed hold refuses.
    with pytest.raises(ReservationError, match="confirmed already"):
        await confirm(db, held.id, key="case-1:rebook:v2")
    assert await inventory(db) == seats


async def test_a_hold_is_idempotent_by_key(db: Database, booking: Booking) -> None:
    before = await sold(db, LATER_DIRECT)
    first = await hold(db, booking.pnr, key="case-1:hold:a")
    second = await hold(db, booking.pnr, key="case-1:hold:a")
    assert second.replayed and not first.replayed
    assert second.id == first.id
    assert await sold(db, LATER_DIRECT) == before + 1
    assert await ledger_rows(db, "case-1:hold:a") == 1


async def test_a_party_holds_seats_on_every_leg_and_confirm_keeps_one(
    db: Database, booking: Booking
) -> None:
    before = {key: await sold(db, key) for key in VIA_AMS}
    held = await hold(db, booking.pnr, key="case-1:hold:a", flights=VIA_AMS, party=3)
    assert {key: await sold(db, key) for key in VIA_AMS} == {k: n + 3 for k, n in before.items()}
    await confirm(db, held.id, key="case-1:rebook:v1")
    assert {key: await sold(db, key) for key in VIA_AMS} == {k: n + 1 for k, n in before.items()}
    assert [s.flight_key for s in (await reread(db, booking.pnr)).active_segments] == VIA_AMS


async def test_a_hold_that_cannot_get_every_seat_takes_none(db: Database, booking: Booking) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(InventoryRow)
            .where(InventoryRow.flight_key == VIA_AMS[1], InventoryRow.cabin == "economy")
            .values(sold=InventoryRow.capacity - 1)
        )
    seats = await inventory(db)
    with pytest.raises(NoSeatsError) as caught:
        await hold(db, booking.pnr, key="case-1:hold:a", flights=VIA_AMS, party=2)
    assert caught.value.flight_key == VIA_AMS[1]
    assert await inventory(db) == seats
    with pytest.raises(NotFoundError, match="XA9999"):
        await hold(db, booking.pnr, key="case-1:hold:b", flights=["XA9999/2026-03-01"])
    with pytest.raises(InvalidRequestError):
        await hold(db, booking.pnr, key="case-1:hold:c", party=0)
    with pytest.raises(InvalidRequestError):
        await hold(db, booking.pnr, key="case-1:hold:d", minutes=0)
    assert await inventory(db) == seats


async def test_release_gives_the_seats_back_once(db: Database, booking: Booking) -> None:
    before = await sold(db, LATER_DIRECT)
    held = await hold(db, booking.pnr, key="case-1:hold:a", party=2)
    for _ in range(2):
        async with db.transaction() as session:
            released = await release_hold(session, key="case-1:release:a", hold_id=held.id, now=NOW)
        assert released.status == HoldStatus.RELEASED
        assert await sold(db, LATER_DIRECT) == before
    assert await sweep(db, NOW + timedelta(days=1)) == []
    assert await sold(db, LATER_DIRECT) == before


async def test_thirty_concurrent_holds_for_ten_seats_get_exactly_ten(db: Database) -> None:
    async with db.transaction() as session:
        target = await session.get_one(InventoryRow, (LATER_DIRECT, Cabin.ECONOMY.value))
        target.sold = target.capacity - FREE
        capacity = target.capacity
    rivals = [b.pnr for b in await economy_passengers(db)]
    rivals += [b.pnr for b in await economy_passengers(db, "XA106/2026-03-01")]
    assert len(rivals) >= CONTENDERS
    rivals = rivals[:CONTENDERS]

    async def attempt(i: int, pnr: str) -> Hold | None:
        try:
            return await hold(db, pnr, key=f"case-{i}:hold:a")
        except NoSeatsError:
            return None

    outcomes = await asyncio.gather(*(attempt(i, pnr) for i, pnr in enumerate(rivals)))

    won = [o for o in outcomes if o is not None]
    assert len(won) == FREE
    assert await sold(db, LATER_DIRECT) == capacity
    async with db.session() as session:
        held = await session.scalar(
            select(func.count())
            .select_from(SeatHoldRow)
            .where(SeatHoldRow.status == HoldStatus.HELD.value)
        )
    assert held == FREE
    # When they all expire, every seat comes back, and not one more.
    assert sorted(await sweep(db, NOW + timedelta(hours=1))) == sorted(h.id for h in won)
    assert await sold(db, LATER_DIRECT) == capacity - FREE


async def test_refund_gives_back_seats_and_holds_once(db: Database, booking: Booking) -> None:
    old_before, new_before = await sold(db, CANCELLED), await sold(db, LATER_DIRECT)
    held = await hold(db, booking.pnr, key="case-1:hold:a")

    async def refund_it(key: str, amount: int) -> Settlement:
        async with db.transaction() as session:
            return await refund(
                session,
                key=key,
                case_id="case-1",
                pnr=booking.pnr,
                amount_cents=amount,
                reason="flight cancelled; the passenger asked for a refund",
                now=NOW,
            )

    done = await refund_it("case-1:refund:v1", booking.price_cents)
    assert await sold(db, CANCELLED) == old_before - 1
    assert await sold(db, LATER_DIRECT) == new_before
    after = await reread(db, booking.pnr)
    assert after.status == BookingStatus.REFUNDED
    assert after.active_segments == []
    async with db.session() as session:
        assert booking.pnr not in await passengers_on(session, CANCELLED)
        assert (await load_hold(session, held.id)).status == HoldStatus.RELEASED

    again = await refund_it("case-1:refund:v1", booking.price_cents)
    assert again == done.model_copy(update={"replayed": True})
    assert await sold(db, CANCELLED) == old_before - 1
    assert await ledger_rows(db, "case-1:refund:v1") == 1
    with pytest.raises(BookingClosedError):
        await refund_it("case-2:refund:v1", 100)
    with pytest.raises(BookingClosedError):
        await hold(db, booking.pnr, key="case-1:hold:b")
    assert await sold(db, CANCELLED) == old_before - 1


async def test_a_refund_above_the_ticket_price_is_refused(db: Database, booking: Booking) -> None:
    seats = await inventory(db)
    with pytest.raises(InvalidRequestError, match="ticket price"):
        async with db.transaction() as session:
            await refund(
                session,
                key="case-1:refund:v1",
                case_id="case-1",
                pnr=booking.pnr,
                amount_cents=booking.price_cents + 1,
                reason="too much",
                now=NOW,
            )
    assert await inventory(db) == seats
    assert (await reread(db, booking.pnr)).status == BookingStatus.ACTIVE


async def test_cancel_gives_back_seats_once_and_a_refund_may_follow(
    db: Database, booking: Booking
) -> None:
    before = await sold(db, CANCELLED)

    async def cancel(key: str) -> None:
        async with db.transaction() as session:
            await cancel_booking(
                session, key=key, case_id="case-1", pnr=booking.pnr, reason="no-show", now=NOW
            )

    await cancel("case-1:cancel:v1")
    await cancel("case-1:cancel:v1")
    assert await sold(db, CANCELLED) == before - 1
    with pytest.raises(BookingClosedError):
        await cancel("case-2:cancel:v1")
    async with db.transaction() as session:
        settled = await refund(
            session,
            key="case-1:refund:v1",
            case_id="case-1",
            pnr=booking.pnr,
            amount_cents=0,
            reason="taxes back",
            now=NOW,
        )
    assert settled.released == []
    assert await sold(db, CANCELLED) == before - 1
    async with db.session() as session:
        row = await session.get_one(BookingRow, booking.pnr)
        assert row.status == BookingStatus.REFUNDED
