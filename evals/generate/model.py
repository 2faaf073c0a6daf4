"""The generator's world model: plain data that becomes a scenario (evals/README.md).

Kept apart from the random choices (`worlds`, `storms`) so it is easy to extend: a booking
has passengers (adults, children, lap infants), a group (linked bookings) and one or more
journeys (a return is a second journey that comes back); `to_scenario` is the one place
that maps them to the scenario format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

START_HOUR = 5
FIRST_NAMES = ["Anna", "Ben", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivo", "Julia"]
"""Given names of customers and their companions."""


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
class GenPassenger:
    """A traveller beyond the customer's own (who is the booking's first passenger)."""

    name: str
    type: str = "adult"
    """adult, child or infant (an infant travels on the first passenger's lap)."""


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
    companions: list[GenPassenger] = field(default_factory=list)
    """Who travels with the customer on this booking (none: the customer alone)."""
    group: str | None = None
    returns_at: int | None = None
    """Index in `legs` where the second journey (the way back) starts; None: one way."""

    @property
    def seats(self) -> int:
        """Seats the party takes on each flight (a lap infant takes none)."""
        return 1 + sum(p.type != "infant" for p in self.companions)


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


def _booking(world: GenWorld, b: GenBooking) -> dict[str, Any]:
    def segments(legs: list[tuple[str, str]]) -> list[dict[str, Any]]:
        return [{**_flight_ref(world, key), "cabin": cabin} for key, cabin in legs]

    spec: dict[str, Any] = {
        "pnr": b.pnr,
        "customer": b.customer,
        "fare": b.fare,
        "price": b.price,
        "currency": b.currency,
    }
    if b.returns_at is None:
        spec["segments"] = segments(b.legs)
    else:  # each way its share of the price
        half = round(b.price / 2, 2)
        spec["journeys"] = [
            {"segments": segments(b.legs[: b.returns_at]), "price": half},
            {"segments": segments(b.legs[b.returns_at :]), "price": round(b.price - half, 2)},
        ]
    if b.companions:  # the first passenger is the customer's own traveller
        spec["passengers"] = [
            {},
            *({"name": p.name, "type": p.type} for p in b.companions),
        ]
    if b.ssr:
        spec["ssr"] = b.ssr
    return spec


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
    bookings = [_booking(world, b) for b in world.bookings.values()]
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
