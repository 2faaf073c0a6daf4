"""The order alternatives are offered in: cabin, the customer's needs, then arrival.

Every option found is kept — a red-eye or a tight connection is better than nothing, and
the reasoner decides — but ranked, most suitable first, by these keys in turn:

1. **Cabin match.** The booked cabin before any other (should a search span cabins).
1a. **Nothing the customer refused** (`Preferences.avoid_airports`, `avoid_cities`,
   `avoid_carriers`: "never route me through Frankfurt"): an itinerary that touches an
   avoided airport or city or flies an avoided carrier goes after every one that does
   not — offered only when nothing else gets the passenger there (`avoided_by` says why).
2. **No red-eye**, for a customer who asked to avoid them (`Preferences.avoid_overnight`):
   itineraries with a departure between 22:00 and 05:59, local to where it leaves, go
   after all the others.
3. **Connections a passenger with reduced mobility can make**, for wheelchair or
   reduced-mobility needs (`Preferences.accessibility`): a connection shorter than the
   airport's minimum connection time plus `ASSISTED_CONNECTION` (assistance between
   gates takes time) goes after the others.
4. **Arrival**, with a handicap per stop: `SAME_ARRIVAL` (two itineraries arriving within
   it are as good as equal, and the one with fewer stops comes first), plus
   `ASSISTED_STOP` for a passenger with reduced mobility (a direct flight up to that much
   later is preferred to a connection); and `other_carrier_after` for another carrier
   than the booking's (re-accommodation protects passengers on own metal first).
5. Then fewer stops, the *later* departure (same arrival: the wait is at the origin, not
   a night at a connecting hub with no hotel), and more seats left (a hold least likely
   to fail).

Seats are checked before ranking: only itineraries with a seat for every traveller of the
party in the cabin on every leg are ranked at all.

`explain()` says why the first option ranks first, in the terms `rank()` used — the key
that separates it from the runner-up, and each option's handicaps — as data
(`Ranking`), so the approval card and the rules' rationale stay true when the ranking
changes: they render `Ranking.words()`, never prose of their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from airline.airports import minimum_connection_time
from airline.metro import is_in_avoided_city
from airline.models import Preferences
from airline.zones import zone

if TYPE_CHECKING:
    from airline.schedule import Schedule
    from tools.flights import Itinerary, SearchRequest

SAME_ARRIVAL = timedelta(minutes=30)
"""Arrivals this close are equal: within it, fewer stops rank first."""
ASSISTED_STOP = timedelta(hours=2)
"""How much later a direct flight may arrive and still rank before a connection, for a
passenger with reduced mobility."""
ASSISTED_CONNECTION = timedelta(minutes=30)
"""Time a passenger with reduced mobility needs beyond the minimum connection time."""
NIGHT_STARTS, NIGHT_ENDS = 22, 6
"""A departure from 22:00 to 05:59 local time is a red-eye."""

# Words in `Preferences.accessibility` that mean help getting between gates (including
# the IATA special-service codes for wheelchairs).
_MOBILITY_WORDS = ("wheelchair", "mobility", "wchr", "wchs", "wchc", "prm")


def needs_mobility_help(preferences: Preferences | None) -> bool:
    """Does the customer need wheelchair or reduced-mobility assistance?"""
    if preferences is None:
        return False
    return any(
        word in need.lower() for need in preferences.accessibility for word in _MOBILITY_WORDS
    )


def avoided_by(it: Itinerary, preferences: Preferences | None, schedule: Schedule) -> list[str]:
    """What of `it` the customer asked to avoid: airport codes, cities and carriers."""
    if preferences is None or not (
        preferences.avoid_airports or preferences.avoid_cities or preferences.avoid_carriers
    ):
        return []
    hits: list[str] = []
    for leg in it.legs:
        for code in (leg.origin, leg.destination):
            airport = schedule.airports.get(code)
            if code in preferences.avoid_airports:
                hits.append(code)
            elif airport is not None and is_in_avoided_city(
                code, airport.city, preferences.avoid_cities
            ):
                hits.append(f"{code} ({airport.city})")
        if leg.carrier in preferences.avoid_carriers:
            hits.append(leg.carrier)
    return list(dict.fromkeys(hits))


def is_red_eye(it: Itinerary, schedule: Schedule) -> bool:
    """Does any leg leave between 22:00 and 05:59 local time at its origin?"""
    for leg in it.legs:
        airport = schedule.airports.get(leg.origin)
        local = leg.dep.astimezone(zone(airport.tz)) if airport else leg.dep
        if local.hour >= NIGHT_STARTS or local.hour < NIGHT_ENDS:
            return True
    return False


def has_tight_connection(it: Itinerary, schedule: Schedule) -> bool:
    """Is a connection shorter than the minimum connection time plus assistance?"""
    for first, second in pairwise(it.legs):
        hub = schedule.airports.get(first.destination)
        if hub is None:
            return True  # nothing known about the airport: not one to count on
        mct = minimum_connection_time(
            hub,
            international=schedule.is_international(hub.iata, first.origin, second.destination),
        )
        if second.dep - first.arr < mct + ASSISTED_CONNECTION:
            return True
    return False


def rank(
    itineraries: list[Itinerary], request: SearchRequest, schedule: Schedule
) -> list[Itinerary]:
    """`itineraries`, most suitable first for `request` and its customer (module docstring)."""
    return sorted(itineraries, key=lambda it: terms_of(it, request, schedule).key())


Decider = Literal[
    "only option", "cabin", "avoided", "red_eye", "tight_connection", "arrival", "stops",
    "departure", "seats", "tie", "wave_plan",
]  # fmt: skip


class RankTerms(BaseModel):
    """One itinerary as the ranking saw it: each key, and the handicaps behind its arrival."""

    flights: list[str]
    cabin: str
    other_cabin: bool
    avoided: list[str]
    """What of it the customer asked to avoid (airports, cities, carriers)."""
    own_metal: bool
    red_eye: bool
    """Counted only for a customer who avoids red-eyes."""
    avoids_red_eyes: bool
    tight_connection: bool
    """Counted only for a passenger who needs help between gates."""
    needs_assistance: bool
    stops: int
    arrival: datetime
    carrier_handicap: timedelta
    stop_handicap: timedelta
    departure: datetime
    seats: int
    arrives_local: str
    leaves_local: str

    @property
    def ranked_arrival(self) -> datetime:
        """The arrival the ranking compares: the real one plus the handicaps."""
        return self.arrival + self.carrier_handicap + self.stop_handicap

    def key(self) -> tuple[bool, bool, bool, bool, datetime, int, float, int]:
        return (
            self.other_cabin,
            bool(self.avoided),
            self.avoids_red_eyes and self.red_eye,
            self.needs_assistance and self.tight_connection,
            self.ranked_arrival,
            self.stops,
            -self.departure.timestamp(),
            -self.seats,
        )

    def label(self) -> str:
        """The option in words: flights, own metal or not, stops, cabin."""
        flights = " + ".join(key.split("/")[0] for key in self.flights)
        stops = "direct" if self.stops == 0 else f"{self.stops} stop" + "s" * (self.stops > 1)
        metal = "own metal" if self.own_metal else "another carrier"
        return f"{flights} ({metal}, {stops}, {self.cabin})"

    def handicaps(self) -> str:
        parts = []
        if self.carrier_handicap:
            parts.append(f"+{_duration(self.carrier_handicap)} for another carrier")
        if self.stop_handicap:
            parts.append(f"+{_duration(self.stop_handicap)} for its stops")
        return ", ".join(parts)


class Ranking(BaseModel):
    """Why the first option ranks first: its terms, the runner-up's, and the deciding key."""

    first: RankTerms
    runner_up: RankTerms | None = None
    decided_by: Decider
    options: int
    alone: Decider | None = None
    """With `wave_plan`: the key on which option 2 ranks higher for this passenger alone."""

    def words(self) -> str:
        """The explanation an operator reads on the card (and the rules' rationale)."""
        first, second = self.first, self.runner_up
        head = f"option 1, {first.label()}, arrives {first.arrives_local}"
        if first.handicaps():
            head += f" (ranked as {_duration_after(first)}: {first.handicaps()})"
        if second is None:
            return f"{head}: the only option with a seat"
        other = f"option 2, {second.label()}, arrives {second.arrives_local}"
        if second.handicaps():
            other += f" (ranked as {_duration_after(second)}: {second.handicaps()})"
        because = {
            "cabin": f"it is in the booked cabin and option 2 is in {second.cabin}",
            "avoided": "option 2 touches what the passenger asked to avoid ("
            + ", ".join(second.avoided)
            + ")",
            "red_eye": "the passenger avoids red-eyes and option 2 leaves at night",
            "tight_connection": "option 2's connection is too tight for a passenger "
            "who needs assistance",
            "arrival": "it gets the passenger there first, counting the handicaps",
            "stops": "both count as arriving at the same time, and it has fewer stops",
            "departure": "both arrive alike; it leaves later, so the wait is at home, not at a hub",
            "seats": "both arrive and leave alike; it has more seats left",
            "tie": "the two rank alike",
            "only option": "",
            "wave_plan": "the wave planner placed the whole disruption at once: for this "
            f"passenger alone option 2 ranks higher ({_ALONE.get(self.alone or 'tie', 'tie')}), "
            "but the plan also weighs who else needs its seats and the chance that it is "
            "disrupted too",
        }[self.decided_by]
        return f"{head}; {other}. Option 1 ranks first because {because}."


_ALONE = {
    "cabin": "its cabin",
    "avoided": "option 1 touches what the passenger asked to avoid",
    "red_eye": "option 1 leaves at night",
    "tight_connection": "option 1's connection is tight for assistance",
    "arrival": "it arrives sooner",
    "stops": "fewer stops",
    "departure": "a later departure",
    "seats": "more seats left",
}


def explain(
    ranked: list[Itinerary], request: SearchRequest, schedule: Schedule, *, planned: bool = False
) -> Ranking | None:
    """Why `ranked[0]` comes first (None when nothing was found).

    `planned`: the order is the wave planner's (a joint plan), not this ranking's. Where
    the two agree the ranking's words are the reason; where this ranking alone would put
    option 2 first, the card says so, and that the plan decided — never a reason the
    ranking did not have."""
    if not ranked:
        return None
    first = terms_of(ranked[0], request, schedule)
    if len(ranked) == 1:
        return Ranking(first=first, decided_by="only option", options=1)
    second = terms_of(ranked[1], request, schedule)
    names: list[Decider] = [
        "cabin", "avoided", "red_eye", "tight_connection", "arrival", "stops", "departure",
        "seats",
    ]  # fmt: skip
    decided: Decider = next(
        (name for name, a, b in zip(names, first.key(), second.key(), strict=True) if a != b),
        "tie",
    )
    if planned and second.key() < first.key():
        return Ranking(
            first=first,
            runner_up=second,
            decided_by="wave_plan",
            alone=decided,
            options=len(ranked),
        )
    return Ranking(first=first, runner_up=second, decided_by=decided, options=len(ranked))


def terms_of(it: Itinerary, request: SearchRequest, schedule: Schedule) -> RankTerms:
    """`it` in the ranking's terms for `request` (module docstring)."""
    preferences = request.preferences
    assisted = needs_mobility_help(preferences)
    per_stop = SAME_ARRIVAL + (ASSISTED_STOP if assisted else timedelta())
    own = request.carrier is None or all(leg.carrier == request.carrier for leg in it.legs)
    return RankTerms(
        flights=it.flight_keys,
        cabin=it.cabin.value,
        other_cabin=it.cabin != request.cabin,
        avoided=avoided_by(it, preferences, schedule),
        own_metal=own,
        red_eye=is_red_eye(it, schedule),
        avoids_red_eyes=preferences is not None and preferences.avoid_overnight,
        tight_connection=has_tight_connection(it, schedule),
        needs_assistance=assisted,
        stops=it.stops,
        arrival=it.arr,
        carrier_handicap=timedelta() if own else request.other_carrier_after,
        stop_handicap=it.stops * per_stop,
        departure=it.dep,
        seats=it.seats,
        arrives_local=_local(schedule, it.legs[-1].destination, it.arr),
        leaves_local=_local(schedule, it.legs[0].origin, it.dep),
    )


def _local(schedule: Schedule, airport: str, instant: datetime) -> str:
    place = schedule.airports.get(airport)
    local = instant.astimezone(zone(place.tz)) if place else instant
    return local.strftime("%a %d %b %H:%M %Z")


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return (
        f"{hours} h {rest:02d} min" if hours and rest else f"{hours} h" if hours else f"{rest} min"
    )


def _duration_after(terms: RankTerms) -> str:
    """The ranked arrival, said as a delay after the real one."""
    return f"{_duration(terms.ranked_arrival - terms.arrival)} later"
