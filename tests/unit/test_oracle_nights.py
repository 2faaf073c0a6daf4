"""The oracle's night (Art 9(1)(b)): a wait at one airport holding at least four hours
of night time, midnight to 05:00 local there (`evals.oracle.nights`), on hand-made runs.

The worlds start at 05:00Z on 1 March 2026; Zurich is UTC+1, New York UTC-5.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from evals.oracle import judge
from evals.oracle.nights import night_held, stays_a_night
from evals.oracle.record import RunRecord
from tests.unit.night_waits import WAITS, utc
from tests.unit.oracle_worlds import (
    PLACES,
    after,
    at,
    booking,
    event,
    flight,
    message,
    money,
    rebook,
    world,
)

ZRH, JFK = PLACES["ZRH"], PLACES["JFK"]


@pytest.mark.parametrize(("ready", "leaves", "night"), WAITS)
def test_a_night_is_four_hours_of_midnight_to_five_local(
    ready: datetime, leaves: datetime, night: bool
) -> None:
    assert stays_a_night(ready, leaves, ZRH) is night


def test_the_wait_is_judged_on_the_clock_of_the_airport_where_it_happens() -> None:
    """The same seven hours are 00:00-07:00 in Zurich (a night) and 18:00-01:00 in New
    York (one hour of it); a wait over two nights sums them."""
    ready, leaves = utc(1, 23), utc(2, 6)
    assert night_held(ready, leaves, ZRH) == timedelta(hours=5)
    assert night_held(ready, leaves, JFK) == timedelta(hours=1)
    assert not stays_a_night(ready, leaves, JFK)
    assert night_held(utc(1, 2), utc(2, 1), ZRH) == timedelta(hours=2 + 2)


def minutes(instant: datetime) -> float:
    return (instant - at(0)).total_seconds() / 60


def care_findings(record: RunRecord) -> list[str]:
    return [f.reason for f in judge(after(record)).findings if f.check == "care"]


def _late_inbound_at_zurich(care: list[str]) -> RunRecord:
    """FRA→ZRH→LHR: the inbound lands at 00:55 local instead of 23:30, the 00:30
    connection is lost, the re-routing leaves ZRH at 11:30 the same date."""
    inbound = flight(
        "XA1/2026-03-01", "FRA", "ZRH", minutes(utc(1, 21, 30)), minutes(utc(1, 22, 30))
    )
    onward = flight("XA4/2026-03-02", "ZRH", "LHR", minutes(utc(1, 23, 30)), minutes(utc(2, 0, 45)))
    morning = flight(
        "XA6/2026-03-02", "ZRH", "LHR", minutes(utc(2, 10, 30)), minutes(utc(2, 11, 45))
    )
    told = minutes(utc(1, 20))
    return RunRecord(
        world=world([inbound, onward, morning], [booking("P1", inbound.key, onward.key)]),
        events=[event(told, inbound.key, "delayed", utc(1, 22, 55), utc(1, 23, 55))],
        end=at(minutes(utc(2, 12))),
        effects=[
            rebook(told, "P1", [2], [morning.key]),
            money(told, "P1", "compensate", regime="eu261", amount_cents=25000, currency="EUR"),
            money(told, "P1", "care", regime="eu261", items=care),
        ],
        messages=[message(told, "P1", "missed_connection_rebooked", inbound.key)],
    )


def test_a_late_inbound_landing_after_midnight_re_routed_the_next_morning_owes_a_hotel() -> None:
    """Art 5(1)(b), 9(1)(b): the passenger waits at Zurich from 00:55 to 11:30, the whole
    night, though the re-routing leaves on the date the lost connection was to."""
    assert care_findings(_late_inbound_at_zurich(["meals", "hotel", "communication"])) == []
    assert care_findings(_late_inbound_at_zurich(["meals", "communication"])) == [
        "a hotel owed (overnight wait, Art 9(1)(b)) and not given"
    ]


def _late_evening_delay(care: list[str]) -> RunRecord:
    """ZRH→LHR at 22:00 local leaves at 00:30 (crew): 2 h 30 late."""
    evening = flight("XA8/2026-03-01", "ZRH", "LHR", minutes(utc(1, 21)), minutes(utc(1, 22, 15)))
    told = minutes(utc(1, 19))
    return RunRecord(
        world=world([evening], [booking("P1", evening.key)]),
        events=[event(told, evening.key, "delayed", utc(1, 23, 30), utc(2, 0, 45))],
        end=at(minutes(utc(2, 2))),
        effects=[money(told, "P1", "care", regime="eu261", items=care)],
        messages=[message(told, "P1", "delay", evening.key)],
    )


def test_a_delay_past_midnight_that_leaves_before_the_night_owes_no_hotel() -> None:
    """The flight leaves the day after it was to (Art 6(1)(ii) as a date reads it), but
    the passenger spends the night on board: meals are owed, a hotel is not."""
    assert care_findings(_late_evening_delay(["meals", "communication"])) == []
    assert care_findings(_late_evening_delay(["meals", "hotel", "communication"])) == [
        "a hotel given, not owed: no overnight wait"
    ]
