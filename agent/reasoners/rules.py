"""The rules reasoner: deterministic re-accommodation, the embedded default.

- Protect the passenger on the first alternative the search ranks (earliest arrival in
  the booked cabin, own metal first, the customer's preferences honoured).
- Pay what the rules owe, unasked: compensation for the option booked (one payment per
  journey) and care while they wait.
- With nothing to rebook onto, offer the refund the rules offer, and say so; with a
  rebooking, or a delay long enough, offer it beside (the passenger may decline).
- A delay that leaves the trip intact, or a gate change: tell them, with the care owed.
- One message per passenger per change, in their language on their channel (the act
  node applies the preferences memory holds).
"""

from __future__ import annotations

from agent.state import (
    CareAction,
    CaseContext,
    CaseReason,
    CompensateAction,
    NotifyAction,
    Plan,
    ProposedAction,
    RebookAction,
    RefundOfferAction,
)
from tools.notifications import MessageKind
from tools.policy.checks import owed_actions
from tools.policy.refunds import refund_cents, refunded_journeys
from tools.policy.results import EntitlementKind, Entitlements

_REBOOKED = {
    CaseReason.CANCELLED: MessageKind.CANCELLED_REBOOKED,
    CaseReason.DIVERTED: MessageKind.DIVERTED_REBOOKED,
    CaseReason.MISSED_CONNECTION: MessageKind.MISSED_CONNECTION_REBOOKED,
}
_NO_ALTERNATIVE = {
    CaseReason.CANCELLED: MessageKind.CANCELLED_NO_ALTERNATIVE,
    CaseReason.DIVERTED: MessageKind.DIVERTED_NO_ALTERNATIVE,
    CaseReason.MISSED_CONNECTION: MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE,
}


# The message a case whose itinerary still works is told (its trip stands).
_TRIP_STANDS = {
    CaseReason.DELAYED: MessageKind.DELAY,
    CaseReason.RECOVERED: MessageKind.DELAY,
    CaseReason.GATE_CHANGE: MessageKind.GATE_CHANGE,
    CaseReason.REINSTATED: MessageKind.REINSTATED,
}


def rebooking_owed(reason: CaseReason) -> bool:
    """The case's itinerary broke: the passenger is owed a rebooking (or the truth)."""
    return reason in _REBOOKED


def outcome_message(reason: CaseReason, *, rebooked: bool) -> MessageKind | None:
    """The message that tells the case's outcome: what the rules send, and what the guard
    makes any plan send (None: the rules may send nothing, as after a late arrival that
    owes no compensation). A broken itinerary is told its rebooking or that there is no
    alternative; an intact one what changed (a rebooking there is refused anyway)."""
    if rebooking_owed(reason):
        return (_REBOOKED if rebooked else _NO_ALTERNATIVE)[reason]
    return _TRIP_STANDS.get(reason)


class RulesReasoner:
    name = "rules"

    async def plan(self, context: CaseContext) -> Plan:
        if context.reason == CaseReason.GATE_CHANGE:
            return Plan(
                actions=[NotifyAction(message=MessageKind.GATE_CHANGE)],
                rationale="the gate changed; the trip is intact, so inform only",
                reasoner=self.name,
            )
        if context.reason == CaseReason.REINSTATED:
            return Plan(
                actions=[NotifyAction(message=MessageKind.REINSTATED)],
                rationale="the cancelled flight operates after all and the booking is still "
                "on it: the passenger must know it leaves as planned",
                reasoner=self.name,
            )
        if context.reason == CaseReason.RECOVERED:
            return Plan(
                actions=[NotifyAction(message=MessageKind.DELAY), *care(context.entitlements)],
                rationale="the announced delay shrank: the passenger must know the new, "
                "earlier departure",
                reasoner=self.name,
            )
        if context.reason == CaseReason.ARRIVED_LATE:
            paid = [*owed_actions(context.entitlements, care=False)] if context.entitlements else []
            return Plan(
                actions=[*paid, NotifyAction(message=MessageKind.COMPENSATION)] if paid else [],
                rationale="landed late at the final destination: "
                + ("pay the compensation owed" if paid else "no compensation is owed"),
                reasoner=self.name,
            )
        if context.reason == CaseReason.DELAYED:
            return Plan(
                actions=[
                    NotifyAction(message=MessageKind.DELAY),
                    *care(context.entitlements),
                    *refund_offer(context),
                ],
                rationale="departure delayed; the itinerary still works, so inform"
                + (" and give the care owed" if care(context.entitlements) else " only")
                + "; compensation for a delay is judged on the actual arrival",
                reasoner=self.name,
            )
        if not context.replace_seqs:
            return Plan(
                actions=[],
                rationale="the disrupted flight is no longer on this booking's itinerary",
                reasoner=self.name,
            )
        owed = owed_money(context.entitlements)
        if not context.alternatives or context.cabin is None:
            refund = refund_offer(context)
            return Plan(
                actions=[NotifyAction(message=_NO_ALTERNATIVE[context.reason]), *refund, *owed],
                rationale="no alternative with a free seat in the booked cabin"
                + ("; the refund the rules offer is offered" if refund else ""),
                reasoner=self.name,
            )
        best = context.alternatives[0]
        actions: list[ProposedAction] = [
            RebookAction(
                replace_seqs=context.replace_seqs_for(best.flight_keys),
                flights=best.flight_keys,
                cabin=context.cabin,
            ),
            NotifyAction(message=_REBOOKED[context.reason]),
            *owed,
            # The passenger may decline the re-routing and take the refund instead (EU261
            # Art 8(1), 14 CFR Part 260, APPR s.17): offered in the same message.
            *refund_offer(context),
        ]
        return Plan(
            actions=actions,
            rationale=(
                # The ranker's own account of why this option is first: true to its keys.
                (context.ranking.words() if context.ranking else " + ".join(best.flight_keys))
                + "".join(f"; {_describe(a)}" for a in owed)
            ),
            reasoner=self.name,
        )


def owed_money(owed: Entitlements | None) -> list[ProposedAction]:
    return [*owed_actions(owed, compensation=True)] if owed else []


def care(owed: Entitlements | None) -> list[ProposedAction]:
    return [*owed_actions(owed, compensation=False)] if owed else []


def refund_offer(context: CaseContext) -> list[ProposedAction]:
    owed = context.entitlements
    if owed is None:
        return []
    offered = owed.of(kind=EntitlementKind.REFUND_OPTION) + owed.of(kind=EntitlementKind.REFUND)
    if not offered:
        return []
    booking = context.booking
    on_it = [s for s in booking.segments if s.flight_key == context.disrupted_flight]
    journeys = refunded_journeys(booking, on_it[0].journey if on_it else 1)
    return [
        RefundOfferAction(
            regime=offered[0].regime,
            amount_cents=refund_cents(booking, journeys),
            currency=booking.currency,
        )
    ]


def _describe(action: ProposedAction) -> str:
    if isinstance(action, CompensateAction):
        amount = f"{action.amount_cents / 100:.0f} {action.currency}"
        return f"{action.regime.value} compensation {amount}"
    if isinstance(action, CareAction):
        return f"{action.regime.value} care: {', '.join(action.items)}"
    return action.kind
