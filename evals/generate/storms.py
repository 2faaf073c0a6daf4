"""Event timelines on a generated world: delays that grow and shrink, cancellations and
reinstatements, diversions, hub closures (many records at one instant), late arrivals,
advance notices a day ahead, duplicates, records out of order, and malformed bytes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from evals.generate.model import START_HOUR, GenEvent, GenFlight, GenWorld
from evals.oracle.record import Place

REASONS = [
    "technical",
    "crew",
    "weather",
    "atc",
    "airport_closure",
    "own_staff_strike",
    "knock_on",
    "scheduling",
]
MALFORMED = [
    '{"torn": ',
    "not json at all",
    '{"event_id": "x", "status": "cancelled"}',
    "[]",
    '{"schema_version": 9}',
]


def _minutes(rng: random.Random, low: int, high: int, step: int = 5) -> timedelta:
    return timedelta(minutes=rng.randrange(low, high + 1, step))


def add_storm(
    rng: random.Random, world: GenWorld, places: dict[str, Place], hubs: list[str]
) -> None:
    start = datetime.combine(world.day, time(START_HOUR), tzinfo=UTC)
    booked = [world.flights[k] for b in world.bookings.values() for k, _ in b.legs]
    flights = sorted(world.flights.values(), key=lambda f: f.dep)
    pieces = [_delays, _cancel, _diversion, _hub_closure, _late_arrival, _advance_notice]
    weights = [4, 4, 1, 1, 1, 1]
    counter = [0]

    def target() -> GenFlight:
        pool = booked if booked and rng.random() < 0.75 else flights
        return rng.choice(pool)

    def event_id() -> str:
        counter[0] += 1
        return f"{world.name}-e{counter[0]}"

    for _ in range(rng.randint(1, 4)):
        piece = rng.choices(pieces, weights)[0]
        piece(rng, world, start, target(), places, hubs, event_id)
    if world.events and rng.random() < 0.3:  # a duplicate: the same record again, later
        original = rng.choice([e for e in world.events if e.raw is None])
        world.events.append(
            GenEvent(
                original.at + _minutes(rng, 1, 30),
                original.flight,
                original.status,
                original.reason,
                original.delay,
                original.arrival_delay,
                original.diverted_to,
                original.id,
                original.emitted or original.at,
            )
        )
        world.notes.append("a duplicate record")
    if world.events and rng.random() < 0.2:  # an older record arriving after a newer one
        newer = rng.choice(
            [e for e in world.events if e.raw is None and e.status == "delayed"] or [None]
        )
        if newer is not None:
            world.events.append(
                GenEvent(
                    newer.at + _minutes(rng, 1, 10),
                    newer.flight,
                    "delayed",
                    newer.reason,
                    (newer.delay or timedelta()) + timedelta(minutes=45),
                    None,
                    None,
                    event_id(),
                    newer.at - timedelta(minutes=10),
                )
            )
            world.notes.append("a record out of order")
    if rng.random() < 0.2:
        world.events.append(GenEvent(_minutes(rng, 0, 120), None, raw=rng.choice(MALFORMED)))
        world.notes.append("a malformed record")


def _when(rng: random.Random, start: datetime, flight: GenFlight) -> timedelta:
    """A moment before the flight leaves (at least 0)."""
    latest = max(timedelta(0), flight.dep - start - timedelta(minutes=20))
    return (
        timedelta(minutes=rng.randrange(0, int(latest.total_seconds() // 60) + 1, 5))
        if latest
        else timedelta(0)
    )


def _delays(rng, world, start, flight, places, hubs, event_id) -> None:  # type: ignore[no-untyped-def]
    at = _when(rng, start, flight)
    reason = rng.choice(REASONS)
    delay = _minutes(rng, 20, 300)
    world.events.append(GenEvent(at, flight.key, "delayed", reason, delay, id=event_id()))
    for _ in range(rng.randint(0, 2)):
        at += _minutes(rng, 10, 90)
        delay = max(timedelta(0), delay + _minutes(rng, -150, 150))
        status = "delayed" if delay else "scheduled"
        world.events.append(GenEvent(at, flight.key, status, reason, delay or None, id=event_id()))
    world.notes.append(f"delays of {flight.code} that grow and shrink")


def _cancel(rng, world, start, flight, places, hubs, event_id) -> None:  # type: ignore[no-untyped-def]
    at = _when(rng, start, flight)
    reason = rng.choice(REASONS)
    world.events.append(GenEvent(at, flight.key, "cancelled", reason, id=event_id()))
    note = f"{flight.code} cancelled ({reason})"
    if rng.random() < 0.2:
        world.events.append(
            GenEvent(at + _minutes(rng, 5, 60), flight.key, "scheduled", reason, id=event_id())
        )
        note += " and reinstated"
    world.notes.append(note)


def _diversion(rng, world, start, flight, places, hubs, event_id) -> None:  # type: ignore[no-untyped-def]
    others = [p for p in places if p not in (flight.origin, flight.destination)]
    if not others:
        return _cancel(rng, world, start, flight, places, hubs, event_id)
    dep = max(flight.dep - start, timedelta(0))
    world.events.append(GenEvent(dep, flight.key, "departed", None, id=event_id()))
    at = dep + _minutes(rng, 10, 40)
    world.events.append(
        GenEvent(
            at,
            flight.key,
            "diverted",
            rng.choice(["weather", "technical", "security"]),
            diverted_to=rng.choice(others),
            id=event_id(),
        )
    )
    world.notes.append(f"{flight.code} diverted")


def _hub_closure(rng, world, start, flight, places, hubs, event_id) -> None:  # type: ignore[no-untyped-def]
    hub = rng.choice(hubs)
    at = _minutes(rng, 0, 120)
    opens, closes = start + at + timedelta(hours=1), start + at + _minutes(rng, 120, 300)
    hit = [
        f
        for f in world.flights.values()
        if hub in (f.origin, f.destination) and opens <= f.dep <= closes
    ]
    reason = rng.choice(["weather", "airport_closure"])
    for f in hit:
        if rng.random() < 0.6:
            world.events.append(GenEvent(at, f.key, "cancelled", reason, id=event_id()))
        else:
            world.events.append(
                GenEvent(
                    at,
                    f.key,
                    "delayed",
                    reason,
                    closes - f.dep + timedelta(minutes=30),
                    id=event_id(),
                )
            )
    world.notes.append(
        f"{hub} closed from {opens:%H:%M} to {closes:%H:%M}Z: {len(hit)} records at once"
    )


def _late_arrival(rng, world, start, flight, places, hubs, event_id) -> None:  # type: ignore[no-untyped-def]
    delay = _minutes(rng, 150, 330)
    at = _when(rng, start, flight)
    reason = rng.choice(REASONS)
    world.events.append(GenEvent(at, flight.key, "delayed", reason, delay, id=event_id()))
    dep = flight.dep + delay - start
    world.events.append(GenEvent(dep, flight.key, "departed", reason, delay, id=event_id()))
    arrive = flight.arr + delay - start
    world.events.append(GenEvent(arrive, flight.key, "arrived", reason, delay, id=event_id()))
    world.notes.append(f"{flight.code} arrives {int(delay.total_seconds() // 60)} min late")


def _advance_notice(rng, world, start, flight, places, hubs, event_id) -> None:  # type: ignore[no-untyped-def]
    later = [f for f in world.flights.values() if f.day > world.day]
    if not later:
        return _cancel(rng, world, start, flight, places, hubs, event_id)
    f = rng.choice(later)
    world.events.append(
        GenEvent(_minutes(rng, 0, 60), f.key, "cancelled", rng.choice(REASONS), id=event_id())
    )
    world.notes.append(f"{f.code} on {f.day} cancelled a day ahead")
