"""Bookings and seat inventory: reads, and the transactional effects the agent causes.

Every effect takes an idempotency key and writes its ledger row in the same transaction
as the effect itself, so a retried case finds the key and does nothing twice. Seats are
taken with a conditional UPDATE (``sold < capacity``), which is atomic on SQLite and on
PostgreSQL alike: inventory never goes negative or above capacity, however many cases
compete for the last seat.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from airline.db import BookingRow, ChannelRow, CustomerRow, InventoryRow, LedgerRow, SegmentRow
from airline.errors import NoSeatsError, NotFoundError
from airline.models import (
    Booking,
    BookingStatus,
    Cabin,
    ChannelKind,
    ContactChannel,
    Customer,
    FareFamily,
    LoyaltyTier,
    Segment,
    SegmentStatus,
)


async def load_booking(session: AsyncSession, pnr: str) -> Booking:
    row = await session.get(BookingRow, pnr)
    if row is None:
        raise NotFoundError(f"no booking {pnr}")
    segments = (await session.scalars(select(SegmentRow).where(SegmentRow.pnr == pnr))).all()
    return Booking(
        pnr=row.pnr,
        customer_id=row.customer_id,
        fare=FareFamily(row.fare),
        price_cents=row.price_cents,
        currency=row.currency,
        status=BookingStatus(row.status),
        segments=[
            Segment(
                seq=s.seq,
                flight_key=s.flight_key,
                cabin=Cabin(s.cabin),
                status=SegmentStatus(s.status),
            )
            for s in sorted(segments, key=lambda s: (s.status != "active", s.seq, s.id))
        ],
    )


async def load_customer(session: AsyncSession, customer_id: str) -> Customer:
    row = await session.get(CustomerRow, customer_id)
    if row is None:
        raise NotFoundError(f"no customer {customer_id}")
    channels = (
        await session.scalars(select(ChannelRow).where(ChannelRow.customer_id == customer_id))
    ).all()
    return Customer(
        id=row.id,
        name=row.name,
        language=row.language,
        tier=LoyaltyTier(row.tier),
        channels=[
            ContactChannel(
                kind=ChannelKind(c.kind), address=c.address, consent=c.consent, priority=c.priority
            )
            for c in sorted(channels, key=lambda c: c.priority)
        ],
    )


async def passengers_on(session: AsyncSession, flight_key: str) -> list[str]:
    """PNRs of active bookings holding an active segment on `flight_key`."""
    rows = await session.scalars(
        select(SegmentRow.pnr)
        .join(BookingRow, BookingRow.pnr == SegmentRow.pnr)
        .where(
            SegmentRow.flight_key == flight_key,
            SegmentRow.status == SegmentStatus.ACTIVE.value,
            BookingRow.status == BookingStatus.ACTIVE.value,
        )
        .order_by(SegmentRow.pnr)
    )
    return list(dict.fromkeys(rows))


async def available_seats(
    session: AsyncSession, flight_keys: list[str], cabin: Cabin
) -> dict[str, int]:
    """Seats left per flight in `cabin`, read now (not from a snapshot)."""
    if not flight_keys:
        return {}
    rows = await session.execute(
        select(InventoryRow.flight_key, InventoryRow.capacity - InventoryRow.sold).where(
            InventoryRow.flight_key.in_(flight_keys), InventoryRow.cabin == cabin.value
        )
    )
    return {key: int(left) for key, left in rows}


async def effect_done(session: AsyncSession, idempotency_key: str) -> bool:
    """Has the effect with this key already been carried out?"""
    found = await session.scalar(
        select(LedgerRow.id).where(LedgerRow.idempotency_key == idempotency_key)
    )
    return found is not None


async def record_effect(
    session: AsyncSession,
    *,
    idempotency_key: str,
    case_id: str,
    action: str,
    pnr: str,
    detail: dict[str, Any],
    at: datetime,
) -> None:
    """Write the ledger row; the unique key makes a second insert fail the transaction."""
    session.add(
        LedgerRow(
            idempotency_key=idempotency_key,
            case_id=case_id,
            action=action,
            pnr=pnr,
            detail=detail,
            created_at=at,
        )
    )


async def rebook(
    session: AsyncSession,
    *,
    pnr: str,
    replace_seqs: list[int],
    new_flights: list[str],
    cabin: Cabin,
) -> None:
    """Move a booking off `replace_seqs` onto `new_flights` (in itinerary order).

    Takes the new seats first, so a flight that filled up raises `NoSeatsError` before
    anything changed; the caller's transaction then rolls back as a whole.

    Raises:
        NoSeatsError: one of the new flights has no seat left in `cabin`.
        NotFoundError: the booking or one of the segments does not exist.
    """
    for flight_key in new_flights:
        taken = await session.execute(
            update(InventoryRow)
            .where(
                InventoryRow.flight_key == flight_key,
                InventoryRow.cabin == cabin.value,
                InventoryRow.sold < InventoryRow.capacity,
            )
            .values(sold=InventoryRow.sold + 1)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise NoSeatsError(flight_key, cabin.value)

    segments = (
        await session.scalars(
            select(SegmentRow).where(
                SegmentRow.pnr == pnr, SegmentRow.status == SegmentStatus.ACTIVE.value
            )
        )
    ).all()
    by_seq = {s.seq: s for s in segments}
    missing = [seq for seq in replace_seqs if seq not in by_seq]
    if missing:
        raise NotFoundError(f"booking {pnr} has no active segment {missing}")
    for seq in replace_seqs:
        old = by_seq[seq]
        old.status = SegmentStatus.REPLACED.value
        # Give the seat back: it is "discovered inventory" for the next passenger.
        await session.execute(
            update(InventoryRow)
            .where(
                InventoryRow.flight_key == old.flight_key,
                InventoryRow.cabin == old.cabin,
                InventoryRow.sold > 0,
            )
            .values(sold=InventoryRow.sold - 1)
        )
    # New segments take fresh sequence numbers; the itinerary order is by departure time.
    last_seq = await session.scalar(select(func.max(SegmentRow.seq)).where(SegmentRow.pnr == pnr))
    first_new = (last_seq or 0) + 1
    for offset, flight_key in enumerate(new_flights):
        session.add(
            SegmentRow(
                pnr=pnr,
                seq=first_new + offset,
                flight_key=flight_key,
                cabin=cabin.value,
                status=SegmentStatus.ACTIVE.value,
            )
        )
