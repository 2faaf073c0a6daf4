"""Advance notice: events days or weeks before a flight are news, and the notice decides
what is owed (EU261/UK261 Art 5(1)(c))."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.planner.inputs import earlier_departure
from airline.board import SCHEDULE_ONLY, ChangeKind, FlightState, LiveBoard
from airline.models import FlightStatus
from app.migrate import open_database
from evals.scenario_world import WorldSpec
from evals.world import write
from tools.policy.eu261 import cancellation_exempt, rerouting_window
from travel_agent.db import Database

H = timedelta(hours=1)
D = timedelta(days=1)


def _open(path: Path) -> AbstractAsyncContextManager[Database]:
    """The world's database opened as the application opens it (migrated to head)."""
    return open_database(f"sqlite+aiosqlite:///{path}")


@pytest.mark.parametrize(
    ("notice", "point", "earlier", "later"),
    [
        pytest.param(21 * D, None, None, None, id="14 days or more: (i), nothing to meet"),
        pytest.param(14 * D, None, None, None, id="exactly 14 days: (i)"),
        pytest.param(14 * D - H, "(ii)", 2 * H, 4 * H, id="13 days 23 h: (ii)"),
        pytest.param(7 * D, "(ii)", 2 * H, 4 * H, id="exactly 7 days: (ii)"),
        pytest.param(7 * D - H, "(iii)", 1 * H, 2 * H, id="under 7 days: (iii)"),
        pytest.param(timedelta(0), "(iii)", 1 * H, 2 * H, id="at the airport: (iii)"),
    ],
)
def test_the_notice_band_sets_the_rerouting_window(
    notice: timedelta, point: str | None, earlier: timedelta | None, later: timedelta | None
) -> None:
    window = rerouting_window(notice)
    if point is None:
        assert window is None
        assert cancellation_exempt(notice, departs_earlier_by=None, arrives_later_by=None)
        return
    assert window is not None and window.point.endswith(point)
    assert (window.earlier, window.later) == (earlier, later)
    inside = cancellation_exempt(notice, departs_earlier_by=earlier, arrives_later_by=later - H)
    outside = cancellation_exempt(notice, departs_earlier_by=earlier, arrives_later_by=later)
    assert inside == window.point and outside is None  # "less than" the later limit


async def test_an_event_weeks_before_the_flight_is_news_on_a_seeded_board(tmp_path: Path) -> None:
    world = await write(WorldSpec(), tmp_path / "airline.sqlite", open_database=_open)
    flight = next(f for f in world.flights if f.key == "XA106/2026-03-01")
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'airline.sqlite'}") as db:
        board = LiveBoard()
        await board.load(db)
    # The published schedule names no event: whatever comes first about a flight is news.
    assert board.get(flight.key).event_id == SCHEDULE_ONLY  # type: ignore[union-attr]
    three_weeks_ahead = flight.sched_dep - 21 * D
    step = board.advance(
        FlightState(
            flight_key=flight.key,
            status=FlightStatus.CANCELLED,
            est_dep=flight.sched_dep,
            est_arr=flight.sched_arr,
            reason="scheduling",
            event_id="ev-1",
            emitted_at=three_weeks_ahead,
        )
    )
    assert step is not None and step[1] is ChangeKind.CANCELLATION
    stale = board.advance(
        FlightState(
            flight_key=flight.key,
            status=FlightStatus.SCHEDULED,
            est_dep=flight.sched_dep,
            est_arr=flight.sched_arr,
            event_id="ev-0",
            emitted_at=three_weeks_ahead - H,  # older than the cancellation: stale
        )
    )
    assert stale is None


def test_alternatives_may_leave_as_early_as_the_notice_band_allows() -> None:
    from evals.world import build

    flight = next(f for f in build(WorldSpec()).flights if f.key == "XA106/2026-03-01")
    at = flight.sched_dep
    assert earlier_departure(at - 3 * D, flight) == 1 * H  # (iii)
    assert earlier_departure(at - 10 * D, flight) == 2 * H  # (ii)
    assert earlier_departure(at - 30 * D, flight) == 2 * H  # (i): kept close to schedule
    assert datetime(2026, 3, 1, tzinfo=UTC) < at
