"""The trips of the synthetic world's bookings, before they have passengers: same-day
returns (two journeys) and the grouping of a trip's seats into parties.

A trip is a booking's journeys, each a list of (flight key, cabin), one seat each until
`parties` groups the seats of identical trips into parties of one to a group.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from datetime import timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from airline.models import Airport, Cabin, Flight

Leg = tuple[str, Cabin]
Trip = tuple[list[Leg], ...]
"""A booking's journeys, each a list of (flight key, cabin)."""

_DAY_RETURN_SHARE = (0.15, 0.30)
"""Share of a short-haul morning flight's point-to-point seats sold as same-day returns
(business day trips), drawn per flight."""
_DAY_RETURN_STAY = timedelta(hours=6)
"""The least time at the destination of a day return."""
_DAY_RETURN_MAX_KM = 1500
_DAY_RETURN_LAST_HOUR = 10
"""Day trips leave before this local hour."""

# Party sizes of a booking, with cumulative weights: mostly one traveller, then couples,
# families, and now and then a group (European network carriers report about 1.5
# passengers per booking; leisure parties are larger, business travellers alone).
GROUP_SIZES = (10, 18)
"""A group (a size-12 draw) is drawn between these: a team, a class, a tour."""
_PARTY_SIZES = (1, 2, 3, 4, 5, 6, 12)
_PARTY_CUM_WEIGHTS = tuple(accumulate((600, 240, 75, 55, 15, 7, 8)))


def day_returns(
    rng: random.Random,
    flights: Sequence[Flight],
    airports: dict[str, Airport],
    left: dict[tuple[str, Cabin], int],
) -> list[Trip]:
    """Same-day returns on one carrier: out in the morning, back in the evening of the same
    day after at least `_DAY_RETURN_STAY`; takes their seats from `left`."""
    trips: list[Trip] = []
    back_by_route: dict[tuple[str, str, str], list[Flight]] = {}
    for f in flights:
        back_by_route.setdefault((f.carrier, f.origin, f.destination), []).append(f)
    for out in flights:
        local = out.sched_dep.astimezone(ZoneInfo(airports[out.origin].tz))
        if out.distance_km > _DAY_RETURN_MAX_KM or local.hour >= _DAY_RETURN_LAST_HOUR:
            continue
        backs = [
            b
            for b in back_by_route.get((out.carrier, out.destination, out.origin), [])
            if b.sched_dep - out.sched_arr >= _DAY_RETURN_STAY
        ]
        if not backs:
            continue
        for inv in out.cabins:
            wanted = round(left[out.key, inv.cabin] * rng.uniform(*_DAY_RETURN_SHARE))
            for _ in range(wanted):
                open_backs = [b for b in backs if left.get((b.key, inv.cabin), 0) > 0]
                if not open_backs or left[out.key, inv.cabin] <= 0:
                    break
                back = rng.choice(open_backs)
                left[out.key, inv.cabin] -= 1
                left[back.key, inv.cabin] -= 1
                trips.append(([(out.key, inv.cabin)], [(back.key, inv.cabin)]))
    return trips


def parties(rng: random.Random, trips: list[Trip]) -> list[tuple[Trip, int]]:
    """Seats of the same trip, grouped into parties (one booking each): (trip, seats)."""
    pools: dict[tuple[tuple[Leg, ...], ...], int] = {}
    for trip in trips:
        key = tuple(tuple(journey) for journey in trip)
        pools[key] = pools.get(key, 0) + 1
    found: list[tuple[Trip, int]] = []
    for key, seats in pools.items():
        same: Trip = tuple(list(journey) for journey in key)
        while seats > 0:
            size = _PARTY_SIZES[bisect(_PARTY_CUM_WEIGHTS, rng.random() * _PARTY_CUM_WEIGHTS[-1])]
            if size == _PARTY_SIZES[-1]:
                size = rng.randint(*GROUP_SIZES)
            size = min(size, seats)
            found.append((same, size))
            seats -= size
    return found
