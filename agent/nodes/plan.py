"""The plan node: the configured reasoner proposes; nothing runs before the guard."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.deps import AgentDeps
from agent.state import CaseState


async def make_plan(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    plan = await runtime.context.reasoner.plan(state["context"])
    return {"plan": plan}
