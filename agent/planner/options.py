"""The itineraries a party could take: direct flights and one-stop connections.

Built once per wave from the schedule and the live board (`Network`), then asked per
origin, destination and earliest departure, answers cached: the passengers of one
cancelled flight share most of their searches. A flight is offered only if the board
says it can still be boarded (not cancelled, diverted, departed or arrived) and it is
not disrupted in the wave itself; estimated times are used; a connection respects the
minimum connection time at its airport. Seats are not looked at here: capacity is the
solver's constraint, so an option is kept even when its flight is full now.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from agent.planner.model import Option, Party
from agent.planner.risk import RiskMap
from airline.airports import minimum_connection_time
from airline.board import LiveBoard
from airline.schedule import Schedule
from airline.zones import zone

NIGHT_STARTS, NIGHT_ENDS = 22, 6
"""A departure from 22:00 to 05:59 local time is a red-eye (as `tools.ranking`)."""


@dataclass(frozen=True, slots=True)
class _Leg:
    flight: str
    carrier: str
    origin: str
    destination: str
    dep: datetime
    arr: datetime
    red_eye: bool


class Network:
    """The boardable flights of the schedule, by origin and departure time."""

    def __init__(
        self,
        schedule: Schedule,
        board: LiveBoard,
        *,
        excluded: Collection[str] = (),
        risk: RiskMap | None = None,
    ) -> None:
        self.schedule = schedule
        self.risk = risk
        self._legs: dict[str, list[_Leg]] = {}
        self._deps: dict[str, list[datetime]] = {}
        self._cache: dict[tuple[str, str, datetime, datetime], list[tuple[_Leg, ...]]] = {}
        self._answers: dict[tuple[object, ...], list[Option]] = {}
        excluded = frozenset(excluded)
        zones = {code: ZoneInfo(a.tz) for code, a in schedule.airports.items()}
        for origin in schedule.airports:
            legs = []
            for flight in schedule.departures(origin):
                state = board.get(flight.key)
                if flight.key in excluded or state is None or not state.flyable:
                    continue
                local = state.est_dep.astimezone(zones[origin]).hour
                legs.append(
                    _Leg(
                        flight.key,
                        flight.carrier,
                        origin,
                        flight.destination,
                        state.est_dep,
                        state.est_arr,
                        local >= NIGHT_STARTS or local < NIGHT_ENDS,
                    )
                )
            legs.sort(key=lambda leg: (leg.dep, leg.flight))
            self._legs[origin] = legs
            self._deps[origin] = [leg.dep for leg in legs]

    def options(self, party: Party, horizon: timedelta, limit: int | None = None) -> list[Option]:
        """Every itinerary `party` could take within `horizon`, in the booked cabin,
        arriving by `party.arrive_by` (the booking's next journey) if set, earliest arrival
        first (at most `limit`, keeping the earliest arrivals). A party with a second
        start (`Party.also_from`) has the options from both: an option's first airport
        says which it leaves from, so which of the booking's segments it replaces."""
        starts = [(party.origin, party.earliest_dep, party.exclude)]
        if party.also_from is not None:
            start = party.also_from
            starts.append((start.origin, start.earliest_dep, start.exclude))
        # Parties asking the same question (the passengers of one cancelled flight bound
        # for one destination) share one answer: the same Option objects (frozen) in a
        # list of their own. Built per party, a storm wave held each itinerary once per
        # passenger (59 077 options for 3 284 itineraries in the first wave of a
        # 10 000-passenger day), and the planner's inputs with them.
        key = (tuple(starts), party.destination, party.arrive_by, party.cabin, horizon, limit)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._find(
                starts, party.destination, party.arrive_by, party.cabin, horizon, limit
            )
        return list(answer)

    def _find(
        self,
        starts: list[tuple[str, datetime, frozenset[str]]],
        destination: str,
        arrive_by: datetime | None,
        cabin: str,
        horizon: timedelta,
        limit: int | None,
    ) -> list[Option]:
        latest = starts[0][1] + horizon  # the party's own start: the second shares its end
        found = [
            legs
            for origin, earliest, exclude in starts
            for legs in self._paths(origin, destination, earliest, latest)
            if not any(leg.flight in exclude for leg in legs)
            and (arrive_by is None or legs[-1].arr <= arrive_by)
        ]
        found.sort(key=lambda legs: (legs[-1].arr, len(legs), legs[0].dep, legs[0].flight))
        options = [self._option(legs, cabin) for legs in found[:limit]]
        if not options:
            return options
        # If an option goes too, the party is moved again, no earlier than onto the
        # safest option it has (the first of least risk: the list is by arrival).
        safest = min(options, key=lambda o: o.risk)
        return [
            replace(o, fallback_minutes=max(0, int((safest.arr - o.arr).total_seconds() // 60)))
            for o in options
        ]

    def _paths(
        self, origin: str, destination: str, earliest: datetime, latest: datetime
    ) -> list[tuple[_Leg, ...]]:
        key = (origin, destination, earliest, latest)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        paths: list[tuple[_Leg, ...]] = []
        for first in self._window(origin, earliest, latest):
            if first.destination == destination:
                paths.append((first,))
                continue
            hub = self.schedule.airports.get(first.destination)
            if hub is None:
                continue
            for second in self._window(first.destination, first.arr, latest):
                if second.destination != destination:
                    continue
                mct = minimum_connection_time(
                    hub,
                    international=self.schedule.is_international(
                        hub.iata, first.origin, second.destination
                    ),
                )
                if second.dep - first.arr >= mct:
                    paths.append((first, second))
        self._cache[key] = paths
        return paths

    def _window(self, origin: str, earliest: datetime, latest: datetime) -> list[_Leg]:
        legs = self._legs.get(origin, [])
        deps = self._deps.get(origin, [])
        start = bisect_left(deps, earliest)
        end = bisect_left(deps, latest, lo=start)
        return legs[start : end + (1 if end < len(deps) and deps[end] == latest else 0)]

    def _option(self, legs: tuple[_Leg, ...], cabin: str) -> Option:
        chance_all_fly = 1.0
        if self.risk is not None:
            for leg in legs:
                chance_all_fly *= 1.0 - self.risk.of(
                    leg.origin, leg.destination, leg.dep, leg.arr, leg.carrier
                )
        return Option(
            flights=tuple(leg.flight for leg in legs),
            cabin=cabin,
            dep=legs[0].dep,
            arr=legs[-1].arr,
            carriers=tuple(leg.carrier for leg in legs),
            via=tuple(leg.destination for leg in legs[:-1]),
            risk=round(1.0 - chance_all_fly, 4),
            red_eye=any(leg.red_eye for leg in legs),
            layover_minutes=sum(
                int((second.dep - first.arr).total_seconds() // 60)
                for first, second in pairwise(legs)
            ),
        )


def red_eye(schedule: Schedule, board: LiveBoard, flights: Collection[str]) -> bool:
    """Does any of `flights` leave between 22:00 and 05:59 local time (on the live board)?"""
    for key in flights:
        flight, state = schedule.flights.get(key), board.get(key)
        if flight is None or state is None:
            continue
        local = state.est_dep.astimezone(zone(schedule.airports[flight.origin].tz)).hour
        if local >= NIGHT_STARTS or local < NIGHT_ENDS:
            return True
    return False
