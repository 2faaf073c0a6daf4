"""The generator's world model: plain data that becomes a scenario (evals/README.md).

Kept apart from the random choices (`worlds`, `storms`) so it is easy to extend: a booking
already has N passengers and a group (linked bookings), a journey any number of legs
(a return or open-jaw is legs that come back); the scenario format carries what the agent
supports today, and `to_scenario` is the one place that maps the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

START_HOUR = 5


@dataclass
class GenFlight:
    carrier: str
    number: int
    day: date
    origin: str
    destination: str
    dep: datetime
    arr: datetime
    cabins: dict[str, int]

    @property
    def code(self) -> str:
        return f"{self.carrier}{self.number}"

    @property
    def key(self) -> str:
        return f"{self.code}/{self.day.isoformat()}"


@dataclass
class GenCustomer:
    id: str
    name: str
    tier: str
    language: str
    channels: list[dict[str, Any]]


@dataclass
class GenBooking:
    pnr: str
    customer: str
    fare: str
    price: float
    currency: str
    legs: list[tuple[str, str]]
    """(flight key, cabin) in travel order."""
    ssr: list[str] = field(default_factory=list)
    passengers: int = 1
    """Travellers on the booking; the scenario format (and the agent) carry 1 today."""
    group: str | None = None


@dataclass
class GenEvent:
    at: timedelta
    flight: str | None
    status: str | None = None
    reason: str | None = None
    delay: timedelta | None = None
    arrival_delay: timedelta | None = None
    diverted_to: str | None = None
    id: str | None = None
    emitted: timedelta | None = None
    raw: str | None = None


@dataclass
class GenWorld:
    name: str
    day: date
    flights: dict[str, GenFlight]
    customers: dict[str, GenCustomer]
    bookings: dict[str, GenBooking]
    events: list[GenEvent]
    inventory: list[tuple[str, str, int]] = field(default_factory=list)
    """(flight key, cabin, seats left)."""
    memory: list[dict[str, Any]] = field(default_factory=list)
    injections: list[dict[str, Any]] = field(default_factory=list)
    run_for: str = "10h"
    """Long enough for messages held over a night to go out."""
    notes: list[str] = field(default_factory=list)
    """What the generator did, for the scenario's description."""


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds % 60:
        return f"{sign}{seconds}s"
    return f"{sign}{seconds // 60}m"


def _flight_ref(world: GenWorld, key: str) -> dict[str, Any]:
    f = world.flights[key]
    ref: dict[str, Any] = {"flight": f.code}
    if f.day != world.day:
        ref["date"] = f.day.isoformat()
    return ref


def to_scenario(
    world: GenWorld, *, description: str = "", expect: list[Any] | None = None
) -> dict[str, Any]:
    """The world as a scenario mapping, ready for YAML and `evals.scenario.parse_scenario`."""
    flights = [
        {
            "flight": f.code,
            "date": f.day.isoformat(),
            "from": f.origin,
            "to": f.destination,
            "dep": f.dep.isoformat(),
            "arr": f.arr.isoformat(),
            "cabins": dict(f.cabins),
        }
        for f in sorted(world.flights.values(), key=lambda f: (f.dep, f.key))
    ]
    events = []
    for e in sorted(world.events, key=lambda e: e.at):
        if e.raw is not None:
            events.append({"at": _duration(e.at), "raw": e.raw})
            continue
        assert e.flight is not None
        spec: dict[str, Any] = {
            "at": _duration(e.at),
            **_flight_ref(world, e.flight),
            "status": e.status,
        }
        for name in ("reason", "diverted_to", "id"):
            if getattr(e, name) is not None:
                spec[name] = getattr(e, name)
        for name in ("delay", "arrival_delay", "emitted"):
            value = getattr(e, name)
            if value is not None:
                spec[name] = _duration(value)
        events.append(spec)
    customers = [
        {"id": c.id, "name": c.name, "language": c.language, "tier": c.tier, "channels": c.channels}
        for c in world.customers.values()
        if any(b.customer == c.id for b in world.bookings.values())
    ]
    bookings = [
        {
            "pnr": b.pnr,
            "customer": b.customer,
            "fare": b.fare,
            "price": b.price,
            "currency": b.currency,
            "segments": [{**_flight_ref(world, key), "cabin": cabin} for key, cabin in b.legs],
            **({"ssr": b.ssr} if b.ssr else {}),
        }
        for b in world.bookings.values()
    ]
    kept = {c["id"] for c in customers}
    groups: dict[str, list[str]] = {}
    for b in world.bookings.values():
        if b.group:
            groups.setdefault(b.group, []).append(b.pnr)
    oracle: dict[str, Any] = {}
    injections = [i for i in world.injections if i["booking"] in world.bookings]
    if injections:
        oracle["injections"] = injections
    linked = [sorted(g) for g in groups.values() if len(g) > 1]
    if linked:
        oracle["groups"] = linked
    scenario: dict[str, Any] = {
        "name": world.name,
        "description": description or "; ".join(world.notes),
        "tags": ["generated"],
        "world": {
            "seed": "empty",
            "date": world.day.isoformat(),
            "start": f"{START_HOUR:02d}:00",
            "flights": flights,
            "inventory": [
                {**_flight_ref(world, key), "cabin": cabin, "seats_left": left}
                for key, cabin, left in world.inventory
                if key in world.flights
            ],
            "customers": customers,
            "bookings": bookings,
            "memory": [m for m in world.memory if m["customer"] in kept],
        },
        "events": events,
        "run_for": world.run_for,
        "expect": expect or [{"oracle": {}}],
    }
    if oracle:
        scenario["oracle"] = oracle
    return scenario
