"""Whether an itinerary makes a passenger stay a night they did not plan to stay.

EU261/UK261 Art 9(1)(b) owes hotel accommodation "in cases where a stay of one or more
nights becomes necessary, or where a stay additional to that intended by the passenger
becomes necessary". The articles that open it say when: Art 6(1)(ii), a delay, "when the
reasonably expected time of departure is at least the day after the time of departure
previously announced"; Art 5(1)(b), a cancellation, "in event of re-routing when the
reasonably expected time of departure of the new flight is at least the day after the
departure as planned for the cancelled flight". A calendar date reads "the day after"
badly: landing at 00:55 and leaving at 11:30 the same date is a night in the terminal,
waiting from 23:30 to 00:30 crosses a date but is no night's stay. The oracle reads the
night in hours, where the passenger waits, on that airport's clock:

    a wait at one airport is a stay of a night when it holds at least four hours
    (`rules.NIGHT_STAY`) of night time, midnight to 05:00 local (`rules.NIGHT_TIME`,
    the span Directive 2003/88/EC Art 2(3) puts in every night); the wait runs from when
    the passenger would have left that airport as booked, or from their arrival there
    when that is later (a late inbound, a diversion), to the departure they now have.

- a flight of the itinerary leaves so late that its wait holds the night (a delay, Art
  6(1)(ii)): from its own scheduled departure, or the passenger's arrival on the flight
  before it;
- the re-routing's first flight leaves so late that the wait from the departure as
  planned of the first booked flight it replaces holds the night (Art 5(1)(b): a
  cancellation, a diversion or a missed connection re-routed from where the passenger
  is: the origin, the transfer or diversion airport);
- a connection of the itinerary holds the night at an airport where the booked
  itinerary did not (a re-routing through another hub that lands tonight and leaves
  tomorrow): the stay is real, though no article names the flight it replaces, so this
  one makes a hotel acceptable, never demanded.

The flight already flown before the change is never the "new flight": the test is about
the wait that the change causes, where it happens. A night the booking itself planned
(an overnight connection) is no stay "additional to that intended": the wait starts at
the booked departure.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from evals.oracle import rules
from evals.oracle.board import Board
from evals.oracle.record import Leg, Place, RunRecord


class Night(StrEnum):
    SURE = "sure"
    """Art 5(1)(b) or 6(1)(ii) reads it as a night: the hotel is owed (with the wait)."""
    LIKELY = "likely"
    """A night at a connection the booking did not have: a hotel is acceptable."""
    NONE = "none"


def night_held(ready: datetime, leaves: datetime, place: Place) -> timedelta:
    """The night time (`rules.NIGHT_TIME`, local at `place`) in the wait from `ready` to
    `leaves`, over every night it spans."""
    zone = ZoneInfo(place.tz)
    since, until = ready.astimezone(UTC), leaves.astimezone(UTC)
    held = timedelta(0)
    day = since.astimezone(zone).date()
    while day <= until.astimezone(zone).date():
        # Each night on its own wall clock: one with a clock change is 4 h or 6 h long.
        start, end = (
            datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(UTC)
            for hour in rules.NIGHT_TIME
        )
        held += max(timedelta(0), min(end, until) - max(start, since))
        day += timedelta(days=1)
    return held


def stays_a_night(ready: datetime, leaves: datetime, place: Place) -> bool:
    """Whether waiting at `place` from `ready` to `leaves` is a stay of a night."""
    return night_held(ready, leaves, place) >= rules.NIGHT_STAY


def night(record: RunRecord, board: Board, pnr: str, legs: tuple[Leg, ...], at: datetime) -> Night:
    """The night `legs` (the board as it stood at `at`) makes booking `pnr` stay."""
    flights, places = record.world.flights, record.world.places

    def dep(key: str) -> datetime:
        return board.state(key, at).est_dep

    def arr(key: str) -> datetime:
        return board.state(key, at).est_arr

    # The journey (or journeys) `legs` travel on, as booked: another journey is another trip.
    trips = {leg.journey for leg in legs}
    planned = tuple(leg for leg in record.world.bookings[pnr].legs if leg.journey in trips)

    def reached(airport: str, leaving: datetime) -> datetime | None:
        """When the passenger gets to `airport` before `leaving`: on a flight of the
        itinerary, or on a booked flight diverted there."""
        times = [
            arr(leg.flight)
            for leg in legs
            if flights[leg.flight].destination == airport and arr(leg.flight) <= leaving
        ]
        for leg in planned:
            state = board.state(leg.flight, at)
            if state.status == "diverted" and state.diverted_to == airport:
                times.append(state.est_arr)
        return max(times, default=None)

    def waits_the_night(booked_dep: datetime, key: str) -> bool:
        origin = flights[key].origin
        leaving = dep(key)
        ready = max(booked_dep, reached(origin, leaving) or booked_dep)
        return stays_a_night(ready, leaving, places[origin])

    held = {leg.flight for leg in legs}
    for leg in legs:
        if waits_the_night(flights[leg.flight].sched_dep, leg.flight):
            return Night.SURE  # Art 6(1)(ii): it leaves a night after it was to
    lost = [flights[leg.flight] for leg in planned if leg.flight not in held]
    booked = {leg.flight for leg in planned}
    new = [flights[leg.flight] for leg in legs if leg.flight not in booked]
    if lost and new and waits_the_night(lost[0].sched_dep, new[0].key):
        return Night.SURE  # Art 5(1)(b): the re-routing leaves a night after
    booked_nights = {
        flights[b.flight].origin
        for a, b in pairwise(planned)
        if stays_a_night(
            flights[a.flight].sched_arr,
            flights[b.flight].sched_dep,
            places[flights[b.flight].origin],
        )
    }
    for a, b in pairwise(legs):
        hub = flights[b.flight].origin
        if hub not in booked_nights and stays_a_night(arr(a.flight), dep(b.flight), places[hub]):
            return Night.LIKELY
    return Night.NONE
