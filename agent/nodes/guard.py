"""The guard node: refuse what breaks policy or live facts, repair what can be, pay what
is owed whatever the reasoner proposed, and say what needs a human.
"""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime

from agent.autonomy import assess
from agent.deps import AgentDeps
from agent.nodes.common import MAX_ATTEMPTS
from agent.nodes.context import owed
from agent.state import (
    CaseReason,
    CaseState,
    NotifyAction,
    ProposedAction,
    RebookAction,
    Verdict,
)
from tools.policy.guard import (
    NO_SEAT,
    check_money,
    complete_money,
    fallback_message,
    rebook_violations,
)
from tools.policy.results import Entitlements

# Compensation for a delay is judged on the actual arrival (its own case, ARRIVED_LATE).
JUDGED_LATER = frozenset({CaseReason.DELAYED, CaseReason.RECOVERED, CaseReason.GATE_CHANGE})
# Care is for someone still waiting.
NO_CARE = frozenset({CaseReason.ARRIVED_LATE, CaseReason.GATE_CHANGE})


async def guard_plan(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Refuse what breaks policy or live facts; repair what can be; say what needs a human."""
    deps, context, plan = runtime.context, state["context"], state["plan"]
    approved: list[ProposedAction] = []
    violations: list[str] = []
    repairs: list[str] = []
    rebook_refused = False
    async with deps.db.session() as session:
        for action in plan.actions:
            if isinstance(action, RebookAction):
                if any(isinstance(a, RebookAction) for a in approved):
                    repairs.append("kept one rebooking of several: one itinerary per case")
                    continue
                found = await rebook_violations(
                    session,
                    deps.schedule,
                    deps.board,
                    flights=action.flights,
                    replace_seqs=action.replace_seqs,
                    cabin=action.cabin,
                    broken_seqs=context.replace_seqs,
                    origin=context.origin,
                    destination=context.destination,
                    booked_cabin=context.cabin,
                    not_before=context.earliest_dep,
                    allow_cabin_change=True,  # allowed, but a human decides (approve node)
                )
                if found:
                    violations.extend(found)
                    rebook_refused = True
                    continue
            approved.append(action)
    notifies = [a for a in approved if isinstance(a, NotifyAction)]
    if len(notifies) > 1:
        repairs.append(f"kept one of {len(notifies)} messages: one per passenger per change")
        approved = [a for a in approved if not isinstance(a, NotifyAction)] + notifies[:1]
    if rebook_refused:
        for i, action in enumerate(approved):
            if isinstance(action, NotifyAction) and action.message != (
                fallback := fallback_message(action.message)
            ):
                approved[i] = NotifyAction(message=fallback)
                repairs.append(f"message {action.message} became {fallback}: rebooking refused")
    rebooking = next((a for a in approved if isinstance(a, RebookAction)), None)
    owed_now = owed(
        context,
        deps,
        rebooking.flights if rebooking else None,
        rebooking.cabin if rebooking else context.cabin,
    ) or Entitlements(regimes=(), distance_km=0)
    money = check_money(
        approved,
        owed_now,
        price_cents=context.booking.price_cents,
        currency=context.booking.currency,
    )
    violations.extend(money.violations)
    repairs.extend(money.repairs)
    if plan.actions:  # a plan that acts pays what is owed, whichever reasoner made it
        # (compensation for a delay waits for the actual arrival it is judged on)
        money.approved, added = complete_money(
            money.approved,
            owed_now,
            compensation=context.reason not in JUDGED_LATER,
            care=context.reason not in NO_CARE,
        )
        repairs.extend(added)
    limits = assess(
        plan, money.approved, context, deps.schedule, deps.settings.approvals, repairs=repairs
    )
    verdict = Verdict(
        approved=money.approved,
        violations=violations,
        repairs=repairs,
        needs_human=limits.reasons,
        cost_cents=limits.cost_cents,
    )
    if violations and all(v.startswith(NO_SEAT) for v in violations):
        # The seat went to another case after our search: search again rather than tell
        # the passenger there is no alternative.
        return {"verdict": verdict, "attempts": state.get("attempts", 0) + 1}
    return {"verdict": verdict}


def after_guard(state: CaseState) -> Literal["context", "approve"]:
    violations = state["verdict"].violations
    seats_gone = bool(violations) and all(v.startswith(NO_SEAT) for v in violations)
    return "context" if seats_gone and state.get("attempts", 0) < MAX_ATTEMPTS else "approve"
