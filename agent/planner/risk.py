"""Disruption risk: how likely an option's flights are to go too, from what the stream showed.

During a storm the flights out of the affected airport in the next hours are likely to
be cancelled as well; rebooking onto them only to rebook again is the churn airlines
avoid. The estimate uses nothing but the live board (what the stream has shown so far),
so it is the same in every run of the same records:

- **Declared closure**: a flight cancelled or diverted for `airport_closure` at an
  airport marks it closed from the earliest to the latest such movement, widened by
  `CLOSURE_MARGIN`; an option moving there inside that window has risk `CLOSURE_RISK`.
- **Observed share**: among the airport's movements scheduled within `WINDOW` of the
  option's, the share already cancelled (1) or delayed by `HEAVY_DELAY` or more (1/2)
  for a reason that spreads (`SPREADING`: weather, air traffic control, a closure; not a
  crew or technical fault, which stays with its flight),
  shrunk towards zero by `PRIOR` movements that went well (few observations, little
  evidence). Flights days ahead have no observations yet, so their risk is low: which is
  why a storm's passengers move to the next morning rather than to the next hour.

- **Persistence**: a storm does not stop at the edge of what has been announced. The
  share of the airport's movements around `now` (within `WINDOW` either side) already
  disrupted carries forward to later movements, fading to nothing over `PERSISTENCE`:
  while an airport is losing half its departures, this evening's flights are not safe
  just because their cancellations have not been announced yet, and tomorrow's are.

- **The carrier's own share**: a carrier decides its own cancellations (in the New York
  blizzard some carriers cancelled nearly every departure while others flew most of
  theirs), so the observed share and its persistence are also counted among the
  carrier's own movements at the airport, and a leg takes the larger of the two. Without
  it every carrier at a storm airport looks alike and passengers are moved from one
  cancelled flight of a carrier that is shutting down to the next.

A leg's risk is the largest of these at its departure and its arrival; an itinerary's
is the chance that any leg goes (legs taken as independent).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import datetime, timedelta

from airline.board import LiveBoard
from airline.models import FlightStatus
from airline.schedule import Schedule

WINDOW = timedelta(hours=2)
HEAVY_DELAY = timedelta(hours=1)
PRIOR = 8.0
CLOSURE_RISK = 0.9
CLOSURE_MARGIN = timedelta(hours=1)
CLOSURE_REASONS = frozenset({"airport_closure"})
# What spreads to other flights at the airport: weather and air traffic control (and an
# unknown reason, as historical on-time data has none); a crew or a technical fault stays
# with its flight.
SPREADING = frozenset({"weather", "atc", "airport_closure", "knock_on", None})
PERSISTENCE = timedelta(hours=18)


class RiskMap:
    """Per airport, the movements seen disrupted, for `of()` to count in a window."""

    def __init__(self, schedule: Schedule, board: LiveBoard, now: datetime | None = None) -> None:
        self._now = now
        times: dict[str, list[datetime]] = defaultdict(list)
        bad: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
        closures: dict[str, list[datetime]] = defaultdict(list)
        for flight in schedule.flights.values():
            state = board.get(flight.key)
            score = 0.0
            if state is not None and state.reason in SPREADING:
                if state.status in (FlightStatus.CANCELLED, FlightStatus.DIVERTED):
                    score = 1.0
                elif state.est_dep - flight.sched_dep >= HEAVY_DELAY:
                    score = 0.5
            for airport, when in (
                (flight.origin, flight.sched_dep),
                (flight.destination, flight.sched_arr),
            ):
                for place in (airport, _carrier_at(airport, flight.carrier)):
                    times[place].append(when)
                    if score:
                        bad[place].append((when, score))
                if score == 1.0 and state is not None and state.reason in CLOSURE_REASONS:
                    closures[airport].append(when)
        self._times = {a: sorted(ts) for a, ts in times.items()}
        self._bad_times: dict[str, list[datetime]] = {}
        self._bad_cumulative: dict[str, list[float]] = {}
        for airport, items in bad.items():
            items.sort()
            self._bad_times[airport] = [t for t, _ in items]
            running, cumulative = 0.0, [0.0]
            for _, score in items:
                running += score
                cumulative.append(running)
            self._bad_cumulative[airport] = cumulative
        self._closed = {
            airport: (min(ts) - CLOSURE_MARGIN, max(ts) + CLOSURE_MARGIN)
            for airport, ts in closures.items()
        }
        self._recent: dict[str, float] = {}
        if now is not None:
            self._recent = {airport: self._share(airport, now) for airport in self._bad_times}

    def at(self, airport: str, when: datetime, carrier: str | None = None) -> float:
        """The chance that a movement at `airport` at `when` (of `carrier`, if given) is
        disrupted."""
        closed = self._closed.get(airport)
        if closed is not None and closed[0] <= when <= closed[1]:
            return CLOSURE_RISK
        places = [airport] if carrier is None else [airport, _carrier_at(airport, carrier)]
        return max(self._observed(place, when) for place in places)

    def _observed(self, place: str, when: datetime) -> float:
        risk = self._share(place, when)
        recent = self._recent.get(place, 0.0)
        if recent and self._now is not None and when > self._now:
            fading = 1.0 - (when - self._now) / PERSISTENCE
            risk = max(risk, recent * max(0.0, fading))
        return risk

    def _share(self, airport: str, when: datetime) -> float:
        """The shrunk share of the airport's movements within `WINDOW` of `when` seen
        disrupted."""
        times = self._times.get(airport)
        if not times:
            return 0.0
        low, high = when - WINDOW, when + WINDOW
        seen = bisect_right(times, high) - bisect_left(times, low)
        bad_times = self._bad_times.get(airport)
        if not bad_times:
            return 0.0
        cumulative = self._bad_cumulative[airport]
        score = cumulative[bisect_right(bad_times, high)] - cumulative[bisect_left(bad_times, low)]
        return min(1.0, score / (seen + PRIOR))

    def of(
        self,
        origin: str,
        destination: str,
        dep: datetime,
        arr: datetime,
        carrier: str | None = None,
    ) -> float:
        """A leg's risk: the larger of its departure's and its arrival's."""
        return max(self.at(origin, dep, carrier), self.at(destination, arr, carrier))


def _carrier_at(airport: str, carrier: str) -> str:
    """The key of one carrier's movements at an airport (beside the airport's own)."""
    return f"{airport}/{carrier}"
