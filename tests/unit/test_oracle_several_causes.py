"""The oracle judges a delay with several causes as Pešková (C-315/15) does: the part an
extraordinary cause made is deducted, and what the re-routing flown arrived late by its
own schedule is its own causes' part.

FRA→JFK (about 6 200 km: 600 EUR, EU261 Art 7(1)(c)) cancelled for weather; the only seat
on a flight already late for a knock-on delay, rebooked before it leaves and flown as it
was. The weather's part is the re-routing's scheduled arrival against the booked one;
the rest is the knock-on's (found-compensation-s281-w11: a diversion for weather,
re-routed onto a flight 235 min late, paid 600 EUR, which the oracle refused because no
moment saw the re-routing unflown and late, so its cause was never judged).
"""

from __future__ import annotations

from datetime import timedelta

from evals.oracle import judge
from evals.oracle.record import RunRecord
from tests.unit.oracle_worlds import after, at, booking, event, flight, message, money, rebook
from tests.unit.oracle_worlds import world as make_world


def findings(*, rerouting_late: int, paid: int) -> set[str]:
    """The oracle's checks that fail: the re-routing `rerouting_late` minutes late by its
    own schedule (knock_on), `paid` EUR compensation at the end."""
    booked = flight("XA1/2026-03-01", "FRA", "JFK", 60, 600)
    rerouting = flight("XB2/2026-03-01", "FRA", "JFK", 300, 840)
    late = timedelta(minutes=rerouting_late)
    dep, arr = rerouting.sched_dep + late, rerouting.sched_arr + late
    effects = [rebook(10, "P1", [1], [rerouting.key])]
    if paid:
        effects.append(
            money(
                900 + rerouting_late,
                "P1",
                "compensate",
                regime="eu261",
                amount_cents=paid * 100,
                currency="EUR",
                passengers=1,
            )
        )
    record = RunRecord(
        world=make_world([booked, rerouting], [booking("P1", booked.key)]),
        events=[
            event(0, rerouting.key, "delayed", dep, arr, reason="knock_on"),
            event(5, booked.key, "cancelled", booked.sched_dep, booked.sched_arr, reason="weather"),
            event(300 + rerouting_late, rerouting.key, "departed", dep, arr, reason="knock_on"),
            event(840 + rerouting_late, rerouting.key, "arrived", dep, arr, reason="knock_on"),
        ],
        end=at(900 + rerouting_late),
        effects=effects,
        messages=[message(10, "P1", "cancelled_rebooked", booked.key)],
    )
    return set(judge(after(record)).by_check())


def test_a_rerouting_late_3h_or_more_on_its_own_may_be_compensated() -> None:
    """235 min of knock-on beyond the weather's part: its cause may go either way."""
    assert "compensation" not in findings(rerouting_late=235, paid=600)
    assert "compensation" not in findings(rerouting_late=235, paid=0)


def test_a_rerouting_late_under_3h_on_its_own_owes_nothing() -> None:
    """90 min of knock-on: the rest of the 9 h is the weather's, and nothing is owed."""
    assert "compensation" in findings(rerouting_late=90, paid=600)
    assert "compensation" not in findings(rerouting_late=90, paid=0)
