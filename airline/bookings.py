"""Bookings (their passengers, journeys and segments) and customers, read one or many at a
time and locked for a change; the seats a booking's party needs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from airline.journeys import with_journeys
from airline.models import (
    Booking,
    BookingStatus,
    Cabin,
    ChannelKind,
    ContactChannel,
    Customer,
    FareFamily,
    Journey,
    LoyaltyTier,
    Passenger,
    PassengerType,
    PaymentMethod,
    Segment,
    SegmentStatus,
)
from airline.tables import (
    BookingRow,
    ChannelRow,
    CustomerRow,
    FlightRow,
    JourneyRow,
    PassengerRow,
    SegmentRow,
)
from travel_agent.db import Base
from travel_agent.errors import NotFoundError

__all__ = [
    "customer_tiers",
    "customers_on",
    "load_booking",
    "load_bookings",
    "load_customer",
    "load_customers",
    "lock_booking",
    "passengers_on",
    "seats_needed",
]


async def load_booking(session: AsyncSession, pnr: str) -> Booking:
    """The booking with its passengers, journeys and segments.

    A booking stored without passenger rows is one adult (with the booking's SSRs); one
    without journey rows is one journey per journey number of its segments
    (`airline.journeys.derive_journeys`).

    Raises:
        NotFoundError: there is no such booking.
    """
    found = await load_bookings(session, [pnr])
    if pnr not in found:
        raise NotFoundError(f"no booking {pnr}")
    return found[pnr]


async def load_bookings(session: AsyncSession, pnrs: Sequence[str]) -> dict[str, Booking]:
    """Many bookings, each as `load_booking` reads it, in a few queries whatever their
    number (a wave reads hundreds at once); unknown PNRs are absent."""
    if not pnrs:
        return {}
    keys = {"keys": list(pnrs)}
    rows = (await session.execute(_rows_of(BookingRow, "pnr"), keys)).all()
    segments: dict[str, list[Row[Any]]] = {}
    for s in (await session.execute(_rows_of(SegmentRow, "pnr"), keys)).all():
        segments.setdefault(s.pnr, []).append(s)
    people: dict[str, list[Row[Any]]] = {}
    for p in (await session.execute(_rows_of(PassengerRow, "pnr", "seq"), keys)).all():
        people.setdefault(p.pnr, []).append(p)
    trips: dict[str, list[Row[Any]]] = {}
    for j in (await session.execute(_rows_of(JourneyRow, "pnr", "seq"), keys)).all():
        trips.setdefault(j.pnr, []).append(j)
    bookings = {
        row.pnr: _booking(
            row, segments.get(row.pnr, []), people.get(row.pnr, []), trips.get(row.pnr, [])
        )
        for row in rows
    }
    # Bookings stored without journey rows: one journey per journey number, derived from
    # their flights' ends (one query for all of them).
    unended = {s.flight_key for b in bookings.values() if not b.journeys for s in b.segments}
    if unended:
        flights = (await session.scalars(select(FlightRow).where(FlightRow.key.in_(unended)))).all()
        ends = {f.key: _Ends(f.origin, f.destination) for f in flights}
        for pnr, booking in bookings.items():
            if not booking.journeys and booking.segments:
                bookings[pnr] = with_journeys(booking, ends)
    return bookings


def _columns(table: type[Base]) -> Select[Any]:
    """A select of every column of `table`'s rows as plain rows, not ORM objects: a wave
    reads thousands of rows only to build its models (an object each, with its identity
    and state, cost more than the row). Selected through the mapped attributes, so the
    session still flushes what it holds first, as an ORM query does."""
    mapper = inspect(table)
    return select(*(mapper.attrs[c.key].class_attribute for c in mapper.columns))


@cache
def _rows_of(table: type[Base], key: str, *order: str) -> Select[Any]:
    """`_columns` of the rows whose `key` is one of the ``keys`` parameter (a list,
    expanded in the query), in `order`: built once per table (see `_SEATS_NEEDED`), where
    a statement built per call, its list coerced value by value and keyed for the
    compiled cache, cost more CPU than the rows it read (a wave reads its bookings a chunk
    at a time)."""
    column = getattr(table, key)
    return (
        _columns(table)
        .where(column.in_(bindparam("keys", expanding=True)))
        .order_by(*(getattr(table, name) for name in order))
    )


def _booking(
    row: Row[Any],
    segments: Sequence[Row[Any]],
    people: Sequence[Row[Any]],
    trips: Sequence[Row[Any]],
) -> Booking:
    return Booking(
        pnr=row.pnr,
        customer_id=row.customer_id,
        fare=FareFamily(row.fare),
        price_cents=row.price_cents,
        currency=row.currency,
        payment=PaymentMethod(row.payment or PaymentMethod.CARD.value),
        status=BookingStatus(row.status),
        ssr=list(row.ssr or []),
        passengers=[_passenger(p) for p in people],
        journeys=[
            Journey(
                seq=j.seq, origin=j.origin, destination=j.destination, price_cents=j.price_cents
            )
            for j in trips
        ],
        segments=[
            Segment(
                seq=s.seq,
                flight_key=s.flight_key,
                cabin=Cabin(s.cabin),
                status=SegmentStatus(s.status),
                journey=s.journey,
            )
            for s in sorted(segments, key=lambda s: (s.status != "active", s.seq, s.id))
        ],
    )


class _Ends:
    """Just enough of a flight to derive a journey from (`derive_journeys`)."""

    __slots__ = ("destination", "origin")

    def __init__(self, origin: str, destination: str) -> None:
        self.origin = origin
        self.destination = destination


def _passenger(row: Row[Any]) -> Passenger:
    return Passenger(
        seq=row.seq,
        name=row.name,
        type=PassengerType(row.type),
        ssr=list(row.ssr or []),
        on_lap_of=row.on_lap_of,
        language=row.language,
        contact=[ContactChannel.model_validate(c) for c in row.contact or []],
    )


async def seats_needed(session: AsyncSession, pnr: str) -> int:
    """Seats the booking's party takes on each flight: its passengers but lap infants (one
    for a booking stored without passenger rows) — `Booking.seats_needed`, counted in SQL
    for the effects that have no `Booking` at hand."""
    counted = await session.execute(_SEATS_NEEDED, {"pnr": pnr})
    rows, seated = counted.one()
    return int(seated) if rows else 1


# Built once (see `travel_agent.db.insert_row`): constructing and keying a statement
# for the compiled cache per call costs more CPU than running it.
_SEATS_NEEDED = (
    select(func.count(), func.count().filter(PassengerRow.type != PassengerType.INFANT.value))
    .select_from(PassengerRow)
    .where(PassengerRow.pnr == bindparam("pnr"))
)


async def customer_tiers(session: AsyncSession, ids: Sequence[str]) -> dict[str, LoyaltyTier]:
    """The loyalty tier of each customer (one query)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(CustomerRow.id, CustomerRow.tier).where(CustomerRow.id.in_(ids))
    )
    return {cid: LoyaltyTier(tier) for cid, tier in rows}


async def load_customer(session: AsyncSession, customer_id: str) -> Customer:
    """The customer with their contact channels, most preferred first.

    Raises:
        NotFoundError: there is no such customer.
    """
    found = await load_customers(session, [customer_id])
    if customer_id not in found:
        raise NotFoundError(f"no customer {customer_id}")
    return found[customer_id]


async def load_customers(session: AsyncSession, ids: Sequence[str]) -> dict[str, Customer]:
    """Many customers, each as `load_customer` reads it, in two queries whatever their
    number; unknown ids are absent."""
    if not ids:
        return {}
    keys = {"keys": list(ids)}
    rows = (await session.execute(_rows_of(CustomerRow, "id"), keys)).all()
    channels: dict[str, list[Row[Any]]] = {}
    # Ties of priority keep the order they were stored in.
    for c in (await session.execute(_rows_of(ChannelRow, "customer_id", "id"), keys)).all():
        channels.setdefault(c.customer_id, []).append(c)
    return {
        row.id: Customer(
            id=row.id,
            name=row.name,
            language=row.language,
            tier=LoyaltyTier(row.tier),
            channels=[
                ContactChannel(
                    kind=ChannelKind(c.kind),
                    address=c.address,
                    consent=c.consent,
                    priority=c.priority,
                )
                for c in sorted(channels.get(row.id, []), key=lambda c: c.priority)
            ],
        )
        for row in rows
    }


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


async def customers_on(session: AsyncSession, flight_keys: Sequence[str]) -> dict[str, str]:
    """The customer of each active booking holding an active segment on any of
    `flight_keys`, by PNR (in one query, however many flights)."""
    if not flight_keys:
        return {}
    rows = await session.execute(
        select(BookingRow.pnr, BookingRow.customer_id)
        .join(SegmentRow, SegmentRow.pnr == BookingRow.pnr)
        .where(
            SegmentRow.flight_key.in_(sorted(set(flight_keys))),
            SegmentRow.status == SegmentStatus.ACTIVE.value,
            BookingRow.status == BookingStatus.ACTIVE.value,
        )
        .distinct()
        .order_by(BookingRow.pnr)
    )
    return {pnr: customer for pnr, customer in rows}


async def lock_booking(session: AsyncSession, pnr: str) -> BookingRow:
    """The booking row, locked until the transaction ends (PostgreSQL).

    Raises:
        NotFoundError: there is no such booking.
    """
    row = await session.scalar(_LOCK_BOOKING, {"pnr": pnr})
    if row is None:
        raise NotFoundError(f"no booking {pnr}")
    return row


_LOCK_BOOKING = (
    select(BookingRow)
    .where(BookingRow.pnr == bindparam("pnr"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
