"""Bookings and customers, read (one or many at a time) and locked for a change."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
from airline.tables import BookingRow, ChannelRow, CustomerRow, SegmentRow
from travel_agent.errors import NotFoundError

__all__ = [
    "customer_tiers",
    "load_booking",
    "load_bookings",
    "load_customer",
    "lock_booking",
    "passengers_on",
]


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
        ssr=list(row.ssr or []),
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


async def load_bookings(session: AsyncSession, pnrs: Sequence[str]) -> dict[str, Booking]:
    """Many bookings in two queries (a wave reads hundreds at once); unknown PNRs are absent."""
    if not pnrs:
        return {}
    rows = (await session.scalars(select(BookingRow).where(BookingRow.pnr.in_(pnrs)))).all()
    segments: dict[str, list[SegmentRow]] = {}
    for s in (await session.scalars(select(SegmentRow).where(SegmentRow.pnr.in_(pnrs)))).all():
        segments.setdefault(s.pnr, []).append(s)
    return {
        row.pnr: Booking(
            pnr=row.pnr,
            customer_id=row.customer_id,
            fare=FareFamily(row.fare),
            price_cents=row.price_cents,
            currency=row.currency,
            status=BookingStatus(row.status),
            ssr=list(row.ssr or []),
            segments=[
                Segment(
                    seq=s.seq,
                    flight_key=s.flight_key,
                    cabin=Cabin(s.cabin),
                    status=SegmentStatus(s.status),
                )
                for s in sorted(
                    segments.get(row.pnr, []), key=lambda s: (s.status != "active", s.seq, s.id)
                )
            ],
        )
        for row in rows
    }


async def customer_tiers(session: AsyncSession, ids: Sequence[str]) -> dict[str, LoyaltyTier]:
    """The loyalty tier of each customer (one query)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(CustomerRow.id, CustomerRow.tier).where(CustomerRow.id.in_(ids))
    )
    return {cid: LoyaltyTier(tier) for cid, tier in rows}


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


async def lock_booking(session: AsyncSession, pnr: str) -> BookingRow:
    """The booking row, locked until the transaction ends (PostgreSQL).

    Raises:
        NotFoundError: there is no such booking.
    """
    row = await session.scalar(
        select(BookingRow)
        .where(BookingRow.pnr == pnr)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFoundError(f"no booking {pnr}")
    return row
