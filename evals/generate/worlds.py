"""Random worlds on real airports: a network, a two-day schedule, loads and passengers.

`generate_world(seed, index)` is deterministic: the same (seed, index) is the same world
on every machine (one `random.Random` seeded with both, nothing else random). The storm
on top of it comes from `evals.generate.storms`. With `families=True` some bookings also
carry companions (adults, children, a lap infant) and some a way back (direct, connecting,
open jaw; `evals.generate.families`), drawn from a second generator seeded apart: the main
one makes the same draws either way, so a world without the option is exactly the world it
always was.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from evals.generate.families import add_families
from evals.generate.model import (
    FIRST_NAMES,
    START_HOUR,
    GenBooking,
    GenCustomer,
    GenFlight,
    GenWorld,
)
from evals.generate.storms import add_storm
from evals.generate.texts import add_people_texts
from evals.oracle.record import Place
from evals.oracle.rules import great_circle_km

REGIONS: dict[str, list[str]] = {
    "eu": ["FRA", "MUC", "AMS", "CDG", "MAD", "LIS", "FCO", "VIE", "ZRH", "CPH", "ATH", "DUB"],
    "uk": ["LHR", "MAN", "EDI"],
    "us": ["JFK", "BOS", "ORD", "ATL", "LAX", "MIA"],
    "ca": ["YYZ", "YUL", "YVR"],
}
MIXES = [("eu",), ("eu", "uk"), ("us",), ("eu", "us"), ("us", "ca"), ("eu", "ca"), ("uk", "us")]
CARRIERS = {"eu": ["XA", "XB"], "uk": ["XA", "XB"], "us": ["XU"], "ca": ["XU"]}
TIERS = ["none", "none", "none", "silver", "gold", "platinum"]
LANGUAGES = ["en", "en", "de", "fr", "es", "zh", "it"]
CURRENCY = {"eu": "EUR", "uk": "GBP", "us": "USD", "ca": "CAD"}
LAST_NAMES = ["Weber", "Okafor", "Li", "Garcia", "Novak", "Haddad", "Silva", "Rossi", "Kim"]


def _places(codes: list[str]) -> dict[str, Place]:
    from airline.airports import load_airports  # plain airport data (airportsdata)

    return {a.iata: Place(a.iata, a.country, a.lat, a.lon, a.tz) for a in load_airports(codes)}


def _region(code: str) -> str:
    return next(r for r, codes in REGIONS.items() if code in codes)


def generate_world(
    seed: int, index: int, *, size: str = "small", families: bool = False
) -> GenWorld:
    """One world and its storm, from (seed, index); `families`: parties and returns too."""
    rng = random.Random(f"{seed}:{index}")
    day = date(2026, 3, 1) + timedelta(days=rng.randrange(0, 200))
    mix = rng.choice(MIXES)
    pool = [c for region in mix for c in REGIONS[region]]
    hubs = rng.sample(pool, 2 if len(pool) > 4 and rng.random() < 0.4 else 1)
    spokes = rng.sample(
        [c for c in pool if c not in hubs], min(len(pool) - len(hubs), rng.randint(2, 4))
    )
    places = _places([*hubs, *spokes])
    name = f"gen-s{seed}-w{index}" + ("-fam" if families else "")
    world = GenWorld(name, day, {}, {}, {}, [])
    world.notes.append(
        f"generated world {index} of seed {seed}: hubs {', '.join(hubs)}, "
        f"spokes {', '.join(spokes)}"
    )
    _schedule(rng, world, hubs, spokes, places)
    scale = {"small": (2, 7), "medium": (6, 16), "large": (20, 40)}[size]
    _passengers(rng, world, places, rng.randint(*scale))
    if families:
        add_families(random.Random(f"families:{seed}:{index}"), world)
    _loads(rng, world)
    add_people_texts(rng, world)
    add_storm(rng, world, places, hubs)
    return world


def _schedule(
    rng: random.Random,
    world: GenWorld,
    hubs: list[str],
    spokes: list[str],
    places: dict[str, Place],
) -> None:
    routes = [(h, s) for h in hubs for s in spokes] + [(s, h) for h in hubs for s in spokes]
    if len(hubs) > 1:
        routes += [(hubs[0], hubs[1]), (hubs[1], hubs[0])]
    numbers: dict[str, int] = {}
    for origin, destination in routes:
        km = great_circle_km(places[origin], places[destination])
        minutes = int(km / 800 * 60 + 30) // 5 * 5
        carriers = CARRIERS[_region(origin)]
        own = rng.choice(carriers)
        operators = [own] + (
            [c for c in ("XA", "XB", "XU") if c != own][:1] if rng.random() < 0.3 else []
        )
        for offset in range(2):  # the service day and the next
            day = world.day + timedelta(days=offset)
            for carrier in operators:
                for _ in range(rng.randint(1, 3)):
                    numbers[carrier] = numbers.get(carrier, 100) + 1
                    dep = datetime.combine(
                        day,
                        time(rng.randint(START_HOUR + 1, 21), rng.choice([0, 15, 30, 45])),
                        tzinfo=UTC,
                    )
                    long_haul = km > 3500
                    cabins = {"economy": rng.randint(3, 12), "business": rng.randint(0, 3)}
                    if long_haul:
                        cabins["premium"] = rng.randint(0, 3)
                    cabins = {c: n for c, n in cabins.items() if n > 0}
                    f = GenFlight(
                        carrier,
                        numbers[carrier],
                        day,
                        origin,
                        destination,
                        dep,
                        dep + timedelta(minutes=minutes),
                        cabins,
                    )
                    world.flights[f.key] = f


def _passengers(rng: random.Random, world: GenWorld, places: dict[str, Place], count: int) -> None:
    flights = sorted(world.flights.values(), key=lambda f: f.dep)
    soonest = datetime.combine(world.day, time(START_HOUR, 30), tzinfo=UTC)
    today = [f for f in flights if f.day == world.day and f.dep >= soonest]
    tomorrow = [f for f in flights if f.day > world.day]
    booked: dict[tuple[str, str], int] = {}
    for n in range(count):
        pool = tomorrow if (rng.random() < 0.2 and tomorrow) or not today else today
        if not pool:
            return
        first = rng.choice(pool)
        legs = [first]
        onward = [
            f
            for f in flights
            if f.origin == first.destination
            and f.destination != first.origin
            and timedelta(minutes=60) <= f.dep - first.arr <= timedelta(hours=4)
        ]
        if onward and rng.random() < 0.4:
            legs.append(rng.choice(onward))
        cabin = rng.choice(["economy"] * 5 + ["business"])
        if any(cabin not in f.cabins for f in legs):
            cabin = "economy"
        if any(booked.get((f.key, cabin), 0) >= f.cabins.get(cabin, 0) for f in legs):
            continue
        for f in legs:
            booked[f.key, cabin] = booked.get((f.key, cabin), 0) + 1
        customer = GenCustomer(
            id=f"C{n + 1}",
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            tier=rng.choice(TIERS),
            language=rng.choice(LANGUAGES),
            channels=_channels(rng),
        )
        world.customers[customer.id] = customer
        pnr = f"G{n + 1:02d}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(10, 99)}"
        region = _region(legs[0].origin)
        world.bookings[pnr] = GenBooking(
            pnr=pnr,
            customer=customer.id,
            fare=rng.choice(["basic", "standard", "standard", "flex"]),
            price=float(rng.randrange(80, 1600, 10)),
            currency=CURRENCY[region],
            legs=[(f.key, cabin) for f in legs],
            ssr=[rng.choice(["WCHR", "UMNR", "BLND"])] if rng.random() < 0.12 else [],
        )
        if rng.random() < 0.15:  # a companion on a linked booking: the same trip
            pnr2 = pnr[:-2] + f"{(int(pnr[-2:]) + 1) % 90 + 10}"
            if pnr2 not in world.bookings and all(
                booked.get((f.key, cabin), 0) < f.cabins.get(cabin, 0) for f in legs
            ):
                for f in legs:
                    booked[f.key, cabin] += 1
                world.bookings[pnr2] = GenBooking(
                    pnr=pnr2,
                    customer=customer.id,
                    fare=world.bookings[pnr].fare,
                    price=world.bookings[pnr].price,
                    currency=world.bookings[pnr].currency,
                    legs=list(world.bookings[pnr].legs),
                    group=pnr,
                )
                world.bookings[pnr].group = pnr
    world.notes.append(f"{len(world.bookings)} bookings")


def _channels(rng: random.Random) -> list[dict[str, object]]:
    kinds = rng.sample(["email", "sms", "webhook"], rng.randint(1, 2))
    return [
        {"kind": k, "priority": i, "consent": rng.random() > 0.1 or i > 0}
        for i, k in enumerate(kinds)
    ]


def _loads(rng: random.Random, world: GenWorld) -> None:
    """Seats sold to people the world does not model: most flights nearly full."""
    booked: dict[tuple[str, str], int] = {}
    for b in world.bookings.values():
        for key, cabin in b.legs:
            booked[key, cabin] = booked.get((key, cabin), 0) + b.seats
    for f in world.flights.values():
        for cabin, capacity in f.cabins.items():
            free = capacity - booked.get((f.key, cabin), 0)
            left = rng.choice([0, 0, 1, 1, 2, 3, free])
            world.inventory.append((f.key, cabin, max(0, min(free, left))))
