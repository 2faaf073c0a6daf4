"""A synthetic live flight-status feed for one day of a schedule, and a player for it.

`generate_day` plays the day out in advance: each flight draws its own fate (delay, reason,
cancellation, diversion, gate change) from a random stream seeded by the day's seed and the
flight's key, so editing one flight does not reshuffle the others. The fates are then
propagated along each aircraft's rotation in time order, so a late arrival pushes the
tail's next departure (reason ``knock_on``). The result is the list of events a live feed
would have published, sorted by `emitted_at`; `run_simulator` publishes them as a clock
reaches each one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from airline.clock import Clock
from airline.models import Flight
from streams.base import Sink
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatus, FlightStatusEvent, ReasonCode, encode
from streams.storm import StormPlan, plan_storm
from travel_agent.errors import ConfigError

log = logging.getLogger(__name__)

Scenario = Literal["normal", "storm"]

MIN_TURNAROUND = timedelta(minutes=35)
"""The shortest time between a tail's arrival and its next departure."""
DELAY_THRESHOLD = timedelta(minutes=15)
"""A departure this late or later is announced as delayed (and is not on time)."""
ON_TIME_SHARE = 0.85
"""Share of flights whose own delay stays under the threshold; knock-on lowers the
day's on-time share to about 70 %."""
MAX_OWN_DELAY_MIN = 360
SECOND_ESTIMATE_SHARE = 0.35
CANCEL_SHARE = 0.03
DIVERT_SHARE = 0.003
GATE_CHANGE_SHARE = 0.05
MIN_FLIGHTS_FOR_DISRUPTION = 100
"""A day with at least this many flights always has a cancellation: the demo needs one."""
# A diverted aircraft still has to reach its planned destination (or be swapped).
DIVERSION_RECOVERY = timedelta(minutes=90)
# The ops centre needs a moment to re-plan a tail after its inbound's estimate moves.
REPLAN_LAG = timedelta(minutes=5)

# Primary causes of delay, roughly the EUROCONTROL mix; knock-on comes from the rotation.
_DELAY_REASONS: dict[ReasonCode, int] = {
    ReasonCode.TECHNICAL: 25,
    ReasonCode.ATC: 22,
    ReasonCode.CREW: 15,
    ReasonCode.OTHER: 14,
    ReasonCode.WEATHER: 10,
    ReasonCode.SCHEDULING: 6,
    ReasonCode.SECURITY: 5,
    ReasonCode.BIRD_STRIKE: 3,
}
_CANCEL_REASONS: dict[ReasonCode, int] = {
    ReasonCode.TECHNICAL: 45,
    ReasonCode.CREW: 30,
    ReasonCode.WEATHER: 20,
    ReasonCode.ATC: 5,
}


def _minutes(value: float) -> timedelta:
    return timedelta(minutes=round(value))


def _pick(rng: random.Random, weights: dict[ReasonCode, int]) -> ReasonCode:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass(frozen=True, slots=True)
class _Constraint:
    """Something that holds a departure back, and when the feed learns of it."""

    dep: datetime
    reason: ReasonCode | None
    known_at: datetime | None = None
    """None: known from the start of the day."""


@dataclass(slots=True)
class _Fate:
    """What happens to one flight, drawn before the day is propagated."""

    constraints: list[_Constraint]
    duration: timedelta
    cancel: tuple[ReasonCode, datetime] | None = None
    divert_to: str | None = None
    divert_lead: timedelta = timedelta()
    gate: tuple[str, datetime] | None = None


@dataclass(slots=True)
class _Landing:
    """Where a tail stands: when it is ready again and when the feed knew that."""

    ready: datetime
    known_at: datetime


@dataclass(slots=True)
class _Timeline:
    """One flight's events as (emitted_at, status, est_dep, est_arr, reason) before encoding."""

    flight: Flight
    rows: list[tuple[datetime, FlightStatus, datetime, datetime, ReasonCode | None]] = field(
        default_factory=list
    )


def _draw_fate(flight: Flight, seed: int, airports: Sequence[str]) -> _Fate:
    rng = random.Random(f"{seed}:{flight.key}")
    sched = flight.sched_dep
    if rng.random() < ON_TIME_SHARE:
        own = _minutes(rng.triangular(-5, 14, 1))
    else:
        # Lognormal tail: most delayed flights are 20-60 min late, a few several hours.
        own = _minutes(min(15 + rng.lognormvariate(math.log(25), 1.0), MAX_OWN_DELAY_MIN))
    # A delay under the threshold is never announced; it just shows at take-off.
    constraints = [_Constraint(sched + own if own < DELAY_THRESHOLD else sched, None)]
    if own >= DELAY_THRESHOLD:
        reason = _pick(rng, _DELAY_REASONS)
        first_at = sched - _minutes(rng.uniform(30, 180))
        first = max(DELAY_THRESHOLD, _minutes(own.total_seconds() / 60 * rng.uniform(0.4, 0.8)))
        if rng.random() < SECOND_ESTIMATE_SHARE and first < own:
            # The first estimate was optimistic; a later one gives the real figure.
            room = (sched - DELAY_THRESHOLD - first_at) / timedelta(minutes=1)
            second_at = first_at + _minutes(room * rng.uniform(0.3, 0.9))
            constraints.append(_Constraint(sched + first, reason, first_at))
            constraints.append(_Constraint(sched + own, reason, second_at))
        else:
            constraints.append(_Constraint(sched + own, reason, first_at))

    block = flight.sched_arr - flight.sched_dep
    noise = _minutes(rng.uniform(-8, 8))
    fate = _Fate(constraints, max(block + noise, block / 2))
    if rng.random() < CANCEL_SHARE:
        fate.cancel = (_pick(rng, _CANCEL_REASONS), sched - _minutes(rng.uniform(60, 240)))
    else:
        alternates = [a for a in airports if a not in (flight.origin, flight.destination)]
        if alternates and rng.random() < DIVERT_SHARE:
            fate.divert_to = rng.choice(alternates)
            fate.divert_lead = _minutes(rng.uniform(5, 25))
    if rng.random() < GATE_CHANGE_SHARE:
        gate = f"{rng.choice('ABCDE')}{rng.randint(1, 60)}"
        fate.gate = (gate, sched - _minutes(rng.uniform(20, 90)))
    return fate


def _ensure_disruption(flights: Sequence[Flight], fates: dict[str, _Fate], seed: int) -> None:
    """Cancel one flight, chosen by the seed, if a big enough day drew none."""
    if len(flights) < MIN_FLIGHTS_FOR_DISRUPTION or any(f.cancel for f in fates.values()):
        return
    booked = [f for f in flights if any(c.sold for c in f.cabins)]
    # Prefer a flight with passengers on it, so the agent has someone to rebook.
    candidates = sorted(booked or flights, key=lambda f: f.key)
    rng = random.Random(f"{seed}:forced-cancel")
    chosen = rng.choice(candidates)
    fate = fates[chosen.key]
    fate.cancel = (ReasonCode.TECHNICAL, chosen.sched_dep - _minutes(rng.uniform(60, 240)))
    fate.divert_to = None


def _apply_storm(flights: Sequence[Flight], fates: dict[str, _Fate], plan: StormPlan) -> None:
    for flight in flights:
        fate = fates[flight.key]
        if (cancel := plan.cancelled.get(flight.key)) is not None:
            fate.cancel = (cancel.reason, cancel.announced_at)
            fate.divert_to = None
        elif (extra := plan.backlog.get(flight.key)) is not None:
            fate.constraints.append(
                _Constraint(flight.sched_dep + extra, ReasonCode.ATC, plan.notices[flight.key])
            )


def _estimate(
    flight: Flight, fate: _Fate, plan: StormPlan | None, at: datetime | None
) -> tuple[datetime, ReasonCode | None]:
    """The departure the feed expects at instant `at` (None: the actual departure)."""
    known = [c for c in fate.constraints if c.known_at is None or at is None or c.known_at <= at]
    # max() keeps the first of equal constraints: the schedule, then own causes, then knock-on.
    binding = max(known, key=lambda c: c.dep)
    if plan is not None and plan.touches(flight):
        if at is None or plan.notices[flight.key] <= at:
            pushed = plan.push(flight, binding.dep, fate.duration)
            if pushed != binding.dep:
                return pushed, ReasonCode.AIRPORT_CLOSURE
    return binding.dep, binding.reason


def _play(
    flight: Flight, fate: _Fate, plan: StormPlan | None, inbound: _Landing | None
) -> tuple[_Timeline, _Landing | None]:
    """One flight's events, given where its aircraft stands; returns where it leaves it."""
    sched, block = flight.sched_dep, flight.sched_arr - flight.sched_dep
    if inbound is not None:
        fate.constraints.append(
            _Constraint(inbound.ready, ReasonCode.KNOCK_ON, inbound.known_at + REPLAN_LAG)
        )
    moments = {c.known_at for c in fate.constraints if c.known_at is not None}
    if plan is not None and plan.touches(flight):
        moments.add(plan.notices[flight.key])
    stop = fate.cancel[1] if fate.cancel else None
    timeline, shown = _Timeline(flight), sched
    for at in sorted(moments):
        if stop is not None and at >= stop:
            break
        est, reason = _estimate(flight, fate, plan, at)
        if est - sched >= DELAY_THRESHOLD and est != shown:
            timeline.rows.append((at, FlightStatus.DELAYED, est, est + block, reason))
            shown = est
    if fate.gate is not None and (stop is None or fate.gate[1] < stop):
        at = fate.gate[1]
        est = max((row[2] for row in timeline.rows if row[0] <= at), default=sched)
        timeline.rows.append((at, FlightStatus.GATE_CHANGE, est, est + block, None))
    if fate.cancel is not None:
        reason, at = fate.cancel
        timeline.rows.append((at, FlightStatus.CANCELLED, shown, shown + block, reason))
        return timeline, None

    dep, _ = _estimate(flight, fate, plan, None)
    arr = dep + fate.duration
    timeline.rows.append((dep, FlightStatus.DEPARTED, dep, dep + block, None))
    delays = [row[0] for row in timeline.rows if row[1] == FlightStatus.DELAYED]
    if fate.divert_to is not None:
        at = max(arr - fate.divert_lead, dep + REPLAN_LAG)
        timeline.rows.append((at, FlightStatus.DIVERTED, dep, arr, None))
        return timeline, _Landing(arr + DIVERSION_RECOVERY + MIN_TURNAROUND, at)
    timeline.rows.append((arr, FlightStatus.ARRIVED, dep, arr, None))
    # The tail's next flight learns of this arrival once its estimate last moved, or at
    # take-off at the latest.
    return timeline, _Landing(arr + MIN_TURNAROUND, delays[-1] if delays else dep)


def _event_id(seed: int, flight: Flight, seq: int) -> str:
    readable = f"sim-{seed}-{flight.carrier}{flight.number}-{flight.service_date:%Y%m%d}-{seq}"
    if len(readable) <= 64:
        return readable
    digest = hashlib.blake2b(readable.encode(), digest_size=16).hexdigest()
    return f"sim-{digest}"


def _events(seed: int, timeline: _Timeline, fate: _Fate) -> list[FlightStatusEvent]:
    flight, gate = timeline.flight, None
    events = []
    # A stable sort keeps generation order for rows emitted in the same instant.
    for seq, (at, status, est_dep, est_arr, reason) in enumerate(
        sorted(timeline.rows, key=lambda row: row[0])
    ):
        if status == FlightStatus.GATE_CHANGE and fate.gate is not None:
            gate = fate.gate[0]
        events.append(
            FlightStatusEvent.about(
                flight,
                event_id=_event_id(seed, flight, seq),
                status=status,
                est_dep=est_dep,
                est_arr=est_arr,
                reason=reason,
                # An event is the flight's whole latest state, so the new gate stays on it.
                gate=gate,
                diverted_to=fate.divert_to if status == FlightStatus.DIVERTED else None,
                emitted_at=at,
            )
        )
    return events


def _normalised(flights: Sequence[Flight]) -> list[Flight]:
    """The schedule in UTC and chronological order; rejects what the feed cannot carry."""
    seen: set[str] = set()
    result = []
    for flight in flights:
        if flight.key in seen:
            raise ConfigError(f"flight {flight.key} appears twice in the schedule")
        seen.add(flight.key)
        if flight.sched_dep.tzinfo is None or flight.sched_arr.tzinfo is None:
            raise ConfigError(f"flight {flight.key} has naive times; give them a time zone")
        result.append(
            flight.model_copy(
                update={
                    "sched_dep": flight.sched_dep.astimezone(UTC),
                    "sched_arr": flight.sched_arr.astimezone(UTC),
                }
            )
        )
    return sorted(result, key=lambda f: (f.sched_dep, f.key))


def generate_day(
    flights: Sequence[Flight],
    *,
    seed: int,
    scenario: Scenario = "normal",
    storm_airport: str | None = None,
) -> list[FlightStatusEvent]:
    """Every event a live feed would publish for `flights` over their day.

    Pure and deterministic: the same schedule, seed and scenario give the same events with
    the same ids, whatever the order of `flights`.

    Args:
        flights: the day's schedule; flights sharing a `tail` form a rotation.
        seed: seeds every random choice.
        scenario: ``"normal"``, or ``"storm"`` to close one airport for three hours.
        storm_airport: the airport the storm closes (default: the busiest); storm only.

    Returns:
        The events sorted by `emitted_at`, ties in schedule order.

    Raises:
        ConfigError: an unknown scenario, a storm airport without flights or outside the
            storm scenario, or a schedule with duplicate keys or naive times.
    """
    if scenario not in ("normal", "storm"):
        raise ConfigError(f"unknown scenario {scenario!r}; use 'normal' or 'storm'")
    if storm_airport is not None and scenario != "storm":
        raise ConfigError("storm_airport only applies to scenario='storm'; drop it or set both")
    schedule = _normalised(flights)
    if not schedule:
        return []
    airports = sorted({f.origin for f in schedule} | {f.destination for f in schedule})
    fates = {f.key: _draw_fate(f, seed, airports) for f in schedule}
    plan = None
    if scenario == "storm":
        plan = plan_storm(schedule, seed=seed, airport=storm_airport)
        _apply_storm(schedule, fates, plan)
    _ensure_disruption(schedule, fates, seed)

    # Chronological order plays each tail's flights in rotation order.
    tails: dict[str, _Landing] = {}
    keyed: list[tuple[tuple[datetime, datetime, str, int], FlightStatusEvent]] = []
    for flight in schedule:
        fate = fates[flight.key]
        timeline, landing = _play(flight, fate, plan, tails.get(flight.tail))
        if landing is not None:
            tails[flight.tail] = landing
        for seq, event in enumerate(_events(seed, timeline, fate)):
            keyed.append(((event.emitted_at, flight.sched_dep, flight.key, seq), event))
    keyed.sort(key=lambda pair: pair[0])
    return [event for _, event in keyed]


async def run_simulator(
    events: Sequence[FlightStatusEvent],
    sink: Sink,
    clock: Clock,
    *,
    topic: str = TOPIC_FLIGHT_STATUS,
    on_progress: Callable[[int, int], None] | None = None,
    on_sent: Callable[[FlightStatusEvent], None] | None = None,
) -> int:
    """Publish each event once `clock` reaches its `emitted_at`.

    Events already due at the start go out at once, in order. Cancelling the task stops
    it between two sends; the events sent so far stay sent.

    Args:
        events: what to publish, normally from `generate_day`; played in `emitted_at` order.
        sink: where to publish; the record key is the event's flight key.
        clock: decides when each event is due (a fast `SimulatedClock` replays a day quickly).
        topic: the topic to publish to.
        on_progress: called with (sent, total) after each send.
        on_sent: called with each event right after it is sent.

    Returns:
        The number of events sent.
    """
    ordered = sorted(events, key=lambda e: e.emitted_at)  # stable: ties keep their order
    total, sent = len(ordered), 0
    for event in ordered:
        await clock.sleep_until(event.emitted_at)
        # A backlog of past-due events would otherwise go out without ever yielding to
        # the loop (sleep_until returns at once), starving the consumers and cancellation.
        await asyncio.sleep(0)
        await sink.send(topic, event.flight_key, encode(event))
        sent += 1
        if on_sent is not None:
            on_sent(event)
        if on_progress is not None:
            on_progress(sent, total)
    log.info("simulator published %d events to %s", sent, topic)
    return sent


def summarize(events: Iterable[FlightStatusEvent]) -> dict[str, int]:
    """How many events of each status, every status listed (zeros included), in enum order."""
    counts = Counter(event.status for event in events)
    return {status.value: counts[status] for status in FlightStatus}
