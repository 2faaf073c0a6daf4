"""APPR (SOR/2019-150): money only within the carrier's control and not required for safety.

s.19(1): large carrier CAD 400 / 700 / 1000 for an arrival 3–6 / 6–9 / 9+ h late, small
carrier 125 / 250 / 500; s.19(2): 400 / 125 when the ticket is refunded; s.12(2)(d),
(3)(d): only when told 14 days or less before departure.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airline.airports import load_airports
from airline.models import ReasonCode
from tools.policy.appr import DEFAULT_APPR_CONTROL, ApprControl
from tools.policy.config import PolicyConfig
from tools.policy.entitlements import (
    BookingFacts,
    CareItem,
    Disruption,
    EntitlementKind,
    Regime,
    entitlements,
)

T0 = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
D = timedelta(days=1)
AIRPORTS = {a.iata: a for a in load_airports(["YYZ", "YVR", "FRA"])}
SMALL = PolicyConfig(appr_small_carriers=frozenset({"QC"}))


def disruption(late: timedelta | None = None, **changes: Any) -> Disruption:
    """YYZ→YVR on QC, 15:00Z → 20:00Z, delayed by a crew shortage (within control)."""
    fields: dict[str, Any] = {
        "kind": "delayed",
        "reason": ReasonCode.CREW,
        "carrier": "QC",
        "origin": "YYZ",
        "destination": "YVR",
        "sched_dep": T0,
        "sched_arr": T0 + 5 * H,
    } | changes
    if late is not None:
        fields.setdefault("actual_dep", fields["sched_dep"] + late)
        fields["actual_arr"] = fields["sched_arr"] + late
    return Disruption(**fields)


def cad(amount: int) -> int:
    return amount * 100


COMPENSATION = [
    pytest.param(
        {"late": 7 * H}, None, cad(700), id="s.19(1)(a)(ii): large, 7h within control -> 700"
    ),
    pytest.param({"late": 3 * H - M}, None, None, id="s.19(1): 2h59 -> nothing"),
    pytest.param({"late": 3 * H}, None, cad(400), id="s.19(1)(a)(i): exactly 3h -> 400"),
    pytest.param({"late": 6 * H - M}, None, cad(400), id="s.19(1)(a)(i): 5h59 -> 400"),
    pytest.param({"late": 6 * H}, None, cad(700), id="s.19(1)(a)(ii): exactly 6h -> 700"),
    pytest.param({"late": 9 * H - M}, None, cad(700), id="s.19(1)(a)(ii): 8h59 -> 700"),
    pytest.param({"late": 9 * H}, None, cad(1000), id="s.19(1)(a)(iii): exactly 9h -> 1000"),
    pytest.param({"late": 3 * H}, SMALL, cad(125), id="s.19(1)(b)(i): small, 3h -> 125"),
    pytest.param({"late": 6 * H}, SMALL, cad(250), id="s.19(1)(b)(ii): small, 6h -> 250"),
    pytest.param({"late": 9 * H}, SMALL, cad(500), id="s.19(1)(b)(iii): small, 9h -> 500"),
    pytest.param(
        {"kind": "cancelled", "choice": "refund", "notice_at": T0 - D},
        None,
        cad(400),
        id="s.19(2)(a): cancelled, ticket refunded, large -> 400",
    ),
    pytest.param(
        {"kind": "cancelled", "choice": "refund", "notice_at": T0 - D},
        SMALL,
        cad(125),
        id="s.19(2)(b): cancelled, ticket refunded, small -> 125",
    ),
    pytest.param(
        {"kind": "cancelled", "notice_at": T0 - 14 * D, "late": 10 * H},
        None,
        cad(1000),
        id="s.12(3)(d): told exactly 14 days ahead ('14 days or less') -> 1000",
    ),
    pytest.param(
        {"kind": "cancelled", "notice_at": T0 - 14 * D - M, "late": 10 * H},
        None,
        None,
        id="s.12(3)(d): told 14 days and 1 min ahead -> nothing",
    ),
    pytest.param(
        {"late": 7 * H, "reason": ReasonCode.WEATHER}, None, None, id="s.10: weather -> nothing"
    ),
    pytest.param(
        {"late": 7 * H, "reason": ReasonCode.OWN_STAFF_STRIKE},
        None,
        None,
        id="s.10: labour disruption within the carrier -> nothing",
    ),
    pytest.param(
        {"late": 7 * H, "reason": ReasonCode.TECHNICAL},
        None,
        None,
        id="s.11: technical fault, required for safety (default reading) -> nothing",
    ),
    pytest.param(
        {"late": 7 * H, "reason": ReasonCode.KNOCK_ON, "originating_reason": ReasonCode.ATC},
        None,
        None,
        id="s.10: knock-on of an ATC delay inherits outside-control",
    ),
    pytest.param(
        {"late": 7 * H, "reason": ReasonCode.KNOCK_ON},
        None,
        cad(700),
        id="s.12: knock-on of unknown cause is within control -> 700",
    ),
]


@pytest.mark.parametrize(("changes", "config", "cents"), COMPENSATION)
def test_compensation(
    changes: dict[str, Any], config: PolicyConfig | None, cents: int | None
) -> None:
    result = entitlements(BookingFacts(), disruption(**changes), airports=AIRPORTS, config=config)
    comp = result.compensation(Regime.APPR)
    assert (comp.amount_cents if comp else None) == cents
    if comp:
        assert comp.currency == "CAD"
        assert "s.19(" in comp.citation


def test_technical_can_be_configured_within_control() -> None:
    config = PolicyConfig(
        appr_control={**DEFAULT_APPR_CONTROL, ReasonCode.TECHNICAL: ApprControl.WITHIN}
    )
    d = disruption(7 * H, reason=ReasonCode.TECHNICAL)
    comp = entitlements(BookingFacts(), d, airports=AIRPORTS, config=config).compensation(
        Regime.APPR
    )
    assert comp is not None and comp.amount_cents == cad(700)


@pytest.mark.parametrize(
    ("changes", "care"),
    [
        pytest.param(
            {"late": 2 * H},
            {CareItem.MEALS, CareItem.COMMUNICATION},
            id="s.12(2)(b)+s.14: within control, told at the airport, 2h wait -> food, calls",
        ),
        pytest.param(
            {"late": 2 * H - M}, set(), id="s.14: 1h59 wait -> no care yet (configurable)"
        ),
        pytest.param(
            {"late": 3 * H, "notice_at": T0 - 12 * H},
            set(),
            id="s.12(2)(b): told 12h ahead (not less than 12h) -> no care",
        ),
        pytest.param(
            {"late": 3 * H, "reason": ReasonCode.WEATHER},
            set(),
            id="s.10: outside control -> no care",
        ),
    ],
)
def test_care(changes: dict[str, Any], care: set[CareItem]) -> None:
    result = entitlements(BookingFacts(), disruption(**changes), airports=AIRPORTS)
    assert result.care(Regime.APPR) == care


@pytest.mark.parametrize(
    ("changes", "citations"),
    [
        pytest.param(
            {"kind": "cancelled", "reason": ReasonCode.WEATHER},
            {"APPR s.18"},
            id="s.18: outside control -> rebook, refund if not within 48h",
        ),
        pytest.param(
            {"late": 3 * H},
            {"APPR s.12(2)(c), s.17(1)", "APPR s.12(2)(c), s.17(2)"},
            id="s.12(2)(c)+s.17: delay of 3h -> alternate travel or refund",
        ),
        pytest.param({"late": 3 * H - M}, set(), id="s.12(2)(c): delay of 2h59 -> neither"),
        pytest.param(
            {
                "kind": "diverted",
                "reason": ReasonCode.WEATHER,
                "actual_dep": T0,
                "alternative_offered": False,
            },
            {"APPR s.18"},
            id="s.18: diverted (weather), nothing carries them on -> rebook, else refund",
        ),
        pytest.param(
            {"kind": "missed_connection", "actual_dep": T0 + H, "alternative_offered": False},
            {"APPR s.12(2)(c), s.17(1)", "APPR s.12(2)(c), s.17(2)"},
            id="s.12(2)(c): a lost connection and no alternative -> travel or refund",
        ),
    ],
)
def test_rebooking_and_refund(changes: dict[str, Any], citations: set[str]) -> None:
    result = entitlements(BookingFacts(), disruption(**changes), airports=AIRPORTS)
    kinds = (EntitlementKind.REROUTING, EntitlementKind.REFUND_OPTION)
    assert {i.citation for i in result.of(Regime.APPR) if i.kind in kinds} == citations


def test_eu261_and_appr_compensation_is_claimed_once() -> None:
    """FRA→YYZ on XA: EU261 (departs the EU) and APPR (to Canada) both apply."""
    d = disruption(7 * H, origin="FRA", carrier="XA", destination="YYZ")
    result = entitlements(BookingFacts(), d, airports=AIRPORTS)
    eu, ca = result.compensation(Regime.EU261), result.compensation(Regime.APPR)
    assert eu is not None and eu.amount_cents == 600_00 and eu.alternative_to == (Regime.APPR,)
    assert ca is not None and ca.amount_cents == cad(700) and ca.alternative_to == (Regime.EU261,)
    cumulative = entitlements(
        BookingFacts(), d, airports=AIRPORTS, config=PolicyConfig(cumulative_compensation=True)
    )
    assert all(not i.alternative_to for i in cumulative.items)
