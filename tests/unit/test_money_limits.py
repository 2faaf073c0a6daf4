"""Limits and costs are compared in one currency, through a dated table of rates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from agent.autonomy import assess
from agent.settings import ApprovalLimits
from agent.state import CaseContext, CaseReason, CompensateAction, Plan
from airline.models import Booking, Cabin, Customer, Segment
from airline.schedule import Schedule
from evals.scenario_world import WorldSpec
from evals.world import build
from tools.money import RateTable, UnknownCurrencyError
from tools.policy.results import Regime

TABLE = RateTable(currency="EUR", as_of=date(2026, 3, 2), rates={"CAD": 1.47, "GBP": 0.86})


def test_amounts_convert_at_the_dated_rates_and_show_both() -> None:
    assert TABLE.convert(70_000, "CAD") == 47_619
    assert TABLE.convert(52_000, "GBP") == 60_465
    assert TABLE.convert(60_000, "EUR") == 60_000
    assert TABLE.both(70_000, "CAD") == "700.00 CAD (≈ 476.19 EUR, rates of 2026-03-02)"
    assert TABLE.both(60_000, "EUR") == "600.00 EUR"
    with pytest.raises(UnknownCurrencyError, match="no JPY rate"):
        TABLE.convert(100, "JPY")
    with pytest.raises(ValidationError, match="positive"):
        RateTable(rates={"USD": 0.0})


def _assess(amount_cents: int, currency: str) -> list[str]:
    world = build(WorldSpec())
    schedule = Schedule(world.airports, world.flights)
    context = CaseContext(
        now=datetime(2026, 3, 1, 6, 0, tzinfo=UTC),
        reason=CaseReason.ARRIVED_LATE,
        disrupted_flight="XA102/2026-03-01",
        booking=Booking(
            pnr="MONEY1",
            customer_id="C1",
            price_cents=30000,
            segments=[Segment(seq=1, flight_key="XA102/2026-03-01", cabin=Cabin.ECONOMY)],
        ),
        customer=Customer(id="C1", name="Ada", language="en"),
        flights={},
        replace_seqs=[],
    )
    pay = CompensateAction(regime=Regime.APPR, amount_cents=amount_cents, currency=currency)
    plan = Plan(actions=[pay], rationale="", reasoner="rules")
    limits = ApprovalLimits(compensation_above_cents=60_000, money=TABLE)
    found = assess(plan, [pay], context, schedule, limits)
    assert found.cost_lines and currency in found.cost_lines[0]
    return found.reasons


def test_a_limit_in_euros_is_compared_with_compensation_in_other_currencies() -> None:
    assert _assess(70_000, "CAD") == []  # CAD 700 is about 476 EUR: under 600 EUR
    [reason] = _assess(52_000, "GBP")  # £520 is about 605 EUR: above
    assert "520.00 GBP (≈ 604.65 EUR" in reason and "limit 600 EUR" in reason
    [unknown] = _assess(10_000, "JPY")  # no rate: a human compares it
    assert "no JPY rate" in unknown
