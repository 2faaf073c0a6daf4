"""What hindsight allowed a storm's rebooked passengers, with the seats that existed.

The storm day (`evals.stormday`) compares the agent's arrival delays with the earliest
direct flight that in the end flew, seats ignored. That bound is far below anything a
planner could reach when a storm leaves more passengers than seats, so the gap it shows
mixes two things: the planner's caution (keeping passengers off flights that might still
go, which then flew) and capacity (the early flights that flew were full). This bound
tells them apart: the same passengers, assigned jointly to the flights that flew, each
flight's seats respected.

It is a linear program (SciPy's HiGHS, the planner's own solver): x[p, f] passengers of
booking p on flight f, Σ_f x[p, f] = passengers of p, Σ_p x[p, f] ≤ seats of f, minimising
Σ x[p, f] · (arrival of f − p's planned arrival). Relaxations only, so it stays a lower
bound of what the agent did:
- a flight's seats are what it had free before the run plus those its own passengers
  gave up when the agent moved them off it (cabins pooled); the agent itself could not
  place the passengers measured here on more than that;
- fractional assignments are allowed (a family may split);
- each booking may also keep the itinerary the agent gave it, outside the seat rows, so
  an itinerary the direct flights cannot express (a connection) never makes the bound
  worse than the agent.
A direct flight is eligible from the same origin to the same destination, leaving no
more than an hour before the booking's first flight was to (EU261 Art 5(1)(c)(iii)), as
`stormday._hindsight_arrival`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_array

from evals.oracle.context import Judged
from evals.oracle.record import RunRecord


@dataclass(frozen=True)
class Stranded:
    """A booking the agent rebooked, as the bound needs it."""

    pnr: str
    passengers: int
    origin: str
    destination: str
    earliest: datetime
    """The first flight's scheduled departure less an hour."""
    planned: datetime
    """The arrival the booking was sold."""
    got: datetime
    """The arrival the agent's final itinerary gave it."""


@dataclass(frozen=True)
class Flown:
    """A flight that in the end flew, with the seats a rebooking could have taken."""

    key: str
    origin: str
    destination: str
    departure: datetime
    arrival: datetime
    seats: int


def hindsight_with_seats(
    stranded: Sequence[Stranded], flown: Sequence[Flown]
) -> Mapping[str, float]:
    """Each booking's arrival delay in hours (per passenger) in the optimal joint
    assignment over `flown` (module docstring): the mean over passengers is a lower bound
    of the agent's mean for the same bookings."""
    if not stranded:
        return {}
    columns: list[tuple[int, int | None, float]] = []  # (booking, flight or own, hours)
    for b, booking in enumerate(stranded):
        for f, flight in enumerate(flown):
            if (
                flight.origin == booking.origin
                and flight.destination == booking.destination
                and flight.departure >= booking.earliest
                and flight.seats > 0
            ):
                columns.append((b, f, _hours(flight.arrival - booking.planned)))
        columns.append((b, None, _hours(booking.got - booking.planned)))
    cost = np.array([hours for _, _, hours in columns])
    demand = lil_array((len(stranded), len(columns)))
    supply = lil_array((len(flown), len(columns)))
    for c, (b, on, _) in enumerate(columns):
        demand[b, c] = 1
        if on is not None:
            supply[on, c] = 1
    result = linprog(
        cost,
        A_ub=supply.tocsr(),
        b_ub=np.array([flight.seats for flight in flown], dtype=float),
        A_eq=demand.tocsr(),
        b_eq=np.array([booking.passengers for booking in stranded], dtype=float),
        bounds=(0, None),
        method="highs",
    )
    if result.status != 0:  # cannot happen: every booking may keep its own itinerary
        raise RuntimeError(f"the hindsight LP failed: {result.message}")
    hours: dict[str, float] = {booking.pnr: 0.0 for booking in stranded}
    for c, (b, _, delay) in enumerate(columns):
        hours[stranded[b].pnr] += result.x[c] * delay
    return {booking.pnr: hours[booking.pnr] / booking.passengers for booking in stranded}


def delays_with_seats(j: Judged, record: RunRecord, rebooked: Sequence[str]) -> list[float]:
    """The bound's arrival delay in hours of every passenger of the `rebooked` bookings
    (each booking's once per traveller), read from the oracle's view of a run."""
    flights, end = record.world.flights, record.end
    freed: dict[str, int] = {}
    for pnr, journey in j.seats.journeys.items():
        kept = {leg.flight for leg in journey.final}
        for leg in journey.versions[0][1]:
            if leg.flight not in kept:
                freed[leg.flight] = freed.get(leg.flight, 0) + record.world.bookings[pnr].passengers
    flown = []
    for key, flight in flights.items():
        state = j.board.state(key, end)
        if not state.gone:
            free = sum(flight.capacity.values()) - sum(flight.sold.values())
            flown.append(
                Flown(
                    key,
                    flight.origin,
                    flight.destination,
                    state.est_dep,
                    state.est_arr,
                    max(free, 0) + freed.get(key, 0),
                )
            )
    stranded = []
    for pnr in rebooked:
        original, final = j.seats.journeys[pnr].versions[0][1], j.seats.journeys[pnr].final
        first, last = flights[original[0].flight], flights[original[-1].flight]
        stranded.append(
            Stranded(
                pnr,
                record.world.bookings[pnr].passengers,
                first.origin,
                last.destination,
                first.sched_dep - timedelta(hours=1),
                last.sched_arr,
                j.board.state(final[-1].flight, end).est_arr,
            )
        )
    hours = hindsight_with_seats(stranded, flown)
    return [hours[s.pnr] for s in stranded for _ in range(s.passengers)]


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600
