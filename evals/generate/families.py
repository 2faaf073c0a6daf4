"""Parties and journeys under `--families`: companions, and ways back of every shape.

Drawn from their own generator (`families:S:I`, seeded apart from the world's), so a world
without the option is exactly the world it always was. What they add to a world:

- companions on a booking (adults, children, a lap infant), where the cabins hold them;
- a way back, in the trip's cabin, leaving at least 3 hours after the trip lands:
  - *direct*: one flight home;
  - *connecting*: two flights that connect (60 min to 4 h) through a third airport, the
    return of an A→B→C trip being C→B→A when the world flies it;
  - *open jaw*: home from another airport than the one flown to (direct or connecting),
    the gap between the two crossed by the passenger, not the airline;
- the same way back for a companion on a separate PNR (a linked booking: the same
  customer on the same flights), so the pair still travels together home.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.generate.model import FIRST_NAMES, GenFlight, GenPassenger, GenWorld

FAMILY_SHARE = 0.45
"""Share of bookings (not linked ones) that gain companions under `families`."""
RETURN_SHARE = 0.35
"""Share of bookings (linked pairs as one) that gain a way back under `families`."""
PARTIES = [["adult"], ["adult", "child"], ["child", "infant"], ["adult", "child", "child"]]
"""Who travels with the customer: 2 to 4 passengers, at most one infant (on their lap)."""
STAY = timedelta(hours=3)
"""The least time between the trip's landing and the way back's departure."""
CONNECTION = (timedelta(minutes=60), timedelta(hours=4))
"""A connection the generator books: no shorter than any minimum connecting time here."""

Legs = list[tuple[str, str]]


def add_families(rng: random.Random, world: GenWorld) -> None:
    """Companions and ways back on some bookings, where the cabins still hold them."""
    booked: dict[tuple[str, str], int] = {}
    for b in world.bookings.values():
        for key, cabin in b.legs:
            booked[key, cabin] = booked.get((key, cabin), 0) + b.seats

    def fits(legs: Legs, seats: int) -> bool:
        return all(
            booked.get((k, c), 0) + seats <= world.flights[k].cabins.get(c, 0) for k, c in legs
        )

    def take(legs: Legs, seats: int) -> None:
        for key, cabin in legs:
            booked[key, cabin] = booked.get((key, cabin), 0) + seats

    parties = 0
    shapes: dict[str, int] = {}
    for b in world.bookings.values():
        if "UMNR" in b.ssr or (b.group and b.group != b.pnr):
            continue  # lone minors stay as they are; a linked pair is drawn through its first
        pair = [x for x in world.bookings.values() if b.group and x.group == b.group]
        together = pair or [b]
        if rng.random() < RETURN_SHARE:
            drawn = way_back(rng, world, b.legs)
            seats = sum(x.seats for x in together)
            if drawn and fits(drawn[1], seats):
                shape, back = drawn
                take(back, seats)
                for x in together:
                    x.returns_at, x.legs = len(x.legs), [*x.legs, *back]
                    x.price = round(x.price * 2, 2)
                name = f"{shape} (linked)" if pair else shape
                shapes[name] = shapes.get(name, 0) + 1
        if not pair and rng.random() < FAMILY_SHARE:
            party = rng.choice(PARTIES)
            extra = sum(t != "infant" for t in party)
            if fits(b.legs, extra):
                take(b.legs, extra)
                surname = world.customers[b.customer].name.split()[-1]
                b.companions = [
                    GenPassenger(f"{rng.choice(FIRST_NAMES)} {surname}", t) for t in party
                ]
                infants = party.count("infant")  # a lap infant pays a tenth
                b.price = round(b.price * (1 + extra + 0.1 * infants), 2)
                parties += 1
    returns = ", ".join(f"{n} {shape}" for shape, n in sorted(shapes.items()))
    world.notes.append(
        f"families: {parties} parties, {sum(shapes.values())} returns"
        + (f" ({returns})" if returns else "")
    )


def way_back(rng: random.Random, world: GenWorld, legs: Legs) -> tuple[str, Legs] | None:
    """A way home for the trip `legs` and its shape (direct, connecting, open jaw): one
    shape drawn among those the world flies, then one of its itineraries; None: none."""
    first, last = world.flights[legs[0][0]], world.flights[legs[-1][0]]
    cabin = legs[0][1]
    flights = sorted(
        (f for f in world.flights.values() if cabin in f.cabins), key=lambda f: (f.dep, f.key)
    )
    after = last.arr + STAY
    home = first.origin
    options: dict[str, list[list[GenFlight]]] = {
        "direct": [[f] for f in _direct(flights, last.destination, home, after)],
        "connecting": _connecting(flights, last.destination, home, after),
    }
    jaws = sorted(
        {f.origin for f in flights}
        - {last.destination, home, *(world.flights[k].origin for k, _ in legs)}
    )
    options["open jaw"] = [
        way
        for elsewhere in jaws
        for way in (
            [[f] for f in _direct(flights, elsewhere, home, after)]
            + _connecting(flights, elsewhere, home, after)
        )
    ]
    shapes = [shape for shape, ways in options.items() if ways]
    if not shapes:
        return None
    shape = rng.choice(shapes)
    return shape, [(f.key, cabin) for f in rng.choice(options[shape])]


def _direct(flights: list[GenFlight], origin: str, home: str, after: datetime) -> list[GenFlight]:
    return [f for f in flights if f.origin == origin and f.destination == home and f.dep >= after]


def _connecting(
    flights: list[GenFlight], origin: str, home: str, after: datetime
) -> list[list[GenFlight]]:
    low, high = CONNECTION
    return [
        [f, g]
        for f in flights
        if f.origin == origin and f.destination != home and f.dep >= after
        for g in flights
        if g.origin == f.destination and g.destination == home and low <= g.dep - f.arr <= high
    ]
