"""Delay news is judged against what the passenger was told, not against the last event.

The board calls a move under its material shift progress; triage still looks at it
while the flight is late enough to announce (`triage_kind`), and tells a passenger once
the departure is past the notice line and again once it moved `RENOTICE_SHIFT` from what
they were told (`delay_is_news`); an earlier departure than told is news (`recovery_is_news`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from agent.triage import RENOTICE_SHIFT, delay_is_news, recovery_is_news, triage_kind
from airline.board import ChangeKind, FlightState, classify
from airline.models import Airport, Flight, FlightStatus
from airline.schedule import Schedule

SCHED = datetime(2026, 5, 12, 18, 0, tzinfo=UTC)
NOTIFY = timedelta(minutes=30)
KEY = "XU520/2026-05-12"
SCHEDULE = Schedule(
    [
        Airport(iata="BOS", name="BOS", city="Boston", country="US", lat=0, lon=0, tz="UTC"),
        Airport(iata="ORD", name="ORD", city="Chicago", country="US", lat=0, lon=0, tz="UTC"),
    ],
    [
        Flight(
            key=KEY,
            carrier="XU",
            number=520,
            service_date=date(2026, 5, 12),
            origin="BOS",
            destination="ORD",
            sched_dep=SCHED,
            sched_arr=SCHED + timedelta(hours=2),
            tail="N1",
            distance_km=1400,
        )
    ],
)


def late(minutes: int, status: FlightStatus = FlightStatus.DELAYED) -> FlightState:
    dep = SCHED + timedelta(minutes=minutes)
    return FlightState(
        flight_key=KEY,
        status=status,
        est_dep=dep,
        est_arr=dep + timedelta(hours=2),
        event_id=f"e{minutes}",
        emitted_at=SCHED - timedelta(hours=6),
    )


def kind_of(before: int, after: int) -> ChangeKind:
    previous, current = late(before), late(after)
    return triage_kind(previous, current, classify(previous, current), SCHEDULE, NOTIFY)


def at(minutes: int) -> datetime:
    return SCHED + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (20, 30, ChangeKind.DELAY),  # a 10-minute step that crosses the notice line
        (40, 50, ChangeKind.DELAY),  # a small step of a told delay: triage compares
        (60, 50, ChangeKind.RECOVERY),
        (10, 20, ChangeKind.PROGRESS),  # under the line before and after: noise
        (20, 40, ChangeKind.DELAY),  # the board's own material shift is kept
        (40, 40, ChangeKind.PROGRESS),  # nothing moved
    ],
)
def test_a_small_move_of_a_late_flight_reaches_triage(
    before: int, after: int, kind: ChangeKind
) -> None:
    assert kind_of(before, after) == kind


def test_a_departed_flight_is_not_news_however_it_moves() -> None:
    previous, current = late(40), late(45, FlightStatus.DEPARTED)
    assert triage_kind(previous, current, classify(previous, current), SCHEDULE, NOTIFY) == (
        ChangeKind.PROGRESS
    )


def test_a_delay_creeping_in_steps_is_told_at_the_line_and_again_30_minutes_on() -> None:
    told: datetime | None = None
    messages = []
    for minutes in range(0, 100, 10):
        if delay_is_news(at(minutes), told, SCHED, NOTIFY):
            told = at(minutes)
            messages.append(minutes)
    assert messages == [30, 60, 90]


def test_a_move_under_the_renotice_shift_is_not_news_either_way() -> None:
    told = at(120)
    assert not delay_is_news(at(135), told, SCHED, NOTIFY)  # the 15-minute re-notice
    assert not delay_is_news(told + RENOTICE_SHIFT - timedelta(minutes=1), told, SCHED, NOTIFY)
    assert delay_is_news(told + RENOTICE_SHIFT, told, SCHED, NOTIFY)
    assert delay_is_news(told - RENOTICE_SHIFT, told, SCHED, NOTIFY)


def test_a_small_move_past_a_wait_that_owes_more_is_news() -> None:
    """gen-s163-w27: ZRH-AMS told 115 min late, then 125: meals are owed from 2 h
    (EU261 Art 6(1)(a)), so the 10-minute move is news for what the passenger is owed;
    one that reaches no such wait is not."""
    assert delay_is_news(at(125), at(115), SCHED, NOTIFY)  # care from 2 h (short band)
    assert delay_is_news(at(185), at(170), SCHED, NOTIFY)  # 3 h: medium band, APPR s.12
    assert delay_is_news(at(240), at(225), SCHED, NOTIFY)  # 4 h: long band
    assert not delay_is_news(at(135), at(125), SCHED, NOTIFY)  # past 2 h already
    assert not delay_is_news(at(110), at(95), SCHED, NOTIFY)  # short of it


def test_told_of_no_delay_is_measured_from_the_schedule() -> None:
    assert delay_is_news(at(35), None, SCHED, NOTIFY)  # told nothing (or a cancellation)
    assert delay_is_news(at(35), at(10), SCHED, NOTIFY)  # told a departure, not a delay
    assert not delay_is_news(at(25), None, SCHED, NOTIFY)  # under the line: not news


def test_an_earlier_departure_than_told_is_news_from_a_board_material_shift() -> None:
    assert recovery_is_news(at(45), at(60))
    assert not recovery_is_news(at(50), at(60))
    assert not recovery_is_news(at(70), at(60))
