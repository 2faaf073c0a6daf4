"""Disruption risk is a shrinkage estimate from what the stream showed: a carrier
shutting down at a storm airport makes its next flights there riskier than the
airport's, and one still flying them safer; the share of the recent, already decided
departures carries forward, undiluted by flights not yet announced, fading over hours;
a declared closure dominates (`agent.planner.risk`); and the planner keeps the options
that are cheapest by the objective, not the earliest-arriving (`plan_wave`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from agent.planner import Option, plan_wave
from agent.planner.risk import CLOSURE_RISK, RiskMap
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
    delta = risk.at("LGA", later, "DL")
    assert risk.at("LGA", later, "UA") > airport == delta > 0
    assert risk.of("LGA", "BOS", later, later + timedelta(hours=1), "DL") >= delta


def _states(
    flights: list[Flight], cancelled: set[str], reason: str = "weather"
) -> dict[str, FlightState]:
    """Each cancellation announced two hours before its departure."""
    return {
        f.key: FlightState(
            flight_key=f.key,
            status=FlightStatus.CANCELLED if f.key in cancelled else FlightStatus.SCHEDULED,
            est_dep=f.sched_dep,
            est_arr=f.sched_arr,
            reason=reason if f.key in cancelled else None,
            event_id=f"e-{f.key}",
            emitted_at=f.sched_dep - timedelta(hours=2) if f.key in cancelled else T0,
        )
        for f in flights
    }


def test_the_recent_share_of_decided_departures_carries_forward_undiluted() -> None:
    # The last three hours: 24 departures, 16 cancelled, each announced 2 h ahead. From
    # 2.5 h on, 36 more, none announced: beyond the leads the stream has shown, they are
    # hardly evidence of flying, so their risk is near the observed share, not nothing
    # (none of their slot is cancelled yet).
    past = [_flight("UA", 100 + i, -180 + 7 * i) for i in range(24)]
    ahead = [_flight("UA", 300 + i, 150 + 10 * i) for i in range(36)]
    flights = past + ahead
    states = _states(flights, {f.key for i, f in enumerate(past) if i % 3})
    risk = RiskMap(Schedule([], flights), cast(LiveBoard, states), now=T0)
    assert risk.current_rate("LGA", "UA") > 0.45
    soon = risk.at("LGA", T0 + timedelta(hours=3), "UA")
    assert 0.3 < soon < 16 / 24
    # It fades: tomorrow evening is far safer.
    tomorrow = risk.at("LGA", T0 + timedelta(hours=30), "UA")
    assert tomorrow < soon / 3


def test_a_quiet_network_has_no_risk_and_a_declared_closure_dominates() -> None:
    flights = [_flight("UA", 100 + i, -180 + 15 * i) for i in range(24)]
    quiet = RiskMap(Schedule([], flights), cast(LiveBoard, _states(flights, set())), now=T0)
    assert quiet.at("LGA", T0 + timedelta(hours=1), "UA") == 0.0
    closed = _states(flights, {flights[-1].key}, reason="airport_closure")
    risk = RiskMap(Schedule([], flights), cast(LiveBoard, closed), now=T0)
    assert risk.at("LGA", flights[-1].sched_dep + timedelta(minutes=30), "DL") == CLOSURE_RISK


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


def test_a_storm_announced_ahead_carries_forward_from_its_own_slots() -> None:
    # Calm around now: 24 departures in the last three hours, none cancelled. Tomorrow
    # (10-20 h ahead) is announced half cancelled, as airlines pre-cancel a forecast
    # storm's day the evening before. The day after it is not announced at all.
    past = [_flight("UA", 100 + i, -180 + 7 * i) for i in range(24)]
    tomorrow = [_flight("UA", 300 + i, 600 + 25 * i) for i in range(24)]
    flights = past + tomorrow
    states = _states(flights, {f.key for i, f in enumerate(tomorrow) if i % 2})
    for key in (f.key for i, f in enumerate(tomorrow) if i % 2):
        states[key] = states[key].model_copy(update={"emitted_at": T0 - timedelta(hours=1)})
    risk = RiskMap(Schedule([], flights), cast(LiveBoard, states), now=T0)
    assert risk.current_rate("LGA", "UA") == 0.0
    # Tomorrow's slots are the storm's; the morning after keeps part of it, fading from
    # tomorrow evening, not from the calm of now; two days on, nothing is left.
    assert risk.at("LGA", T0 + timedelta(hours=15), "UA") > 0.3
    after = risk.at("LGA", T0 + timedelta(hours=30), "UA")
    assert 0.2 < after < risk.at("LGA", T0 + timedelta(hours=24), "UA")
    assert risk.at("LGA", T0 + timedelta(hours=60), "UA") == 0.0
    # Nothing announced ahead: the calm carries forward.
    calm = RiskMap(Schedule([], flights), cast(LiveBoard, _states(flights, set())), now=T0)
    assert calm.at("LGA", T0 + timedelta(hours=30), "UA") == 0.0


def test_a_risky_option_costs_the_further_delay_of_being_moved_again() -> None:
    """The next morning's flight, half likely to go, against the safe one a day later:
    if it goes, the party arrives no earlier than on the safe one. With that expected
    delay counted, the safe option is the cheaper; without it, the risky one was."""
    from dataclasses import replace

    from agent.planner import option_cost
    from tests.unit.test_planner_solve import T0 as BOOKED

    def option(n: int, hours: float, risk: float) -> Option:
        dep = BOOKED + timedelta(hours=hours)
        return Option(
            (f"UA{n}",), "economy", dep, dep + timedelta(hours=1), ("UA",), (), risk, False
        )

    p = party("P1")
    safe = option(2, 48, risk=0.02)
    risky = option(1, 24, risk=0.45)
    day = int((safe.arr - risky.arr).total_seconds() // 60)
    assert option_cost(p, risky, WEIGHTS) < option_cost(p, safe, WEIGHTS)
    moved_again = replace(risky, fallback_minutes=day)
    assert option_cost(p, moved_again, WEIGHTS) > option_cost(p, safe, WEIGHTS)
    assert option_cost(p, moved_again, WEIGHTS) - option_cost(p, risky, WEIGHTS) == (
        pytest.approx(0.45 * 24)
    )


def test_a_risk_asked_again_is_not_computed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # A wave asks the same legs' risks for every passenger whose options share them.
    flights = [_flight("UA", 100 + i, 10 * i) for i in range(6)]
    states = {
        f.key: FlightState(
            flight_key=f.key,
            status=FlightStatus.CANCELLED,
            est_dep=f.sched_dep,
            est_arr=f.sched_arr,
            reason="weather",
            event_id=f"e-{f.key}",
            emitted_at=T0,
        )
        for f in flights
    }
    risk = RiskMap(Schedule([], flights), cast(LiveBoard, states), now=T0)
    later = T0 + timedelta(hours=3)
    first = risk.at("LGA", later, "UA"), risk.at("LGA", later)
    looked: list[str] = []
    monkeypatch.setattr(risk, "_between", lambda place, *_: looked.append(place) or (0.0, 0.0))
    assert (risk.at("LGA", later, "UA"), risk.at("LGA", later)) == first
    assert looked == []
    risk.at("LGA", later + timedelta(minutes=5))  # another moment is computed
    assert looked
