"""Which re-checks of a batch may open a case, read in one query (`agent.followup_batches`).

A re-check (`CaseOpener.recheck`) triages one booking against one flight's live state
as `agent.triage.affected_bookings` does, and opens a case when the booking (active)
still holds an active segment on the flight and either the flight is cancelled or
diverted, or it flies and the connection after it on the booking's journey is broken (a
delay alone was told when it happened). Those conditions read the bookings' active
segments and the board only: one query answers them for a whole batch, whatever its
flights, where each re-check alone read its flight's whole passenger list. The few
found here are re-checked as alone (their case's priority, whether it exists already).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent.triage import connection_broken, journeys_holding, onward_of
from airline.board import LiveBoard
from airline.models import BookingStatus, FlightStatus, SegmentStatus
from airline.schedule import Schedule
from airline.tables import BookingRow, SegmentRow

GONE = (FlightStatus.CANCELLED, FlightStatus.DIVERTED)
"""A flight that no longer takes its passengers where they booked: a re-check triages
against the first such flight of an itinerary, and opens a case for its every passenger."""


async def recheck_candidates(
    session: AsyncSession,
    schedule: Schedule,
    board: LiveBoard,
    targets: Sequence[tuple[str, str]],
) -> set[tuple[str, str]]:
    """Of `targets` (a booking, the flight its re-check triages it against), those
    whose re-check may open a case (module docstring)."""
    by_flight: dict[str, list[str]] = defaultdict(list)
    for pnr, flight_key in targets:
        by_flight[flight_key].append(pnr)
    pnrs = sorted({pnr for pnr, _ in targets})
    if not pnrs:
        return set()
    segments = [
        (pnr, key, journey)
        for pnr, key, journey in await session.execute(
            select(SegmentRow.pnr, SegmentRow.flight_key, SegmentRow.journey)
            .join(BookingRow, BookingRow.pnr == SegmentRow.pnr)
            .where(
                SegmentRow.pnr.in_(pnrs),
                SegmentRow.status == SegmentStatus.ACTIVE.value,
                BookingRow.status == BookingStatus.ACTIVE.value,
            )
        )
    ]
    found: set[tuple[str, str]] = set()
    for flight_key, of_flight in by_flight.items():
        state = board.get(flight_key)
        if state is None:
            continue  # not on the board: a re-check triages nothing
        journeys = journeys_holding(segments, schedule, flight_key)
        for pnr in of_flight:
            keys = journeys.get(pnr)
            if keys is None:
                continue  # no longer on it (rebooked again, refunded): nothing to open
            if state.status in GONE:
                found.add((pnr, flight_key))
                continue
            onward = onward_of(keys, flight_key)
            if onward is not None and connection_broken(schedule, board, flight_key, onward):
                found.add((pnr, flight_key))
    return found
