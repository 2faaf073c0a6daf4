"""Autonomy limits: which guarded plans a human must approve, and what a plan costs.

The guard decides what is *allowed*; these limits decide what the agent may do *alone*.
Above a limit the case parks at an approval (see `agent.nodes.approving`). Every reason names
the limit and the figure that crossed it, so an operator reads why they were asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agent.settings import ApprovalLimits
from agent.state import (
    CareAction,
    CaseContext,
    CompensateAction,
    Plan,
    ProposedAction,
    RebookAction,
)
from airline.schedule import Schedule
from tools.policy.results import CareItem

# What we pay another carrier for a seat, estimated from distance until a fare quote
# source is wired: about 0.12 EUR per km, at least 80 EUR a leg (typical interline
# prorates for short- and medium-haul economy).
INTERLINE_CENTS_PER_KM = 12
INTERLINE_MIN_CENTS = 8_000
# What care costs, per traveller (a typical voucher and an airport hotel night).
CARE_CENTS = {CareItem.MEALS: 1_500, CareItem.COMMUNICATION: 0, CareItem.HOTEL: 12_000}


@dataclass(frozen=True)
class Assessment:
    reasons: list[str]
    cost_cents: int


def assess(
    plan: Plan,
    approved: Sequence[ProposedAction],
    context: CaseContext,
    schedule: Schedule,
    limits: ApprovalLimits,
    *,
    repairs: Sequence[str] = (),
) -> Assessment:
    """The limits the guarded plan exceeds (empty: the agent may act alone) and its cost."""
    reasons: list[str] = []
    cost = 0
    own_carrier = schedule.flights[context.disrupted_flight].carrier
    for action in approved:
        if isinstance(action, RebookAction):
            interline = _interline_cents(schedule, action.flights, own_carrier)
            cost += interline
            if limits.all_rebookings:
                reasons.append("every rebooking needs an operator (approvals.all_rebookings)")
            if context.cabin is not None and action.cabin != context.cabin:
                if limits.cabin_change:
                    reasons.append(f"cabin change from {context.cabin} to {action.cabin}")
            if interline and interline > limits.other_carrier_above_cents:
                reasons.append(
                    f"another carrier's seat at about {interline / 100:.0f} "
                    f"(limit {limits.other_carrier_above_cents / 100:.0f})"
                )
        elif isinstance(action, CompensateAction):
            cost += action.total_cents
            # The limit is on what one traveller is paid: a family is not unusual.
            if action.amount_cents > limits.compensation_above_cents:
                reasons.append(
                    f"compensation of {action.amount_cents / 100:.0f} {action.currency} "
                    f"(limit {limits.compensation_above_cents / 100:.0f})"
                )
        elif isinstance(action, CareAction):
            cost += sum(CARE_CENTS[item] for item in action.items) * action.passengers
    if limits.compensation_above_required and any(
        r.startswith("compensation ") and "set to the" in r for r in repairs
    ):
        reasons.append("the reasoner proposed compensation other than the rules require")
    if plan.confidence < limits.min_confidence:
        reasons.append(f"confidence {plan.confidence:.2f} below {limits.min_confidence:.2f}")
    return Assessment(reasons=reasons, cost_cents=cost)


def safe_default(approved: Sequence[ProposedAction], context: CaseContext) -> list[ProposedAction]:
    """What may run when no operator decided in time: the plan without the parts that
    change what the passenger paid for (another cabin) or spend beyond the rules.

    Per action kind, what an expired approval does (each tested in
    tests/unit/test_approval_defaults.py):

    ==========================  ==============================================================
    rebook, same cabin          runs: re-routing at the earliest opportunity is owed (EU261
                                Art 8(1)(b)); low confidence, "every rebooking asks" and
                                another carrier's price are about trust and cost, not policy
    rebook, another cabin       dropped: it changes what the passenger paid for; the message
                                becomes the "no alternative yet" one, the refund still offered
    compensate                  runs at the amount the rules owe (the guard set it): owed by
                                law whatever the limit on amounts
    care                        runs: owed while the passenger waits (McDonagh, C-12/11)
    refund_offer                runs: an offer; the passenger decides
    notify                      runs, told the truth of what ran (`approving._told_only`)
    any, after a material       nothing runs: the approval goes stale at its deadline and the
    change (a flight left,      case plans again on the live board (`approving._changed_since`)
    the cancelled one flies)
    ==========================  ==============================================================
    """
    kept: list[ProposedAction] = []
    for action in approved:
        if isinstance(action, RebookAction) and context.cabin and action.cabin != context.cabin:
            continue
        kept.append(action)
    return kept


def _interline_cents(schedule: Schedule, flights: Sequence[str], own_carrier: str) -> int:
    total = 0
    for key in flights:
        flight = schedule.flights.get(key)
        if flight is not None and flight.carrier != own_carrier:
            total += max(INTERLINE_MIN_CENTS, flight.distance_km * INTERLINE_CENTS_PER_KM)
    return total
