"""Bookings with several passengers and several journeys: stored, read, rebooked.

A party takes a seat per traveller but lap infants, together, on every flight; a
rebooking re-accommodates one journey and leaves the others' segments alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest
from pydantic import ValidationError

from airline.journeys import derive_journeys, journey_of_flight, view
from airline.models import Booking, Cabin, Journey, Passenger, Segment
from airline.reservations import InvalidRequestError, load_booking, rebook, seats_needed
from airline.seed import World
from airline.tables import InventoryRow
from app.migrate import open_database
from evals.scenario_world import BookingSpec, WorldSpec
from evals.world import build, write
from travel_agent.db import Database
from travel_agent.errors import NoSeatsError

DAY = "2026-03-01"


def _open(path: Path) -> AbstractAsyncContextManager[Database]:
    """The world's database opened as the application opens it (migrated to head)."""
    return open_database(f"sqlite+aiosqlite:///{path}")


def _world() -> WorldSpec:
    return WorldSpec.model_validate(
        {
            "customers": [{"id": "C1", "name": "Anna Weber"}, {"id": "C2", "name": "Ola Berg"}],
            "bookings": [
                {
                    "pnr": "FAMILY",
                    "customer": "C1",
                    "price": 900,
                    "passengers": [
                        {},
                        {"name": "Jonas Weber"},
                        {"name": "Lea Weber", "type": "child", "ssr": ["WCHR"]},
                        {"name": "Mia Weber", "type": "infant"},
                        {"name": "Tom Weber", "contact": [{"kind": "sms"}], "language": "de"},
                    ],
                    "segments": [{"flight": "XA102"}],
                },
                {
                    "pnr": "RETURN",
                    "customer": "C2",
                    "journeys": [
                        {"segments": [{"flight": "XA141"}, {"flight": "XA800"}], "price": 700},
                        {"segments": [{"flight": "XA101", "date": "2026-03-02"}], "price": 150},
                    ],
                },
            ],
            "inventory": [{"flight": "XA104", "seats_left": 3}],
        }
    )


@pytest.fixture
async def stored(tmp_path: Path) -> AsyncIterator[tuple[Database, World]]:
    path = tmp_path / "airline.sqlite"
    world = await write(_world(), path, open_database=_open)
    async with Database(f"sqlite+aiosqlite:///{path}") as db:
        yield db, world


async def _sold(db: Database, flight_key: str) -> int:
    async with db.session() as session:
        row = await session.get(InventoryRow, (flight_key, "economy"))
        assert row is not None
        return row.sold


async def test_a_family_is_stored_and_read_back_whole(stored: tuple[Database, World]) -> None:
    db, world = stored
    async with db.session() as session:
        family = await load_booking(session, "FAMILY")
        assert await seats_needed(session, "FAMILY") == 4
    assert family == next(b for b in world.bookings if b.pnr == "FAMILY")
    assert [p.type for p in family.passengers] == ["adult", "adult", "child", "infant", "adult"]
    assert family.passengers[0].name == "Anna Weber"  # the contact travels
    assert family.passengers[3].on_lap_of == 1 and not family.passengers[3].needs_seat
    assert family.seats_needed == 4 and family.infants == 1
    assert family.ssr == ["WCHR"]  # the booking's SSRs are its passengers'
    assert [p.seq for p in family.passengers if p.own_contact] == [5]
    assert await _sold(db, f"XA102/{DAY}") == 4  # the infant takes no seat


async def test_a_journey_is_read_per_booking_with_its_own_destination(
    stored: tuple[Database, World],
) -> None:
    db, world = stored
    flights = {f.key: f for f in world.flights}
    async with db.session() as session:
        trip = await load_booking(session, "RETURN")
    assert [(j.origin, j.destination, j.price_cents) for j in trip.journeys] == [
        ("MUC", "JFK", 70000),
        ("LHR", "FRA", 15000),
    ]
    assert [s.journey for s in trip.segments] == [1, 1, 2]
    outbound = journey_of_flight(trip, f"XA141/{DAY}", flights)
    assert outbound is not None and outbound.destination == "JFK"  # not FRA, not LHR
    back = journey_of_flight(trip, "XA101/2026-03-02", flights)
    assert back is not None and back.destination == "FRA" and back.seq == 2
    assert trip.journey_of(3) == trip.journeys[1]
    assert [s.seq for s in trip.journey_segments(1)] == [1, 2]


async def test_a_rebooking_moves_the_whole_party_together(stored: tuple[Database, World]) -> None:
    db, _ = stored
    before = await _sold(db, f"XA102/{DAY}"), await _sold(db, f"XA106/{DAY}")
    async with db.transaction() as session:
        await rebook(
            session,
            pnr="FAMILY",
            replace_seqs=[1],
            new_flights=[f"XA106/{DAY}"],
            cabin=Cabin.ECONOMY,
        )
    assert await _sold(db, f"XA102/{DAY}") == before[0] - 4
    assert await _sold(db, f"XA106/{DAY}") == before[1] + 4
    # Three seats left on XA104: not enough for four travellers, so nothing moves.
    with pytest.raises(NoSeatsError):
        async with db.transaction() as session:
            await rebook(
                session,
                pnr="FAMILY",
                replace_seqs=[2],
                new_flights=[f"XA104/{DAY}"],
                cabin=Cabin.ECONOMY,
            )
    assert await _sold(db, f"XA106/{DAY}") == before[1] + 4


async def test_a_rebooking_stays_within_one_journey(stored: tuple[Database, World]) -> None:
    db, world = stored
    async with db.transaction() as session:
        await rebook(
            session,
            pnr="RETURN",
            replace_seqs=[1, 2],
            new_flights=["XA141/2026-03-02", "XA800/2026-03-02"],
            cabin=Cabin.ECONOMY,
        )
    async with db.session() as session:
        trip = await load_booking(session, "RETURN")
    active = {s.flight_key: s.journey for s in trip.active_segments}
    assert active == {"XA141/2026-03-02": 1, "XA800/2026-03-02": 1, "XA101/2026-03-02": 2}
    flights = {f.key: f for f in world.flights}
    outbound = view(trip, trip.journeys[0], flights)
    assert [s.seq for s in outbound.ticketed] == [1, 2]  # as sold
    assert [s.seq for s in outbound.added] == [4, 5]  # what the rebooking added
    with pytest.raises(InvalidRequestError, match="one journey"):
        async with db.transaction() as session:
            await rebook(
                session,
                pnr="RETURN",
                replace_seqs=[4, 3],
                new_flights=[f"XA104/{DAY}"],
                cabin=Cabin.ECONOMY,
            )


def test_a_booking_without_journeys_is_one_journey_over_its_segments() -> None:
    world = build(_world())
    flights = {f.key: f for f in world.flights}
    legacy = Booking(
        pnr="LEGACY",
        customer_id="C1",
        price_cents=100,
        segments=[
            Segment(seq=1, flight_key=f"XA141/{DAY}", cabin=Cabin.ECONOMY),
            Segment(seq=2, flight_key=f"XA800/{DAY}", cabin=Cabin.ECONOMY),
        ],
        ssr=["UMNR"],
    )
    assert derive_journeys(legacy, flights) == [Journey(seq=1, origin="MUC", destination="JFK")]
    # Written without passengers, a booking is one adult carrying the booking's SSRs.
    assert legacy.passengers == [Passenger(seq=1, ssr=["UMNR"])]
    assert legacy.seats_needed == 1


def test_the_scenario_format_refuses_an_infant_without_an_adult() -> None:
    with pytest.raises(ValidationError, match="adult's lap"):
        BookingSpec.model_validate(
            {
                "pnr": "BADLAP",
                "customer": "C1",
                "passengers": [{"type": "child"}, {"type": "infant", "on_lap_of": 1}],
                "segments": [{"flight": "XA102"}],
            }
        )
    with pytest.raises(ValidationError, match="either segments"):
        BookingSpec.model_validate(
            {
                "pnr": "BOTHWA",
                "customer": "C1",
                "segments": [{"flight": "XA102"}],
                "journeys": [{"segments": [{"flight": "XA104"}]}],
            }
        )
    with pytest.raises(ValidationError, match="lap"):
        BookingSpec.model_validate(
            {
                "pnr": "LAPADT",
                "customer": "C1",
                "passengers": [{}, {"type": "adult", "on_lap_of": 1}],
                "segments": [{"flight": "XA102"}],
            }
        )
