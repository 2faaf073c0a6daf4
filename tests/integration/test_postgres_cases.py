"""Many cases at once on a real PostgreSQL: seats, holds and refunds stay exact.

The server comes from `postgres_url` (TEST_POSTGRES_URL, else scripts/postgres-local);
each test gets a database of its own, dropped afterwards. Cases are planned and carried
out through the production path: the wave planner (`agent.planner.place`) and the
holds the act node confirms (`airline.holds`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from agent.planner.place import Need, place_cases
from agent.settings import PlannerSettings
from agent.state import Assignment, CaseReason
from airline.board import LiveBoard
from airline.holds import Hold, HoldStatus, confirm_hold, hold_seats, release_expired_holds
from airline.models import Booking, BookingStatus, Cabin, FlightStatus
from airline.reservations import BookingClosedError, load_booking, refund
from airline.schedule import Schedule
from airline.seed import World, build_world, write_world
from airline.tables import InventoryRow, LedgerRow, SeatHoldRow
from app.migrate import open_database
from tools.flights import SearchRequest, find_alternatives
from travel_agent.db import Database
from travel_agent.errors import NoSeatsError

pytestmark = pytest.mark.integration

SEED = 7
SERVICE_DATE = date(2026, 3, 1)
FREE_SEATS = 10
CASES = 50
HOLDERS = 30


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(SEED, SERVICE_DATE)


@pytest.fixture
async def pg_world(pg_db_url: str, world: World) -> AsyncIterator[Database]:
    async with open_database(pg_db_url) as db:
        await write_world(db, world)
        yield db


def single_economy(world: World) -> dict[str, list[Booking]]:
    """Bookings of one traveller whose whole trip is one economy flight, by that flight."""
    by_flight: dict[str, list[Booking]] = {}
    for booking in world.bookings:
        alone = len(booking.passengers) == 1
        if alone and len(booking.segments) == 1 and booking.segments[0].cabin == Cabin.ECONOMY:
            by_flight.setdefault(booking.segments[0].flight_key, []).append(booking)
    return by_flight


async def inventory(db: Database) -> dict[tuple[str, str], tuple[int, int]]:
    """(flight, cabin) -> (sold, capacity)."""
    async with db.session() as s:
        rows = await s.execute(
            select(
                InventoryRow.flight_key,
                InventoryRow.cabin,
                InventoryRow.sold,
                InventoryRow.capacity,
            )
        )
        return {(key, cabin): (sold, cap) for key, cabin, sold, cap in rows}


def out_of_bounds(seats: dict[tuple[str, str], tuple[int, int]]) -> list[object]:
    return [(k, v) for k, v in seats.items() if not 0 <= v[0] <= v[1]]


async def test_two_waves_planned_at_once_share_ten_seats_and_every_case_is_placed(
    pg_world: Database, world: World
) -> None:
    """The production path on PostgreSQL: two daemons plan a wave each at the same moment
    (the planner reads seats ``FOR UPDATE`` and holds what it assigns in its transaction),
    then every case confirms its hold concurrently, as the act node does."""
    db = pg_world
    schedule = await Schedule.load(db)
    board = LiveBoard()
    await board.load(db)

    # The disrupted flight: the one with the most single-flight economy passengers whose
    # best alternative is a direct flight (so "the best" is one inventory row).
    candidates = sorted(single_economy(world).items(), key=lambda kv: (-len(kv[1]), kv[0]))
    chosen: tuple[str, list[Booking], str] | None = None
    for flight_key, bookings in candidates:
        if len(bookings) < CASES:
            break
        flight = schedule.flights[flight_key]
        request = SearchRequest(
            origin=flight.origin,
            destination=flight.destination,
            earliest_dep=flight.sched_dep - timedelta(hours=1),
            cabin=Cabin.ECONOMY,
            carrier=flight.carrier,
            exclude=frozenset({flight_key}),
        )
        async with db.session() as s:
            options = await find_alternatives(s, schedule, board, request)
        if len(options) >= 2 and options[0].stops == 0:
            chosen = (flight_key, bookings[:CASES], options[0].flight_keys[0])
            spare = options[1].flight_keys
            break
    assert chosen is not None, "the seeded world has a full enough flight with a direct alternative"
    cancelled, contenders, target = chosen
    now = schedule.flights[cancelled].sched_dep - timedelta(hours=3)

    async with db.transaction() as s:
        row = await s.get_one(InventoryRow, (target, Cabin.ECONOMY.value))
        row.sold = row.capacity - FREE_SEATS
        # Room for everyone else on the next-best option: the seeded world's parties fill
        # flights, and this test is about the ten seats, not about a day without any.
        for key in spare:
            other = await s.get_one(InventoryRow, (key, Cabin.ECONOMY.value))
            other.sold = min(other.sold, max(0, other.capacity - CASES))
        state = board.get(cancelled)
        assert state is not None
        await board.apply(
            s,
            state.model_copy(
                update={
                    "status": FlightStatus.CANCELLED,
                    "reason": "technical",
                    "event_id": "ev-cancel",
                    "emitted_at": now,
                }
            ),
        )
    before = await inventory(db)
    needs = [
        Need(f"case-{i:02d}", b.pnr, CaseReason.CANCELLED, cancelled)
        for i, b in enumerate(contenders)
    ]

    async def wave(part: list[Need], name: str) -> dict[str, Assignment]:
        async with db.transaction() as s:
            placed = await place_cases(
                s,
                schedule,
                board,
                part,
                PlannerSettings(),
                now=now,
                excluded={cancelled},
                wave_id=name,
                postgres=True,
            )
        return placed.assignments

    first, second = await asyncio.gather(wave(needs[::2], "w-a"), wave(needs[1::2], "w-b"))
    assignments = {**first, **second}
    assert len(assignments) == CASES and all(a.placed for a in assignments.values())
    onto = Counter(f for a in assignments.values() for f in a.flights)
    assert onto[target] == FREE_SEATS, "no oversell: the second wave planned with what was left"

    async def confirm(need: Need) -> None:
        assignment = assignments[need.case_id]
        assert assignment.hold_id is not None
        async with db.transaction() as s:
            await confirm_hold(
                s,
                key=f"{need.case_id}:rebook:v1",
                case_id=need.case_id,
                hold_id=assignment.hold_id,
                replace_seqs=[1],
                now=now,
            )

    await asyncio.gather(*(confirm(n) for n in needs))

    after = await inventory(db)
    assert not out_of_bounds(after)
    assert after[(target, "economy")] == (before[(target, "economy")][1],) * 2  # full
    expected = {key: sold for key, (sold, _) in before.items()}
    expected[(cancelled, "economy")] -= CASES
    for key, n in onto.items():
        expected[(key, "economy")] += n
    assert {key: sold for key, (sold, _) in after.items()} == expected
    async with db.session() as s:
        for need in needs:
            now_booked = await load_booking(s, need.pnr)
            assert [seg.flight_key for seg in now_booked.active_segments] == assignments[
                need.case_id
            ].flights
        rebooks = await s.scalar(
            select(func.count()).select_from(LedgerRow).where(LedgerRow.action == "rebook")
        )
        statuses = Counter((await s.scalars(select(SeatHoldRow.status))).all())
    assert rebooks == CASES
    assert statuses == {HoldStatus.CONFIRMED.value: CASES}


async def test_thirty_holds_race_for_ten_seats_and_two_sweepers_release_each_once(
    pg_world: Database, world: World
) -> None:
    db = pg_world
    flight_key, bookings = max(single_economy(world).items(), key=lambda kv: len(kv[1]))
    target = next(f.key for f in world.flights if f.key != flight_key)
    async with db.transaction() as s:
        row = await s.get_one(InventoryRow, (target, Cabin.ECONOMY.value))
        row.sold = row.capacity - FREE_SEATS
        capacity = row.capacity
    now = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)

    async def attempt(i: int, pnr: str) -> Hold | None:
        try:
            async with db.transaction() as s:
                return await hold_seats(
                    s,
                    key=f"case-{i}:hold:a",
                    case_id=f"case-{i}",
                    pnr=pnr,
                    flights=[target],
                    cabin=Cabin.ECONOMY,
                    expires_at=now + timedelta(minutes=15),
                    now=now,
                )
        except NoSeatsError:
            return None

    attempts = await asyncio.gather(*(attempt(i, b.pnr) for i, b in enumerate(bookings[:HOLDERS])))
    held = [h for h in attempts if h is not None]
    assert len(held) == FREE_SEATS
    assert (await inventory(db))[(target, "economy")] == (capacity, capacity)

    async def sweep() -> list[str]:
        async with db.transaction() as s:
            return await release_expired_holds(s, now + timedelta(minutes=20))

    first, second = await asyncio.gather(sweep(), sweep())
    assert sorted(first + second) == sorted(h.id for h in held), "each hold released once"
    assert (await inventory(db))[(target, "economy")] == (capacity - FREE_SEATS, capacity)
    async with db.session() as s:
        statuses = Counter((await s.scalars(select(SeatHoldRow.status))).all())
        expiries = await s.scalar(
            select(func.count()).select_from(LedgerRow).where(LedgerRow.action == "hold_expired")
        )
    assert statuses == {HoldStatus.EXPIRED.value: FREE_SEATS}
    assert expiries == FREE_SEATS


async def test_concurrent_refunds_of_one_booking_release_its_seat_once(
    pg_world: Database, world: World
) -> None:
    db = pg_world
    flight_key, bookings = max(single_economy(world).items(), key=lambda kv: len(kv[1]))
    booking = bookings[0]
    before = (await inventory(db))[(flight_key, "economy")][0]
    now = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)

    async def refund_it(key: str) -> str:
        try:
            async with db.transaction() as s:
                settled = await refund(
                    s,
                    key=key,
                    case_id=key.split(":")[0],
                    pnr=booking.pnr,
                    amount_cents=booking.price_cents,
                    reason="the passenger took the refund",
                    now=now,
                )
        except BookingClosedError:
            return "closed"
        return "replayed" if settled.replayed else "refunded"

    # Five with one key (one refund, four replays), five with other keys (all refused).
    keys = ["case-a:refund:v1"] * 5 + [f"case-{i}:refund:v1" for i in range(5)]
    results = Counter(await asyncio.gather(*(refund_it(k) for k in keys)))
    assert results["refunded"] == 1
    assert results["refunded"] + results["replayed"] + results["closed"] == len(keys)
    assert (await inventory(db))[(flight_key, "economy")][0] == before - 1
    async with db.session() as s:
        assert (await load_booking(s, booking.pnr)).status == BookingStatus.REFUNDED
        refunds = await s.scalar(
            select(func.count()).select_from(LedgerRow).where(LedgerRow.action == "refund")
        )
    assert refunds == 1
