"""The remember node: close the case with its outcome and tell customer memory."""

from __future__ import annotations

import logging

from langgraph.runtime import Runtime
from sqlalchemy import update

from agent.deps import AgentDeps
from agent.state import (
    CareAction,
    CaseState,
    CaseStatus,
    CompensateAction,
    NotifyAction,
    Outcome,
    ProposedAction,
    RebookAction,
    RefundOfferAction,
)
from airline.db import CaseRow
from memory.base import MemoryKind

log = logging.getLogger(__name__)


async def remember(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Close the case with its outcome, and tell customer memory what happened."""
    effects = state.get("effects", [])
    approved = state["verdict"].approved if "verdict" in state else []
    if any(e.startswith("rebook") for e in effects):
        outcome = Outcome.REBOOKED
    elif "seat-race-exhausted" in effects or any(
        isinstance(a, NotifyAction) and a.message.value.endswith("no_alternative") for a in approved
    ):
        outcome = Outcome.NO_ALTERNATIVE
    elif any(e.startswith("notify") for e in effects):
        outcome = Outcome.NOTIFIED
    else:
        outcome = Outcome.NOTHING_TO_DO
    deps = runtime.context
    async with deps.db.transaction() as session:
        await session.execute(
            update(CaseRow)
            # A case closed before keeps its outcome if it is ever run again.
            .where(
                CaseRow.id == state["case_id"],
                CaseRow.status.in_([CaseStatus.PENDING, CaseStatus.AWAITING_APPROVAL]),
            )
            .values(
                status=CaseStatus.DONE,
                outcome=outcome.value,
                updated_at=deps.clock.now(),
            )
        )
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
