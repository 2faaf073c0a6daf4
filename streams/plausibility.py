"""Is a well-formed event believable? Judged against the known flight and the clock.

The codec (`streams.events.decode`) accepts any event that is internally consistent. That
is not enough to act on: a record stamped 2099 for a real flight would make every later
genuine state of that flight — a cancellation included — look stale, and a record with
the wrong route would put a flight where it does not fly. So before the board takes an
event, it must:

* be about a **known flight**, with the flight's **route and schedule** (origin,
  destination, scheduled departure and arrival as the schedule has them);
* have been emitted **no later than the clock allows**: not after the later of the wall
  clock and the daemon's own clock by more than `max_clock_skew`. (A replayed day is in
  the past, so it passes; a simulated day's clock is its own. The event-time clock is
  not asked: it follows the events, so judging an event by it would let a run of
  records, each a little ahead of the last, walk it into the future.)
* not be **implausibly old**: emitted within the flight's own life — from `max_lead`
  before its scheduled departure (a status cannot precede the schedule it is about) to
  `max_after_arrival` after its scheduled arrival — and no earlier than `max_age` before
  the daemon's clock when that clock is the wall's or a simulated day's. (The event-time
  clock, again, is the stream's own: before the first event it is a placeholder, and an
  advance notice emitted weeks before the flight must not be judged old against it.)

What is *not* judged here: how far the flight is from now. Events about flights days
ahead are live news (an advance cancellation is the commonest). And staleness is the
board's to judge — against the newest *accepted* event of the same flight only.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from airline.clock import Clock, EventTimeClock
from airline.models import Flight
from streams.events import FlightStatusEvent
from travel_agent.errors import ValidationError

# How long a computed clock bound is reused before it is read again (a bound that says
# no is always read again first, so reuse never refuses a good record).
BOUND_REUSE_SECONDS = 1.0


@dataclass(frozen=True)
class PlausibilityLimits:
    """How far an event's emission time may stray before it is not believed."""

    max_clock_skew: timedelta = timedelta(minutes=5)
    max_age: timedelta = timedelta(days=7)
    max_lead: timedelta = timedelta(days=400)
    max_after_arrival: timedelta = timedelta(days=7)


class Plausibility:
    """Judges events against the schedule and the clock; see the module docstring."""

    def __init__(
        self,
        flights: Mapping[str, Flight],
        clock: Clock,
        limits: PlausibilityLimits | None = None,
    ) -> None:
        self.flights = flights
        self.clock = clock
        self.limits = limits or PlausibilityLimits()
        self._follows_events = isinstance(clock, EventTimeClock)
        self._latest = datetime.min.replace(tzinfo=UTC)  # emitted later than this: refuse
        self._earliest = datetime.max.replace(tzinfo=UTC)  # emitted earlier: refuse
        self._bounds_until = 0.0

    def judge(self, event: FlightStatusEvent, flight_key: str) -> ValidationError | None:
        """Why `event` cannot be believed, or None when it can. Never raises: whatever
        judging it raised would stop the daemon at this record on every restart, so it is
        a reason to dead-letter the record instead."""
        try:
            return self._judge(event, flight_key)
        except Exception as exc:
            return ValidationError("implausible", f"{type(exc).__name__}: {exc}"[:500])

    def _judge(self, event: FlightStatusEvent, flight_key: str) -> ValidationError | None:
        flight = self.flights.get(flight_key)
        if flight is None:
            return ValidationError("unknown_flight", f"{flight_key} is not scheduled")
        if event.origin != flight.origin or event.destination != flight.destination:
            return ValidationError(
                "route_mismatch",
                f"{flight_key} flies {flight.origin}-{flight.destination}; the record says"
                f" {event.origin}-{event.destination}",
            )
        if event.sched_dep != flight.sched_dep or event.sched_arr != flight.sched_arr:
            return ValidationError(
                "schedule_mismatch",
                f"{flight_key} is scheduled {flight.sched_dep.isoformat()} to"
                f" {flight.sched_arr.isoformat()}; the record says"
                f" {event.sched_dep.isoformat()} to {event.sched_arr.isoformat()}",
            )
        emitted = event.emitted_at
        limits = self.limits
        if time.monotonic() >= self._bounds_until:
            self._read_clock()
        if emitted > self._latest:
            self._read_clock()  # it only moves on: read it fresh before refusing
            if emitted > self._latest:
                return ValidationError(
                    "emitted_in_future",
                    f"emitted {emitted.isoformat()}, more than {_span(limits.max_clock_skew)}"
                    f" after the clock's {(self._latest - limits.max_clock_skew).isoformat()}",
                )
        if emitted < flight.sched_dep - limits.max_lead:
            return ValidationError(
                "emitted_too_long_ago",
                f"emitted {emitted.isoformat()}, more than {limits.max_lead.days} days before"
                f" {flight_key} is scheduled to leave",
            )
        if emitted > flight.sched_arr + limits.max_after_arrival:
            return ValidationError(
                "emitted_after_flight",
                f"emitted {emitted.isoformat()}, more than {_span(limits.max_after_arrival)}"
                f" after {flight_key} was scheduled to land",
            )
        if emitted < self._earliest:
            self._read_clock()  # read it fresh before refusing
            if emitted < self._earliest:
                return ValidationError(
                    "emitted_too_long_ago",
                    f"emitted {emitted.isoformat()}, more than {_span(limits.max_age)}"
                    f" before the clock's {(self._earliest + limits.max_age).isoformat()}",
                )
        return None

    def _read_clock(self) -> None:
        wall = datetime.now(UTC)
        if self._follows_events:
            self._latest = wall + self.limits.max_clock_skew
            self._earliest = datetime.min.replace(tzinfo=UTC)
        else:
            now = self.clock.now()
            self._latest = max(wall, now) + self.limits.max_clock_skew
            self._earliest = now - self.limits.max_age
        self._bounds_until = time.monotonic() + BOUND_REUSE_SECONDS


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} days"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hours"
    return f"{seconds // 60} minutes" if seconds % 60 == 0 else f"{seconds} seconds"
