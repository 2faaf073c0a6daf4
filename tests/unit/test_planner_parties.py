"""The planner's unit is a booking's party, re-accommodated on the journey it was on.

A family takes a seat each but lap infants, together on one itinerary; a trip's
cancelled outbound is re-planned to the outbound's own destination, and only onto
options that arrive in time for the booking's next journey to leave: when none does,
nothing is held and the case offers the refund (`agent.planner.inputs`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from sqlalchemy import select

from agent.deps import AgentDeps
from agent.nodes.context import _usable
from agent.planner.avoidance import breaks_avoidance
from agent.planner.inputs import (
    REBOOKING_LEAD,
    broken_segments,
    earlier_departure,
    party_of,
)
from agent.planner.model import Party
from agent.planner.options import Network
from agent.planner.place import Need, place_cases
from agent.settings import PlannerSettings
from agent.state import Assignment, CaseReason, CaseState
from airline.airports import minimum_connection_time
from airline.board import LiveBoard
from airline.models import Booking, FlightStatus, LoyaltyTier, Preferences
from airline.reservations import load_booking
from airline.schedule import Schedule
from airline.tables import InventoryRow, SeatHoldRow
from evals.scenario_world import WorldSpec
from tests.fakes.spec_world import opened_world
from tools.policy.entitlements import BookingFacts
from travel_agent.db import Database

DAY = "2026-03-01"
NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
WEIGHTS = PlannerSettings()


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
                        {"name": "Lea Weber", "type": "child"},
                        {"name": "Mia Weber", "type": "infant"},
                        {"name": "Tom Weber"},
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
            # Fewer seats than the family needs on the next flight out.
            "inventory": [{"flight": "XA104", "seats_left": 3}],
        }
    )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Database, Schedule, LiveBoard]]:
    async with opened_world(_world(), tmp_path) as opened:
        yield opened


def _cancel(board: LiveBoard, key: str) -> None:
    state = board.get(key)
    assert state is not None
    board.apply_in_memory(
        state.model_copy(
            update={"status": FlightStatus.CANCELLED, "event_id": f"x-{key}", "emitted_at": NOW}
        )
    )
    assert board.get(key).status is FlightStatus.CANCELLED  # type: ignore[union-attr]


async def _family_when_xa102_is_cancelled(
    world: tuple[Database, Schedule, LiveBoard],
    *,
    ssr: list[str] | None = None,
    tier: LoyaltyTier = LoyaltyTier.NONE,
    weights: PlannerSettings = WEIGHTS,
) -> tuple[Booking, Party]:
    """The FAMILY booking (with `ssr` when given) and the party it makes when XA102 is
    cancelled."""
    db, schedule, board = world
    cancelled = f"XA102/{DAY}"
    _cancel(board, cancelled)
    async with db.session() as session:
        booking = await load_booking(session, "FAMILY")
    if ssr is not None:
        booking = booking.model_copy(update={"ssr": ssr})
    broken = broken_segments(schedule, board, CaseReason.CANCELLED, booking, cancelled, NOW)
    assert broken is not None
    party = party_of(
        schedule, booking, broken, tier=tier, reason=CaseReason.CANCELLED, weights=weights
    )
    return booking, party


async def test_a_family_is_one_party_placed_together_with_a_seat_each(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    db, schedule, board = world
    cancelled = f"XA102/{DAY}"
    _cancel(board, cancelled)
    async with db.session() as session:
        booking = await load_booking(session, "FAMILY")
    broken = broken_segments(schedule, board, CaseReason.CANCELLED, booking, cancelled, NOW)
    assert broken is not None
    party = party_of(
        schedule,
        booking,
        broken,
        tier=LoyaltyTier.NONE,
        reason=CaseReason.CANCELLED,
        weights=WEIGHTS,
    )
    assert (party.ref, party.seats) == ("FAMILY", 4)  # five travellers, one on a lap

    async with db.transaction() as session:
        before = dict(
            (await session.execute(select(InventoryRow.flight_key, InventoryRow.sold))).all()
        )
        placed = await place_cases(
            session,
            schedule,
            board,
            [Need("case-1", "FAMILY", CaseReason.CANCELLED, cancelled)],
            WEIGHTS,
            now=NOW,
        )
    assignment = placed.assignments["case-1"]
    assert assignment.placed
    assert f"XA104/{DAY}" not in assignment.flights, "three seats cannot take four travellers"
    async with db.session() as session:
        hold = await session.scalar(select(SeatHoldRow).where(SeatHoldRow.case_id == "case-1"))
        assert hold is not None and hold.party == 4
        for key in assignment.flights:
            row = await session.get_one(InventoryRow, (key, "economy"))
            assert row.sold == before[key] + 4


async def test_an_outbound_that_cannot_arrive_before_the_next_journey_is_not_placed(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    db, schedule, board = world
    cancelled = f"XA141/{DAY}"
    _cancel(board, cancelled)
    async with db.session() as session:
        booking = await load_booking(session, "RETURN")
    broken = broken_segments(schedule, board, CaseReason.CANCELLED, booking, cancelled, NOW)
    assert broken is not None
    outbound_end = schedule.flights[f"XA800/{DAY}"].destination
    back = schedule.flights["XA101/2026-03-02"]
    assert broken.destination == outbound_end
    assert [s.journey for s in broken.replace] == [1, 1], "the return keeps its segment"
    assert broken.arrive_by is not None and broken.arrive_by < back.sched_dep

    party = party_of(
        schedule,
        booking,
        broken,
        tier=LoyaltyTier.NONE,
        reason=CaseReason.CANCELLED,
        weights=WEIGHTS,
    )
    assert party.arrive_by == broken.arrive_by
    horizon = timedelta(hours=WEIGHTS.horizon_hours)
    network = Network(schedule, board)
    # The outbound's only ways on (via tomorrow's XA800) reach its destination after the
    # return has left: they are no options, and the party is not placed ...
    unbounded = network.options(replace(party, arrive_by=None), horizon)
    assert unbounded, "the schedule does reach the outbound's destination later"
    assert {schedule.flights[o.flights[-1]].destination for o in unbounded} == {outbound_end}
    assert all(o.arr > broken.arrive_by for o in unbounded)
    assert network.options(party, horizon) == []
    async with db.transaction() as session:
        placed = await place_cases(
            session,
            schedule,
            board,
            [Need("case-2", "RETURN", CaseReason.CANCELLED, cancelled)],
            WEIGHTS,
            now=NOW,
        )
    # ... so no seat is held and the case tells "no alternative", offering the refund.
    assignment = placed.assignments["case-2"]
    assert not assignment.placed and assignment.hold_id is None


async def test_a_delay_of_the_return_buys_the_outbound_no_time(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    """The return's delay is an estimate that may shrink before it leaves (a 300-min delay
    shrank to 95 in found-stranded-s293-w11): an outbound that lands in time only for the
    delayed return would strand the passenger in the end, so the deadline stays the
    scheduled departure's."""
    db, schedule, board = world
    cancelled = f"XA141/{DAY}"
    _cancel(board, cancelled)
    async with db.session() as session:
        booking = await load_booking(session, "RETURN")
    on_time = broken_segments(schedule, board, CaseReason.CANCELLED, booking, cancelled, NOW)
    back = board.get("XA101/2026-03-02")
    assert on_time is not None and back is not None
    late = timedelta(hours=30)
    board.apply_in_memory(
        back.model_copy(
            update={
                "status": FlightStatus.DELAYED,
                "est_dep": back.est_dep + late,
                "est_arr": back.est_arr + late,
                "event_id": "x-late-return",
                "emitted_at": NOW,
            }
        )
    )
    delayed = broken_segments(schedule, board, CaseReason.CANCELLED, booking, cancelled, NOW)
    assert delayed is not None
    assert delayed.arrive_by == on_time.arrive_by


async def test_a_journey_under_way_takes_the_first_seat_out_and_may_keep_its_onward_flight(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    """Once the journey has begun (its first flight left), a cancelled later flight's
    passengers are at the connecting airport: they may leave as soon as they can, not
    only from an hour before the cancelled flight (that window is for passengers who have
    not set out). And only the broken flight is excluded: a later one of the journey that
    still flies may be part of the new way."""
    db, schedule, board = world
    feeder, onward = schedule.flights[f"XA141/{DAY}"], schedule.flights[f"XA800/{DAY}"]
    async with db.session() as session:
        booking = await load_booking(session, "RETURN")

    # Before setting out: the feeder cancelled; the onward flight may be kept.
    _cancel(board, feeder.key)
    broken = broken_segments(schedule, board, CaseReason.CANCELLED, booking, feeder.key, NOW)
    assert broken is not None
    party = party_of(
        schedule,
        booking,
        broken,
        tier=LoyaltyTier.NONE,
        reason=CaseReason.CANCELLED,
        weights=WEIGHTS,
    )
    assert party.exclude == frozenset({feeder.key}), "the onward flight still flies"

    # Under way: the feeder left; the onward flight is cancelled well ahead of its time.
    after_feeder = feeder.sched_dep + timedelta(minutes=5)
    state = board.get(feeder.key)
    assert state is not None
    board.apply_in_memory(
        state.model_copy(
            update={
                "status": FlightStatus.DEPARTED,
                "event_id": "x-left",
                "emitted_at": after_feeder,
            }
        )
    )
    assert onward.sched_dep - after_feeder > timedelta(hours=2)
    _cancel(board, onward.key)
    broken = broken_segments(
        schedule, board, CaseReason.CANCELLED, booking, onward.key, after_feeder
    )
    assert broken is not None
    # As soon as they can: once the feeder has landed and a connection's time has passed.
    hub = schedule.airports[feeder.destination]
    mct = minimum_connection_time(
        hub, international=schedule.is_international(hub.iata, feeder.origin, broken.destination)
    )
    assert broken.earliest_dep == max(after_feeder + REBOOKING_LEAD, feeder.sched_arr + mct)
    # Not under way (the same cancellation seen before the feeder left): the window holds.
    early = broken_segments(schedule, board, CaseReason.CANCELLED, booking, onward.key, NOW)
    assert early is not None and early.earliest_dep > NOW + REBOOKING_LEAD
    assert early.earliest_dep >= feeder.sched_arr + mct, "never under the connection"


async def test_a_cancelled_flight_never_left_so_its_passengers_have_not_set_out(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    """A journey whose first flight was cancelled (the passenger still at home) is not
    under way once that flight's scheduled time passes: the window of how much earlier
    an alternative may leave still holds for the next cancellation (seed 11, world 23:
    counting the cancelled flight as left let the agent sell a connection under MCT)."""
    db, schedule, board = world
    feeder, onward = schedule.flights[f"XA141/{DAY}"], schedule.flights[f"XA800/{DAY}"]
    async with db.session() as session:
        booking = await load_booking(session, "RETURN")
    _cancel(board, feeder.key)
    _cancel(board, onward.key)
    after_feeder = feeder.sched_dep + timedelta(minutes=5)
    broken = broken_segments(
        schedule, board, CaseReason.CANCELLED, booking, onward.key, after_feeder
    )
    assert broken is not None
    assert broken.earliest_dep == max(
        after_feeder + REBOOKING_LEAD, onward.sched_dep - earlier_departure(after_feeder, onward)
    )


async def test_a_diverted_party_starts_again_where_it_landed_after_the_one_lead(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    """Told on landing at the alternate, the passengers may take a departure from there
    `REBOOKING_LEAD` later: the same lead as anyone told at an airport, and the same the
    oracle reads (`evals.oracle.journeys.LEAD`)."""
    db, schedule, board = world
    diverted = f"XA102/{DAY}"
    state = board.get(diverted)
    assert state is not None
    board.apply_in_memory(
        state.model_copy(
            update={
                "status": FlightStatus.DIVERTED,
                "diverted_to": "MUC",
                "event_id": "x-div",
                "emitted_at": NOW,
            }
        )
    )
    async with db.session() as session:
        booking = await load_booking(session, "FAMILY")
    broken = broken_segments(schedule, board, CaseReason.DIVERTED, booking, diverted, NOW)
    assert broken is not None
    assert (broken.origin, broken.earliest_dep) == ("MUC", NOW + REBOOKING_LEAD)
    assert REBOOKING_LEAD == timedelta(minutes=30)


async def test_a_partys_avoid_list_is_its_airports_cities_and_carriers(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    """The planner knew only red-eyes of a passenger's hard preferences: an assignment
    connecting in a city the passenger refused stood (and a re-plan chose it again)."""
    db, schedule, board = world
    async with db.session() as session:
        booking = await load_booking(session, "RETURN")
    connection = [s.flight_key for s in booking.segments if s.journey == 1]
    _cancel(board, connection[0])
    broken = broken_segments(schedule, board, CaseReason.CANCELLED, booking, connection[0], NOW)
    assert broken is not None
    refuses = Preferences(avoid_cities=["London"], avoid_airports=["AMS"], avoid_carriers=["XB"])

    party = party_of(
        schedule,
        booking,
        broken,
        tier=LoyaltyTier.NONE,
        reason=CaseReason.CANCELLED,
        weights=WEIGHTS,
        preferences=refuses,
    )

    assert {"AMS", "LHR", "LGW", "SEN"} <= party.avoid_airports
    assert "YXU" not in party.avoid_airports  # London, Ontario is not London
    assert party.avoid_carriers == {"XB"}
    hub = schedule.flights[connection[0]].destination
    assert hub == "FRA"
    assert breaks_avoidance(schedule, connection, Preferences(avoid_cities=["Frankfurt am Main"]))
    assert breaks_avoidance(schedule, connection, Preferences(avoid_carriers=["XA"]))
    assert not breaks_avoidance(schedule, connection, refuses)


async def test_a_wave_assignment_through_a_refused_city_is_planned_again(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    """The wave plans without the customers' memory; the case reads it, and an assignment
    that connects where the passenger refused to goes back to the planner (which now
    knows the refusal), as one on a red-eye for a passenger who avoids them does."""
    _, schedule, board = world
    onward = next(k for k, f in schedule.flights.items() if f.number == 800)
    inbound = next(
        k
        for k, f in schedule.flights.items()
        if f.destination == "FRA"
        and f.sched_arr <= schedule.flights[onward].sched_dep - timedelta(hours=1)
    )
    assignment = Assignment(flights=[inbound, onward])
    deps = cast(AgentDeps, SimpleNamespace(schedule=schedule, board=board))
    state = cast(CaseState, {})

    assert _usable(state, assignment, deps, Preferences())
    assert not _usable(state, assignment, deps, Preferences(avoid_cities=["Frankfurt am Main"]))
    assert not _usable(state, assignment, deps, Preferences(avoid_airports=["FRA"]))


async def test_parties_asking_the_network_the_same_question_share_its_answer(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    """The passengers of one cancelled flight bound for one destination get the same
    Option objects (each party a list of its own), not a copy each: built per party, a
    storm wave held every itinerary once per passenger."""
    _, schedule, board = world
    flight = schedule.flights[f"XA102/{DAY}"]
    _cancel(board, flight.key)

    def party(ref: str, cabin: str = "economy") -> Party:
        return Party(
            ref=ref,
            seats=1,
            origin=flight.origin,
            destination=flight.destination,
            earliest_dep=flight.sched_dep,
            cabin=cabin,
            carrier=flight.carrier,
            scheduled_arrival=flight.sched_arr,
            exclude=frozenset({flight.key}),
        )

    network = Network(schedule, board)
    horizon = timedelta(hours=WEIGHTS.horizon_hours)
    first, second = network.options(party("A"), horizon), network.options(party("B"), horizon)
    assert first and first == second and first is not second
    assert all(a is b for a, b in zip(first, second, strict=True))
    business = network.options(party("C", "business"), horizon)
    assert [o.flights for o in business] == [o.flights for o in first]
    assert {o.cabin for o in business} == {"business"}


@pytest.mark.parametrize("code", ["DPNA", "WCHR", "BLND", "UMNR"])
async def test_a_passenger_eu261_art11_protects_is_planned_first(
    world: tuple[Database, Schedule, LiveBoard], code: str
) -> None:
    """Reduced mobility in the sense of Reg 1107/2006 Art 2(a) includes intellectual
    impairment: a DPNA passenger (disabled, needing assistance) is planned in EU261
    Art 11's first part like a wheelchair user, and is owed what Art 11 gives (the oracle
    counted DPNA; the agent did not)."""
    booking, party = await _family_when_xa102_is_cancelled(world, ssr=[code])
    assert party.art11
    facts = BookingFacts.from_booking(booking)
    assert facts.reduced_mobility == (code != "UMNR")
    assert facts.unaccompanied_minor == (code == "UMNR")


@pytest.mark.parametrize(
    ("tier", "in_order", "expected"),
    [
        (LoyaltyTier.PLATINUM, True, 0),
        (LoyaltyTier.GOLD, True, 1),
        (LoyaltyTier.SILVER, True, 2),
        (LoyaltyTier.NONE, True, 3),
        (LoyaltyTier.PLATINUM, False, 0),
        (LoyaltyTier.NONE, False, 0),
    ],
)
async def test_a_tier_is_the_class_a_party_is_planned_in(
    world: tuple[Database, Schedule, LiveBoard], tier: LoyaltyTier, in_order: bool, expected: int
) -> None:
    """Tiers are served a seat in order, platinum first (`PlannerSettings.tiers_in_order`);
    off, every tier is one class and the tier is only its weight."""
    _, party = await _family_when_xa102_is_cancelled(
        world, tier=tier, weights=WEIGHTS.model_copy(update={"tiers_in_order": in_order})
    )
    assert party.tier_order == expected
