"""UK261: the EU261 rules with pound amounts (caa.co.uk, secondary) and a UK scope.

Distances from airportsdata: LHR–JFK 5540 km, LHR–ATH 2427 km, AMS–MAN 487 km.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airline.airports import load_airports
from airline.models import ReasonCode
from tools.policy.config import PolicyConfig
from tools.policy.entitlements import (
    BookingFacts,
    CareItem,
    Disruption,
    Regime,
    entitlements,
)

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
D = timedelta(days=1)
AIRPORTS = {a.iata: a for a in load_airports(["LHR", "JFK", "ATH", "AMS", "MAN", "FRA"])}


def disruption(late: timedelta | None = None, **changes: Any) -> Disruption:
    """LHR→JFK on XA (an EU carrier), 10:00Z → 18:00Z, delayed for a technical fault."""
    fields: dict[str, Any] = {
        "kind": "delayed",
        "reason": ReasonCode.TECHNICAL,
        "carrier": "XA",
        "origin": "LHR",
        "destination": "JFK",
        "sched_dep": T0,
        "sched_arr": T0 + 8 * H,
    } | changes
    if late is not None:
        fields.setdefault("actual_dep", fields["sched_dep"] + late)
        fields["actual_arr"] = fields["sched_arr"] + late
    return Disruption(**fields)


def gbp(amount: int) -> int:
    return amount * 100


COMPENSATION = [
    pytest.param({"late": 3.5 * H}, gbp(260), id="CAA: LHR-JFK 5540 km 3h30 late -> 260"),
    pytest.param({"late": 3 * H}, gbp(260), id="CAA+Art7(2)(c): exactly 3h long-haul -> 260"),
    pytest.param({"late": 4 * H}, gbp(260), id="Art7(2)(c): exactly 4h does not exceed 4h -> 260"),
    pytest.param({"late": 4 * H + M}, gbp(520), id="Art7(1)(c): 4h01 -> 520"),
    pytest.param({"late": 3 * H - M}, None, id="Sturgeon: 2h59 -> nothing"),
    pytest.param(
        {"late": 6 * H, "reason": ReasonCode.WEATHER}, None, id="Art5(3): weather -> nothing"
    ),
    pytest.param(
        {"late": 3 * H, "destination": "ATH"},
        gbp(350),
        id="Art7(1)(b): LHR-ATH 2427 km exactly 3h -> 350 (no cut below long-haul)",
    ),
    pytest.param(
        {"late": 3 * H, "origin": "MAN", "destination": "AMS", "carrier": "XB"},
        gbp(220),
        id="Art3(1)(a)+7(1)(a): MAN-AMS 487 km departs UK -> 220",
    ),
    pytest.param(
        {"late": 5 * H, "origin": "JFK", "destination": "LHR"},
        gbp(520),
        id="Art3(1)(b): JFK-LHR on an EU carrier -> 520",
    ),
    pytest.param(
        {"late": 5 * H, "origin": "JFK", "destination": "LHR", "carrier": "QQ"},
        None,
        id="Art3(1)(b): JFK-LHR on a non-UK, non-EU carrier -> out of scope",
    ),
    pytest.param(
        {"kind": "cancelled", "notice_at": T0 - 2 * D, "late": 5 * H},
        gbp(520),
        id="Art5(1)(c)(iii)+7(1)(c): cancelled 2 days ahead, 5h late -> 520",
    ),
    pytest.param(
        {"kind": "cancelled", "notice_at": T0 - 14 * D},
        None,
        id="Art5(1)(c)(i): cancelled exactly 14 days ahead -> nothing",
    ),
]


@pytest.mark.parametrize(("changes", "cents"), COMPENSATION)
def test_compensation(changes: dict[str, Any], cents: int | None) -> None:
    result = entitlements(BookingFacts(), disruption(**changes), airports=AIRPORTS)
    comp = result.compensation(Regime.UK261)
    assert (comp.amount_cents if comp else None) == cents
    if comp:
        assert comp.currency == "GBP"
        assert "caa.co.uk (secondary)" in comp.citation


def test_uk_carrier_arriving_in_the_uk_is_covered() -> None:
    config = PolicyConfig(uk_carriers=frozenset({"QQ"}))
    d = disruption(late=5 * H, origin="JFK", destination="LHR", carrier="QQ")
    comp = entitlements(BookingFacts(), d, airports=AIRPORTS, config=config).compensation(
        Regime.UK261
    )
    assert comp is not None and comp.amount_cents == gbp(520)


def test_weather_still_owes_care() -> None:
    """Art 5(3) removes compensation only; Art 6(1)(c) care from 4 h on a long-haul flight."""
    d = disruption(late=4 * H, reason=ReasonCode.WEATHER)
    result = entitlements(BookingFacts(), d, airports=AIRPORTS)
    assert result.care(Regime.UK261) == {CareItem.MEALS, CareItem.COMMUNICATION}


@pytest.mark.parametrize(
    ("origin", "destination", "regimes", "paying"),
    [
        pytest.param(
            "LHR", "FRA", (Regime.UK261,), Regime.UK261, id="UK261 departs UK; EU261 3(1)(b) yields"
        ),
        pytest.param(
            "FRA", "LHR", (Regime.EU261,), Regime.EU261, id="EU261 departs EU; UK261 3(1)(b) yields"
        ),
    ],
)
def test_eu_uk_overlap_pays_once(
    origin: str, destination: str, regimes: tuple[Regime, ...], paying: Regime
) -> None:
    d = disruption(late=3 * H, origin=origin, destination=destination, sched_arr=T0 + 1.5 * H)
    result = entitlements(BookingFacts(), d, airports=AIRPORTS)
    assert result.regimes == regimes
    assert [i.regime for i in result.items if i.kind == "compensation"] == [paying]
