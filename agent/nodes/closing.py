"""A case's outcome, and closing its row — in the same transaction as its effects.

`act` closes the case in the transaction that carries out its effects, so "effects done"
and "case done" cannot part: a daemon killed between `act` and `remember` leaves a closed
case, and nothing to run again. (That is what lets cases run with LangGraph's "exit"
durability — one checkpoint per run — instead of one per node; see agent/graph.py.)
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent.state import CaseStatus, Effect, NotifyAction, Outcome, ProposedAction
from agent.tables import CaseRow
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


async def close_case(session: AsyncSession, case_id: str, outcome: Outcome, at: datetime) -> None:
    """Mark the case done with its outcome; a case closed before keeps its outcome."""
    await session.execute(
        _CLOSE,
        {"b_id": case_id, "b_outcome": outcome.value, "b_at": at, "b_wall": datetime.now(UTC)},
    )


# Built once (see `travel_agent.db.insert_row`): constructing and keying a statement
# for the compiled cache per call costs more CPU than running it.
_CLOSE = (
    update(CaseRow)
    .where(
        CaseRow.id == bindparam("b_id"),
        CaseRow.status.in_([CaseStatus.PENDING, CaseStatus.AWAITING_APPROVAL]),
    )
    .values(
        status=CaseStatus.DONE,
        outcome=bindparam("b_outcome"),
        updated_at=bindparam("b_at"),
        decided_wall_at=bindparam("b_wall"),
    )
)
