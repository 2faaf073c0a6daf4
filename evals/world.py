"""Build a scenario's isolated world: a named seed plus the scenario's own data, in SQLite.

Named seeds (``evals/seeds/<name>.yaml``) are compact timetables on real airports with no
passengers, so a world builds in milliseconds and every passenger in it is one the
scenario wrote down: nothing else competes for seats unless the scenario says so
(`InventorySpec.seats_left`). ``empty`` has no flights at all.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import yaml

from airline.airports import great_circle_km, load_airports
from airline.models import (
    Booking,
    Cabin,
    CabinInventory,
    ContactChannel,
    Customer,
    Flight,
    Journey,
    Passenger,
    PassengerType,
    Segment,
    flight_key,
)
from airline.seed import World, write_world
from evals.scenario_world import (
    BookingSpec,
    FlightSpec,
    PassengerSpec,
    ScenarioError,
    WorldSpec,
    parse_time,
    split_flight,
)
from travel_agent.db import Database

SEEDS = Path(__file__).with_name("seeds")
LONG_HAUL_KM = 3500


@cache
def seed_flights(name: str) -> tuple[FlightSpec, ...]:
    """The flights of a named seed (``empty`` has none)."""
    if name == "empty":
        return ()
    path = SEEDS / f"{name}.yaml"
    if not path.is_file():
        known = sorted(["empty", *(p.stem for p in SEEDS.glob("*.yaml"))])
        raise ScenarioError(f"unknown world seed {name!r}; known: {', '.join(known)}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(FlightSpec.model_validate(f) for f in data.get("flights", []))


def default_cabins(distance_km: int) -> dict[Cabin, int]:
    if distance_km >= LONG_HAUL_KM:
        return {Cabin.BUSINESS: 30, Cabin.PREMIUM: 28, Cabin.ECONOMY: 222}
    return {Cabin.BUSINESS: 12, Cabin.ECONOMY: 150}


def _key(code: str, day: object, default: object) -> str:
    carrier, number = split_flight(code)
    return flight_key(carrier, number, day or default)  # type: ignore[arg-type]


def build(spec: WorldSpec) -> World:
    """The scenario's world as models (nothing stored yet).

    Raises:
        ScenarioError: a booking or inventory line names a flight the world lacks, or a
            cabin it does not have, or sells more seats than there are.
    """
    specs: dict[str, FlightSpec] = {}
    for f in (*seed_flights(spec.seed), *spec.flights):
        specs[_key(f.flight, f.date, spec.date)] = f  # inline flights replace seeded ones
    codes = sorted({c for f in specs.values() for c in (f.origin, f.destination)})
    airports = load_airports(codes)
    by_code = {a.iata: a for a in airports}

    booked: Counter[tuple[str, Cabin]] = Counter()
    for booking in spec.bookings:
        for journey in booking.journey_specs:
            for segment in journey.segments:
                key = _key(segment.flight, segment.date, spec.date)
                if key not in specs:
                    raise ScenarioError(f"booking {booking.pnr}: no flight {key} in the world")
                booked[key, segment.cabin] += booking.seats
    seats_left = {}
    for line in spec.inventory:
        key = _key(line.flight, line.date, spec.date)
        if key not in specs:
            raise ScenarioError(f"inventory: no flight {key} in the world")
        seats_left[key, line.cabin] = line.seats_left

    flights: list[Flight] = []
    for key, f in specs.items():
        carrier, number = split_flight(f.flight)
        day = f.date or spec.date
        dep = parse_time(f.dep, day)
        arr = parse_time(f.arr, day)
        if arr <= dep:
            arr += timedelta(days=1)
        km = great_circle_km(by_code[f.origin], by_code[f.destination])
        cabins = []
        for cabin, capacity in (f.cabins or default_cabins(km)).items():
            sold = booked[key, cabin]
            if (key, cabin) in seats_left:
                sold = capacity - seats_left[key, cabin]
                if sold < booked[key, cabin]:
                    raise ScenarioError(
                        f"inventory: {key} {cabin} has {capacity} seats; "
                        f"{seats_left[key, cabin]} left is fewer than the scenario books"
                    )
            if sold > capacity:
                raise ScenarioError(f"{key} {cabin}: {sold} booked, {capacity} seats")
            cabins.append(CabinInventory(cabin=cabin, capacity=capacity, sold=sold))
        for (k, cabin), n in booked.items():
            if k == key and cabin not in (f.cabins or default_cabins(km)):
                raise ScenarioError(f"{n} booking(s) in {cabin} on {key}, which has no {cabin}")
        flights.append(
            Flight(
                key=key,
                carrier=carrier,
                number=number,
                service_date=day,
                origin=f.origin,
                destination=f.destination,
                sched_dep=dep,
                sched_arr=arr,
                tail=f.tail or f"T-{carrier}{number}-{day:%m%d}",
                distance_km=km,
                cabins=cabins,
            )
        )
    flights.sort(key=lambda x: (x.sched_dep, x.key))

    customers = [
        Customer(
            id=c.id,
            name=c.name,
            language=c.language,
            tier=c.tier,
            channels=[
                ContactChannel(
                    kind=ch.kind,
                    address=ch.address or _address(c.id, ch.kind.value, i),
                    consent=ch.consent,
                    priority=ch.priority,
                )
                for i, ch in enumerate(c.channels)
            ],
        )
        for c in spec.customers
    ]
    names = {c.id: c.name for c in spec.customers}
    by_key = {f.key: f for f in flights}
    bookings = [_booking(b, spec, names[b.customer], by_key) for b in spec.bookings]
    return World(0, spec.date, airports, flights, customers, bookings)


def _booking(b: BookingSpec, spec: WorldSpec, contact: str, flights: dict[str, Flight]) -> Booking:
    """The booking a spec describes: its passengers (one adult, the contact, by default),
    its journeys (from each journey's first origin to its last destination), segments."""
    segments: list[Segment] = []
    journeys: list[Journey] = []
    for number, journey in enumerate(b.journey_specs, start=1):
        keys = [_key(s.flight, s.date, spec.date) for s in journey.segments]
        journeys.append(
            Journey(
                seq=number,
                origin=flights[keys[0]].origin,
                destination=flights[keys[-1]].destination,
                price_cents=None if journey.price is None else round(journey.price * 100),
            )
        )
        segments += [
            Segment(seq=len(segments) + i, flight_key=key, cabin=s.cabin, journey=number)
            for i, (key, s) in enumerate(zip(keys, journey.segments, strict=True), start=1)
        ]
    people = b.passengers or [PassengerSpec()]
    passengers = [
        Passenger(
            seq=seq,
            name=p.name or (contact if seq == 1 else f"Guest {seq}"),
            type=p.type,
            ssr=[*p.ssr, *(b.ssr if seq == 1 else [])],
            on_lap_of=(p.on_lap_of or 1) if p.type is PassengerType.INFANT else None,
            language=p.language,
            contact=[
                ContactChannel(
                    kind=ch.kind,
                    address=ch.address or _address(f"{b.pnr}-{seq}", ch.kind.value, i),
                    consent=ch.consent,
                    priority=ch.priority,
                )
                for i, ch in enumerate(p.contact)
            ],
        )
        for seq, p in enumerate(people, start=1)
    ]
    return Booking(
        pnr=b.pnr,
        customer_id=b.customer,
        fare=b.fare,
        price_cents=round(b.price * 100),
        currency=b.currency,
        payment=b.payment,
        passengers=passengers,
        journeys=journeys,
        segments=segments,
    )


def _address(customer_id: str, kind: str, index: int) -> str:
    """Addresses that reach nobody (RFC 2606 domains, the UK's drama phone range)."""
    if kind == "sms":
        return f"+4477009{index:02d}{zlib.crc32(customer_id.encode()) % 1000:03d}"
    if kind == "webhook":
        return f"https://example.com/hooks/{customer_id}"
    return f"{customer_id.lower()}@example.com"


async def write(
    spec: WorldSpec,
    db_path: Path,
    *,
    open_database: Callable[[Path], AbstractAsyncContextManager[Database]],
) -> World:
    """Build the world and store it in a fresh database at `db_path`, opened (with its
    schema) by `open_database` — the application's, which knows every room's tables."""
    world = build(spec)
    async with open_database(db_path) as db:
        await write_world(db, world)
    return world


def at(spec: WorldSpec, offset: timedelta) -> datetime:
    """The instant `offset` after the scenario's start."""
    return spec.start_at + offset
