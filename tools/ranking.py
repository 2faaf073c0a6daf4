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
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from airline.airports import canonical_city, minimum_connection_time
from airline.models import Preferences

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
            elif airport is not None and canonical_city(airport.city) in preferences.avoid_cities:
                hits.append(f"{code} ({airport.city})")
        if leg.carrier in preferences.avoid_carriers:
            hits.append(leg.carrier)
    return list(dict.fromkeys(hits))


def is_red_eye(it: Itinerary, schedule: Schedule) -> bool:
    """Does any leg leave between 22:00 and 05:59 local time at its origin?"""
    for leg in it.legs:
        airport = schedule.airports.get(leg.origin)
        local = leg.dep.astimezone(ZoneInfo(airport.tz)) if airport else leg.dep
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
    preferences = request.preferences
    avoid_night = preferences is not None and preferences.avoid_overnight
    assisted = needs_mobility_help(preferences)
    per_stop = SAME_ARRIVAL + (ASSISTED_STOP if assisted else timedelta())

    def own(it: Itinerary) -> bool:
        return request.carrier is None or all(leg.carrier == request.carrier for leg in it.legs)

    def key(it: Itinerary) -> tuple[bool, bool, bool, bool, datetime, int, float, int]:
        carrier_penalty = timedelta() if own(it) else request.other_carrier_after
        return (
            it.cabin != request.cabin,
            bool(avoided_by(it, preferences, schedule)),
            avoid_night and is_red_eye(it, schedule),
            assisted and has_tight_connection(it, schedule),
            it.arr + carrier_penalty + it.stops * per_stop,
            it.stops,
            -it.dep.timestamp(),
            -it.seats,
        )

    return sorted(itineraries, key=key)
