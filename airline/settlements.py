"""Closing a booking: a refund or a cancellation, once per key, its seats and holds back.

Where a function reads a row and then writes on what it read (a booking's status, its
active segments, a hold), it reads with ``SELECT ... FOR UPDATE``: PostgreSQL locks the
rows until the transaction ends, so two cases cannot both refund one booking or release
one seat twice. SQLite ignores the clause; there `Database.transaction()` serializes
writers instead.

Errors raised here besides `NotFoundError` (they belong in the tree of
`travel_agent.errors`, under `ReservationError`):

    BookingClosedError    the booking is refunded or cancelled (final)
    InvalidRequestError   the request cannot be carried out as asked (the caller can fix it)
    HoldExpiredError      the hold ran out or was released (hold again)
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from airline.bookings import lock_booking
from airline.inventory import give_back_seats
from airline.ledger import effect_detail, record_effect
from airline.models import BookingStatus, SegmentStatus
from airline.tables import SeatHoldRow, SegmentRow
from travel_agent.errors import ReservationError

__all__ = [
    "BookingClosedError",
    "HoldExpiredError",
    "HoldStatus",
    "InvalidRequestError",
    "Settlement",
    "cancel_booking",
    "refund",
    "release_hold_row",
]


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
    replayed: bool = Field(
        default=False, description="the key had been used before: nothing was done again"
    )


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
) -> Settlement:
    """Refund the booking: mark it refunded and give back its seats and holds, once per key.

    A cancelled booking may still be refunded (its seats are already back).

    Args:
        key: the idempotency key; a second call with it returns the first result.
        case_id: the case the refund belongs to (for the ledger).
        amount_cents: money back, at most the ticket price.
        reason: why, in a sentence (kept in the ledger).
        now: when (the injected clock).

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
    released, holds = await _release_booking(session, pnr, now)
    booking.status = BookingStatus.REFUNDED.value
    settlement = Settlement(
        kind="refund",
        pnr=pnr,
        status=BookingStatus.REFUNDED,
        amount_cents=amount_cents,
        currency=booking.currency,
        reason=reason,
        released=released,
        released_holds=holds,
    )
    await _record_settlement(session, key, case_id, settlement, now)
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
    session: AsyncSession, pnr: str, now: datetime
) -> tuple[list[str], list[str]]:
    """Take every active segment off the booking and release its holds, seats back."""
    segments = (
        await session.scalars(
            select(SegmentRow)
            .where(SegmentRow.pnr == pnr, SegmentRow.status == SegmentStatus.ACTIVE.value)
            .order_by(SegmentRow.seq)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    for segment in segments:
        # REPLACED is the one status for "off the itinerary, seat given back".
        segment.status = SegmentStatus.REPLACED.value
        await give_back_seats(session, segment.flight_key, segment.cabin)
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
    session: AsyncSession, key: str, case_id: str, settlement: Settlement, now: datetime
) -> None:
    await record_effect(
        session,
        idempotency_key=key,
        case_id=case_id,
        action=settlement.kind,
        pnr=settlement.pnr,
        detail=settlement.model_dump(mode="json", exclude={"replayed"}),
        at=now,
    )
