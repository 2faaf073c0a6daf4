"""Disruption risk: how likely an option's flights are to go too, from what the stream showed.

During a storm the flights out of the affected airport in the next hours are likely to
be cancelled as well; rebooking onto them only to rebook again is the churn airlines
avoid. The estimate uses nothing but the live board and the clock (what the stream has
shown so far), so it is the same in every run of the same records. It is a Bayesian
shrinkage estimate of the chance that a movement (a departure or an arrival) at an
airport, of a carrier, at a time is cancelled, diverted or heavily delayed:

- **What counts as observed, and how much.** A movement's fate is known once its
  scheduled departure has passed (cancellations and delays are announced before it: no
  news by then means it went as planned) or once the board shows it disrupted. A
  movement still ahead and not announced is only partly evidence that it will go: a
  cancellation `l` hours ahead has been announced by now with the chance `F(l)` that
  past cancellations were announced at least `l` ahead (their leads, from the stream:
  scheduled departure minus the time the cancellation was published, shrunk by
  `LEAD_PRIOR` towards a prior that falls from 1 at no lead to 0 at `LEAD_HORIZON`: no
  airline announces a cancellation days ahead, so a flight that far ahead is no news
  either way). Such a movement counts as `F(l)` of an
  observation: a nowcast, as for reports that arrive late. Counting it as a whole good
  observation (as a plain share of the schedule does) is what kept the estimate at
  0.05-0.2 on the replayed blizzard while more than half the day's flights were
  cancelled; an hour beyond any lead seen counts only as much as the prior says.
- **The current rate**, over the movements within `OBSERVED` of `now` (weighted as
  above): a cancelled or diverted movement scores 1, one delayed by `HEAVY_DELAY` or
  more 1/2, for a reason that spreads (`SPREADING`: weather, air traffic control, a
  closure; not a crew or technical fault, which stays with its flight). Each level is
  the posterior mean of a Beta prior of strength `PRIOR` centred on the level above
  it: the network's rate on `BASE_RATE`, an airport's on the network's, a carrier's at
  the airport on the airport's. Few observations, little departure from the level
  above; many, the level's own share. So a carrier shutting down at a storm airport
  looks worse than the airport (in the New York blizzard some carriers cancelled
  nearly every departure while others flew most of theirs).
- **Persistence**: a storm does not stop at the edge of what has been announced. The
  current rate carries forward to a later movement, its excess over `BASE_RATE` fading
  linearly to nothing over `PERSISTENCE`: this evening's flights are not safe because
  their cancellations are not announced yet, and tomorrow's keep part of today's excess
  (a storm lasts beyond its first day more often than the stream can tell).
- **The announced front**: the stream announces some storms ahead (airlines cancel a
  forecast storm's day in bulk the evening before), so the worst of a storm may lie in
  slots still ahead, not around `now`. Each slot's own rate (its movements, on the
  persisted current rate as a prior), every `FRONT_STEP` from `now` on, carries forward in the
  same way: its surprise (how far its rate is above the persisted current rate there)
  adds to the persisted current rate of a later movement, fading over `PERSISTENCE`
  from the slot rather than from `now` (a slot without evidence adds nothing); a
  movement's prior takes the largest surprise. Only slots whose
  window ends before the movement's own begins count, so no movement is counted twice.
  Without it, a day announced as half cancelled left the day after it at the calm rate
  of the hours around `now` (the evening before): the planner moved that day's
  passengers onto the next morning's flights, which went too.
- **The movement's own slot**: the movements within `WINDOW` of it (weighted as above)
  update the persisted rate as a prior. For a carrier: the other carriers' movements of
  the slot update the airport's persisted rate, the carrier's persisted rate moves by as
  much, and the carrier's own movements of the slot update that (each movement counted
  once). A carrier's leg is never taken as safer than its airport: the weather grounds
  every carrier, and on the replayed blizzard, carriers that had flown all morning
  cancelled in the evening (letting a carrier look safer scored worse in
  `scripts/bench_risk.py`, which measures the calibration: on that day, Brier score
  0.457 for the former estimate, 0.452 for this one; no estimate from the stream alone
  foresees the evening's wipe-out in the morning, so both stay far too low there).
- **Declared closure**: a flight cancelled or diverted for `airport_closure` at an
  airport marks it closed from the earliest to the latest such movement, widened by
  `CLOSURE_MARGIN`; a movement there inside that window has risk `CLOSURE_RISK`,
  whatever the counts say.

A leg's risk is the largest of its departure's and its arrival's (each for the leg's
carrier); an itinerary's is the chance that any leg goes (legs taken as independent).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import datetime, timedelta

from airline.board import LiveBoard
from airline.models import Flight, FlightStatus
from airline.schedule import Schedule

WINDOW = timedelta(hours=2)
"""Half-width of a movement's slot."""
OBSERVED = timedelta(hours=3)
"""Half-width of the window around `now` whose movements give the current rate."""
HEAVY_DELAY = timedelta(hours=1)
PRIOR = 6.0
"""Strength of each rate's prior, in observations: the evidence a level needs before its
own share outweighs the level above."""
LEAD_PRIOR = 2.0
"""Strength of the prior `F`, in cancellations: with few leads seen, an unannounced
movement counts as the prior says."""
LEAD_HORIZON = timedelta(hours=36)
"""Where the prior `F` reaches 0, falling linearly from 1 at no lead: airlines announce
a forecast storm's cancellations in bulk the afternoon or evening before (12-30 h ahead,
the citations in `streams.replay`), same-day ones 1-3 h ahead. With `F = 1` at every
lead (the former prior), the morning after a storm's day, 35 h ahead and not announced
yet, counted as evidence of flying when no departed cancellation had taught otherwise:
the planner put the blizzard day's passengers on the next morning's flights (risk
0.2-0.3; 58 % of them went). Calibration on the replayed blizzard and its two following
days, cancellations announced as `streams.replay` does (`scripts/bench_risk.py
--ahead-hours 48`, every unannounced departure 30 min to 48 h ahead, hourly): Brier
0.172 before the announced front (`_front`), 0.140 with it, 0.124 with this prior
(always predicting the realized share, 0.152: 0.129); 12 h ahead, 0.083, 0.087, 0.090
(constant 0.018: after a bulk pre-cancellation, the rest of the day's flights fly, which
no estimate from the stream can know, as more cancellations come on the day in a real
storm)."""
BASE_RATE = 0.0
"""The chance of disruption with nothing observed: the schedule is the plan, so a calm
network is planned exactly as without a risk term."""
PERSISTENCE = timedelta(hours=36)
"""How long the current excess over `BASE_RATE` lasts, fading linearly: a storm's
operating day and the next (a winter storm grounds more than one day: on the replayed
blizzard, 472 of 930 departures went on 2013-02-08 and 393 of 684 on the day after).
18 h was chosen on worlds that held the storm day alone or its following days as
certain to fly, which made tomorrow's flights look safe because nothing could go
wrong with them. With the following days' real fates in the world (`evals.stormday`),
36 h against 18 h: churn 1.84 against 2.31 rebookings per rebooked booking, mean
arrival delay 38.4 h against 37.4 h (the 3-destination slice); calibration on the day
(`scripts/bench_risk.py`) Brier 0.421 against 0.452. An exponential tail (12 h
half-life: 2.26, Brier 0.440) keeps tonight's last flights and tomorrow's too close."""
FRONT_STEP = timedelta(hours=1)
"""The spacing of the slots whose rates carry forward (`RiskMap._front`)."""
CLOSURE_RISK = 0.9
CLOSURE_MARGIN = timedelta(hours=1)
CLOSURE_REASONS = frozenset({"airport_closure"})
# What spreads to other flights at the airport: weather and air traffic control (and an
# unknown reason, as historical on-time data has none); a crew or a technical fault stays
# with its flight.
SPREADING = frozenset({"weather", "atc", "airport_closure", "knock_on", None})
NETWORK = "*"


class _Movements:
    """One place's movements in time order, with running sums of their observation
    weight and disruption score, for sums over any window."""

    def __init__(self, items: list[tuple[datetime, float, float]]) -> None:
        items.sort(key=lambda item: item[0])
        self.times = [t for t, _, _ in items]
        self.weight, self.score = [0.0], [0.0]
        for _, weight, score in items:
            self.weight.append(self.weight[-1] + weight)
            self.score.append(self.score[-1] + score)

    def between(self, low: datetime, high: datetime) -> tuple[float, float]:
        """(observations, disruption score) of the movements from `low` to `high`."""
        start, end = bisect_left(self.times, low), bisect_right(self.times, high)
        return self.weight[end] - self.weight[start], self.score[end] - self.score[start]


class RiskMap:
    """Per airport and per carrier at an airport, what `at()` combines."""

    def __init__(self, schedule: Schedule, board: LiveBoard, now: datetime | None = None) -> None:
        self._now = now
        found: list[tuple[Flight, float, bool]] = []
        leads: list[timedelta] = []
        closures: dict[str, list[datetime]] = defaultdict(list)
        for flight in schedule.flights.values():
            state = board.get(flight.key)
            score = 0.0
            if state is not None and state.reason in SPREADING:
                if state.status in (FlightStatus.CANCELLED, FlightStatus.DIVERTED):
                    score = 1.0
                elif state.est_dep - flight.sched_dep >= HEAVY_DELAY:
                    score = 0.5
            if score == 1.0 and state is not None and state.reason in CLOSURE_REASONS:
                closures[flight.origin].append(flight.sched_dep)
                closures[flight.destination].append(flight.sched_arr)
            known = score > 0 or now is None or flight.sched_dep <= now
            found.append((flight, score, known))
            if (
                now is not None
                and state is not None
                and state.status == FlightStatus.CANCELLED
                and flight.sched_dep <= now
            ):
                leads.append(max(timedelta(), flight.sched_dep - state.emitted_at))
        leads.sort()
        movements: dict[str, list[tuple[datetime, float, float]]] = defaultdict(list)
        for flight, score, known in found:
            weight = 1.0 if known or now is None else _announced(leads, flight.sched_dep - now)
            for airport, when in (
                (flight.origin, flight.sched_dep),
                (flight.destination, flight.sched_arr),
            ):
                for place in (NETWORK, airport, _carrier_at(airport, flight.carrier)):
                    movements[place].append((when, weight, score))
        self._movements = {place: _Movements(items) for place, items in movements.items()}
        self._fronts: dict[tuple[str, float], list[float]] = {}
        # `at()` per (airport, moment, carrier): the map never changes once built, and a
        # wave asks the same legs' risks for every passenger whose options share them.
        self._known: dict[tuple[str, datetime, str | None], float] = {}
        self._closed = {
            airport: (min(ts) - CLOSURE_MARGIN, max(ts) + CLOSURE_MARGIN)
            for airport, ts in closures.items()
        }

    def current_rate(self, airport: str, carrier: str | None = None) -> float:
        """The posterior rate of disruption within `OBSERVED` of `now`: the network's
        shrunk to `BASE_RATE`, the airport's to the network's, the carrier's at the
        airport to the airport's."""
        if self._now is None:
            return BASE_RATE
        places = [NETWORK, airport] + ([] if carrier is None else [_carrier_at(airport, carrier)])
        rate = BASE_RATE
        for place in places:
            rate = self._posterior(
                self._between(place, self._now - OBSERVED, self._now + OBSERVED), rate
            )
        return rate

    def at(self, airport: str, when: datetime, carrier: str | None = None) -> float:
        """The chance that a movement at `airport` at `when` (of `carrier`, if given) is
        disrupted: a declared closure, else its slot's posterior on the persisted rate."""
        key = (airport, when, carrier)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._at(airport, when, carrier)
        return known

    def _at(self, airport: str, when: datetime, carrier: str | None) -> float:
        closed = self._closed.get(airport)
        if closed is not None and closed[0] <= when <= closed[1]:
            return CLOSURE_RISK
        low, high = when - WINDOW, when + WINDOW
        persisted = self._front(airport, self.current_rate(airport), when)
        seen, score = self._between(airport, low, high)
        airport_risk = self._posterior((seen, score), persisted)
        if carrier is None:
            return airport_risk
        place = _carrier_at(airport, carrier)
        own_seen, own_score = self._between(place, low, high)
        # The other carriers' movements of the slot move the airport's rate; the
        # carrier's rate moves as much, then its own movements update it.
        others = self._posterior((seen - own_seen, score - own_score), persisted)
        own = self._front(place, self.current_rate(airport, carrier), when)
        prior = min(1.0, max(0.0, own + others - persisted))
        return max(airport_risk, self._posterior((own_seen, own_score), prior))

    def _between(self, place: str, low: datetime, high: datetime) -> tuple[float, float]:
        movements = self._movements.get(place)
        return movements.between(low, high) if movements else (0.0, 0.0)

    @staticmethod
    def _posterior(evidence: tuple[float, float], prior: float) -> float:
        """The Beta posterior mean of a rate with mean `prior` and strength `PRIOR`
        after `evidence` (observations, disruption score)."""
        seen, score = evidence
        return min(1.0, (score + PRIOR * prior) / (seen + PRIOR))

    def _front(self, place: str, current: float, when: datetime) -> float:
        """The persisted `current` rate at `when`, plus the largest surprise of a slot
        ahead of `now` (every `FRONT_STEP`, ending before `when`'s own window begins):
        how far the slot's posterior (its movements, on the persisted `current` as a
        prior) is above that prior, fading over `PERSISTENCE` from the slot to `when`.
        A slot without evidence adds nothing."""
        persisted = self._persisted(current, when)
        if self._now is None or when - 2 * WINDOW <= self._now:
            return persisted
        last = int((when - 2 * WINDOW - self._now) / FRONT_STEP)
        rates = self._slot_rates(place, current, last)
        surprise = 0.0
        for k in range(last + 1):
            slot = self._now + k * FRONT_STEP
            left = 1.0 - (when - slot) / PERSISTENCE
            if left > 0:
                surprise = max(surprise, (rates[k] - self._persisted(current, slot)) * left)
        return min(1.0, persisted + surprise)

    def _slot_rates(self, place: str, current: float, last: int) -> list[float]:
        """The posterior rates of `place`'s slots 0..`last` steps after `now` (cached)."""
        assert self._now is not None
        rates = self._fronts.setdefault((place, current), [])
        while len(rates) <= last:
            slot = self._now + len(rates) * FRONT_STEP
            prior = self._persisted(current, slot)
            rates.append(self._posterior(self._between(place, slot - WINDOW, slot + WINDOW), prior))
        return rates

    def _persisted(self, rate: float, when: datetime) -> float:
        """`rate`'s excess over `BASE_RATE`, fading to nothing over `PERSISTENCE`."""
        if self._now is None or when <= self._now:
            return rate
        left = max(0.0, 1.0 - (when - self._now) / PERSISTENCE)
        return BASE_RATE + (rate - BASE_RATE) * left

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


def _announced(leads: list[timedelta], ahead: timedelta) -> float:
    """`F(ahead)`: the chance a cancellation is announced at least `ahead` before its
    departure, from the past leads (sorted), shrunk towards the prior (1 at no lead, 0 at
    `LEAD_HORIZON`) by `LEAD_PRIOR`."""
    later = len(leads) - bisect_left(leads, ahead)
    prior = max(0.0, 1.0 - ahead / LEAD_HORIZON)
    return (later + LEAD_PRIOR * prior) / (len(leads) + LEAD_PRIOR)


def _carrier_at(airport: str, carrier: str) -> str:
    """The key of one carrier's movements at an airport (beside the airport's own)."""
    return f"{airport}/{carrier}"
