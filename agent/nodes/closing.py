"""A case's outcome; the case is closed with it in the same transaction as its effects.

`act` closes the case (`CaseStore.close_case`) in the transaction that carries out its
effects, so "effects done" and "case done" cannot part: a daemon killed between `act`
and `remember` leaves a closed case, and nothing to run again. (That is what lets cases
run with LangGraph's "exit" durability — one checkpoint per run — instead of one per
node; see agent/graph.py.)
"""

from __future__ import annotations

from agent.state import Effect, NotifyAction, Outcome, ProposedAction
from tools.notifications.kinds import NO_ALTERNATIVE_KINDS


def case_outcome(effects: list[str], approved: list[ProposedAction]) -> Outcome:
    """What a case came to, from the effects its actions had (`CaseState.effects`)."""
    kinds = {Effect.of(e) for e in effects}
    if Effect.REBOOK in kinds:
        return Outcome.REBOOKED
    if Effect.SEAT_RACE_EXHAUSTED in kinds or any(
        isinstance(a, NotifyAction) and a.message in NO_ALTERNATIVE_KINDS for a in approved
    ):
        return Outcome.NO_ALTERNATIVE
    if Effect.NOTIFY in kinds:
        return Outcome.NOTIFIED
    return Outcome.NOTHING_TO_DO
