"""The guard node: `tools.policy.validate` refuses what breaks policy or live facts,
repairs what can be and adds what is owed whatever the reasoner proposed; the autonomy
limits (`agent.autonomy`) then say what needs a human.
"""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime

from agent.autonomy import assess
from agent.deps import AgentDeps
from agent.nodes.common import MAX_ATTEMPTS, case_facts
from agent.state import (
    CaseState,
    Verdict,
)
from tools.policy.guard import (
    NO_SEAT,
)
from tools.policy.validate import validate


async def guard_plan(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Refuse what breaks policy or live facts; repair what can be; say what needs a human."""
    deps, context, plan = runtime.context, state["context"], state["plan"]
    async with deps.db.session() as session:
        checked = await validate(
            session,
            deps.schedule,
            deps.board,
            plan.actions,
            case_facts(context, deps.settings.policy),
        )
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


def after_guard(state: CaseState) -> Literal["context", "approve"]:
    violations = state["verdict"].violations
    seats_gone = bool(violations) and all(v.startswith(NO_SEAT) for v in violations)
    return "context" if seats_gone and state.get("attempts", 0) < MAX_ATTEMPTS else "approve"
