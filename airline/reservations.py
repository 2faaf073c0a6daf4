"""Bookings and seat inventory: reads, and the transactional effects the agent causes.

Every effect takes an idempotency key and writes its ledger row in the same transaction
as the effect itself, so a retried case finds the key and does nothing twice. Seats are
taken with a conditional UPDATE (``sold < capacity``), which is atomic on SQLite and on
PostgreSQL alike: inventory never goes negative or above capacity, however many cases
compete for the last seat.

Where a function reads a row and then writes on what it read (a booking's status, its
active segments, a hold), it reads with ``SELECT ... FOR UPDATE``: PostgreSQL locks the
rows until the transaction ends, so two cases cannot both refund one booking or release
one seat twice. SQLite ignores the clause; there `Database.transaction()` serializes
writers instead. Seat holds (`airline.holds`) count in `InventoryRow.sold` while they last.

Errors raised here besides `NoSeatsError` and `NotFoundError` (they belong in the tree
of `travel_agent.errors`, under `ReservationError`):

    BookingClosedError    the booking is refunded or cancelled (final)
    InvalidRequestError   the request cannot be carried out as asked (the caller can fix it)
    HoldExpiredError      the hold ran out or was released (hold again)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
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
    InventoryRow,
    JourneyRow,
    LedgerRow,
    PassengerRow,
    SeatHoldRow,
    SegmentRow,
)
from travel_agent.errors import NoSeatsError, NotFoundError, ReservationError

log = logging.getLogger(__name__)


class BookingClosedError(ReservationError):
    """The booking is refunded or cancelled: nothing more can be done to it."""

    def __init__(self, pnr: str, status: str) -> None:
        super().__init__(f"booking {pnr} is {status}")
        self.pnr = pnr
        self.status = status


class InvalidRequestError(ReservationError):
    """The request cannot be carried out as asked; the caller can correct it and retry."""

    retriable = True


class HoldExpiredError(ReservationError):
    """The hold ran out (or was released) before it was confirmed; hold seats again."""

    retriable = True

    def __init__(self, hold_id: str, status: str) -> None:
        super().__init__(f"hold {hold_id} is {status}")
        self.hold_id = hold_id
        self.status = status


class HoldStatus(StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    """Its seats became the booking's new segments."""
    RELEASED = "released"
    """Given back on purpose (released, or the booking was refunded or cancelled)."""
    EXPIRED = "expired"
    """Given back because nobody confirmed it in time."""


class Settlement(BaseModel):
    """A booking closed by a refund or a cancellation, as the ledger recorded it."""

    kind: Literal["refund", "cancel"]
    pnr: str
    status: BookingStatus
    amount_cents: int = Field(ge=0, description="money back, in minor units (0 on a cancel)")
    currency: str
    reason: str
    released: list[str] = Field(description="flights whose seat went back to inventory")
    released_holds: list[str] = Field(description="holds of the booking that were released")
    journeys: list[int] | None = Field(
        default=None, description="the journeys refunded; None: the whole booking"
    )
    replayed: bool = Field(
        default=False, description="the key had been used before: nothing was done again"
    )


async def load_booking(session: AsyncSession, pnr: str) -> Booking:
    """The booking with its passengers, journeys and segments.

    A booking stored without passenger rows is one adult (with the booking's SSRs); one
    without journey rows is one journey per journey number of its segments
    (`airline.journeys.derive_journeys`).

    Raises:
        NotFoundError: there is no such booking.
    """
    row = await session.get(BookingRow, pnr)
    if row is None:
        raise NotFoundError(f"no booking {pnr}")
    segments = (await session.scalars(select(SegmentRow).where(SegmentRow.pnr == pnr))).all()
    people = (
        await session.scalars(
            select(PassengerRow).where(PassengerRow.pnr == pnr).order_by(PassengerRow.seq)
        )
    ).all()
    trips = (
        await session.scalars(
            select(JourneyRow).where(JourneyRow.pnr == pnr).order_by(JourneyRow.seq)
        )
    ).all()
    booking = Booking(
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
    if not booking.journeys and booking.segments:
        keys = {s.flight_key for s in booking.segments}
        flights = (await session.scalars(select(FlightRow).where(FlightRow.key.in_(keys)))).all()
        ends = {f.key: _Ends(f.origin, f.destination) for f in flights}
        booking = with_journeys(booking, ends)
    return booking


class _Ends:
    """Just enough of a flight to derive a journey from (`derive_journeys`)."""

    __slots__ = ("destination", "origin")

    def __init__(self, origin: str, destination: str) -> None:
        self.origin = origin
        self.destination = destination


def _passenger(row: PassengerRow) -> Passenger:
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
    for a booking stored without passenger rows)."""
    counted = await session.execute(
        select(func.count(), func.count().filter(PassengerRow.type != PassengerType.INFANT.value))
        .select_from(PassengerRow)
        .where(PassengerRow.pnr == pnr)
    )
    rows, seated = counted.one()
    return int(seated) if rows else 1


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


# `session.info` key: ledger keys read ahead in this transaction -> whether each is done.
_KNOWN = "ledger_known"


async def read_ledger_ahead(session: AsyncSession, keys: Iterable[str]) -> None:
    """Read, in one query, whether each of `keys` is in the ledger, for `effect_done` to
    answer from in this transaction (a round trip per effect saved: a case's act checks
    four or five). As with a query per key, the unique key still refuses a second
    insert if another transaction records one of them meanwhile."""
    wanted = list(keys)
    found = set(
        await session.scalars(
            select(LedgerRow.idempotency_key).where(LedgerRow.idempotency_key.in_(wanted))
        )
    )
    known: dict[str, bool] = session.info.setdefault(_KNOWN, {})
    known.update((key, key in found) for key in wanted)


async def effect_done(session: AsyncSession, idempotency_key: str) -> bool:
    """Has the effect with this key already been carried out?"""
    known: dict[str, bool] | None = session.info.get(_KNOWN)
    if known is not None and idempotency_key in known:
        return known[idempotency_key]
    found = await session.scalar(
        select(LedgerRow.id).where(LedgerRow.idempotency_key == idempotency_key)
    )
    return found is not None


async def effect_detail(session: AsyncSession, idempotency_key: str) -> dict[str, Any] | None:
    """The ledger detail of the effect with this key, or None if it has not happened."""
    return await session.scalar(
        select(LedgerRow.detail).where(LedgerRow.idempotency_key == idempotency_key)
    )


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
    known: dict[str, bool] | None = session.info.get(_KNOWN)
    if known is not None:
        known[idempotency_key] = True
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
    """Move a booking off `replace_seqs` onto `new_flights` (in itinerary order), with a
    seat for every passenger who needs one, the party together on every flight.

    Takes the new seats first, so a flight that filled up raises `NoSeatsError` before
    anything changed; the caller's transaction then rolls back as a whole.

    Raises:
        NoSeatsError: one of the new flights has fewer seats left in `cabin` than the party.
        NotFoundError: the booking or one of the segments does not exist.
        InvalidRequestError: `replace_seqs` belong to more than one journey.
    """
    await take_seats(session, new_flights, cabin, await seats_needed(session, pnr))
    await swap_segments(
        session, pnr=pnr, replace_seqs=replace_seqs, new_flights=new_flights, cabin=cabin.value
    )


async def swap_segments(
    session: AsyncSession,
    *,
    pnr: str,
    replace_seqs: Sequence[int],
    new_flights: Sequence[str],
    cabin: str,
) -> None:
    """Take `replace_seqs` off the booking (the party's seats back) and add `new_flights`
    to the journey they belonged to.

    The new flights' seats must be taken already (by `take_seats` or a hold), one per
    passenger who needs a seat.

    Raises:
        NotFoundError: the booking has no active segment with one of `replace_seqs`.
        InvalidRequestError: `replace_seqs` belong to more than one journey (a rebooking
            re-accommodates one journey; the others keep their segments).
    """
    segments = (
        await session.scalars(
            select(SegmentRow)
            .where(SegmentRow.pnr == pnr, SegmentRow.status == SegmentStatus.ACTIVE.value)
            # A concurrent refund or rebooking of the same booking waits, then sees its work.
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    by_seq = {s.seq: s for s in segments}
    missing = [seq for seq in replace_seqs if seq not in by_seq]
    if missing:
        raise NotFoundError(f"booking {pnr} has no active segment {missing}")
    journeys = sorted({by_seq[seq].journey for seq in replace_seqs})
    if len(journeys) > 1:
        raise InvalidRequestError(
            f"booking {pnr}: segments {sorted(replace_seqs)} belong to journeys {journeys}; "
            "a rebooking replaces segments of one journey"
        )
    party = await seats_needed(session, pnr)
    for seq in replace_seqs:
        old = by_seq[seq]
        old.status = SegmentStatus.REPLACED.value
        # Give the seats back: they are "discovered inventory" for the next passengers.
        await give_back_seats(session, old.flight_key, old.cabin, party)
    # New segments take fresh sequence numbers; the itinerary order is by departure time.
    last_seq = await session.scalar(select(func.max(SegmentRow.seq)).where(SegmentRow.pnr == pnr))
    for seq, flight_key in enumerate(new_flights, start=(last_seq or 0) + 1):
        session.add(
            SegmentRow(
                pnr=pnr,
                seq=seq,
                flight_key=flight_key,
                cabin=cabin,
                status=SegmentStatus.ACTIVE.value,
                journey=journeys[0] if journeys else 1,
            )
        )


async def take_seats(
    session: AsyncSession, flight_keys: Sequence[str], cabin: Cabin, count: int = 1
) -> None:
    """Take `count` seats in `cabin` on each flight, with one conditional UPDATE per flight.

    Raises:
        NoSeatsError: a flight has fewer than `count` seats left; seats taken on earlier
            flights are given back when the caller's transaction rolls back.
        NotFoundError: a flight has no such cabin (or does not exist).
    """
    for flight_key in flight_keys:
        taken = await session.execute(
            update(InventoryRow)
            .where(
                InventoryRow.flight_key == flight_key,
                InventoryRow.cabin == cabin.value,
                InventoryRow.sold + count <= InventoryRow.capacity,
            )
            .values(sold=InventoryRow.sold + count)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            exists = await session.scalar(
                select(InventoryRow.capacity).where(
                    InventoryRow.flight_key == flight_key, InventoryRow.cabin == cabin.value
                )
            )
            if exists is None:
                raise NotFoundError(f"no flight {flight_key} with a {cabin.value} cabin")
            raise NoSeatsError(flight_key, cabin.value)


async def give_back_seats(
    session: AsyncSession, flight_key: str, cabin: str, count: int = 1
) -> None:
    """Return `count` seats to inventory; never below zero (a mismatch is logged)."""
    given = await session.execute(
        update(InventoryRow)
        .where(
            InventoryRow.flight_key == flight_key,
            InventoryRow.cabin == cabin,
            InventoryRow.sold >= count,
        )
        .values(sold=InventoryRow.sold - count)
    )
    if given.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("could not give back %d %s seat(s) on %s", count, cabin, flight_key)


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


async def release_hold_row(
    session: AsyncSession, row: SeatHoldRow, status: HoldStatus, now: datetime
) -> None:
    """Give a held hold's seats back and close it with `status` (the row must be locked)."""
    for flight_key in row.flights:
        await give_back_seats(session, flight_key, row.cabin, row.party)
    row.status = status.value
    row.settled_at = now


async def refund(
    session: AsyncSession,
    *,
    key: str,
    case_id: str,
    pnr: str,
    amount_cents: int,
    reason: str,
    now: datetime,
    journeys: Sequence[int] | None = None,
    detail: dict[str, Any] | None = None,
) -> Settlement:
    """Refund the booking, or some of its journeys: their seats (and, for the whole
    booking, its holds) go back, once per key. The booking is refunded once no journey
    is left; until then it stays active with the journeys not refunded.

    A cancelled booking may still be refunded (its seats are already back).

    Args:
        key: the idempotency key; a second call with it returns the first result.
        case_id: the case the refund belongs to (for the ledger).
        amount_cents: money back, at most the ticket price.
        reason: why, in a sentence (kept in the ledger).
        now: when (the injected clock).
        journeys: the journeys refunded (their `Journey.seq`); None: the whole booking.
        detail: more for the ledger row (due date, citations, who chose it).

    Raises:
        NotFoundError: there is no such booking.
        BookingClosedError: the booking was refunded already (under another key).
        InvalidRequestError: the amount is negative or above the ticket price.
    """
    # Lock first, then look for the key: a concurrent call with the same key has either
    # committed its ledger row by the time the lock is ours, or not begun.
    booking = await lock_booking(session, pnr)
    if (done := await effect_detail(session, key)) is not None:
        return Settlement.model_validate({**done, "replayed": True})
    if booking.status == BookingStatus.REFUNDED.value:
        raise BookingClosedError(pnr, booking.status)
    if not 0 <= amount_cents <= booking.price_cents:
        raise InvalidRequestError(
            f"refund of {amount_cents} cents on booking {pnr}: must be between 0 and the "
            f"ticket price, {booking.price_cents} {booking.currency} cents"
        )
    released, holds = await _release_booking(session, pnr, now, journeys=journeys)
    left = await session.scalar(
        select(func.count())
        .select_from(SegmentRow)
        .where(SegmentRow.pnr == pnr, SegmentRow.status == SegmentStatus.ACTIVE.value)
    )
    if not left:
        booking.status = BookingStatus.REFUNDED.value
    settlement = Settlement(
        kind="refund",
        pnr=pnr,
        status=BookingStatus(booking.status),
        amount_cents=amount_cents,
        currency=booking.currency,
        reason=reason,
        released=released,
        released_holds=holds,
        journeys=None if journeys is None else sorted(journeys),
    )
    await _record_settlement(session, key, case_id, settlement, now, detail)
    return settlement


async def cancel_booking(
    session: AsyncSession,
    *,
    key: str,
    case_id: str,
    pnr: str,
    reason: str,
    now: datetime,
) -> Settlement:
    """Cancel the booking without money back: give back its seats and holds, once per key.

    Raises:
        NotFoundError: there is no such booking.
        BookingClosedError: the booking is refunded or cancelled already (under another key).
    """
    booking = await lock_booking(session, pnr)
    if (done := await effect_detail(session, key)) is not None:
        return Settlement.model_validate({**done, "replayed": True})
    if booking.status != BookingStatus.ACTIVE.value:
        raise BookingClosedError(pnr, booking.status)
    released, holds = await _release_booking(session, pnr, now)
    booking.status = BookingStatus.CANCELLED.value
    settlement = Settlement(
        kind="cancel",
        pnr=pnr,
        status=BookingStatus.CANCELLED,
        amount_cents=0,
        currency=booking.currency,
        reason=reason,
        released=released,
        released_holds=holds,
    )
    await _record_settlement(session, key, case_id, settlement, now)
    return settlement


async def _release_booking(
    session: AsyncSession, pnr: str, now: datetime, *, journeys: Sequence[int] | None = None
) -> tuple[list[str], list[str]]:
    """Take the active segments (of `journeys`, else all) off the booking, seats back, and
    for the whole booking release its holds too."""
    query = select(SegmentRow).where(
        SegmentRow.pnr == pnr, SegmentRow.status == SegmentStatus.ACTIVE.value
    )
    if journeys is not None:
        query = query.where(SegmentRow.journey.in_(list(journeys)))
    segments = (
        await session.scalars(
            query.order_by(SegmentRow.seq)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    party = await seats_needed(session, pnr) if segments else 0
    for segment in segments:
        # REPLACED is the one status for "off the itinerary, seat given back".
        segment.status = SegmentStatus.REPLACED.value
        await give_back_seats(session, segment.flight_key, segment.cabin, party)
    if journeys is not None:
        return [s.flight_key for s in segments], []
    holds = (
        await session.scalars(
            select(SeatHoldRow)
            .where(SeatHoldRow.pnr == pnr, SeatHoldRow.status == HoldStatus.HELD.value)
            .order_by(SeatHoldRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    for hold in holds:
        await release_hold_row(session, hold, HoldStatus.RELEASED, now)
    return [s.flight_key for s in segments], [h.id for h in holds]


async def _record_settlement(
    session: AsyncSession,
    key: str,
    case_id: str,
    settlement: Settlement,
    now: datetime,
    more: dict[str, Any] | None = None,
) -> None:
    await record_effect(
        session,
        idempotency_key=key,
        case_id=case_id,
        action=settlement.kind,
        pnr=settlement.pnr,
        detail={**(more or {}), **settlement.model_dump(mode="json", exclude={"replayed"})},
        at=now,
    )
