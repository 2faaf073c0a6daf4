"""The rules reasoner: deterministic re-accommodation, the embedded default.

Protect the passenger on the earliest-arriving alternative in the same cabin (the search
already ranks own metal first), and tell them what happened and what we did. When no
alternative has a seat, say so; refunds and later offers arrive with the policy tools.
"""

from __future__ import annotations

from agent.state import (
    CaseContext,
    CaseReason,
    NotifyAction,
    Plan,
    ProposedAction,
    RebookAction,
)
from tools.notifications import MessageKind

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


class RulesReasoner:
    name = "rules"

    async def plan(self, context: CaseContext) -> Plan:
        if context.reason == CaseReason.DELAYED:
            return Plan(
                actions=[NotifyAction(message=MessageKind.DELAY)],
                rationale="departure delayed; the itinerary still works, so inform only",
                reasoner=self.name,
            )
        if not context.replace_seqs:
            return Plan(
                actions=[],
                rationale="the disrupted flight is no longer on this booking's itinerary",
                reasoner=self.name,
            )
        if not context.alternatives or context.cabin is None:
            return Plan(
                actions=[NotifyAction(message=_NO_ALTERNATIVE[context.reason])],
                rationale="no alternative with a free seat in the booked cabin",
                reasoner=self.name,
            )
        best = context.alternatives[0]
        actions: list[ProposedAction] = [
            RebookAction(
                replace_seqs=context.replace_seqs, flights=best.flight_keys, cabin=context.cabin
            ),
            NotifyAction(message=_REBOOKED[context.reason]),
        ]
        return Plan(
            actions=actions,
            rationale=(
                f"earliest-arriving alternative in {context.cabin}: "
                f"{' + '.join(best.flight_keys)} arriving {best.arr.isoformat()}"
            ),
            reasoner=self.name,
        )
