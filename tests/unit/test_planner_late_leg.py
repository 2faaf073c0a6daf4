"""A missed connection whose late leg has not left is placed from either of its starts.

XB111 (VIE 11:15 → CDG 13:00) runs six hours late and will miss the booking's XB101
(CDG 16:00 → ZRH). From the hub, after the late arrival, nothing reaches ZRH; the
passengers are still at VIE, where XA111 (12:45 → CDG 14:30) makes the same XB101
(found-stranded-s71-w22). The planner offers both starts; an option from the late leg's
origin replaces the late leg too, and the guard checks each rebooking against the start
its segments belong to (`tools.policy.validate.CaseFacts.start_for`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.offers import open_offer
from agent.planner.inputs import broken_segments
from agent.planner.place import Need, place_cases
from agent.settings import PlannerSettings
from agent.state import CaseReason, NotifyAction, RebookAction
from agent.tables import OfferRow
from airline.board import LiveBoard
from airline.models import Cabin, FlightStatus, LoyaltyTier
from airline.reservations import load_booking
from airline.schedule import Schedule
from airline.sql_ports import SqlReservations
from evals.scenario_world import WorldSpec
from tests.fakes.spec_world import opened_world
from tools.flights import Itinerary, Leg
from tools.notifications import MessageKind
from tools.plan import StartAgain
from tools.policy.checks import Refusal
from tools.policy.validate import CaseFacts, validate
from travel_agent.db import Database

DAY, NEXT_DAY = "2026-05-25", "2026-05-26"
NOW = datetime(2026, 5, 25, 8, 40, tzinfo=UTC)
LATE, EARLIER, ONWARD = f"XB111/{DAY}", f"XA111/{DAY}", f"XB101/{DAY}"
WEIGHTS = PlannerSettings()


def _flight(number: str, origin: str, destination: str, dep: str, arr: str) -> dict[str, object]:
    return {
        "flight": number,
        "date": DAY,
        "from": origin,
        "to": destination,
        "dep": f"{DAY}T{dep}:00+00:00",
        "arr": f"{DAY}T{arr}:00+00:00",
        "cabins": {"economy": 8},
    }


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Database, Schedule, LiveBoard]]:
    spec = WorldSpec.model_validate(
        {
            "seed": "empty",
            "date": DAY,
            "flights": [
                _flight("XB111", "VIE", "CDG", "11:15", "13:00"),
                _flight("XA111", "VIE", "CDG", "12:45", "14:30"),
                _flight("XB101", "CDG", "ZRH", "16:00", "17:05"),
                # Direct, the next morning: only worth it if the connection breaks.
                {
                    **_flight("XA121", "VIE", "ZRH", "08:00", "09:30"),
                    "date": NEXT_DAY,
                    "dep": f"{NEXT_DAY}T08:00:00+00:00",
                    "arr": f"{NEXT_DAY}T09:30:00+00:00",
                },
            ],
            "customers": [{"id": "C1", "name": "Ana Ruiz"}],
            "bookings": [
                {
                    "pnr": "LATE01",
                    "customer": "C1",
                    "segments": [{"flight": "XB111"}, {"flight": "XB101"}],
                }
            ],
        }
    )
    async with opened_world(spec, tmp_path) as (db, schedule, board):
        _set(board, LATE, FlightStatus.DELAYED, late=timedelta(minutes=365))
        yield db, schedule, board


def _set(
    board: LiveBoard, key: str, status: FlightStatus, late: timedelta, at: datetime = NOW
) -> None:
    state = board.get(key)
    assert state is not None
    board.apply_in_memory(
        state.model_copy(
            update={
                "status": status,
                "est_dep": state.est_dep + late,
                "est_arr": state.est_arr + late,
                "event_id": f"x-{key}-{status}",
                "emitted_at": at,
            }
        )
    )


async def _place(
    db: Database,
    schedule: Schedule,
    board: LiveBoard,
    reason: CaseReason = CaseReason.MISSED_CONNECTION,
    disrupted: str = LATE,
) -> list[str]:
    async with db.transaction() as session:
        placed = await place_cases(
            session,
            schedule,
            board,
            [Need("case-1", "LATE01", reason, disrupted)],
            WEIGHTS,
            now=NOW,
        )
    return placed.assignments["case-1"].flights


async def test_a_late_leg_not_yet_left_is_replaced_when_that_saves_the_connection(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    db, schedule, board = world
    assert await _place(db, schedule, board) == [EARLIER, ONWARD]


async def test_a_cancelled_onward_leg_is_replaced_from_where_the_passengers_still_are(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    """The onward leg is cancelled while the first has not left: nothing leaves CDG for
    ZRH, but the passengers are still at VIE, with a direct flight (found-stranded-s79-w4)."""
    db, schedule, board = world
    _set(board, LATE, FlightStatus.SCHEDULED, late=-timedelta(minutes=365))
    _set(board, ONWARD, FlightStatus.CANCELLED, late=timedelta())
    placed = await _place(db, schedule, board, CaseReason.CANCELLED, ONWARD)
    assert placed == [f"XA121/{NEXT_DAY}"]
    # Once the first leg has left, its passengers are on their way to CDG: no second start.
    _set(board, LATE, FlightStatus.DEPARTED, late=timedelta(), at=NOW + timedelta(minutes=1))
    async with db.session() as session:
        booking = await load_booking(session, "LATE01")
    broken = broken_segments(schedule, board, CaseReason.CANCELLED, booking, ONWARD, NOW)
    assert broken is not None and broken.also_from is None


async def test_a_late_leg_that_left_is_kept_its_passengers_are_on_board(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    db, schedule, board = world
    _set(board, LATE, FlightStatus.DEPARTED, late=timedelta(), at=NOW + timedelta(minutes=1))
    assert board.get(LATE).status is FlightStatus.DEPARTED  # type: ignore[union-attr]
    async with db.session() as session:
        booking = await load_booking(session, "LATE01")
    broken = broken_segments(schedule, board, CaseReason.MISSED_CONNECTION, booking, LATE, NOW)
    assert broken is not None and broken.also_from is None
    assert await _place(db, schedule, board) == [], "nothing reaches ZRH from CDG in time"


async def test_the_guard_checks_a_rebooking_against_the_start_its_segments_belong_to(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    db, schedule, board = world
    async with db.session() as session:
        booking = await load_booking(session, "LATE01")
    broken = broken_segments(schedule, board, CaseReason.MISSED_CONNECTION, booking, LATE, NOW)
    assert broken is not None and broken.also_from is not None
    late_seq, onward_seq = (s.seq for s in broken.also_from.replace)
    facts = CaseFacts(
        booking=booking,
        tier=LoyaltyTier.NONE,
        disrupted_flight=LATE,
        now=NOW,
        broken_seqs=[onward_seq],
        origin=broken.origin,
        destination=broken.destination,
        booked_cabin=Cabin.ECONOMY,
        not_before=broken.earliest_dep,
        also_from=StartAgain(
            replace_seqs=[late_seq, onward_seq],
            origin=broken.also_from.origin,
            earliest_dep=broken.also_from.earliest_dep,
        ),
    )

    async def refused(replace_seqs: list[int], flights: list[str]) -> str:
        rebook = RebookAction(replace_seqs=replace_seqs, flights=flights, cabin=Cabin.ECONOMY)
        notify = NotifyAction(message=MessageKind.MISSED_CONNECTION_REBOOKED)
        async with db.session() as session:
            checked = await validate(
                SqlReservations(session), schedule, board, [rebook, notify], facts
            )
        return "; ".join(str(v) for v in checked.violations if v.reason is Refusal.ITINERARY)

    assert await refused([late_seq, onward_seq], [EARLIER, ONWARD]) == ""
    # From VIE, replacing only the onward leg: the passenger would hold two flights to CDG.
    assert "starts at VIE, the passenger is at CDG" in await refused(
        [onward_seq], [EARLIER, ONWARD]
    )
    # From the hub, replacing the late leg too: it starts where the passenger is not.
    assert "starts at CDG, the passenger is at VIE" in await refused(
        [late_seq, onward_seq], [ONWARD]
    )


async def test_an_offer_names_only_options_leaving_where_the_booked_one_does(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    """A switch replaces the booked flights, so it starts where they do: an option from
    the other start (the hub, once the late leg was replaced) could not be booked."""
    db, schedule, board = world

    def itinerary(*keys: str) -> Itinerary:
        legs = []
        for key in keys:
            flight, state = schedule.flights[key], board.get(key)
            assert state is not None
            legs.append(
                Leg(
                    flight_key=key,
                    carrier=flight.carrier,
                    origin=flight.origin,
                    destination=flight.destination,
                    dep=state.est_dep,
                    arr=state.est_arr,
                )
            )
        return Itinerary(legs=legs, cabin=Cabin.ECONOMY, seats=5)

    async with db.transaction() as session:
        offer_id = await open_offer(
            session,
            db,
            case_id="case-1",
            pnr="LATE01",
            disruption_flight=LATE,
            booked=[EARLIER, ONWARD],
            alternatives=[itinerary(EARLIER, ONWARD), itinerary(ONWARD)],
            cabin=Cabin.ECONOMY,
            departure=schedule.flights[EARLIER].sched_dep,
            now=NOW,
        )
    async with db.session() as session:
        offer = await session.get_one(OfferRow, offer_id)
    assert [o["flights"] for o in offer.options] == [[EARLIER, ONWARD]]
