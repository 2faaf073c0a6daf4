"""The oracle's own flight board: each flight's state at any instant, from the events fed.

A state is the one with the latest emission time among the records fed so far (an older
record arriving late changes nothing; a repeat restates). Records the stream contract
refuses (estimates out of order, or absurdly far from the schedule) are not states.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from evals.oracle.record import EventRec, FlightRec, World

GONE = frozenset({"cancelled", "diverted"})
FLOWN = frozenset({"departed", "arrived"})
MAX_LATE = timedelta(hours=72)
MAX_EARLY = timedelta(hours=6)


@dataclass(frozen=True)
class State:
    status: str
    est_dep: datetime
    est_arr: datetime
    reason: str | None
    since: datetime
    """When the oracle's board took this state (the record's fed time)."""
    diverted_to: str | None = None

    @property
    def gone(self) -> bool:
        return self.status in GONE


def plausible(event: EventRec, flight: FlightRec) -> bool:
    shift = event.est_dep - flight.sched_dep
    return event.est_arr > event.est_dep and -MAX_EARLY <= shift <= MAX_LATE


class Board:
    """Flight states over time."""

    def __init__(self, world: World, events: list[EventRec]) -> None:
        self.world = world
        self._history: dict[str, list[tuple[datetime, State]]] = {}
        self.from_origin: dict[str, list[str]] = {}
        for key, flight in world.flights.items():
            self.from_origin.setdefault(flight.origin, []).append(key)
        newest: dict[str, datetime] = {}
        for event in events:
            known = world.flights.get(event.flight)
            if known is None or not plausible(event, known):
                continue
            if event.flight in newest and event.emitted_at <= newest[event.flight]:
                continue
            newest[event.flight] = event.emitted_at
            state = State(
                event.status,
                event.est_dep,
                event.est_arr,
                event.reason,
                event.fed_at,
                event.diverted_to,
            )
            self._history.setdefault(event.flight, []).append((event.fed_at, state))

    def state(self, key: str, at: datetime) -> State:
        """The flight's state as known at `at` (its schedule before any record)."""
        history = self._history.get(key)
        if history:
            i = bisect_right(history, at, key=lambda pair: pair[0])
            if i:
                return history[i - 1][1]
        flight = self.world.flights[key]
        return State("scheduled", flight.sched_dep, flight.sched_arr, None, self.world.start)

    def fed_times(self, key: str) -> list[datetime]:
        return [fed for fed, _ in self._history.get(key, ())]

    def changes(self, key: str) -> list[State]:
        """Every state the flight took, in order."""
        return [state for _, state in self._history.get(key, ())]

    def moments(self) -> list[datetime]:
        return sorted({fed for history in self._history.values() for fed, _ in history})

    def reasons(self, key: str) -> set[str | None]:
        """Every reason given for the flight's disruptions (None: a disruption without one)."""
        found: set[str | None] = set()
        flight = self.world.flights[key]
        for state in self.changes(key):
            late = state.est_dep - flight.sched_dep >= timedelta(minutes=15)
            if state.gone or late or (state.est_arr - flight.sched_arr) >= timedelta(minutes=15):
                found.add(state.reason)
        return found

    def left_by(self, key: str, at: datetime) -> bool:
        """The flight had left (or was reported gone) by `at`."""
        state = self.state(key, at)
        return state.status in FLOWN or (state.status not in GONE and state.est_dep <= at)
