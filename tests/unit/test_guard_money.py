"""The guard's money rules (`tools.policy.checks.check_money`, `complete_money`), by table.

The entitlements are written out here as the regulation gives them (EU261 Art 7(1)(a):
EUR 250 up to 1 500 km; Art 9: meals and communication), not computed by the engine.
"""

from __future__ import annotations

import pytest

from tools.notifications import MessageKind
from tools.plan import CareAction, CompensateAction, NotifyAction, ProposedAction, RefundOfferAction
from tools.policy.checks import Refusal, check_money, complete_money
from tools.policy.results import (
    CareItem,
    Entitlement,
    EntitlementKind,
    Entitlements,
    Note,
    Regime,
)

EU = Regime.EU261
OWED = Entitlements(
    regimes=(EU,),
    distance_km=653,
    items=(
        Entitlement(
            regime=EU,
            kind=EntitlementKind.COMPENSATION,
            citation="EU261 Art 7(1)(a)",
            reason="cancelled at short notice",
            amount_cents=25_000,
            currency="EUR",
        ),
        Entitlement(
            regime=EU,
            kind=EntitlementKind.CARE,
            citation="EU261 Art 9(1)(a)",
            reason="wait",
            care=CareItem.MEALS,
        ),
        Entitlement(
            regime=EU,
            kind=EntitlementKind.CARE,
            citation="EU261 Art 9(2)",
            reason="wait",
            care=CareItem.COMMUNICATION,
        ),
        Entitlement(
            regime=EU,
            kind=EntitlementKind.REFUND_OPTION,
            citation="EU261 Art 8(1)(a)",
            reason="instead of re-routing",
        ),
    ),
)
NOTHING = Entitlements(
    regimes=(EU,),
    distance_km=653,
    notes=(Note(regime=EU, citation="EU261 Art 5(3)", reason="extraordinary: weather"),),
)


def comp(cents: int, currency: str = "EUR", regime: Regime = EU) -> CompensateAction:
    return CompensateAction(regime=regime, amount_cents=cents, currency=currency)


@pytest.mark.parametrize(
    ("proposed", "owed", "approved", "violation", "repair"),
    [
        ([comp(25_000)], OWED, [comp(25_000)], None, None),
        ([comp(99_900)], OWED, [comp(25_000)], None, "set to the 250.00 EUR"),
        ([comp(10_000)], OWED, [comp(25_000)], None, "set to the 250.00 EUR"),
        ([comp(25_000, "GBP")], OWED, [comp(25_000)], None, "set to the 250.00 EUR"),
        ([comp(25_000)], NOTHING, [], "no eu261 compensation is owed (EU261 Art 5(3)", None),
        ([comp(25_000), comp(25_000)], OWED, [comp(25_000)], None, "paid once per journey"),
        (
            [CareAction(regime=EU, items=[CareItem.MEALS, CareItem.HOTEL])],
            OWED,
            [CareAction(regime=EU, items=[CareItem.MEALS])],
            None,
            "care not owed dropped: hotel",
        ),
        ([CareAction(regime=EU, items=[CareItem.HOTEL])], OWED, [], "no eu261 care is owed", None),
        (
            [RefundOfferAction(amount_cents=99_999, currency="EUR")],
            OWED,
            [RefundOfferAction(regime=EU, amount_cents=31_000, currency="EUR")],
            None,
            "set to the fare paid, 310.00 EUR",
        ),
        (
            [RefundOfferAction(amount_cents=31_000, currency="EUR")],
            NOTHING,
            [],
            "no rule offers a refund",
            None,
        ),
    ],
    ids=[
        "as-owed",
        "above-is-capped",
        "below-is-raised",
        "wrong-currency",
        "none-owed",
        "paid-once",
        "care-not-owed-dropped",
        "care-none-owed",
        "refund-capped-at-fare",
        "refund-not-offered",
    ],
)
def test_money_is_exactly_what_the_rules_owe(
    proposed: list[ProposedAction],
    owed: Entitlements,
    approved: list[ProposedAction],
    violation: str | None,
    repair: str | None,
) -> None:
    checked = check_money(proposed, owed, price_cents=31_000, currency="EUR")
    assert checked.approved == approved
    assert [v for v in checked.violations if violation and violation in str(v)] or not violation
    assert all(v.reason is Refusal.MONEY for v in checked.violations)
    assert not violation or checked.violations
    assert not repair or any(repair in r for r in checked.repairs), checked.repairs
    assert violation or not checked.violations


def test_what_the_plan_left_out_is_added_and_said() -> None:
    notify = NotifyAction(message=MessageKind.CANCELLED_REBOOKED)
    actions, notes = complete_money([notify], OWED, compensation=True, care=True)
    assert actions == [
        notify,
        comp(25_000),
        CareAction(regime=EU, items=[CareItem.COMMUNICATION, CareItem.MEALS]),
    ]
    assert notes == [
        "added the compensate the rules owe (eu261)",
        "added the care the rules owe (eu261)",
    ]
    # A delay: compensation is judged later, on the actual arrival; care is owed now.
    actions, _ = complete_money([notify], OWED, compensation=False, care=True)
    assert [a.kind for a in actions] == ["notify", "care"]
