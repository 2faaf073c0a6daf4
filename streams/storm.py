"""The storm scenario of the simulator: a weather system closes one airport for a few hours.

`plan_storm` decides, before the day is played out, which flights the closure cancels and
when each affected flight hears about it; `StormPlan.push` then keeps every flight that
still operates from moving at the airport while it is closed. The decisions are pure and
seeded per flight, so the same schedule and seed always give the same storm.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median_low

from airline.models import Flight
from streams.events import ReasonCode
from travel_agent.errors import ConfigError

STORM_DURATION = timedelta(hours=3)
STORM_CANCEL_SHARE = 0.8
"""Share of the movements scheduled inside the closure that the airline cancels outright."""
# Airlines act on the forecast: the storm cancellations go out together, hours ahead.
STORM_NOTICE = timedelta(hours=2)
# After reopening, flow control spreads the backlog over the next hours.
BACKLOG_PERIOD = timedelta(hours=2)
MIN_REOPEN_JITTER = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class StormCancel:
    """A flight the storm cancels, and when the airline says so."""

    reason: ReasonCode
    announced_at: datetime


@dataclass(frozen=True)
class StormPlan:
    """Where and when the airport is closed, and what that does to each flight touching it."""

    airport: str
    """IATA code of the closed airport."""
    start: datetime
    """First instant of the closure (UTC)."""
    end: datetime
    """The airport reopens at this instant (UTC)."""
    cancelled: Mapping[str, StormCancel]
    """Flights (by `Flight.key`) the storm cancels."""
    notices: Mapping[str, datetime]
    """When each flight touching the airport learns of the storm."""
    backlog: Mapping[str, timedelta]
    """Extra flow-control delay for flights scheduled shortly after the reopening."""
    reopen_jitter: Mapping[str, timedelta]
    """How long after the reopening each flight's movement there is slotted."""

    def closed(self, instant: datetime) -> bool:
        """Whether the airport is closed at `instant`."""
        return self.start <= instant < self.end

    def touches(self, flight: Flight) -> bool:
        """Whether `flight` departs from or arrives at the storm airport."""
        return self.airport in (flight.origin, flight.destination)

    def push(self, flight: Flight, dep: datetime, duration: timedelta) -> datetime:
        """The departure `flight` can make given the closure, at or after `dep`.

        Args:
            flight: the flight; only its movement at the storm airport is constrained.
            dep: the departure it would make without the storm.
            duration: its airborne time, to tell when it would arrive.
        """
        jitter = self.reopen_jitter.get(flight.key, MIN_REOPEN_JITTER)
        if flight.origin == self.airport and self.closed(dep):
            return self.end + jitter
        if flight.destination == self.airport and self.closed(dep + duration):
            return self.end + jitter - duration
        return dep


def busiest_airport(flights: Sequence[Flight]) -> str:
    """The airport with the most departures and arrivals (ties: alphabetically first)."""
    moves: Counter[str] = Counter()
    for flight in flights:
        moves[flight.origin] += 1
        moves[flight.destination] += 1
    if not moves:
        raise ConfigError("a storm needs a schedule with at least one flight")
    return min(moves, key=lambda airport: (-moves[airport], airport))


def _movement(flight: Flight, airport: str) -> datetime:
    """The scheduled instant `flight` uses `airport` (it touches it, by construction)."""
    return flight.sched_dep if flight.origin == airport else flight.sched_arr


def plan_storm(flights: Sequence[Flight], *, seed: int, airport: str | None = None) -> StormPlan:
    """Decide the closure window and its effect on every flight touching the airport.

    The window is `STORM_DURATION` long and centred on the median scheduled movement at
    the airport: we do not know its local time zone here, and the median is where a
    typical day's traffic (and "midday") is, so the closure always bites.

    Args:
        flights: the day's schedule.
        seed: the simulator seed; each flight draws from its own stream derived from it.
        airport: the airport to close; the busiest one in the schedule when None.

    Raises:
        ConfigError: `airport` has no flight in the schedule.
    """
    airport = airport or busiest_airport(flights)
    touching = sorted(
        (f for f in flights if airport in (f.origin, f.destination)),
        key=lambda f: (_movement(f, airport), f.key),
    )
    if not touching:
        known = sorted({f.origin for f in flights} | {f.destination for f in flights})
        raise ConfigError(
            f"storm_airport {airport!r} has no flight in the schedule; "
            f"pick one of {', '.join(known)} or leave it unset for the busiest"
        )
    centre = median_low(_movement(f, airport).astimezone(UTC) for f in touching)
    start = (centre - STORM_DURATION / 2).replace(second=0, microsecond=0)
    end = start + STORM_DURATION

    cancelled: dict[str, StormCancel] = {}
    notices: dict[str, datetime] = {}
    backlog: dict[str, timedelta] = {}
    jitter: dict[str, timedelta] = {}
    for flight in touching:
        rng = random.Random(f"{seed}:storm:{flight.key}")
        # Long-haul flights into the airport leave before the general notice; they are
        # told before boarding instead.
        notice = min(start - STORM_NOTICE, flight.sched_dep - timedelta(minutes=90))
        notices[flight.key] = notice + timedelta(minutes=rng.randint(0, 20))
        jitter[flight.key] = timedelta(minutes=rng.randint(10, 90))
        moment = _movement(flight, airport)
        if start <= moment < end and rng.random() < STORM_CANCEL_SHARE:
            reason = ReasonCode.AIRPORT_CLOSURE if rng.random() < 0.7 else ReasonCode.WEATHER
            cancelled[flight.key] = StormCancel(reason, notices[flight.key])
        elif end <= moment < end + BACKLOG_PERIOD:
            backlog[flight.key] = timedelta(minutes=rng.randint(15, 60))
    return StormPlan(airport, start, end, cancelled, notices, backlog, jitter)
