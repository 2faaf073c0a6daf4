"""Whether an itinerary makes a passenger stay a night they did not plan to stay.

EU261/UK261 Art 9(1)(b) owes hotel accommodation "in cases where a stay of one or more
nights becomes necessary, or where a stay additional to that intended by the passenger
becomes necessary". The articles that open it date the test by the departure: Art
6(1)(ii), a delay, "when the reasonably expected time of departure is at least the day
after the time of departure previously announced"; Art 5(1)(b), a cancellation, "in event
of re-routing when the reasonably expected time of departure of the new flight is at least
the day after the departure as planned for the cancelled flight". The oracle reads both on
the airport the passenger waits at, in its local time:

- a flight of the itinerary leaves on a later day than its own scheduled departure (a
  delay into the next day);
- the re-routing's first flight leaves on a later day than the first booked flight it
  replaces was to leave (a cancellation, a diversion or a missed connection re-routed the
  next day from where the passenger is: the origin, the transfer or diversion airport);
- a connection of the itinerary waits past midnight at an airport where the booked
  itinerary had no such wait (a re-routing through another hub that lands tonight and
  leaves tomorrow): the stay is real, though no article names the flight it replaces, so
  this one makes a hotel acceptable, never demanded.

The flight already flown before the change is never the "new flight": the test is about
the wait that the change causes, where it happens.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from evals.oracle.board import Board
from evals.oracle.record import Leg, RunRecord


class Night(StrEnum):
    SURE = "sure"
    """Art 5(1)(b) or 6(1)(ii) reads it as a night: the hotel is owed (with the wait)."""
    LIKELY = "likely"
    """A night at a connection the booking did not have: a hotel is acceptable."""
    NONE = "none"


def night(record: RunRecord, board: Board, pnr: str, legs: tuple[Leg, ...], at: datetime) -> Night:
    """The night `legs` (the board as it stood at `at`) makes booking `pnr` stay."""
    flights, places = record.world.flights, record.world.places

    def day(instant: datetime, airport: str) -> date:
        return instant.astimezone(ZoneInfo(places[airport].tz)).date()

    def dep(key: str) -> datetime:
        return board.state(key, at).est_dep

    planned = record.world.bookings[pnr].legs
    held = {leg.flight for leg in legs}
    for leg in legs:
        f = flights[leg.flight]
        if day(dep(leg.flight), f.origin) > day(f.sched_dep, f.origin):
            return Night.SURE  # Art 6(1)(ii): it leaves the day after it was to
    lost = [flights[leg.flight] for leg in planned if leg.flight not in held]
    booked = {leg.flight for leg in planned}
    new = [flights[leg.flight] for leg in legs if leg.flight not in booked]
    if (
        lost
        and new
        and day(dep(new[0].key), new[0].origin) > day(lost[0].sched_dep, lost[0].origin)
    ):
        return Night.SURE  # Art 5(1)(b): the re-routing leaves the day after
    booked_nights = {
        flights[b.flight].origin
        for a, b in pairwise(planned)
        if day(flights[b.flight].sched_dep, flights[b.flight].origin)
        > day(flights[a.flight].sched_arr, flights[b.flight].origin)
    }
    for a, b in pairwise(legs):
        hub = flights[b.flight].origin
        if hub not in booked_nights and day(dep(b.flight), hub) > day(
            board.state(a.flight, at).est_arr, hub
        ):
            return Night.LIKELY
    return Night.NONE
