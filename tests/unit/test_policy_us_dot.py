"""US DOT: 14 CFR 259.8 notification and 14 CFR Part 260 automatic refunds; no federal cash.

Thresholds of a significant change (3 h domestic / 6 h international) come from secondary
sources; DOMAIN.md marks the exact §260.2 wording as unconfirmed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airline.airports import load_airports
from airline.models import Cabin, ReasonCode
from tools.policy.entitlements import (
    BookingFacts,
    Disruption,
    EntitlementKind,
    Regime,
    entitlements,
)

T0 = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
AIRPORTS = {a.iata: a for a in load_airports(["JFK", "ORD", "BOS", "ATL", "EWR", "FRA", "BER"])}
REFUND, OPTION = EntitlementKind.REFUND, EntitlementKind.REFUND_OPTION


def disruption(moved: timedelta | None = None, **changes: Any) -> Disruption:
    """JFK→ORD (domestic, 1188 km) on a US carrier QQ, 14:00Z → 16:30Z, schedule changed."""
    fields: dict[str, Any] = {
        "kind": "delayed",
        "reason": ReasonCode.SCHEDULING,
        "carrier": "QQ",
        "origin": "JFK",
        "destination": "ORD",
        "sched_dep": T0,
        "sched_arr": T0 + 2.5 * H,
        "carrier_aware_at": T0 - 2 * H,
    } | changes
    if moved is not None:
        fields["actual_dep"] = fields["sched_dep"] + moved
        fields["actual_arr"] = fields["sched_arr"] + moved
    return Disruption(**fields)


def dot_kinds(d: Disruption, booking: BookingFacts | None = None) -> set[EntitlementKind]:
    result = entitlements(booking or BookingFacts(), d, airports=AIRPORTS)
    return {i.kind for i in result.of(Regime.US_DOT)} - {EntitlementKind.NOTIFICATION_DUTY}


REFUNDS = [
    pytest.param(
        {"moved": 3 * H, "choice": "refund"},
        {REFUND},
        id="Part260: domestic flight moved exactly 3h, alternative declined -> refund",
    ),
    pytest.param(
        {"moved": 3 * H - M, "choice": "refund"},
        set(),
        id="Part260: domestic moved 2h59 -> not a significant change",
    ),
    pytest.param(
        {"moved": -3 * H, "choice": "refund"},
        {REFUND},
        id="Part260: domestic moved 3h earlier -> significant change, refund",
    ),
    pytest.param(
        {"moved": 3 * H},
        {OPTION},
        id="Part260: moved 3h, passenger undecided -> refund if declined",
    ),
    pytest.param(
        {"moved": 3 * H, "choice": "travel"},
        set(),
        id="Part260: moved 3h, alternative accepted -> no refund",
    ),
    pytest.param(
        {"kind": "cancelled", "alternative_offered": False},
        {REFUND},
        id="Part260: cancelled, no alternative offered -> refund",
    ),
    pytest.param(
        {"kind": "cancelled", "moved": 30 * M, "choice": "refund"},
        {REFUND},
        id="Part260: cancelled (any cause), alternative declined -> refund",
    ),
    pytest.param(
        {"kind": "diverted", "alternative_offered": False},
        {REFUND},
        id="Part260: diverted, nothing carries the passenger on -> refund",
    ),
    pytest.param(
        {"kind": "diverted", "alt_destination": "BOS"},
        {OPTION},
        id="Part260: diverted to BOS, undecided -> refund if they decline onward travel",
    ),
    pytest.param(
        {"kind": "diverted", "moved": H, "choice": "refund"},
        set(),
        id="Part260: diverted but carried on, 1h late -> not a significant change",
    ),
    pytest.param(
        {"alt_origin": "EWR", "choice": "refund"},
        {REFUND},
        id="Part260 significant change: different origin airport -> refund",
    ),
    pytest.param(
        {"alt_destination": "BOS", "choice": "refund"},
        {REFUND},
        id="Part260 significant change: different destination airport -> refund",
    ),
    pytest.param(
        {"connections_offered": 1, "choice": "refund"},
        {REFUND},
        id="Part260 significant change: added connection -> refund",
    ),
    pytest.param(
        {"cabin_booked": Cabin.BUSINESS, "cabin_flown": Cabin.ECONOMY, "choice": "refund"},
        {REFUND},
        id="Part260 significant change: downgrade -> refund",
    ),
    pytest.param(
        {"origin": "FRA", "destination": "JFK", "moved": 6 * H - M, "choice": "refund"},
        set(),
        id="Part260: international FRA-JFK moved 5h59 -> not significant",
    ),
    pytest.param(
        {"origin": "FRA", "destination": "JFK", "moved": 6 * H, "choice": "refund"},
        {REFUND},
        id="Part260: international FRA-JFK moved exactly 6h -> refund",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), REFUNDS)
def test_part_260_refund(changes: dict[str, Any], expected: set[EntitlementKind]) -> None:
    assert dot_kinds(disruption(**changes)) == expected


def test_less_accessible_alternative_is_significant_only_for_a_disabled_passenger() -> None:
    """Part 260 (secondary): a less accessible connection or aircraft for a disabled passenger."""
    d = disruption(less_accessible=True, choice="refund")
    assert dot_kinds(d, BookingFacts(reduced_mobility=True)) == {REFUND}
    assert dot_kinds(d) == set()


def test_significant_change_cites_the_unconfirmed_definition() -> None:
    result = entitlements(BookingFacts(), disruption(3 * H, choice="refund"), airports=AIRPORTS)
    (refund,) = result.of(Regime.US_DOT, REFUND)
    assert "260.2" in refund.citation and "unconfirmed" in refund.citation
    assert "7 business days" in refund.reason


NOTIFY = [
    pytest.param({"moved": 45 * M}, True, id="259.8: 45-min delay -> notify within 30 min"),
    pytest.param({"moved": 30 * M}, True, id="259.8: exactly 30-min delay -> notify"),
    pytest.param({"moved": 29 * M}, False, id="259.8: 29-min delay -> no duty"),
    pytest.param({"kind": "cancelled"}, True, id="259.8: cancellation -> notify"),
    pytest.param({"kind": "diverted"}, True, id="259.8: diversion -> notify"),
    pytest.param(
        {"kind": "missed_connection", "moved": 2 * H},
        False,
        id="259.8: a missed connection is not a flight status change",
    ),
    pytest.param(
        {"origin": "BER", "destination": "JFK", "flight_destination": "FRA", "moved": 45 * M},
        False,
        id="259.8: BER-FRA leg of a BER-JFK trip is not a flight to or from the US",
    ),
]


@pytest.mark.parametrize(("changes", "duty"), NOTIFY)
def test_notification_duty(changes: dict[str, Any], duty: bool) -> None:
    d = disruption(**changes)
    result = entitlements(BookingFacts(), d, airports=AIRPORTS)
    duties = result.of(Regime.US_DOT, EntitlementKind.NOTIFICATION_DUTY)
    assert bool(duties) is duty
    if duty:
        assert duties[0].citation == "14 CFR 259.8"
        assert duties[0].due_by == T0 - 2 * H + 30 * M


@pytest.mark.parametrize(
    "reason", [ReasonCode.CREW, ReasonCode.WEATHER], ids=["controllable", "weather"]
)
def test_no_federal_cash_compensation(reason: ReasonCode) -> None:
    d = disruption(12 * H, kind="cancelled", reason=reason)
    result = entitlements(BookingFacts(), d, airports=AIRPORTS)
    assert result.regimes == (Regime.US_DOT,)
    assert result.compensation(Regime.US_DOT) is None
    assert any("no federal cash compensation" in n.reason for n in result.notes)
