"""What `confirm_hold` reads of each hold of a batch, read in one query per table.

A batch of settled cases (`agent.runtime.settle`) confirms a hold per rebooked case in
one transaction. Each confirmation reads the hold and its booking (locked), the party's
size, the held flights' committed board rows (``FOR SHARE``) and the booking's active
segments (locked) and last segment number: six round trips a case, each costing more
CPU than what it reads. `read_confirms_ahead` reads them for every hold of the batch at
once, in the order a single confirmation locks them (bookings, holds, board rows,
segments: `airline.holds._lock_hold_and_booking`, `airline.closed_flights`), and
`take_confirm_read` hands each hold's share to its `confirm_hold`, once.

Only a cache, and only right while no other write of the transaction changes what it
read: the rows are the session's own (identity-mapped) objects, so the batch's ORM
writes show in them, and the batch holds one case per booking (`settle._candidates`),
so no case changes another's booking, segments or hold. A hold not read ahead, or
asked for a second time (a retried confirmation), is read live as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from airline.board import UNBOARDABLE
from airline.errors import FlightClosedError
from airline.models import FlightStatus, PassengerType, SegmentStatus
from airline.tables import BoardRow, BookingRow, PassengerRow, SeatHoldRow, SegmentRow

__all__ = ["ConfirmRead", "read_confirms_ahead", "take_confirm_read"]


@dataclass(frozen=True, slots=True)
class ConfirmRead:
    """What `confirm_hold` reads of one hold, read ahead."""

    row: SeatHoldRow
    booking: BookingRow
    party: int
    """Seats the booking's party takes (`airline.bookings.seats_needed`)."""
    closed: FlightClosedError | None
    """The first held flight, in key order, that cannot be boarded (as
    `refuse_closed_flights` would raise it), or None."""
    segments: list[SegmentRow]
    """The booking's active segments, locked."""
    last_seq: int | None
    """The booking's highest segment number, of any status."""


# `session.info` key: hold id -> its `ConfirmRead`, until its confirmation takes it.
_AHEAD = "confirms_read_ahead"


async def read_confirms_ahead(session: AsyncSession, hold_ids: Iterable[str]) -> None:
    """Read, one query per table, what confirming each of `hold_ids` reads."""
    wanted = sorted(set(hold_ids))
    if not wanted:
        return
    pnrs = sorted(
        set(await session.scalars(select(SeatHoldRow.pnr).where(SeatHoldRow.id.in_(wanted))))
    )
    # Bookings before holds, each in key order: the order one confirmation locks them.
    bookings = {
        b.pnr: b
        for b in await session.scalars(
            select(BookingRow)
            .where(BookingRow.pnr.in_(pnrs))
            .order_by(BookingRow.pnr)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    rows = list(
        await session.scalars(
            select(SeatHoldRow)
            .where(SeatHoldRow.id.in_(wanted))
            .order_by(SeatHoldRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    counted = await session.execute(
        select(
            PassengerRow.pnr,
            func.count().filter(PassengerRow.type != PassengerType.INFANT.value),
        )
        .where(PassengerRow.pnr.in_(pnrs))
        .group_by(PassengerRow.pnr)
    )
    seated = {pnr: int(n) for pnr, n in counted}
    flights = sorted({key for row in rows for key in row.flights})
    statuses = {
        key: FlightStatus(status)
        for key, status in await session.execute(
            select(BoardRow.flight_key, BoardRow.status)
            .where(BoardRow.flight_key.in_(flights))
            .order_by(BoardRow.flight_key)
            .with_for_update(read=True)
        )
    }
    segments: dict[str, list[SegmentRow]] = {}
    for segment in await session.scalars(
        select(SegmentRow)
        .where(SegmentRow.pnr.in_(pnrs), SegmentRow.status == SegmentStatus.ACTIVE.value)
        .order_by(SegmentRow.pnr, SegmentRow.seq)
        .with_for_update()
        .execution_options(populate_existing=True)
    ):
        segments.setdefault(segment.pnr, []).append(segment)
    last_seqs = dict(
        (pnr, seq)
        for pnr, seq in await session.execute(
            select(SegmentRow.pnr, func.max(SegmentRow.seq))
            .where(SegmentRow.pnr.in_(pnrs))
            .group_by(SegmentRow.pnr)
        )
    )
    ahead: dict[str, ConfirmRead] = session.info.setdefault(_AHEAD, {})
    for row in rows:
        booking = bookings.get(row.pnr)
        if booking is None:  # read live: it raises as a single confirmation would
            continue
        closed = next(
            (
                FlightClosedError(key, statuses[key].value)
                for key in sorted(row.flights)
                if key in statuses and statuses[key] in UNBOARDABLE
            ),
            None,
        )
        ahead[row.id] = ConfirmRead(
            row=row,
            booking=booking,
            # A booking stored without passenger rows takes one seat (`seats_needed`).
            party=seated.get(row.pnr, 1),
            closed=closed,
            segments=segments.get(row.pnr, []),
            last_seq=last_seqs.get(row.pnr),
        )


def take_confirm_read(session: AsyncSession, hold_id: str) -> ConfirmRead | None:
    """The hold's read-ahead share, once (None: not read ahead, or taken already)."""
    ahead: dict[str, ConfirmRead] | None = session.info.get(_AHEAD)
    return ahead.pop(hold_id, None) if ahead else None
