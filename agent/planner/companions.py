"""A booking planned alone finds its linked companions: to join them, or to leave room.

A wave merges linked bookings (`agent.planner.linked.link_key`: one customer's bookings
on the same broken flights in the same cabin) into one party. A case placed again on its
own (a lost seat, a stale approval, a re-check) would otherwise be planned as if it
travelled alone and split from its companions. So a single re-plan looks them up:

- a companion still on the broken flight that holds seats on an itinerary that can
  still be boarded, or one already rebooked onto such an itinerary (its confirmed
  hold's flights, still its active segments), is an **anchor**: the re-planned booking
  prefers that itinerary over any other by `preference_hours` (`Party.together`), as a
  hard preference, so it joins them when a seat is left there;
- a companion still on the broken flight with no usable seats of its own becomes a
  **phantom** party of the same link: merged with the re-planned booking, the itinerary
  found has a seat for every one of them, but only the re-planned booking holds seats
  (the companion's own case, re-planning, then finds them as its anchor).

Only the re-planned booking's seats are held either way: a companion's case keeps its
own guard, approval and effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent.planner.inputs import Broken, broken_segments
from agent.planner.linked import link_key
from agent.state import CaseReason
from airline.board import LiveBoard
from airline.models import Booking, BookingStatus, SegmentStatus
from airline.reservations import HoldStatus, load_bookings
from airline.schedule import Schedule
from airline.tables import BookingRow, SeatHoldRow, SegmentRow


@dataclass(frozen=True, slots=True)
class Companions:
    """What a booking planned alone learns of its linked companions."""

    anchor: tuple[str, ...] = ()
    """The itinerary a companion holds or was rebooked onto, still boardable."""
    phantoms: tuple[tuple[Booking, Broken], ...] = ()
    """Companions still on the broken flight without usable seats: room is planned for them."""


async def companions_of(
    session: AsyncSession,
    schedule: Schedule,
    board: LiveBoard,
    booking: Booking,
    broken: Broken,
    reason: CaseReason,
    disrupted: str,
    now: datetime,
) -> Companions:
    """The linked companions of `booking` on the `disrupted` flight (module docstring)."""
    cabin = broken.replace[0].cabin.value
    pnrs = sorted(
        await session.scalars(
            select(SegmentRow.pnr)
            .join(BookingRow, BookingRow.pnr == SegmentRow.pnr)
            .where(
                BookingRow.customer_id == booking.customer_id,
                BookingRow.status == BookingStatus.ACTIVE.value,
                SegmentRow.flight_key == disrupted,
                SegmentRow.cabin == cabin,
                SegmentRow.pnr != booking.pnr,
            )
            .distinct()
        )
    )
    if not pnrs:
        return Companions()
    mine = link_key(booking.customer_id, broken)
    anchors: list[tuple[str, ...]] = []
    phantoms: list[tuple[Booking, Broken]] = []
    for pnr, other in sorted((await load_bookings(session, pnrs)).items()):
        still_broken = any(s.flight_key == disrupted for s in other.active_segments)
        if still_broken:
            theirs = broken_segments(schedule, board, reason, other, disrupted, now)
            if theirs is None or link_key(other.customer_id, theirs) != mine:
                continue
            held = await _latest_hold(session, pnr, HoldStatus.HELD)
            if held is not None and _boardable(board, held):
                anchors.append(held)
            else:
                phantoms.append((other, theirs))
            continue
        rebooked = await _latest_hold(session, pnr, HoldStatus.CONFIRMED)
        active = {s.flight_key for s in other.segments if s.status == SegmentStatus.ACTIVE}
        if rebooked is not None and active.issuperset(rebooked) and _boardable(board, rebooked):
            anchors.append(rebooked)
    return Companions(anchors[0] if anchors else (), tuple(phantoms))


async def _latest_hold(
    session: AsyncSession, pnr: str, status: HoldStatus
) -> tuple[str, ...] | None:
    flights = await session.scalar(
        select(SeatHoldRow.flights)
        .where(SeatHoldRow.pnr == pnr, SeatHoldRow.status == status.value)
        .order_by(SeatHoldRow.created_at.desc(), SeatHoldRow.id.desc())
        .limit(1)
    )
    return tuple(flights) if flights else None


def _boardable(board: LiveBoard, flights: tuple[str, ...]) -> bool:
    return all((state := board.get(key)) is not None and state.flyable for key in flights)
