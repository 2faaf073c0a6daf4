"""Autonomy limits: which guarded plans a human must approve, and what a plan costs.

The guard decides what is *allowed*; these limits decide what the agent may do *alone*.
Above a limit the case parks at an approval (see `agent.nodes.approve`). Every reason names
the limit and the figure that crossed it, so an operator reads why they were asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
from tools.money import UnknownCurrencyError
from tools.policy.results import CareItem

# What we pay another carrier for a seat, estimated from distance until a fare quote
# source is wired: about 0.12 EUR per km, at least 80 EUR a leg (typical interline
# prorates for short- and medium-haul economy).
INTERLINE_CENTS_PER_KM = 12
INTERLINE_MIN_CENTS = 8_000
INTERLINE_CURRENCY = "EUR"
# What care costs, per traveller (a typical voucher and an airport hotel night).
CARE_CENTS = {CareItem.MEALS: 1_500, CareItem.COMMUNICATION: 0, CareItem.HOTEL: 12_000}
CARE_CURRENCY = "EUR"


@dataclass(frozen=True)
class Assessment:
    reasons: list[str]
    cost_cents: int
    """In the limits' currency (`ApprovalLimits.money.currency`)."""
    cost_lines: list[str] = field(default_factory=list)
    """Each cost in its own currency and in the limits' (what the approval card shows)."""


def assess(
    plan: Plan,
    approved: Sequence[ProposedAction],
    context: CaseContext,
    schedule: Schedule,
    limits: ApprovalLimits,
    *,
    compensation_corrected: bool = False,
) -> Assessment:
    """The limits the guarded plan exceeds (empty: the agent may act alone) and its cost.

    Amounts are compared in the limits' currency, converted at the dated rates of
    `limits.money`; an amount in a currency without a rate asks a human.
    `compensation_corrected`: the guard set a proposed compensation to what the rules owe.
    """
    money = limits.money
    base = money.currency
    reasons: list[str] = []
    lines: list[str] = []
    cost = 0
    own_carrier = schedule.flights[context.disrupted_flight].carrier
    for action in approved:
        if isinstance(action, RebookAction):
            # Estimated in EUR per seat; the party takes a seat each.
            estimate = _interline_cents(schedule, action.flights, own_carrier)
            estimate *= context.booking.seats_needed
            interline = money.convert(estimate, INTERLINE_CURRENCY)
            cost += interline
            if estimate:
                lines.append(f"another carrier's seats: about {money.both(estimate, 'EUR')}")
            if limits.all_rebookings:
                reasons.append("every rebooking needs an operator (approvals.all_rebookings)")
            if context.cabin is not None and action.cabin != context.cabin:
                if limits.cabin_change:
                    reasons.append(f"cabin change from {context.cabin} to {action.cabin}")
            if interline and interline > limits.other_carrier_above_cents:
                reasons.append(
                    f"another carrier's seats at about {interline / 100:.0f} {base} "
                    f"(limit {limits.other_carrier_above_cents / 100:.0f} {base})"
                )
        elif isinstance(action, CompensateAction):
            each = f"{action.passengers} × " if action.passengers > 1 else ""
            lines.append(f"compensation {each}{money.both(action.amount_cents, action.currency)}")
            try:
                one = money.convert(action.amount_cents, action.currency)
            except UnknownCurrencyError as exc:
                reasons.append(f"compensation in {action.currency}: {exc}; a human compares it")
                continue
            cost += one * action.passengers
            # The limit is on what one traveller is paid: a family is not unusual.
            if one > limits.compensation_above_cents:
                reasons.append(
                    f"compensation of {money.both(action.amount_cents, action.currency)} "
                    f"(limit {limits.compensation_above_cents / 100:.0f} {base})"
                )
        elif isinstance(action, CareAction):
            care = sum(CARE_CENTS[item] for item in action.items) * action.passengers
            cost += money.convert(care, CARE_CURRENCY)
    if limits.compensation_above_required and compensation_corrected:
        reasons.append("the reasoner proposed compensation other than the rules require")
    if plan.confidence < limits.min_confidence:
        reasons.append(f"confidence {plan.confidence:.2f} below {limits.min_confidence:.2f}")
    return Assessment(reasons=reasons, cost_cents=cost, cost_lines=lines)


def safe_default(approved: Sequence[ProposedAction], context: CaseContext) -> list[ProposedAction]:
    """What may run when no operator decided in time: the plan without the parts that
    change what the passenger paid for (another cabin) or spend beyond the rules.

    Per action kind, what an expired approval does (each tested in
    tests/unit/test_approval_defaults.py; the last row through the daemon too, in
    tests/unit/test_approvals.py):

    ==========================  ==============================================================
    rebook, same cabin          runs: re-routing at the earliest opportunity is owed (EU261
                                Art 8(1)(b)); low confidence, "every rebooking asks" and
                                another carrier's price are about trust and cost, not policy
    rebook, another cabin       dropped: it changes what the passenger paid for; the rules'
                                rebooking in the booked cabin runs instead where a seat is
                                free (`approve._in_the_booked_cabin`), else the message
                                becomes the "no alternative yet" one, the refund still offered
    compensate                  runs at the amount the rules owe (the guard set it): owed by
                                law whatever the limit on amounts
    care                        runs: owed while the passenger waits (McDonagh, C-12/11)
    refund_offer                runs: an offer; the passenger decides
    notify                      runs, told the truth of what ran (`approve._told_only`)
    any, after a material       nothing runs: the approval goes stale at its deadline and the
    change (a flight left,      case plans again on the live board (`approve._changed_since`)
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
