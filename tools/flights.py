"""Alternatives search on the live board.

Live context wins: a flight is offered only if the board says it can still be boarded
(not cancelled, diverted or gone), its estimated times are used, connections respect the
minimum connection time at the connecting airport, and seats are read from inventory at
the moment of the search.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from airline.airports import minimum_connection_time
from airline.board import LiveBoard
from airline.models import Cabin, Flight, Preferences
from airline.reservations import available_seats
from airline.schedule import Schedule
from tools.ranking import rank


class Leg(BaseModel):
    flight_key: str
    carrier: str
    origin: str
    destination: str
    dep: datetime = Field(description="estimated departure on the live board")
    arr: datetime = Field(description="estimated arrival on the live board")


class Itinerary(BaseModel):
    """One way to get from the origin to the destination: a direct flight or one stop."""

    legs: list[Leg]
    cabin: Cabin
    seats: int = Field(description="seats left in the cabin on the fullest leg")

    @property
    def flight_keys(self) -> list[str]:
        return [leg.flight_key for leg in self.legs]

    @property
    def dep(self) -> datetime:
        return self.legs[0].dep

    @property
    def arr(self) -> datetime:
        return self.legs[-1].arr

    @property
    def stops(self) -> int:
        return len(self.legs) - 1


class SearchRequest(BaseModel):
    origin: str
    destination: str
    earliest_dep: datetime
    cabin: Cabin
    party: int = Field(default=1, ge=1, description="travellers who each need a seat")
    preferences: Preferences | None = Field(
        default=None,
        description="the customer's preferences and needs (red-eyes, accessibility), "
        "which rank the itineraries; None ranks by arrival alone",
    )
    carrier: str | None = Field(default=None, description="the booking's own carrier")
    horizon: timedelta = timedelta(hours=36)
    other_carrier_after: timedelta = Field(
        default=timedelta(hours=4),
        description="use another carrier only when it arrives this much sooner than own metal",
    )
    exclude: frozenset[str] = frozenset()
    arrive_by: datetime | None = Field(
        default=None,
        description="arrive no later than this: the booking's next journey (a return) "
        "leaves soon after, and a later arrival would break it",
    )


async def find_alternatives(
    session: AsyncSession,
    schedule: Schedule,
    board: LiveBoard,
    request: SearchRequest,
    *,
    limit: int = 5,
) -> list[Itinerary]:
    """Itineraries with a seat for the whole party, most suitable first (`tools.ranking`:
    cabin, the customer's preferences and needs, arrival with a handicap per stop, own
    carrier preferred)."""
    latest_dep = request.earliest_dep + request.horizon
    candidates: list[list[Leg]] = []
    onward: dict[str, list[Leg]] = {}  # connecting airport → legs on to the destination
    for first in _boardable(schedule, board, request, request.origin, request.earliest_dep):
        if first.dep > latest_dep:
            break
        if first.destination == request.destination:
            candidates.append([first])
            continue
        if first.destination not in schedule.airports:
            continue
        if first.destination not in onward:
            onward[first.destination] = [
                leg
                for leg in _boardable(
                    schedule, board, request, first.destination, request.earliest_dep
                )
                if leg.destination == request.destination
            ]
        for second in onward[first.destination]:
            if second.dep > latest_dep:
                break
            if second.dep < first.arr:
                continue
            mct = minimum_connection_time(
                schedule.airports[first.destination],
                international=schedule.is_international(
                    first.destination, first.origin, second.destination
                ),
            )
            if second.dep - first.arr >= mct:
                candidates.append([first, second])

    keys = sorted({leg.flight_key for legs in candidates for leg in legs})
    seats = await available_seats(session, keys, request.cabin)
    itineraries = [
        Itinerary(
            legs=legs, cabin=request.cabin, seats=min(seats.get(leg.flight_key, 0) for leg in legs)
        )
        for legs in candidates
    ]
    itineraries = [
        it
        for it in itineraries
        if it.seats >= request.party and (request.arrive_by is None or it.arr <= request.arrive_by)
    ]
    return rank(itineraries, request, schedule)[:limit]


def _boardable(
    schedule: Schedule, board: LiveBoard, request: SearchRequest, origin: str, after: datetime
) -> list[Leg]:
    """Flights from `origin` that can still be boarded and leave at or after `after`."""
    legs = []
    for flight in schedule.departures(origin):
        if flight.key in request.exclude:
            continue
        state = board.get(flight.key)
        if state is None or not state.flyable or state.est_dep < after:
            continue
        legs.append(leg_of(flight, state.est_dep, state.est_arr))
    legs.sort(key=lambda leg: leg.dep)
    return legs


def leg_of(flight: Flight, dep: datetime, arr: datetime) -> Leg:
    """`flight` as a leg leaving at `dep` and landing at `arr` (the board's times)."""
    return Leg(
        flight_key=flight.key,
        carrier=flight.carrier,
        origin=flight.origin,
        destination=flight.destination,
        dep=dep,
        arr=arr,
    )
