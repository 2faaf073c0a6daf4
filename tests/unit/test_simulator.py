"""The synthetic feed: deterministic, valid, plausible, and played in order."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from airline.clock import SimulatedClock
from airline.models import Cabin, CabinInventory, Flight, flight_key
from streams.codec import decode
from streams.embedded import EmbeddedBroker, EmbeddedSink
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatus, FlightStatusEvent
from streams.simulator import MIN_TURNAROUND, generate_day, run_simulator, summarize
from streams.storm import plan_storm
from travel_agent.errors import ConfigError

DAY = date(2026, 3, 1)
HUB = "FRA"
SPOKES = ("LHR", "CDG", "MAD", "FCO", "AMS", "VIE", "ZRH", "CPH", "ARN", "LIS")


def make_schedule(count: int = 150, *, schedule_seed: int = 1) -> list[Flight]:
    """Hub-and-spoke rotations: each tail flies hub→spoke→hub… with 45-70 min turnarounds."""
    rng = random.Random(schedule_seed)
    flights: list[Flight] = []
    tail_no = 0
    while len(flights) < count:
        tail_no += 1
        at = datetime(2026, 3, 1, 5, 0, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 180))
        here = HUB
        for _ in range(rng.randint(4, 6)):
            if len(flights) == count:
                break
            there = rng.choice(SPOKES) if here == HUB else HUB
            block = timedelta(minutes=rng.randint(55, 150))
            number = 100 + len(flights)
            flights.append(
                Flight(
                    key=flight_key("XA", number, DAY),
                    carrier="XA",
                    number=number,
                    service_date=DAY,
                    origin=here,
                    destination=there,
                    sched_dep=at,
                    sched_arr=at + block,
                    tail=f"D-A{tail_no:03d}",
                    distance_km=block // timedelta(minutes=1) * 12,
                    cabins=[CabinInventory(cabin=Cabin.ECONOMY, capacity=150, sold=120)],
                )
            )
            at += block + timedelta(minutes=rng.randint(45, 70))
            here = there
    return flights


@pytest.fixture(scope="module")
def schedule() -> list[Flight]:
    return make_schedule()


@pytest.fixture(scope="module")
def day(schedule: list[Flight]) -> list[FlightStatusEvent]:
    return generate_day(schedule, seed=7)


def by_flight(events: list[FlightStatusEvent]) -> dict[str, list[FlightStatusEvent]]:
    grouped: dict[str, list[FlightStatusEvent]] = defaultdict(list)
    for event in events:
        grouped[event.flight_key].append(event)
    return grouped


def test_same_seed_same_day_whatever_the_input_order(
    schedule: list[Flight], day: list[FlightStatusEvent]
) -> None:
    shuffled = list(reversed(schedule))
    assert generate_day(shuffled, seed=7) == day
    assert generate_day(schedule, seed=8) != day


def test_events_are_sorted_unique_and_survive_the_codec(day: list[FlightStatusEvent]) -> None:
    assert [e.emitted_at for e in day] == sorted(e.emitted_at for e in day)
    assert len({e.event_id for e in day}) == len(day)
    for event in day:
        assert event.emitted_at.utcoffset() == timedelta(0)
        assert decode(event.model_dump_json().encode()) == event


def test_most_flights_leave_on_time_with_a_long_tail(
    schedule: list[Flight], day: list[FlightStatusEvent]
) -> None:
    delays = [e.delay for e in day if e.status == FlightStatus.DEPARTED]
    on_time = sum(d < timedelta(minutes=15) for d in delays) / len(delays)
    assert 0.6 <= on_time <= 0.85
    assert max(delays) >= timedelta(hours=1)
    assert all(d >= -timedelta(minutes=5) for d in delays)


def test_every_flight_ends_cancelled_arrived_or_diverted(
    schedule: list[Flight], day: list[FlightStatusEvent]
) -> None:
    flights = by_flight(day)
    assert set(flights) == {f.key for f in schedule}
    cancelled = 0
    for events in flights.values():
        statuses = [e.status for e in events]
        if FlightStatus.CANCELLED in statuses:
            cancelled += 1
            assert statuses[-1] == FlightStatus.CANCELLED
            assert FlightStatus.DEPARTED not in statuses
            assert FlightStatus.ARRIVED not in statuses
        else:
            assert statuses[-1] in (FlightStatus.ARRIVED, FlightStatus.DIVERTED)
            assert statuses.count(FlightStatus.DEPARTED) == 1
            departed = statuses.index(FlightStatus.DEPARTED)
            # Announcements and gate changes come before take-off, never after.
            assert set(statuses[:departed]) <= {FlightStatus.DELAYED, FlightStatus.GATE_CHANGE}
    assert cancelled >= 1


def test_a_big_day_always_has_a_cancellation() -> None:
    schedule = make_schedule(100, schedule_seed=3)
    for seed in range(20):
        events = generate_day(schedule, seed=seed)
        assert any(e.status == FlightStatus.CANCELLED for e in events), seed


def test_delays_are_announced_ahead_and_match_the_departure(day: list[FlightStatusEvent]) -> None:
    announced = 0
    for events in by_flight(day).values():
        delayed = [e for e in events if e.status == FlightStatus.DELAYED]
        departed = [e for e in events if e.status == FlightStatus.DEPARTED]
        for event in delayed:
            assert event.reason is not None
            assert event.delay >= timedelta(minutes=15)
            assert event.emitted_at < event.est_dep
        if delayed and departed:
            announced += 1
            assert departed[0].est_dep == delayed[-1].est_dep
        if departed and departed[0].delay >= timedelta(minutes=15):
            assert delayed, "a late departure must have been announced"
    assert announced >= 10


def test_knock_on_keeps_the_minimum_turnaround(
    schedule: list[Flight], day: list[FlightStatusEvent]
) -> None:
    arrived = {e.flight_key: e for e in day if e.status == FlightStatus.ARRIVED}
    departed = {e.flight_key: e for e in day if e.status == FlightStatus.DEPARTED}
    rotations: dict[str, list[Flight]] = defaultdict(list)
    for flight in sorted(schedule, key=lambda f: f.sched_dep):
        rotations[flight.tail].append(flight)
    checked = 0
    for rotation in rotations.values():
        for before, after in itertools.pairwise(rotation):
            if before.key in arrived and after.key in departed:
                checked += 1
                gap = departed[after.key].est_dep - arrived[before.key].est_arr
                assert gap >= MIN_TURNAROUND, (before.key, after.key)
    assert checked >= 50
    assert any(e.reason == "knock_on" for e in day)


def test_gate_changes_carry_a_gate() -> None:
    events = generate_day(make_schedule(250), seed=7)
    changes = [e for e in events if e.status == FlightStatus.GATE_CHANGE]
    assert changes
    for event in changes:
        assert event.gate is not None and event.gate[0] in "ABCDE"
        assert event.sched_dep - event.emitted_at >= timedelta(minutes=20)


def test_diversions_go_to_another_airport_in_the_schedule(schedule: list[Flight]) -> None:
    airports = {HUB, *SPOKES}
    diverted = [
        e
        for seed in range(12)
        for e in generate_day(schedule, seed=seed)
        if e.status == FlightStatus.DIVERTED
    ]
    assert diverted
    for event in diverted:
        assert event.diverted_to in airports
        assert event.diverted_to not in (event.origin, event.destination)


def test_storm_closes_the_busiest_airport(schedule: list[Flight]) -> None:
    events = generate_day(schedule, seed=7, scenario="storm")
    plan = plan_storm(schedule, seed=7)
    assert plan.airport == HUB
    cancelled = {e.flight_key for e in events if e.status == FlightStatus.CANCELLED}
    in_window = [
        f
        for f in schedule
        if plan.closed(f.sched_dep if f.origin == HUB else f.sched_arr)
        and HUB in (f.origin, f.destination)
    ]
    assert len(in_window) >= 10
    share = sum(f.key in cancelled for f in in_window) / len(in_window)
    assert share >= 0.6
    for event in events:
        if event.status == FlightStatus.DEPARTED and event.origin == HUB:
            assert not plan.closed(event.est_dep)
        if event.status == FlightStatus.ARRIVED and event.destination == HUB:
            assert not plan.closed(event.est_arr)
    closure = [e for e in events if e.reason in ("airport_closure", "weather")]
    assert closure
    normal = generate_day(schedule, seed=7)
    knock_on = sum(e.reason == "knock_on" for e in events)
    assert knock_on > sum(e.reason == "knock_on" for e in normal)


def test_storm_airport_must_be_in_the_schedule(schedule: list[Flight]) -> None:
    with pytest.raises(ConfigError, match="XXX"):
        generate_day(schedule, seed=1, scenario="storm", storm_airport="XXX")
    with pytest.raises(ConfigError):
        generate_day(schedule, seed=1, storm_airport=HUB)


def test_summarize_counts_every_status(day: list[FlightStatusEvent]) -> None:
    counts = summarize(day)
    assert list(counts) == [s.value for s in FlightStatus]
    assert sum(counts.values()) == len(day)
    assert counts["departed"] == counts["arrived"] + counts["diverted"]


async def test_run_simulator_publishes_in_emitted_order(day: list[FlightStatusEvent]) -> None:
    # Start mid-morning: what is already due goes out at once, the rest as the clock runs.
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    events = [e for e in day if e.emitted_at <= start + timedelta(hours=2)]
    assert any(e.emitted_at > start for e in events)
    broker = EmbeddedBroker()
    clock = SimulatedClock(start, speed=20_000)
    progress: list[tuple[int, int]] = []
    sent = await run_simulator(
        events, EmbeddedSink(broker), clock, on_progress=lambda n, t: progress.append((n, t))
    )
    assert sent == len(events)
    records = broker.topics[TOPIC_FLIGHT_STATUS]
    assert [decode(r.value) for r in records] == events
    assert [r.key for r in records] == [e.flight_key.encode() for e in events]
    assert progress[-1] == (len(events), len(events))
    assert clock.now() >= events[-1].emitted_at


async def test_run_simulator_stops_cleanly_when_cancelled(day: list[FlightStatusEvent]) -> None:
    start = day[0].emitted_at
    broker = EmbeddedBroker()
    clock = SimulatedClock(start, speed=0)  # frozen: only the first instant's events are due
    task = asyncio.create_task(run_simulator(day, EmbeddedSink(broker), clock))
    due = sum(e.emitted_at <= start for e in day)
    assert 0 < due < len(day)
    await broker.wait_beyond(TOPIC_FLIGHT_STATUS, due - 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(broker.topics[TOPIC_FLIGHT_STATUS]) == due
