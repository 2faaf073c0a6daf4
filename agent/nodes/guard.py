"""The guard node: `tools.policy.validate` refuses what breaks policy or live facts,
repairs what can be and adds what is owed whatever the reasoner proposed; the autonomy
limits (`agent.autonomy`) then say what needs a human.

One mechanism keeps a plan's outcome honest, whoever wrote the plan (the rules, a model,
an operator's edit). In a case whose itinerary broke (cancelled, diverted, missed
connection) the guard refuses a plan that

- leaves the passenger without a rebooking while the planner found a seat for them (its
  assignment, `CaseContext.assignment`) or ranked one with seats (`Refusal.STRANDS`), or
- tells them something else than what happens to them: a "rebooked" message without a
  rebooking, a rebooking announced as a delay, no message at all (`Refusal.OUTCOME`),

and the case falls back to what the rules would have done: the planner's assignment, or
the next ranked option whose seats are still free, with the message for that outcome and
everything owed for it (compensation, care, the refund offer — `validate` adds them).
Only when no option can run is the passenger told there is no alternative, and then
with the refund offer the rules give. Nothing the reasoner says about itself (its
confidence) can make the guard pass such a plan: a model cannot strand a passenger.

The graph routes on typed refusals (`tools.policy.checks.Refusal`), never on their words:
when every refusal is a seat taken meanwhile, the case searches again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from langgraph.runtime import Runtime

from agent.autonomy import assess
from agent.deps import AgentDeps
from agent.nodes.common import MAX_ATTEMPTS, case_facts
from agent.reasoners.rules import outcome_message, rebooking_owed
from agent.seats_ahead import seats_for
from agent.state import (
    CareAction,
    CaseContext,
    CaseState,
    CompensateAction,
    NotifyAction,
    ProposedAction,
    RebookAction,
    Verdict,
)
from tools.policy.checks import Refusal, Violation, only_seats_gone
from tools.policy.validate import Validated, validate

FALLBACK_OPTIONS = 3
"""How many itineraries (the assignment, then the ranked options) a refused plan falls back
to, at most."""

REBOOKING_REFUSALS = frozenset({Refusal.NO_SEAT, Refusal.ITINERARY})
"""The refusals of a rebooking itself (the others are of money or of the outcome)."""

Check = Callable[[Sequence[ProposedAction]], Awaitable[Validated]]


async def guard_plan(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Refuse what breaks policy or live facts; repair what can be; say what needs a human."""
    deps, context, plan = runtime.context, state["context"], state["plan"]
    checked = await checked_outcome(deps, context, plan.actions)
    limits = assess(
        plan,
        checked.approved,
        context,
        deps.schedule,
        deps.settings.approvals,
        compensation_corrected=checked.compensation_corrected,
    )
    verdict = Verdict(
        approved=checked.approved,
        violations=[str(v) for v in checked.violations],
        refusals=[v.reason for v in checked.violations],
        repairs=checked.repairs,
        needs_human=limits.reasons,
        cost_cents=limits.cost_cents,
        cost_currency=deps.settings.approvals.money.currency,
        cost_lines=limits.cost_lines,
    )
    if search_again(verdict):
        # The seat went to another case after our search: search again rather than tell
        # the passenger there is no alternative.
        return {"verdict": verdict, "attempts": state.get("attempts", 0) + 1}
    return {"verdict": verdict}


async def checked_outcome(
    deps: AgentDeps, context: CaseContext, actions: Sequence[ProposedAction]
) -> Validated:
    """`actions` validated on the live seats and board, and falling back to the rules'
    outcome when theirs is refused (`refused_outcome`): the guard's check of a plan, and
    of what an approval's safe default leaves of one (`agent.nodes.approve`)."""
    facts = case_facts(context, deps.settings.policy)
    async with seats_for(deps.persistence, deps.seats) as seats:

        async def check(proposed: Sequence[ProposedAction]) -> Validated:
            return await validate(seats, deps.schedule, deps.board, proposed, facts, memo=deps.owed)

        checked = await check(actions)
        refused = refused_outcome(context, checked.approved)
        if refused is not None:
            checked = await fall_back(check, context, checked, refused)
    return checked


def search_again(verdict: Verdict) -> bool:
    """No rebooking runs, and every rebooking refused (the plan's, the options fallen back
    to) lost its seat since the search: a fresh search can place the passenger. Refusals
    of money or of the plan's message were repaired; they do not stop the search."""
    if any(isinstance(a, RebookAction) for a in verdict.approved):
        return False
    return only_seats_gone([r for r in verdict.refusals if r in REBOOKING_REFUSALS])


def refused_outcome(context: CaseContext, approved: Sequence[ProposedAction]) -> Violation | None:
    """Why the checked plan's outcome is refused (None: it stands): it leaves the passenger
    of a broken itinerary unrebooked while an option with seats exists, or its message is
    not the one its outcome needs (a delay told as a cancellation, a rebooking as a delay)."""
    rebooking = next((a for a in approved if isinstance(a, RebookAction)), None)
    told = outcome_message(context.reason, rebooked=rebooking is not None)
    if told is None or (rebooking_owed(context.reason) and not context.replace_seqs):
        return None  # nothing the rules must say (the flight left the booking, say)
    options = _options(context)
    if rebooking is None and options:
        held = context.assignment is not None and context.assignment.placed
        whose = "the planner holds one" if held else "the search ranked one"
        return Violation(
            Refusal.STRANDS,
            f"the plan leaves the passenger without a seat while {whose} on "
            + " + ".join(options[0]),
        )
    messages = [a.message for a in approved if isinstance(a, NotifyAction)]
    if messages != [told]:
        said = ", ".join(messages) or "nothing"
        return Violation(Refusal.OUTCOME, f"the plan tells {said}; its outcome needs {told}")
    return None


async def fall_back(
    check: Check, context: CaseContext, checked: Validated, refused: Violation
) -> Validated:
    """The rules' outcome instead of the refused one: a rebooking onto the first option
    (the assignment, then the ranked ones) whose seats are still free, else the plan's own
    rebooking if it had one that runs, else no rebooking — each with the message for it
    and what is owed (validated afresh, so money follows the option actually booked)."""
    kept = next((a for a in checked.approved if isinstance(a, RebookAction)), None)
    seats_gone: list[Violation] = []
    for flights in [] if kept else _options(context):
        assert context.cabin is not None  # _options gives none without a cabin
        rebook = RebookAction(
            replace_seqs=context.replace_seqs_for(flights), flights=flights, cabin=context.cabin
        )
        repaired = await check(_outcome(context, rebook, ()))
        if any(isinstance(a, RebookAction) for a in repaired.approved):
            return _explained(checked, refused, repaired, f"rebooked onto {' + '.join(flights)}")
        seats_gone += [v for v in repaired.violations if v.reason is Refusal.NO_SEAT]
    # No option can run (or the plan's own rebooking stands): its outcome, told truly,
    # with the plan's money re-checked and the refund offer the rules give.
    repaired = await check(_outcome(context, kept, checked.approved))
    told = next((a.message for a in repaired.approved if isinstance(a, NotifyAction)), None)
    result = _explained(checked, refused, repaired, f"the passenger is told {told}")
    # Why each option could not run, when it was its seat (`search_again` reads them).
    result.violations += [v for v in seats_gone if v not in result.violations]
    return result


def _explained(checked: Validated, refused: Violation, repaired: Validated, what: str) -> Validated:
    """The repaired plan, carrying why the first one was refused and what replaced it."""
    repaired.violations = [*checked.violations, refused, *repaired.violations]
    repaired.repairs.insert(0, what)  # the refused plan's own repairs went with it
    repaired.compensation_corrected |= checked.compensation_corrected
    return repaired


def _options(context: CaseContext) -> list[list[str]]:
    """The itineraries the rules would rebook onto, best first: the planner's assignment
    (a seat held for the party), then the ranked options with seats (none when the trip
    still works: a delay owes no rebooking)."""
    if context.cabin is None or not rebooking_owed(context.reason) or not context.replace_seqs:
        return []
    found: list[list[str]] = []
    if context.assignment is not None and context.assignment.placed:
        found.append(list(context.assignment.flights))
    for option in context.alternatives:
        if option.flight_keys not in found:
            found.append(option.flight_keys)
    return found[:FALLBACK_OPTIONS]


def _outcome(
    context: CaseContext, rebook: RebookAction | None, keep: Sequence[ProposedAction]
) -> list[ProposedAction]:
    """A plan with `rebook` (or none), the message for that outcome, and the compensation
    and care of `keep` (re-checked by `validate`; a refund offer is left out: validating
    adds the one a rule gives, at what it gives)."""
    message = outcome_message(context.reason, rebooked=rebook is not None)
    assert message is not None  # `refused_outcome` names one for every case that falls back
    money = [a for a in keep if isinstance(a, CompensateAction | CareAction)]
    return [*([rebook] if rebook else []), NotifyAction(message=message), *money]


async def after_guard(state: CaseState) -> Literal["context", "approve"]:
    # async, though it awaits nothing: LangGraph runs a sync routing function of an
    # async graph on a thread pool, two thread handoffs per case (~4 ms of CPU on a busy
    # machine, a tenth of a case's).
    seats_gone = search_again(state["verdict"])
    return "context" if seats_gone and state.get("attempts", 0) < MAX_ATTEMPTS else "approve"
