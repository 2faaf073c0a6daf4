"""A deterministic synthetic world on real airports: schedule, fleet, passengers, bookings.

Two carriers fly hub-and-spoke networks that overlap on most European spokes, so a
disrupted passenger usually has a same-day alternative on the other carrier:

    XA  hub FRA, flights XA100–XA999, tails D-AX..
    XB  hub AMS, flights XB1000–XB1999, tails PH-X..

Departures leave the hubs in waves so that feeder flights connect onto them; each spoke
also has a morning flight in (its aircraft slept there) and an evening flight out. Every
aircraft flies a rotation hub → spoke → hub → … with at least `MIN_TURNAROUND` on the
ground, so a late arrival can be propagated to the tail's next flight. Passengers and their
bookings come from `airline.seed_people`.

Everything is drawn from one `random.Random(seed)` in a fixed order and nothing iterates
over a set, so the same seed and date give a byte-identical world in every process.

Why it is long: the draw order *is* the world. Network, schedule, tails and numbering
draw from one generator one after another; spread over modules, a harmless-looking
reordering of imports or calls would change every seeded world (and every figure and
test that depends on one). Passengers, drawn last, already live in `airline.seed_people`.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

import airline.tables  # noqa: F401  (registers the airline tables on Base before create_all)
from airline.airports import great_circle_km, load_airports
from airline.board import SCHEDULE_ONLY
from airline.journeys import derive_journeys
from airline.models import (
    Airport,
    Booking,
    Cabin,
    CabinInventory,
    Customer,
    Flight,
    FlightStatus,
    PassengerType,
    flight_key,
)
from airline.seed_people import MEAN_LOAD_FACTOR, book_passengers
from airline.tables import (
    AirportRow,
    BoardRow,
    BookingRow,
    ChannelRow,
    CustomerRow,
    FlightRow,
    InventoryRow,
    JourneyRow,
    PassengerRow,
    SegmentRow,
)
from travel_agent.db import Database
from travel_agent.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_SERVICE_DATE = date(2026, 3, 1)
MIN_TURNAROUND = timedelta(minutes=35)
CRUISE_KMH = 780.0
TAXI = timedelta(minutes=25)
WIDE_BODY_KM = 3500
"""Routes at least this long are flown by wide-bodies (and are long-haul)."""

# Hub departure waves, local time. Feeders arrive between waves, so most arrivals find an
# onward wave between the hub's MCT and the 4 h cap on connections.
_WAVES = (time(7, 0), time(9, 15), time(11, 30), time(13, 45), time(16, 0), time(18, 15))
_NIGHT_WAVE = time(20, 30)
"""The last wave: its aircraft sleep at the spoke and fly the next morning's first flight in."""
_LAST_DEPARTURE = time(22, 0)
_MAX_DAILY = 6
"""Most round trips a spoke gets when `passengers_target` asks for a bigger schedule."""


@dataclass(frozen=True)
class _Carrier:
    code: str
    hub: str
    first_number: int
    long_haul_number: int
    registration: str
    routes: tuple[tuple[str, int], ...]
    """(spoke, round trips a day); long-haul spokes get one."""


# fmt: off
_CARRIERS = (
    _Carrier("XA", "FRA", 100, 800, "D-AX", (
        ("LHR", 4), ("CDG", 4), ("MUC", 4), ("BER", 4), ("HAM", 3), ("AMS", 3), ("MAD", 3),
        ("BCN", 3), ("FCO", 3), ("MXP", 3), ("VIE", 3), ("ZRH", 3), ("CPH", 3), ("WAW", 3),
        ("BRU", 3), ("ARN", 3), ("OSL", 2), ("HEL", 2), ("PRG", 2), ("BUD", 2), ("LIS", 2),
        ("DUB", 2), ("ATH", 2), ("JFK", 1), ("ORD", 1),
    )),
    _Carrier("XB", "AMS", 1000, 1800, "PH-X", (
        ("LHR", 4), ("CDG", 3), ("FRA", 3), ("MAN", 3), ("BCN", 3), ("CPH", 3), ("MAD", 3),
        ("FCO", 3), ("ZRH", 3), ("EDI", 2), ("MXP", 2), ("VIE", 2), ("ARN", 2), ("OSL", 2),
        ("HEL", 2), ("WAW", 2), ("PRG", 2), ("BUD", 2), ("LIS", 2), ("DUB", 2), ("ATH", 2),
        ("JFK", 1), ("BOS", 1),
    )),
)
# fmt: on


class WorldSummary(BaseModel):
    """The figures of a seeded world, for the CLI and the logs."""

    seed: int
    service_date: date
    airports: int
    flights: int
    customers: int
    bookings: int
    passengers: int = Field(description="travellers over all bookings, infants included")
    infants: int = Field(description="infants on a lap, who take no seat")
    multi_passenger_bookings: int = Field(description="bookings of two passengers or more")
    return_bookings: int = Field(description="bookings of two journeys or more")
    connecting_bookings: int = Field(description="bookings with a journey of two segments")
    seats: int = Field(description="seats offered over all flights and cabins")
    seats_sold: int
    load_factor: float = Field(description="seats sold / seats offered")


@dataclass
class World:
    """One service day of the synthetic airline world (pydantic models, not yet stored)."""

    seed: int
    service_date: date
    airports: list[Airport] = field(default_factory=list)
    flights: list[Flight] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)

    def summary(self) -> WorldSummary:
        """Counts and load factor of this world."""
        seats = sum(c.capacity for f in self.flights for c in f.cabins)
        sold = sum(c.sold for f in self.flights for c in f.cabins)
        return WorldSummary(
            seed=self.seed,
            service_date=self.service_date,
            airports=len(self.airports),
            flights=len(self.flights),
            customers=len(self.customers),
            bookings=len(self.bookings),
            passengers=sum(len(b.passengers) for b in self.bookings),
            infants=sum(b.infants for b in self.bookings),
            multi_passenger_bookings=sum(len(b.passengers) > 1 for b in self.bookings),
            return_bookings=sum(len({s.journey for s in b.segments}) > 1 for b in self.bookings),
            connecting_bookings=sum(
                any(
                    len(b.journey_segments(j, active_only=False)) > 1
                    for j in {s.journey for s in b.segments}
                )
                for b in self.bookings
            ),
            seats=seats,
            seats_sold=sold,
            load_factor=round(sold / seats, 4) if seats else 0.0,
        )

    def fingerprint(self) -> str:
        """A SHA-256 over the whole world: equal fingerprints mean byte-identical worlds."""
        digest = hashlib.sha256(f"{self.seed}/{self.service_date}".encode())
        for group in (self.airports, self.flights, self.customers, self.bookings):
            for model in group:
                digest.update(model.model_dump_json().encode())
        return digest.hexdigest()


def _connects(booking: Booking) -> bool:
    """Whether a journey of the booking has two segments or more."""
    journeys = Counter(s.journey for s in booking.segments)
    return any(n > 1 for n in journeys.values())


@dataclass
class _Leg:
    origin: str
    destination: str
    dep: datetime
    arr: datetime
    distance_km: int
    tail: str = ""


def build_world(
    seed: int = 7,
    service_date: date = DEFAULT_SERVICE_DATE,
    *,
    passengers_target: int = 12_000,
) -> World:
    """Build the synthetic world of one service day (no database, network or clock).

    Args:
        seed: drives every random choice; the same seed and date give the same world.
        service_date: the local date on which every flight departs.
        passengers_target: about the fewest passengers the world should carry. Flights are
            filled to realistic load factors, so the default schedule (about 250 flights)
            already carries some 27 000; a larger target adds daily round trips to the
            spokes until the expected passengers reach it.

    Raises:
        ConfigError: `passengers_target` is more than the network can carry.
    """
    with _cyclic_gc_paused():
        return _build(seed, service_date, passengers_target)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    # The build allocates ~150k long-lived objects and no reference cycles; the cyclic
    # collector would rescan the growing heap again and again, doubling the build time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(seed: int, service_date: date, passengers_target: int) -> World:
    rng = random.Random(seed)
    codes = {c.hub for c in _CARRIERS} | {spoke for c in _CARRIERS for spoke, _ in c.routes}
    airports = load_airports(sorted(codes))
    by_code = {a.iata: a for a in airports}
    carriers = _sized_network(passengers_target, by_code)
    flights: list[Flight] = []
    for carrier in carriers:
        legs = _schedule(rng, carrier, by_code, service_date)
        _assign_tails(legs, carrier)
        flights.extend(_number(legs, carrier, service_date))
    flights.sort(key=lambda f: (f.sched_dep, f.key))
    customers, bookings = book_passengers(
        rng, flights, by_code, hubs={c.code: c.hub for c in carriers}
    )
    _special_service_requests(random.Random(f"ssr-{seed}"), bookings)
    return World(seed, service_date, airports, flights, customers, bookings)


# Shares of passengers with a special service request (roughly what European carriers
# report: about 1 % ask for wheelchair assistance; unaccompanied minors are rarer).
_SSR_SHARES = (("WCHR", 0.008), ("WCHC", 0.002), ("UMNR", 0.003), ("BLND", 0.001))


def _special_service_requests(rng: random.Random, bookings: list[Booking]) -> None:
    """A few passengers carry SSR codes (own generator: the rest of the world is
    unchanged). An unaccompanied minor is a child travelling alone: only a booking of one
    passenger gets UMNR, and that passenger becomes a child."""
    for booking in bookings:
        for passenger in booking.passengers:
            if not passenger.needs_seat:
                continue
            draw = rng.random()
            for code, share in _SSR_SHARES:
                if draw < share:
                    if code == "UMNR":
                        if len(booking.passengers) > 1:
                            break
                        passenger.type = PassengerType.CHILD
                    passenger.ssr = [code]
                    break
                draw -= share
        booking.ssr = list(dict.fromkeys(c for p in booking.passengers for c in p.ssr))


def _seats(distance_km: int) -> int:
    return sum(c.capacity for c in _cabins(distance_km))


def _cabins(distance_km: int) -> list[CabinInventory]:
    layout: tuple[tuple[Cabin, int], ...] = ((Cabin.BUSINESS, 12), (Cabin.ECONOMY, 168))
    if distance_km >= WIDE_BODY_KM:
        layout = ((Cabin.BUSINESS, 30), (Cabin.PREMIUM, 28), (Cabin.ECONOMY, 222))
    return [CabinInventory(cabin=cabin, capacity=n, sold=0) for cabin, n in layout]


def _sized_network(passengers_target: int, airports: dict[str, Airport]) -> tuple[_Carrier, ...]:
    """The carriers, with frequencies raised until their seats carry `passengers_target`."""
    freq = {(c.code, spoke): n for c in _CARRIERS for spoke, n in c.routes}
    dist = {
        (c.code, spoke): great_circle_km(airports[c.hub], airports[spoke])
        for c in _CARRIERS
        for spoke, _ in c.routes
    }

    def carried() -> float:
        # A booking is 1.3 segments on average (about 30 % connect), hence the division.
        seats = sum(2 * n * _seats(dist[route]) for route, n in freq.items())
        return seats * MEAN_LOAD_FACTOR / 1.3

    short_haul = [route for route in freq if dist[route] < WIDE_BODY_KM]
    while carried() < passengers_target:
        growable = [route for route in short_haul if freq[route] < _MAX_DAILY]
        if not growable:
            raise ConfigError(
                f"passengers_target={passengers_target} is more than the network can carry "
                f"(about {int(carried())} passengers a day); ask for fewer"
            )
        route = min(growable, key=lambda r: (freq[r], short_haul.index(r)))
        freq[route] += 1
    return tuple(
        replace(c, routes=tuple((spoke, freq[c.code, spoke]) for spoke, _ in c.routes))
        for c in _CARRIERS
    )


def _block(distance_km: int) -> timedelta:
    """Gate-to-gate time: cruise plus taxi, rounded to 5 minutes like a timetable."""
    minutes = distance_km / CRUISE_KMH * 60 + TAXI.total_seconds() / 60
    return timedelta(minutes=5 * round(minutes / 5))


def _at(day: date, local: time, tz: str) -> datetime:
    return datetime.combine(day, local, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _jitter(rng: random.Random, minutes: int) -> timedelta:
    """0 to `minutes` in 5-minute steps: flights of a wave do not all leave at once."""
    return timedelta(minutes=rng.randrange(0, minutes + 1, 5))


def _schedule(
    rng: random.Random, carrier: _Carrier, airports: dict[str, Airport], day: date
) -> list[_Leg]:
    """The carrier's flights of the day, without numbers or tails yet."""
    hub = airports[carrier.hub]
    legs: list[_Leg] = []

    def fly(origin: Airport, destination: Airport, dep: datetime) -> _Leg:
        km = great_circle_km(origin, destination)
        leg = _Leg(origin.iata, destination.iata, dep, dep + _block(km), km)
        legs.append(leg)
        return leg

    long_hauls = 0
    for code, trips in carrier.routes:
        spoke = airports[code]
        if great_circle_km(hub, spoke) >= WIDE_BODY_KM:
            # One wide-body a day, leaving after the morning feeders have arrived and
            # turning round at the far end; it lands back at the hub the next morning.
            wave = _WAVES[2 + long_hauls % 2]
            long_hauls += 1
            out = fly(hub, spoke, _at(day, wave, hub.tz) + _jitter(rng, 30))
            fly(spoke, hub, out.arr + timedelta(minutes=105) + _jitter(rng, 45))
            continue
        # The morning flight in: the aircraft spent the night at the spoke.
        fly(spoke, hub, _at(day, time(6, 0), spoke.tz) + _jitter(rng, 75))
        feasible = []
        for wave in _WAVES:
            dep = _at(day, wave, hub.tz) + timedelta(minutes=45)
            back = dep + _block(great_circle_km(hub, spoke)) + timedelta(minutes=60)
            if back <= _at(day, _LAST_DEPARTURE, spoke.tz):
                feasible.append(wave)
        for wave in sorted(rng.sample(feasible, min(trips - 1, len(feasible)))):
            out = fly(hub, spoke, _at(day, wave, hub.tz) + _jitter(rng, 45))
            # 40–60 minutes on the ground at the spoke: a short-haul turn.
            fly(spoke, hub, out.arr + timedelta(minutes=40) + _jitter(rng, 20))
        # The evening flight out, whose aircraft flies the next day's first flight in.
        fly(hub, spoke, _at(day, _NIGHT_WAVE, hub.tz) + _jitter(rng, 45))
    return legs


def _assign_tails(legs: list[_Leg], carrier: _Carrier) -> None:
    """Chain the legs into aircraft rotations, reusing an aircraft wherever one is ready.

    Legs are taken by departure; each goes to the aircraft that has waited longest at its
    origin with `MIN_TURNAROUND` done, else to a new aircraft that starts its day there.
    """
    parked: dict[tuple[str, bool], list[tuple[datetime, str]]] = defaultdict(list)
    fleet = 0
    for leg in sorted(legs, key=lambda x: (x.dep, x.origin, x.destination)):
        wide = leg.distance_km >= WIDE_BODY_KM
        ready = [p for p in parked[leg.origin, wide] if p[0] <= leg.dep]
        if ready:
            chosen = min(ready)
            parked[leg.origin, wide].remove(chosen)
            leg.tail = chosen[1]
        else:
            leg.tail = carrier.registration + _letters(fleet)
            fleet += 1
        parked[leg.destination, wide].append((leg.arr + MIN_TURNAROUND, leg.tail))


def _letters(n: int) -> str:
    return chr(ord("A") + n // 26 % 26) + chr(ord("A") + n % 26)


def _number(legs: list[_Leg], carrier: _Carrier, day: date) -> list[Flight]:
    """Flight numbers by route and time: away from the hub even, back to it odd."""
    flights = []
    short_index = long_index = 0
    for code, _ in carrier.routes:
        route_legs = [leg for leg in legs if code in (leg.origin, leg.destination)]
        if route_legs[0].distance_km >= WIDE_BODY_KM:
            base = carrier.long_haul_number + 2 * long_index
            long_index += 1
        else:
            base = carrier.first_number + 20 * short_index
            short_index += 1
        for direction, parity in ((code, 0), (carrier.hub, 1)):
            ordered = sorted(
                (leg for leg in route_legs if leg.destination == direction), key=lambda x: x.dep
            )
            for i, leg in enumerate(ordered):
                number = base + 2 * i + parity
                flights.append(
                    Flight(
                        key=flight_key(carrier.code, number, day),
                        carrier=carrier.code,
                        number=number,
                        service_date=day,
                        origin=leg.origin,
                        destination=leg.destination,
                        sched_dep=leg.dep,
                        sched_arr=leg.arr,
                        tail=leg.tail,
                        distance_km=leg.distance_km,
                        cabins=_cabins(leg.distance_km),
                    )
                )
    return flights


async def write_world(db: Database, world: World) -> None:
    """Insert the world into an empty database in one transaction.

    Also writes one board row per flight in state "scheduled", as the published schedule
    naming no event (`airline.board.SCHEDULE_ONLY`), so that any real event about the
    flight is news — one sent weeks before the flight too: advance notice of a
    cancellation is not stale.

    Args:
        db: the database; its schema must exist (``async with Database(url)`` creates it).
        world: what `build_world` returned.

    Raises:
        ConfigError: the database already holds flights; nothing is written.
    """
    async with db.transaction() as session:
        # Checked inside the writing transaction. (Two seeders racing on PostgreSQL both
        # pass it; the second then fails on the primary keys and writes nothing.)
        await _refuse_if_seeded(session)
        await _insert(session, world)


async def seed_database(db: Database, *, seed: int, service_date: date) -> WorldSummary:
    """Build the world for `seed` and `service_date` and write it, unless there is one.

    Args:
        db: the database to fill.
        seed: see `build_world`.
        service_date: see `build_world`.

    Raises:
        ConfigError: the database already holds flights.
    """
    async with db.session() as session:
        await _refuse_if_seeded(session)  # fail fast, before a second of building
    # Building is CPU work; keep the event loop responsive meanwhile.
    world = await asyncio.to_thread(build_world, seed, service_date)
    await write_world(db, world)
    summary = world.summary()
    log.info("seeded %d flights, %d bookings (seed %d)", summary.flights, summary.bookings, seed)
    return summary


WORLD_TABLES: dict[str, Table] = {
    row.__tablename__: cast(Table, row.__table__)
    for row in (
        AirportRow,
        FlightRow,
        InventoryRow,
        BoardRow,
        CustomerRow,
        ChannelRow,
        BookingRow,
        PassengerRow,
        JourneyRow,
        SegmentRow,
    )
}
"""The tables a world is written to, named here (not looked up on the shared metadata,
whose contents would depend on what else the process imported)."""


async def _refuse_if_seeded(session: AsyncSession) -> None:
    count = await session.scalar(select(func.count()).select_from(FlightRow))
    if count:
        raise ConfigError(
            f"the database already holds {count} flights, and seeding would mix two worlds; "
            "seed into an empty database (a new SQLite file, or drop the tables first)"
        )


async def _insert(session: AsyncSession, world: World) -> None:
    # Core executemany with plain dicts, no ORM objects: tens of thousands of rows a second.
    tables = WORLD_TABLES
    # Dump only the table's columns: a field added to a model must not break seeding.
    cols = {name: set(table.c.keys()) for name, table in tables.items()}
    w = world
    by_key = {f.key: f for f in w.flights}
    batches: dict[str, list[dict[str, Any]]] = {  # parents first: foreign keys are enforced
        "airports": [a.model_dump(include=cols["airports"]) for a in w.airports],
        "flights": [f.model_dump(include=cols["flights"]) for f in w.flights],
        "inventory": [
            {"flight_key": f.key, **c.model_dump(mode="json", include=cols["inventory"])}
            for f in w.flights
            for c in f.cabins
        ],
        "board": [
            {
                "flight_key": f.key,
                "status": FlightStatus.SCHEDULED.value,
                "est_dep": f.sched_dep,
                "est_arr": f.sched_arr,
                # No event yet: any is news (SCHEDULE_ONLY). The time only starts the
                # stream's clock of a fresh daemon, a day before the flight.
                "last_event_id": SCHEDULE_ONLY,
                "last_emitted_at": f.sched_dep - timedelta(days=1),
            }
            for f in w.flights
        ],
        "customers": [c.model_dump(mode="json", include=cols["customers"]) for c in w.customers],
        "customer_channels": [
            {"customer_id": c.id, **ch.model_dump(mode="json", include=cols["customer_channels"])}
            for c in w.customers
            for ch in c.channels
        ],
        "bookings": [b.model_dump(mode="json", include=cols["bookings"]) for b in w.bookings],
        "booking_passengers": [
            {"pnr": b.pnr, **p.model_dump(mode="json", include=cols["booking_passengers"])}
            for b in w.bookings
            for p in b.passengers
        ],
        "journeys": [
            {"pnr": b.pnr, **j.model_dump(mode="json", include=cols["journeys"])}
            for b in w.bookings
            for j in derive_journeys(b, by_key)
        ],
        "segments": [
            {"pnr": b.pnr, **s.model_dump(mode="json", include=cols["segments"])}
            for b in w.bookings
            for s in b.segments
        ],
    }
    for name, rows in batches.items():
        if rows:
            await session.execute(insert(tables[name]), rows)
