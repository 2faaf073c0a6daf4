"""A flight diverted to one airport and then to another: the passengers already re-routed
from the first are placed again from the second (`agent.triage.rerouted_from`,
`agent.planner.inputs.stale_rerouting`; found-stale-reroute-s1-w159), and with nothing
from there their re-routing is given up (`agent.nodes.booking_changes.give_up_unreachable`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.planner.inputs import REBOOKING_LEAD, broken_segments
from agent.state import CaseReason
from agent.triage import affected_bookings
from airline.board import Change, ChangeKind, FlightState, LiveBoard
from airline.models import FlightStatus, SegmentStatus
from airline.reservations import load_booking
from airline.schedule import Schedule
from airline.tables import SegmentRow
from app.eval_cli import EvalHarness
from app.settings import Settings
from evals.runner import ScenarioRunner
from evals.scenario import load_scenario
from evals.scenario_world import WorldSpec
from evals.suite import run_record
from tests.fakes.spec_world import opened_world
from travel_agent.db import Database

NOW = datetime(2026, 5, 29, 7, 10, tzinfo=UTC)
DIVERTED = "XU162/2026-05-29"
FROM_JFK = "XU153/2026-05-30"
FOUND = Path(__file__).resolve().parents[2] / "evals" / "found"


def _world() -> WorldSpec:
    def flight(
        code: str, date: str, origin: str, dest: str, dep: str, arr: str
    ) -> dict[str, object]:
        return {
            "flight": code,
            "date": date,
            "from": origin,
            "to": dest,
            "dep": f"{date}T{dep}:00+00:00",
            "arr": f"{date}T{arr}:00+00:00",
            "cabins": {"economy": 9},
        }

    return WorldSpec.model_validate(
        {
            "seed": "empty",
            "date": "2026-05-29",
            "flights": [
                flight("XU162", "2026-05-29", "ORD", "MIA", "06:30", "09:20"),
                flight("XU153", "2026-05-30", "JFK", "MIA", "15:15", "17:55"),
                flight("XU171", "2026-05-29", "BOS", "MIA", "13:00", "16:10"),
            ],
            "customers": [{"id": "C1", "name": "Ivo Weber"}, {"id": "C2", "name": "Ola Berg"}],
            "bookings": [
                {"pnr": "AWAY01", "customer": "C1", "segments": [{"flight": "XU162"}]},
                {"pnr": "ABOARD", "customer": "C2", "segments": [{"flight": "XU162"}]},
            ],
        }
    )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Database, Schedule, LiveBoard]]:
    async with opened_world(_world(), tmp_path) as opened:
        yield opened


def _divert(board: LiveBoard, to: str, at: datetime = NOW) -> tuple[FlightState, FlightState]:
    before = board.get(DIVERTED)
    assert before is not None
    after = before.model_copy(
        update={
            "status": FlightStatus.DIVERTED,
            "diverted_to": to,
            "event_id": f"div-{to}",
            "emitted_at": at,
        }
    )
    board.apply_in_memory(after)
    assert board.get(DIVERTED).diverted_to == to  # type: ignore[union-attr]
    return before, after


async def _rerouted_from_jfk(db: Database, pnr: str) -> None:
    """The first diversion's case: off XU162, onto JFK-MIA."""
    async with db.transaction() as session:
        row = await session.scalar(select(SegmentRow).where(SegmentRow.pnr == pnr))
        assert row is not None
        row.status = SegmentStatus.REPLACED.value
        session.add(
            SegmentRow(
                pnr=pnr,
                seq=2,
                journey=row.journey,
                flight_key=FROM_JFK,
                cabin=row.cabin,
                status=SegmentStatus.ACTIVE.value,
            )
        )


async def test_a_re_diversion_re_places_a_re_routing_from_the_first_airport(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    db, schedule, board = world
    _divert(board, "JFK")
    await _rerouted_from_jfk(db, "AWAY01")
    first, second = _divert(board, "BOS", NOW + timedelta(minutes=10))
    change = Change(flight_key=DIVERTED, kind=ChangeKind.DIVERSION, previous=first, current=second)
    async with db.session() as session:
        affected = await affected_bookings(
            session, change, schedule, board, now=NOW, delay_notify=timedelta(minutes=15)
        )
        booking = await load_booking(session, "AWAY01")
    # Both: the one still aboard, and the one re-routed from JFK.
    assert {(a.pnr, a.reason) for a in affected} == {
        ("ABOARD", CaseReason.DIVERTED),
        ("AWAY01", CaseReason.DIVERTED),
    }
    broken = broken_segments(schedule, board, CaseReason.DIVERTED, booking, DIVERTED, NOW)
    assert broken is not None
    assert [s.flight_key for s in broken.replace] == [FROM_JFK]
    assert (broken.origin, broken.earliest_dep) == ("BOS", NOW + REBOOKING_LEAD)


async def test_a_re_routing_from_where_the_flight_lands_is_left_alone(
    world: tuple[Database, Schedule, LiveBoard],
) -> None:
    """A diversion re-announced to the same airport, or a first diversion, finds no one
    off the flight: their re-routing starts where they are."""
    db, schedule, board = world
    _, first = _divert(board, "JFK")
    await _rerouted_from_jfk(db, "AWAY01")
    _, again = _divert(board, "JFK", NOW + timedelta(minutes=10))
    change = Change(flight_key=DIVERTED, kind=ChangeKind.DIVERSION, previous=first, current=again)
    async with db.session() as session:
        affected = await affected_bookings(
            session, change, schedule, board, now=NOW, delay_notify=timedelta(minutes=15)
        )
        booking = await load_booking(session, "AWAY01")
    assert [a.pnr for a in affected] == ["ABOARD"]
    assert broken_segments(schedule, board, CaseReason.DIVERTED, booking, DIVERTED, NOW) is None


async def test_a_re_routing_nothing_replaces_is_given_up_for_the_diverted_flight(
    tmp_path: Path,
) -> None:
    """found-stale-reroute-s1-w159: re-routed JFK→MIA, then the flight diverts to BOS
    instead, where nothing leaves for MIA. The case tells "no alternative" and offers the
    refund; the JFK re-routing, which the passenger cannot reach, is given up (its seat
    back), and the booking is back on the diverted flight, as its passengers still
    aboard with no alternative hold it."""
    runner = ScenarioRunner(EvalHarness(Settings(data_dir=tmp_path)), workdir=tmp_path)
    result = await runner.run(load_scenario(FOUND / "found-stale-reroute-s1-w159.yaml"))
    assert result.error is None
    assert [s.flight_key for s in result.bookings["G02F38"].active_segments] == [DIVERTED]
    actions = [e.action for e in result.ledger if e.pnr == "G02F38"]
    assert actions.count("rebook") == 1 and actions.count("release") == 1
    assert "refund_offer" in actions
    # XU153's seat is back; XU162 holds the passenger again.
    assert (
        result.inventory_after[FROM_JFK, "economy"] == result.inventory_before[FROM_JFK, "economy"]
    )
    assert (
        result.inventory_after[DIVERTED, "economy"] == result.inventory_before[DIVERTED, "economy"]
    )
    assert run_record(result, 1)["passed"]
