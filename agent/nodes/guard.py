"""The guard node: `tools.policy.validate` refuses what breaks policy or live facts,
repairs what can be and adds what is owed whatever the reasoner proposed; the autonomy
limits (`agent.autonomy`) then say what needs a human.

One check is the planner's: a plan that leaves the passenger without a rebooking while
the planner holds a seat for them (`CaseContext.assignment`) is refused, and the
assignment runs instead. A plan whose own rebooking cannot run (refused, or announced and
never proposed) falls back to the first of the search's ranked alternatives that can,
rather than to "no alternative". Nothing the reasoner says about itself (its confidence)
can make the guard pass such a plan: a model cannot strand a passenger.
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
from tools.policy.checks import NO_SEAT, fallback_message, rebooked_message
from tools.policy.validate import Validated, validate

STRANDS = "leaves the passenger without a seat"
FALLBACK_OPTIONS = 3
"""How many of the ranked alternatives a refused rebooking falls back to, at most."""


async def guard_plan(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Refuse what breaks policy or live facts; repair what can be; say what needs a human."""
    deps, context, plan = runtime.context, state["context"], state["plan"]
    facts = case_facts(context, deps.settings.policy)
    async with deps.db.session() as session:
        checked = await validate(session, deps.schedule, deps.board, plan.actions, facts)
        for flights, why in _fallbacks(context, plan.actions, checked):
            repaired = await validate(
                session, deps.schedule, deps.board, _rebooked_onto(context, flights, checked), facts
            )
            if not any(isinstance(a, RebookAction) for a in repaired.approved):
                continue  # that seat is gone too: try the next
            repaired.violations = [*checked.violations, why, *repaired.violations]
            repaired.repairs.insert(0, f"rebooked onto {' + '.join(flights)}")
            checked = repaired
            break
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


def _fallbacks(
    context: CaseContext, proposed: list[ProposedAction], checked: Validated
) -> list[tuple[list[str], str]]:
    """Itineraries to rebook onto instead, with why, when the checked plan leaves the
    passenger without a rebooking: the planner's assignment (a seat held for them), then,
    if the plan itself meant to rebook (a refused rebooking, or a message announcing one),
    the alternatives the search ranked, in order. Empty when the plan rebooks, or chose
    not to (a passenger's refund, a delay): a plan cannot strand a passenger, but the
    guard does not rebook whom the plan meant to leave booked."""
    if context.cabin is None or any(isinstance(a, RebookAction) for a in checked.approved):
        return []
    found: list[tuple[list[str], str]] = []
    assignment = context.assignment
    if assignment is not None and assignment.placed:
        assigned = " + ".join(assignment.flights)
        found.append(
            (
                list(assignment.flights),
                f"the plan {STRANDS} while the planner holds one on {assigned}",
            )
        )
    meant_to_rebook = any(isinstance(a, RebookAction) for a in proposed) or any(
        isinstance(a, NotifyAction) and fallback_message(a.message) != a.message for a in proposed
    )
    if meant_to_rebook:
        found += [
            (list(option.flight_keys), f"the plan's rebooking cannot run; {option_name} can")
            for option in context.alternatives[:FALLBACK_OPTIONS]
            if (option_name := " + ".join(option.flight_keys))
            and all(option.flight_keys != flights for flights, _ in found)
        ]
    return found


def _rebooked_onto(
    context: CaseContext, flights: list[str], checked: Validated
) -> list[ProposedAction]:
    """The checked plan, rebooking onto `flights` and saying so."""
    assert context.cabin is not None
    actions: list[ProposedAction] = [
        RebookAction(replace_seqs=context.replace_seqs, flights=flights, cabin=context.cabin)
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


async def after_guard(state: CaseState) -> Literal["context", "approve"]:
    # async, though it awaits nothing: LangGraph runs a sync routing function of an
    # async graph on a thread pool, two thread handoffs per case (~4 ms of CPU on a busy
    # machine, a tenth of a case's).
    violations = state["verdict"].violations
    seats_gone = bool(violations) and all(v.startswith(NO_SEAT) for v in violations)
    return "context" if seats_gone and state.get("attempts", 0) < MAX_ATTEMPTS else "approve"
