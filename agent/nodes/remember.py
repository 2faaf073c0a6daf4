"""The remember node: tell customer memory what happened to the case."""

from __future__ import annotations

import logging

from langgraph.runtime import Runtime

from agent.deps import AgentDeps
from agent.nodes.closing import case_outcome
from agent.state import (
    CareAction,
    CaseState,
    CompensateAction,
    NotifyAction,
    Outcome,
    ProposedAction,
    RebookAction,
    RefundOfferAction,
)
from memory.base import MemoryKind

log = logging.getLogger(__name__)


async def remember(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Tell customer memory what happened (`act` closed the case with its outcome)."""
    deps = runtime.context
    if "outcome" in state:
        outcome = Outcome(state["outcome"])
    else:  # a checkpoint from before `act` closed cases: close it here, as then
        approved = state["verdict"].approved if "verdict" in state else []
        outcome = case_outcome(state.get("effects", []), approved)
        async with deps.persistence.transaction() as work:
            await work.cases.close_case(state["case_id"], outcome, deps.clock.now())
    await _memorize(deps, state, outcome)
    return {"outcome": outcome.value}


async def _memorize(deps: AgentDeps, state: CaseState, outcome: Outcome) -> None:
    """One memory per case (idempotent by case id); memory failing never fails the case."""
    if deps.memory is None or "context" not in state or outcome == Outcome.NOTHING_TO_DO:
        return
    context = state["context"]
    fields = context.message_fields
    done = [
        _told(action)
        for action in (state["verdict"].approved if "verdict" in state else [])
        if not isinstance(action, NotifyAction)
    ]
    text = (
        f"{fields.get('flight', context.disrupted_flight)} {fields.get('route', '')} on "
        f"{fields.get('date', '')}: {context.reason.value}; {outcome.value}"
        + (f" ({'; '.join(done)})" if done else "")
    )
    try:
        await deps.memory.record(
            context.customer.id,
            MemoryKind.OUTCOME,
            text,
            at=deps.clock.now(),
            metadata={"case_id": state["case_id"], "pnr": state["pnr"], "outcome": outcome.value},
            id=f"case:{state['case_id']}",
        )
    except Exception:
        log.exception("case %s: could not record the outcome in customer memory", state["case_id"])


def _told(action: ProposedAction) -> str:
    if isinstance(action, RebookAction):
        return f"rebooked onto {' + '.join(k.split('/')[0] for k in action.flights)}"
    if isinstance(action, CompensateAction | RefundOfferAction):
        label = "compensation" if isinstance(action, CompensateAction) else "refund offered"
        return f"{label} {action.amount_cents / 100:.0f} {action.currency}"
    if isinstance(action, CareAction):
        return f"care: {', '.join(action.items)}"
    return action.kind
