"""Disruption risk counts a carrier's own cancellations beside its airport's: a carrier
shutting down at a storm airport makes its next flights there riskier than another
carrier's (`agent.planner.risk`); and the planner keeps the options that are cheapest by
the objective, not the earliest-arriving (`plan_wave`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from agent.planner import Option, plan_wave
from agent.planner.risk import RiskMap
from airline.board import FlightState, LiveBoard
from airline.models import Flight, FlightStatus
from airline.schedule import Schedule
from tests.unit.test_planner_solve import WEIGHTS, party

T0 = datetime(2013, 2, 8, 12, 0, tzinfo=UTC)


def _flight(carrier: str, number: int, minutes: int) -> Flight:
    dep = T0 + timedelta(minutes=minutes)
    return Flight(
        key=f"{carrier}{number}/2013-02-08",
        carrier=carrier,
        number=number,
        service_date=dep.date(),
        origin="LGA",
        destination="BOS",
        sched_dep=dep,
        sched_arr=dep + timedelta(hours=1),
        tail=f"N{number}",
        distance_km=300,
    )


def test_a_carrier_cancelling_its_departures_makes_its_own_next_ones_riskier() -> None:
    # Twelve departures an hour around noon: UA cancels all six of its own, DL none.
    flights = [_flight("UA", 100 + i, 10 * i) for i in range(6)]
    flights += [_flight("DL", 200 + i, 10 * i + 5) for i in range(6)]
    states = {
        f.key: FlightState(
            flight_key=f.key,
            status=FlightStatus.CANCELLED if f.carrier == "UA" else FlightStatus.SCHEDULED,
            est_dep=f.sched_dep,
            est_arr=f.sched_arr,
            reason="weather" if f.carrier == "UA" else None,
            event_id=f"e-{f.key}",
            emitted_at=T0,
        )
        for f in flights
    }
    # The risk map only reads states (`get`): a mapping of them stands in for the board.
    risk = RiskMap(Schedule([], flights), cast(LiveBoard, states), now=T0)
    later = T0 + timedelta(hours=1)
    airport = risk.at("LGA", later)
    assert risk.at("LGA", later, "UA") > airport >= risk.at("LGA", later, "DL")
    assert risk.of("LGA", "BOS", later, later + timedelta(hours=1), "DL") == airport


def test_the_planner_sees_the_cheapest_options_not_only_the_earliest() -> None:
    def option(n: int, hours: float, risk: float) -> Option:
        dep = T0 + timedelta(hours=hours)
        return Option(
            (f"UA{n}",), "economy", dep, dep + timedelta(hours=1), ("UA",), (), risk, False
        )

    # More risky early options than the planner keeps, and one safe one later.
    risky = [option(n, 1 + n / 10, risk=0.9) for n in range(WEIGHTS.max_options + 3)]
    safe = option(99, 8, risk=0.0)
    p = party("P1")
    capacity = {seat: 5 for o in [*risky, safe] for seat in o.seats}
    plan = plan_wave([p], {"P1": [*risky, safe]}, capacity, WEIGHTS)
    assert plan.placed("P1") == safe
