"""The synthetic world: deterministic, consistent, realistic, and stored intact."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date, time, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from airline import seed
from airline.airports import great_circle_km, load_airports, minimum_connection_time
from airline.models import Cabin, Flight, PassengerType
from airline.seed import World, build_world, seed_database, write_world
from app.migrate import open_database
from travel_agent.db import Base, Database
from travel_agent.errors import ConfigError, NotFoundError

SERVICE_DATE = date(2026, 3, 1)
MIN_TURNAROUND = timedelta(minutes=35)
MAX_CONNECTION = timedelta(hours=4)


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[Callable[[], list[str]]]:
    """Fingerprints of the worlds of seeds 7 and 8, built in another process.

    That process has another hash seed, which catches any dependence on set or dict order.
    It is started before the in-process build, so that the two run side by side.
    """
    script = (
        "from datetime import date; from airline.seed import build_world; "
        "[print(build_world(s, date(2026, 3, 1)).fingerprint()) for s in (7, 8)]"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True
    )

    @cache
    def fingerprints() -> list[str]:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        return out.split()

    yield fingerprints
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        # Unread when this worker ran none of the tests that ask for the fingerprints:
        # left open, the pipe is garbage-collected during some later test, which then
        # errors with an unraisable ResourceWarning (seen on test_settle under -n 2).
        proc.stdout.close()


@pytest.fixture(scope="module")
def world(elsewhere: Callable[[], list[str]]) -> World:
    # Built once (it takes about a second), while the other process builds its own.
    return build_world(7, SERVICE_DATE)


@pytest.fixture(scope="module")
def flights(world: World) -> dict[str, Flight]:
    return {f.key: f for f in world.flights}


def test_world_has_the_size_and_shape_asked_for(world: World) -> None:
    summary = world.summary()
    assert summary.airports >= 20
    assert {f.carrier for f in world.flights} == {"XA", "XB"}
    assert summary.flights >= 200
    assert summary.bookings >= 10_000
    assert summary.customers == summary.bookings
    connecting = sum(len(b.passengers) for b in world.bookings if len(b.journey_segments(1)) > 1)
    assert 0.25 <= connecting / summary.passengers <= 0.35  # a third of travellers connect
    assert 0.75 <= summary.load_factor <= 0.9


def test_bookings_carry_parties_families_infants_and_groups(world: World) -> None:
    summary = world.summary()
    sizes = Counter(len(b.passengers) for b in world.bookings)
    kinds = Counter(p.type for b in world.bookings for p in b.passengers)
    assert 1.4 <= summary.passengers / summary.bookings <= 1.9  # ~1.5 per booking in Europe
    assert 0.55 <= sizes[1] / summary.bookings <= 0.70
    assert sum(n for size, n in sizes.items() if size >= 10) >= 20  # groups exist
    assert 0.05 <= kinds[PassengerType.CHILD] / summary.passengers <= 0.12
    assert 0.005 <= summary.infants / summary.passengers <= 0.02
    for booking in world.bookings:
        assert [p.seq for p in booking.passengers] == list(range(1, len(booking.passengers) + 1))
        assert booking.passengers[0].type is not PassengerType.INFANT
        for infant in (p for p in booking.passengers if p.type is PassengerType.INFANT):
            lap = booking.passengers[(infant.on_lap_of or 0) - 1]
            assert lap.type is PassengerType.ADULT, booking.pnr
        if "UMNR" in booking.ssr:  # an unaccompanied minor travels alone, as a child
            assert [p.type for p in booking.passengers] == [PassengerType.CHILD]
    parents_with_infant = [b for b in world.bookings if len(b.passengers) == 2 and b.infants == 1]
    assert parents_with_infant
    own = [p for b in world.bookings for p in b.passengers[1:] if p.own_contact]
    assert own and all(p.type is PassengerType.ADULT for p in own)


def test_day_returns_are_two_journeys_back_where_they_began(
    world: World, flights: dict[str, Flight]
) -> None:
    returns = [b for b in world.bookings if len(b.journeys) == 2]
    assert 0.02 <= len(returns) / len(world.bookings) <= 0.08
    for booking in returns:
        out, back = booking.journeys
        assert (out.origin, out.destination) == (back.destination, back.origin)
        (leg_out,) = booking.journey_segments(1)
        (leg_back,) = booking.journey_segments(2)
        assert flights[leg_back.flight_key].sched_dep - flights[leg_out.flight_key].sched_arr >= (
            timedelta(hours=6)
        )
        assert booking.price_cents == sum(j.price_cents or 0 for j in booking.journeys)


def test_both_carriers_serve_most_european_spokes(world: World) -> None:
    def spokes(carrier: str) -> set[str]:
        return {f.destination for f in world.flights if f.carrier == carrier}

    shared = spokes("XA") & spokes("XB")
    assert len(shared) >= 15  # a second carrier's alternative exists for most passengers
    assert {"JFK", "ORD"} <= spokes("XA")
    assert {"JFK", "BOS"} <= spokes("XB")


def test_flight_keys_and_numbers_are_unique_and_in_each_carriers_range(world: World) -> None:
    assert len({f.key for f in world.flights}) == len(world.flights)
    assert len({(f.carrier, f.number) for f in world.flights}) == len(world.flights)
    assert all(100 <= f.number <= 999 for f in world.flights if f.carrier == "XA")
    assert all(1000 <= f.number <= 1999 for f in world.flights if f.carrier == "XB")
    assert all(f.key == f"{f.carrier}{f.number}/2026-03-01" for f in world.flights)


def test_cabins_follow_the_aircraft_type(world: World) -> None:
    for f in world.flights:
        layout = {c.cabin.value: c.capacity for c in f.cabins}
        if f.distance_km < 3500:
            assert layout == {"business": 12, "economy": 168}, f.key
        else:
            assert layout == {"business": 30, "premium": 28, "economy": 222}, f.key


def test_seats_sold_are_the_active_segments_and_never_exceed_capacity(world: World) -> None:
    held: Counter[tuple[str, Cabin]] = Counter()
    for b in world.bookings:  # a seat per passenger but infants on a lap
        held.update({(s.flight_key, s.cabin): b.seats_needed for s in b.active_segments})
    for f in world.flights:
        for inv in f.cabins:
            assert inv.sold == held[f.key, inv.cabin], (f.key, inv.cabin)
            assert inv.sold <= inv.capacity, (f.key, inv.cabin)
    known = {(f.key, c.cabin) for f in world.flights for c in f.cabins}
    assert set(held) <= known  # no segment in a cabin the flight does not have


def test_connections_are_on_one_carrier_via_its_hub_within_mct_and_four_hours(
    world: World, flights: dict[str, Flight]
) -> None:
    airports = {a.iata: a for a in world.airports}
    hubs = {"XA": "FRA", "XB": "AMS"}
    for booking in world.bookings:
        if len(booking.journey_segments(1)) == 1:
            continue
        assert len(booking.segments) == 2
        first, second = (flights[s.flight_key] for s in booking.segments)
        hub = airports[hubs[first.carrier]]
        assert first.carrier == second.carrier
        assert first.destination == second.origin == hub.iata
        assert second.destination != first.origin
        countries = {airports[first.origin].country, airports[second.destination].country}
        mct = minimum_connection_time(hub, international=countries != {hub.country})
        assert mct <= second.sched_dep - first.sched_arr <= MAX_CONNECTION, booking.pnr


def test_times_are_aware_utc_and_departures_are_daytime_local(world: World) -> None:
    airports = {a.iata: a for a in world.airports}
    for f in world.flights:
        assert f.sched_dep.utcoffset() == timedelta(0) == f.sched_arr.utcoffset()
        assert f.sched_arr > f.sched_dep
        local = f.sched_dep.astimezone(ZoneInfo(airports[f.origin].tz))
        assert local.date() == SERVICE_DATE == f.service_date
        assert time(6, 0) <= local.time() <= time(22, 0), f.key


def test_block_times_fit_the_distance(world: World) -> None:
    for f in world.flights:
        minutes = (f.sched_arr - f.sched_dep).total_seconds() / 60
        assert minutes % 5 == 0
        assert abs(minutes - (f.distance_km / 780 * 60 + 25)) <= 2.5, f.key


def test_every_tail_flies_a_feasible_rotation(world: World) -> None:
    rotations: dict[str, list[Flight]] = defaultdict(list)
    for f in world.flights:
        rotations[f.tail].append(f)
    assert len(rotations) < len(world.flights) / 3  # aircraft fly several legs a day
    for tail, legs in rotations.items():
        legs.sort(key=lambda f: f.sched_dep)
        assert len({f.carrier for f in legs}) == 1, tail
        for before, after in pairwise(legs):
            assert before.destination == after.origin, tail
            assert after.sched_dep - before.sched_arr >= MIN_TURNAROUND, tail


def test_bookings_and_customers_are_well_formed(world: World) -> None:
    pnrs = [b.pnr for b in world.bookings]
    assert len(set(pnrs)) == len(pnrs)
    assert all(re.fullmatch(r"[A-Z0-9]{6}", pnr) for pnr in pnrs)
    assert {b.customer_id for b in world.bookings} == {c.id for c in world.customers}
    assert all(re.fullmatch(r"C\d{6}", c.id) for c in world.customers)
    assert all(b.price_cents > 0 and b.currency == "EUR" for b in world.bookings)
    fares = Counter(b.fare.value for b in world.bookings)
    assert 0.25 < fares["basic"] / len(pnrs) < 0.35
    assert 0.10 < fares["flex"] / len(pnrs) < 0.20
    tiers = Counter(c.tier.value for c in world.customers)
    assert 0.65 < tiers["none"] / len(world.customers) < 0.75
    assert len({c.language for c in world.customers}) >= 7


def test_contacts_cannot_reach_anybody_real(world: World) -> None:
    emails = [ch for c in world.customers for ch in c.channels if ch.kind == "email"]
    phones = [ch for c in world.customers for ch in c.channels if ch.kind == "sms"]
    assert len(emails) > 0.95 * len(world.customers)
    assert 0.5 < len(phones) / len(world.customers) < 0.7
    assert all(re.fullmatch(r"[a-z0-9.]+@example\.(com|org)", ch.address) for ch in emails)
    fiction = re.compile(
        r"\+447700900\d{3}"  # Ofcom
        r"|\+49(3023125|6990009|4066969|2214710|8999998)\d{3}"  # Bundesnetzagentur
        r"|\+3363998\d{4}"  # ARCEP
        r"|\+1[2-9]\d{2}55501\d{2}"  # NANPA
    )
    assert all(fiction.fullmatch(ch.address) for ch in phones)
    assert len({ch.address for ch in phones}) == len(phones)
    for customer in world.customers:
        assert sorted(ch.priority for ch in customer.channels) == list(
            range(len(customer.channels))
        )


def test_airports_come_from_airportsdata_with_real_facts() -> None:
    fra, jfk = load_airports(["FRA", "jfk"])
    assert (fra.country, fra.tz, jfk.country, jfk.tz) == (
        "DE",
        "Europe/Berlin",
        "US",
        "America/New_York",
    )
    assert 6150 <= great_circle_km(fra, jfk) <= 6250
    assert great_circle_km(fra, fra) == 0


def test_unknown_airport_codes_are_named_in_the_error() -> None:
    with pytest.raises(NotFoundError, match="XXQ"):
        load_airports(["FRA", "XXQ"])


def test_minimum_connection_times_use_known_values_then_defaults() -> None:
    fra, atl, muc = load_airports(["FRA", "ATL", "MUC"])
    assert minimum_connection_time(fra, international=False) == timedelta(minutes=45)
    assert minimum_connection_time(fra, international=True) == timedelta(minutes=60)
    assert minimum_connection_time(atl, international=False) == timedelta(minutes=35)
    assert minimum_connection_time(muc, international=False) == timedelta(minutes=45)
    assert minimum_connection_time(muc, international=True) == timedelta(minutes=60)
    # Copenhagen's published values (cph.dk, airlines other than SAS): a 45-minute
    # MUC→CPH→ATH connection (seed 11, world 23) is sold, as the airport sells it.
    (cph,) = load_airports(["CPH"])
    assert minimum_connection_time(cph, international=False) == timedelta(minutes=40)
    assert minimum_connection_time(cph, international=True) == timedelta(minutes=45)


async def _count(db: Database, table: str) -> int:
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(Base.metadata.tables[table]))
    return int(count or 0)


async def test_write_world_round_trips_into_sqlite(tmp_path: Path, world: World) -> None:
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'world.sqlite'}") as db:
        await write_world(db, world)
        expected = {
            "airports": len(world.airports),
            "flights": len(world.flights),
            "inventory": sum(len(f.cabins) for f in world.flights),
            "board": len(world.flights),
            "customers": len(world.customers),
            "customer_channels": sum(len(c.channels) for c in world.customers),
            "bookings": len(world.bookings),
            "booking_passengers": sum(len(b.passengers) for b in world.bookings),
            "journeys": sum(len(b.journeys) for b in world.bookings),
            "segments": sum(len(b.segments) for b in world.bookings),
        }
        assert {table: await _count(db, table) for table in expected} == expected
        inventory = Base.metadata.tables["inventory"]
        board = Base.metadata.tables["board"]
        async with db.session() as session:
            sold = await session.scalar(select(func.sum(inventory.c.sold)))
            first = (await session.execute(select(board).limit(1))).one()
        assert sold == world.summary().seats_sold
        assert first.status == "scheduled" and first.last_event_id == ""
        assert first.last_emitted_at == first.est_dep - timedelta(days=1)


async def test_seeding_twice_is_refused(
    tmp_path: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small slice of the world keeps this fast; the full write is tested above.
    small = World(world.seed, world.service_date, world.airports, world.flights[:3])
    monkeypatch.setattr(seed, "build_world", lambda *_: small)
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'twice.sqlite'}") as db:
        summary = await seed_database(db, seed=7, service_date=SERVICE_DATE)
        assert summary.flights == 3
        with pytest.raises(ConfigError, match="already holds 3 flights"):
            await seed_database(db, seed=7, service_date=SERVICE_DATE)
        with pytest.raises(ConfigError):
            await write_world(db, small)
        assert await _count(db, "flights") == 3


# Last, so that the other process has had the other tests' time to finish its builds.
def test_same_seed_and_date_give_a_byte_identical_world_in_another_process(
    world: World, elsewhere: Callable[[], list[str]]
) -> None:
    assert elsewhere()[0] == world.fingerprint()


def test_different_seeds_give_different_worlds(
    world: World, elsewhere: Callable[[], list[str]]
) -> None:
    assert elsewhere()[1] != world.fingerprint()


def test_fingerprint_sees_a_one_field_change(world: World) -> None:
    # Otherwise the two tests above could pass with a fingerprint that ignores the world.
    last = world.bookings[-1]
    bookings = [*world.bookings[:-1], last.model_copy(update={"price_cents": last.price_cents + 1})]
    changed = World(
        world.seed, world.service_date, world.airports, world.flights, world.customers, bookings
    )
    assert changed.fingerprint() != world.fingerprint()
