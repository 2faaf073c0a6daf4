"""What every check reads: the record, the oracle's board, the replayed ledger, and per
booking where it goes and when (if ever) a change reached it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from evals.oracle.board import Board
from evals.oracle.journeys import Replay, breaks, replay, unflown
from evals.oracle.record import BookingRec, RunRecord

NEWS_DELAY = timedelta(minutes=30)
"""A departure this late is news for the passenger (14 CFR 259.8's threshold)."""


@dataclass
class Judged:
    record: RunRecord
    board: Board
    seats: Replay
    destination: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    touched: dict[str, datetime] = field(default_factory=dict)
    """First time a flight the booking held then (unflown) was cancelled, diverted, delayed
    30 min or more, or its connection broke: the booking is affected from then."""
    broken_at: dict[str, datetime] = field(default_factory=dict)
    """First time the booking's itinerary then no longer reached its destination."""
    moments_of: dict[str, list[datetime]] = field(default_factory=dict)
    """When anything happened to a flight the booking ever held, or to the booking."""
    holders: dict[str, set[str]] = field(default_factory=dict)
    """Flight → the bookings that held it at some time."""

    def booking(self, pnr: str) -> BookingRec:
        return self.record.world.bookings[pnr]


def judge_context(record: RunRecord) -> Judged:
    board = Board(record.world, record.events)
    j = Judged(record, board, replay(record))
    flights = record.world.flights
    effect_times: dict[str, set[datetime]] = {}
    for e in record.effects:
        effect_times.setdefault(e.pnr, set()).add(e.at)
    for pnr, booking in record.world.bookings.items():
        if not booking.legs:
            continue
        j.origin[pnr] = flights[booking.legs[0].flight].origin
        j.destination[pnr] = flights[booking.legs[-1].flight].destination
        journey = j.seats.journeys[pnr]
        held = {leg.flight for _, legs, _ in journey.versions for leg in legs}
        for key in held:
            j.holders.setdefault(key, set()).add(pnr)
        moments = sorted(
            {*(t for key in held for t in board.fed_times(key)), *effect_times.get(pnr, ())}
        )
        j.moments_of[pnr] = moments
        for at in moments:
            legs = unflown(record, board, journey.legs_at(at, before=True), at)
            if pnr not in j.touched and any(_news(j, leg.flight, at) for leg in legs):
                j.touched[pnr] = at
            if (
                pnr not in j.broken_at
                and legs
                and breaks(record, board, legs, at, j.destination[pnr])
            ):
                j.broken_at[pnr] = at
                j.touched.setdefault(pnr, at)
    return j


def _news(j: Judged, key: str, at: datetime) -> bool:
    state = j.board.state(key, at)
    flight = j.record.world.flights[key]
    return state.gone or state.est_dep - flight.sched_dep >= NEWS_DELAY
