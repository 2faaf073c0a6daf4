"""Closing a booking: a refund or a cancellation, once per key, its seats and holds back.

Where a function reads a row and then writes on what it read (a booking's status, its
active segments, a hold), it reads with ``SELECT ... FOR UPDATE``: PostgreSQL locks the
rows until the transaction ends, so two cases cannot both refund one booking or release
one seat twice. SQLite ignores the clause; there `Database.transaction()` serializes
writers instead.

Errors raised here besides `NotFoundError` are `airline.errors`' (re-exported here):
`BookingClosedError`, `InvalidRequestError`, `HoldExpiredError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from airline.bookings import lock_booking, seats_needed
from airline.errors import BookingClosedError, HoldExpiredError, InvalidRequestError
from airline.inventory import give_back_seats
from airline.ledger import effect_detail, record_effect
from airline.models import BookingStatus, SegmentStatus
from airline.tables import SeatHoldRow, SegmentRow

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


async def release_hold_row(
    session: AsyncSession, row: SeatHoldRow, status: HoldStatus, now: datetime
) -> None:
    """Give a held hold's seats back and close it with `status` (the row must be locked);
    the seats it kept (`SeatHoldRow.kept`) were never taken for it: the booking has them."""
    kept = set(row.kept or ())
    for flight_key in row.flights:
        if flight_key not in kept:
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
