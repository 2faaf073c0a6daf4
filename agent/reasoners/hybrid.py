"""The hybrid reasoner: the rules for standard cases, the model for complex ones.

A case is complex when the rules have no standard answer for it or it deserves judgement:

- no standard option: a broken itinerary and no alternative with a seat in the cabin;
- a platinum passenger whose trip has a connection (rebooking them well is worth a look
  beyond "earliest arrival").

- special needs: an SSR on the booking (wheelchair, unaccompanied minor, ...) or an
  accessibility need in memory;
- free-text notes about the customer in memory (weighed by the model, as data).

A delay and a case with nothing to replace are always standard. Whatever the model returns still
goes through the guard, and a failing model falls back to the rules inside `LlmReasoner`.
"""

from __future__ import annotations

from agent.reasoners.base import Reasoner, ReportsProgress
from agent.state import CaseContext, CaseReason, Plan
from airline.models import LoyaltyTier


def complexity(context: CaseContext) -> str | None:
    """Why the case needs the model, or None for a standard case."""
    if context.reason == CaseReason.DELAYED or not context.replace_seqs:
        return None
    if not context.alternatives:
        return "no standard option"
    if context.booking.ssr or context.preferences.accessibility:
        return "special needs"
    if any(" note: " in line for line in context.memory):
        return "free-text notes about the customer"
    if context.customer.tier == LoyaltyTier.PLATINUM and len(context.booking.active_segments) > 1:
        return "platinum passenger with a connection"
    return None


class HybridReasoner:
    """Routes each case to `rules` or `llm` by `complexity`."""

    name = "hybrid"

    def __init__(self, rules: Reasoner, llm: Reasoner) -> None:
        self._rules = rules
        self._llm = llm

    @property
    def progress(self) -> int:
        """The model's progress (`ReportsProgress`); the rules' decisions are instant."""
        return self._llm.progress if isinstance(self._llm, ReportsProgress) else 0

    async def plan(self, context: CaseContext) -> Plan:
        why = complexity(context)
        if why is None:
            return await self._rules.plan(context)
        plan = await self._llm.plan(context)
        return plan.model_copy(update={"rationale": f"complex case ({why}): {plan.rationale}"})
