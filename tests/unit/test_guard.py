"""The guard refuses any rebooking that the live facts do not allow, whoever planned it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from agent.state import NotifyAction, RebookAction, RefundOfferAction
from airline.board import LiveBoard
from airline.models import Cabin, Flight, FlightStatus, LoyaltyTier
from airline.reservations import load_booking, passengers_on
from airline.schedule import Schedule
from airline.sql_ports import SqlReservations
from airline.tables import InventoryRow
from tools.case_facts import disruption_facts
from tools.notifications import MessageKind
from tools.policy.checks import Refusal, Violation, fallback_message, rebook_violations
from tools.policy.validate import CaseFacts, validate
from travel_agent.db import Database

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


@pytest.fixture
async def schedule(db: Database) -> Schedule:
    return await Schedule.load(db)


@pytest.fixture
async def board(db: Database) -> LiveBoard:
    live = LiveBoard()
    await live.load(db)
    return live


def flights(schedule: Schedule, carrier: str, origin: str, destination: str) -> list[Flight]:
    return [
        f
        for f in schedule.departures(origin)
        if f.carrier == carrier and f.destination == destination
    ]


class Trip:
    """A passenger of a cancelled FRA→LHR flight, and the ways the planner might move them."""

    def __init__(self, schedule: Schedule) -> None:
        direct = flights(schedule, "XA", "FRA", "LHR")
        self.cancelled, self.direct = direct[1], direct[2]
        # A one-stop on XB through AMS with plenty of time between the legs.
        self.feeder, self.onward = next(
            (a, b)
            for a in flights(schedule, "XB", "FRA", "AMS")
            for b in flights(schedule, "XB", "AMS", "LHR")
            if b.sched_dep - a.sched_arr >= timedelta(hours=2)
        )


@pytest.fixture
async def trip(db: Database, schedule: Schedule, board: LiveBoard) -> Trip:
    trip = Trip(schedule)
    await announce(db, board, trip.cancelled.key, status=FlightStatus.CANCELLED)
    return trip


async def announce(db: Database, board: LiveBoard, flight_key: str, **changes: Any) -> None:
    current = board.get(flight_key)
    assert current is not None
    newer = current.model_copy(
        update={"event_id": f"guard-{flight_key}-{len(changes)}", "emitted_at": NOW} | changes
    )
    async with db.transaction() as session:
        assert await board.apply(session, newer) is not None


async def violations(
    db: Database, schedule: Schedule, board: LiveBoard, new: list[str], **overrides: Any
) -> list[str]:
    """What the guard says about moving the passenger's segment 1 (FRA→LHR) onto `new`."""
    return [str(v) for v in await refusals(db, schedule, board, new, **overrides)]


async def refusals(
    db: Database, schedule: Schedule, board: LiveBoard, new: list[str], **overrides: Any
) -> list[Violation]:
    """The same, typed."""
    arguments: dict[str, Any] = {
        "flights": new,
        "replace_seqs": [1],
        "cabin": Cabin.ECONOMY,
        "broken_seqs": [1],
        "origin": "FRA",
        "destination": "LHR",
        "booked_cabin": Cabin.ECONOMY,
    } | overrides
    async with db.session() as session:
        return await rebook_violations(SqlReservations(session), schedule, board, **arguments)


async def test_a_flyable_direct_flight_with_seats_passes(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    assert await violations(db, schedule, board, [trip.direct.key]) == []


async def test_a_legal_one_stop_passes(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    assert await violations(db, schedule, board, [trip.feeder.key, trip.onward.key]) == []


async def test_the_cancelled_flight_itself_is_refused(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    found = await violations(db, schedule, board, [trip.cancelled.key])
    assert found == [f"{trip.cancelled.key} is cancelled on the live board"]


async def test_a_flight_cancelled_after_planning_is_refused(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    await announce(db, board, trip.onward.key, status=FlightStatus.CANCELLED)
    found = await violations(db, schedule, board, [trip.feeder.key, trip.onward.key])
    assert found == [f"{trip.onward.key} is cancelled on the live board"]


async def test_an_unknown_flight_is_refused(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    found = await violations(db, schedule, board, ["XA9999/2026-03-01"])
    assert found == ["no such flight XA9999/2026-03-01"]


async def test_a_cabin_change_is_left_to_a_human(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    upgrade = await violations(db, schedule, board, [trip.direct.key], cabin=Cabin.BUSINESS)
    assert len(upgrade) == 1 and "changes cabin" in upgrade[0]
    downgrade = await violations(
        db, schedule, board, [trip.direct.key], booked_cabin=Cabin.BUSINESS
    )
    assert len(downgrade) == 1 and "changes cabin" in downgrade[0]


async def test_a_full_flight_is_refused(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(InventoryRow)
            .where(InventoryRow.flight_key == trip.direct.key, InventoryRow.cabin == "economy")
            .values(sold=InventoryRow.capacity)
        )
    found = await refusals(db, schedule, board, [trip.direct.key])
    assert [str(v) for v in found] == [f"no seat left in economy on {trip.direct.key}"]
    # Typed: searching again can cure it (the graph routes on the reason, not the words).
    assert [v.reason for v in found] == [Refusal.NO_SEAT]
    # Business still has room on the same flight.
    assert (
        await violations(
            db,
            schedule,
            board,
            [trip.direct.key],
            cabin=Cabin.BUSINESS,
            booked_cabin=Cabin.BUSINESS,
        )
        == []
    )


async def test_a_connection_shorter_than_the_minimum_is_refused(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    # The feeder now lands 20 minutes before the onward flight leaves: AMS needs 50.
    late = trip.onward.sched_dep - timedelta(minutes=20) - trip.feeder.sched_arr
    await announce(
        db,
        board,
        trip.feeder.key,
        status=FlightStatus.DELAYED,
        est_dep=trip.feeder.sched_dep + late,
        est_arr=trip.feeder.sched_arr + late,
    )
    found = await violations(db, schedule, board, [trip.feeder.key, trip.onward.key])
    assert len(found) == 1
    assert "connection at AMS is shorter than" in found[0]


async def test_legs_that_do_not_meet_are_refused(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    found = await violations(db, schedule, board, [trip.direct.key, trip.onward.key])
    assert f"{trip.direct.key} and {trip.onward.key} do not connect" in found


async def test_an_itinerary_from_elsewhere_is_refused(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    found = await violations(db, schedule, board, [trip.onward.key])
    assert found == ["starts at AMS, the passenger is at FRA"]


async def test_an_itinerary_to_elsewhere_is_refused(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    found = await violations(db, schedule, board, [trip.feeder.key])
    assert found == ["ends at AMS, not LHR"]


async def test_a_plan_must_replace_exactly_the_broken_segments(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    wrong = await violations(db, schedule, board, [trip.direct.key], replace_seqs=[2])
    assert wrong == ["replaces segments [2], but [1] broke"]
    nothing_broke = await violations(db, schedule, board, [trip.direct.key], broken_seqs=[])
    assert nothing_broke == ["the case has no broken segment to replace"]


async def test_every_problem_is_reported_at_once(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    found = await violations(
        db, schedule, board, [trip.cancelled.key], cabin=Cabin.BUSINESS, replace_seqs=[3]
    )
    assert len(found) == 3


@pytest.mark.parametrize(
    ("planned", "sent_instead"),
    [
        (MessageKind.CANCELLED_REBOOKED, MessageKind.CANCELLED_NO_ALTERNATIVE),
        (MessageKind.DIVERTED_REBOOKED, MessageKind.DIVERTED_NO_ALTERNATIVE),
        (MessageKind.MISSED_CONNECTION_REBOOKED, MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE),
        (MessageKind.DELAY, MessageKind.DELAY),
        (MessageKind.CANCELLED_NO_ALTERNATIVE, MessageKind.CANCELLED_NO_ALTERNATIVE),
    ],
)
def test_a_refused_rebooking_is_never_announced_as_done(
    planned: MessageKind, sent_instead: MessageKind
) -> None:
    assert fallback_message(planned) == sent_instead


async def test_a_rebooked_message_without_a_rebooking_becomes_the_no_alternative_one(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    """A plan that announces a rebooking it never proposed (a small model's did) is told
    the truth. (Where the planner holds a seat, the guard node then books that seat and
    the message says so again: `agent.nodes.guard`.)"""
    async with db.session() as session:
        pnr = (await passengers_on(session, trip.cancelled.key))[0]
        booking = await load_booking(session, pnr)
        broken = next(s for s in booking.segments if s.flight_key == trip.cancelled.key)
        facts = CaseFacts(
            booking=booking,
            tier=LoyaltyTier.NONE,
            disrupted_flight=trip.cancelled.key,
            now=NOW,
            broken_seqs=[broken.seq],
            origin=trip.cancelled.origin,
            destination=trip.cancelled.destination,
            booked_cabin=broken.cabin,
            not_before=NOW,
        )
        checked = await validate(
            SqlReservations(session),
            schedule,
            board,
            [NotifyAction(message=MessageKind.CANCELLED_REBOOKED)],
            facts,
            complete=False,
        )
    assert [a for a in checked.approved if isinstance(a, NotifyAction)] == [
        NotifyAction(message=MessageKind.CANCELLED_NO_ALTERNATIVE)
    ]
    assert any("no rebooking proposed" in r for r in checked.repairs), checked.repairs


async def test_an_itinerary_that_would_miss_the_next_journey_is_refused(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    """Whoever proposes it (a model, an operator's edit), a rebooking that arrives after
    the booking's next journey must leave is refused; one that arrives in time passes."""
    arrives = trip.direct.sched_arr
    late = await violations(
        db, schedule, board, [trip.direct.key], arrive_by=arrives - timedelta(minutes=1)
    )
    assert len(late) == 1 and "the booking's next journey would be missed" in late[0], late
    assert await violations(db, schedule, board, [trip.direct.key], arrive_by=arrives) == []


async def test_a_diverted_passenger_nobody_carries_on_is_offered_the_refund(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    """Diverted to AMS and told there is no alternative: the journey as flown ends at AMS
    (a significant change, 14 CFR 260.2) and nothing carries them on to LHR (EU261 Art
    6(1)(iii), 8(1)(a)), so the refund is offered in the same message."""
    diverted = Trip(schedule).cancelled
    await announce(db, board, diverted.key, status=FlightStatus.DIVERTED, diverted_to="AMS")
    async with db.session() as session:
        pnr = (await passengers_on(session, diverted.key))[0]
        booking = await load_booking(session, pnr)
        facts_now = disruption_facts(schedule, board, booking, diverted.key, now=NOW)
        broken = next(s for s in booking.segments if s.flight_key == diverted.key)
        facts = CaseFacts(
            booking=booking,
            tier=LoyaltyTier.NONE,
            disrupted_flight=diverted.key,
            now=NOW,
            broken_seqs=[broken.seq],
            origin="AMS",
            destination=diverted.destination,
            booked_cabin=broken.cabin,
            not_before=NOW,
        )
        checked = await validate(
            SqlReservations(session),
            schedule,
            board,
            [NotifyAction(message=MessageKind.DIVERTED_NO_ALTERNATIVE)],
            facts,
        )
    assert facts_now.alt_destination == "AMS"
    offers = [a for a in checked.approved if isinstance(a, RefundOfferAction)]
    assert len(offers) == 1 and offers[0].amount_cents == facts.refund_cents, checked.approved


async def test_the_message_runs_after_the_rebooking_it_announces(
    db: Database, schedule: Schedule, board: LiveBoard, trip: Trip
) -> None:
    """A plan may list the "rebooked" message first; act runs the approved actions in
    order and the message needs the itinerary the rebooking makes, so the rebooking goes first."""
    async with db.session() as session:
        pnr = (await passengers_on(session, trip.cancelled.key))[0]
        booking = await load_booking(session, pnr)
        broken = next(s for s in booking.segments if s.flight_key == trip.cancelled.key)
        facts = CaseFacts(
            booking=booking,
            tier=LoyaltyTier.NONE,
            disrupted_flight=trip.cancelled.key,
            now=NOW,
            broken_seqs=[broken.seq],
            origin=trip.cancelled.origin,
            destination=trip.cancelled.destination,
            booked_cabin=broken.cabin,
            not_before=NOW,
        )
        rebooking = RebookAction(
            replace_seqs=[broken.seq], flights=[trip.direct.key], cabin=broken.cabin
        )
        checked = await validate(
            SqlReservations(session),
            schedule,
            board,
            [NotifyAction(message=MessageKind.CANCELLED_REBOOKED), rebooking],
            facts,
        )
    assert not checked.violations, checked.violations
    kinds = [a.kind for a in checked.approved]
    assert kinds.index("rebook") < kinds.index("notify"), kinds
