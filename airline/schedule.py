"""The static schedule in memory: flights by key and departures by airport.

Loaded once at start-up; the schedule of a day does not change while the daemon runs (its
live state does, and that lives on the board).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from airline.models import Airport, Cabin, CabinInventory, Flight
from airline.tables import AirportRow, FlightRow, InventoryRow
from travel_agent.db import Database


class Schedule:
    """Airports and flights, indexed for the searches triage and rebooking make."""

    def __init__(self, airports: Iterable[Airport], flights: Iterable[Flight]) -> None:
        self.airports = {a.iata: a for a in airports}
        self.flights = {f.key: f for f in flights}
        by_origin: dict[str, list[Flight]] = defaultdict(list)
        for flight in self.flights.values():
            by_origin[flight.origin].append(flight)
        self._departures = {
            origin: sorted(flights, key=lambda f: f.sched_dep)
            for origin, flights in by_origin.items()
        }

    @classmethod
    async def load(cls, db: Database) -> Schedule:
        async with db.session() as session:
            airports = (await session.scalars(select(AirportRow))).all()
            flights = (await session.scalars(select(FlightRow))).all()
            inventory = (await session.scalars(select(InventoryRow))).all()
        cabins: dict[str, list[CabinInventory]] = defaultdict(list)
        for inv in inventory:
            cabins[inv.flight_key].append(
                CabinInventory(cabin=Cabin(inv.cabin), capacity=inv.capacity, sold=inv.sold)
            )
        return cls(
            (
                Airport(
                    iata=a.iata,
                    name=a.name,
                    city=a.city,
                    country=a.country,
                    lat=a.lat,
                    lon=a.lon,
                    tz=a.tz,
                )
                for a in airports
            ),
            (
                Flight(
                    key=f.key,
                    carrier=f.carrier,
                    number=f.number,
                    service_date=f.service_date,
                    origin=f.origin,
                    destination=f.destination,
                    sched_dep=f.sched_dep,
                    sched_arr=f.sched_arr,
                    tail=f.tail,
                    distance_km=f.distance_km,
                    cabins=cabins[f.key],
                )
                for f in flights
            ),
        )

    def __len__(self) -> int:
        return len(self.flights)

    def departures(self, origin: str) -> list[Flight]:
        """Flights leaving `origin`, by scheduled departure."""
        return self._departures.get(origin, [])

    def is_international(self, airport: str, *others: str) -> bool:
        """Does a connection at `airport` between flights to/from `others` cross a border?"""
        country = self.airports[airport].country
        return any(self.airports[o].country != country for o in others)
