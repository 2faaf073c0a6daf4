"""The guard node: `tools.policy.validate` refuses what breaks policy or live facts,
repairs what can be and adds what is owed whatever the reasoner proposed; the autonomy
limits (`agent.autonomy`) then say what needs a human.

One check is the planner's: a plan that leaves the passenger without a rebooking while
the planner holds a seat for them (`CaseContext.assignment`) is refused, and the
assignment runs instead. Nothing the reasoner says about itself (its confidence) can
make the guard pass such a plan: a model cannot strand a passenger.
"""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime

from agent.autonomy import assess
from agent.deps import AgentDeps
from agent.nodes.common import MAX_ATTEMPTS, case_facts
from agent.state import (
    CaseContext,
    CaseState,
    NotifyAction,
    ProposedAction,
    RebookAction,
    RefundOfferAction,
    Verdict,
)
from tools.policy.guard import NO_SEAT, rebooked_message
from tools.policy.validate import Validated, validate

STRANDS = "leaves the passenger without a seat"


async def guard_plan(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Refuse what breaks policy or live facts; repair what can be; say what needs a human."""
    deps, context, plan = runtime.context, state["context"], state["plan"]
    facts = case_facts(context, deps.settings.policy)
    async with deps.db.session() as session:
        checked = await validate(session, deps.schedule, deps.board, plan.actions, facts)
        stranded = _strands(context, checked)
        if stranded is not None:
            refused = checked.violations
            checked = await validate(session, deps.schedule, deps.board, stranded, facts)
            assigned = " + ".join(context.assignment.flights) if context.assignment else ""
            checked.violations = [
                *refused,
                f"the plan {STRANDS} while the planner holds one on {assigned}",
                *checked.violations,
            ]
            checked.repairs.insert(0, f"rebooked onto the planner's assignment {assigned}")
    limits = assess(
        plan,
        checked.approved,
        context,
        deps.schedule,
        deps.settings.approvals,
        repairs=checked.repairs,
    )
    verdict = Verdict(
        approved=checked.approved,
        violations=checked.violations,
        repairs=checked.repairs,
        needs_human=limits.reasons,
        cost_cents=limits.cost_cents,
        cost_currency=deps.settings.approvals.money.currency,
        cost_lines=limits.cost_lines,
    )
    if verdict.violations and all(v.startswith(NO_SEAT) for v in verdict.violations):
        # The seat went to another case after our search: search again rather than tell
        # the passenger there is no alternative.
        return {"verdict": verdict, "attempts": state.get("attempts", 0) + 1}
    return {"verdict": verdict}


def _strands(context: CaseContext, checked: Validated) -> list[ProposedAction] | None:
    """The plan with the planner's assignment, if the checked plan leaves the passenger
    without a rebooking while a seat is held for them; None when it does not."""
    assignment = context.assignment
    if (
        assignment is None
        or not assignment.placed
        or context.cabin is None
        or any(isinstance(a, RebookAction) for a in checked.approved)
    ):
        return None
    actions: list[ProposedAction] = [
        RebookAction(
            replace_seqs=context.replace_seqs, flights=assignment.flights, cabin=context.cabin
        )
    ]
    for action in checked.approved:
        if isinstance(action, RefundOfferAction):
            # The offer made instead of a rebooking goes; validating the repaired plan
            # offers, beside the rebooking, the refund a rule gives (at what it gives).
            continue
        if isinstance(action, NotifyAction):
            action = NotifyAction(message=rebooked_message(action.message))
        actions.append(action)
    return actions


def after_guard(state: CaseState) -> Literal["context", "approve"]:
    violations = state["verdict"].violations
    seats_gone = bool(violations) and all(v.startswith(NO_SEAT) for v in violations)
    return "context" if seats_gone and state.get("attempts", 0) < MAX_ATTEMPTS else "approve"
