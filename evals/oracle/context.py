"""What every check reads: the record, the oracle's board, the replayed ledger, and per
booking where it goes and when (if ever) a change reached it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from evals.oracle.board import Board
from evals.oracle.journeys import Replay, ahead_from, breaks, replay, unflown
from evals.oracle.record import BookingRec, RunRecord

NEWS_DELAY = timedelta(minutes=30)
"""A departure this late is news for the passenger (14 CFR 259.8's threshold)."""
LATE = timedelta(minutes=15)
"""A flight this far behind its schedule changed the journey (for what it is owed)."""


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
        journey = j.seats.journeys[pnr]
        held = {leg.flight for _, legs, _ in journey.versions for leg in legs}
        for key in held:
            j.holders.setdefault(key, set()).add(pnr)
        moments = sorted(
            {*(t for key in held for t in board.fed_times(key)), *effect_times.get(pnr, ())}
        )
        j.moments_of[pnr] = moments
        # Judge the journey news reached first (the first in travel order if none did):
        # its own origin and destination, not the booking's first and last airports.
        # A flight of a journey first shown late as it left or landed reached it too
        # (`flown_late`: found-compensation-s314-w25-fam, a return first told "departed
        # 195 min late" was owed compensation while the outbound had no news at all).
        judged = [_affected(j, pnr, trip) for trip in booking.journeys]
        reached = [
            (min(t for t in (touched, late) if t is not None), trip)
            for trip, (touched, _, late) in zip(booking.journeys, judged, strict=True)
            if touched is not None or late is not None
        ]
        trip = min(reached)[1] if reached else booking.journeys[0]
        journey.judged = trip
        own = booking.legs_of(trip)
        j.origin[pnr] = flights[own[0].flight].origin
        j.destination[pnr] = flights[own[-1].flight].destination
        touched_at, broken_at, _ = judged[booking.journeys.index(trip)]
        if touched_at is not None:
            j.touched[pnr] = touched_at
        if broken_at is not None:
            j.broken_at[pnr] = broken_at
    return j


def _affected(
    j: Judged, pnr: str, trip: int
) -> tuple[datetime | None, datetime | None, datetime | None]:
    """When news first reached one journey of the booking (of a flight not yet flown),
    when it first broke, and when a flight of it was first shown late as it flew."""
    record, board = j.record, j.board
    journey = j.seats.journeys[pnr]
    journey.judged = trip
    destination = record.world.flights[journey.planned[-1].flight].destination
    touched = broken = None
    for at in j.moments_of[pnr]:
        legs = unflown(record, board, journey.legs_at(at, before=True), at)
        if touched is None and any(_news(j, leg.flight, at) for leg in legs):
            touched = at
        since = ahead_from(record, board, journey.legs_at(at, before=True), at)
        if broken is None and legs and breaks(record, board, since, at, destination):
            broken = at
            touched = touched or at
    return touched, broken, min(flown_late(j, pnr), default=None)


def flown_late(j: Judged, pnr: str) -> dict[datetime, str]:
    """When the stream first showed a flight of the journey late only as it left or landed
    (its record a departure or arrival 15 min or more behind the schedule, the flight
    flown by then so no earlier moment saw it coming): moment → flight
    (found-compensation-s103-w13: the first word of ATL→ZRH was "departed 4 h late")."""
    record, board = j.record, j.board
    journey = j.seats.journeys[pnr]
    flights = record.world.flights
    found: dict[datetime, str] = {}
    seen: set[str] = set()
    for at in j.moments_of.get(pnr, ()):
        for leg in journey.legs_at(at, before=True):
            state = board.state(leg.flight, at)
            if leg.flight in seen or state.gone or state.status not in ("departed", "arrived"):
                continue
            f = flights[leg.flight]
            late = max(state.est_dep - f.sched_dep, state.est_arr - f.sched_arr)
            if late >= LATE and at in board.fed_times(leg.flight):
                seen.add(leg.flight)
                found.setdefault(at, leg.flight)
    return found


def next_departure(j: Judged, pnr: str, at: datetime) -> tuple[str, datetime] | None:
    """The first flight of the booking's journey after the judged one and the earliest
    it may leave: as scheduled, or as the board showed it at `at` where that is earlier
    (None: no journey follows). A re-routing of the judged journey that lands after it
    breaks the trip; a delay estimate is no promise (it may shrink before the flight
    leaves: found-stranded-s293-w11), so it buys a re-routing no time."""
    journey = j.seats.journeys[pnr]
    booking = journey.booking
    if journey.judged is None:
        return None
    later = booking.journeys[booking.journeys.index(journey.judged) + 1 :]
    for trip in later:
        legs = [leg for leg in journey.all_legs_at(at, before=True) if leg.journey == trip]
        if legs:
            first = legs[0].flight
            scheduled = j.record.world.flights[first].sched_dep
            return first, min(j.board.state(first, at).est_dep, scheduled)
    return None


def _news(j: Judged, key: str, at: datetime) -> bool:
    state = j.board.state(key, at)
    flight = j.record.world.flights[key]
    return state.gone or state.est_dep - flight.sched_dep >= NEWS_DELAY
