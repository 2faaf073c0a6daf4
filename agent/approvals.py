"""Pending approvals and the decisions on them: the Python API of the operator desk.

    desk = ApprovalDesk(db, clock)
    await desk.pending()                       # open ones, nearest deadline first
    await desk.find(status=None)               # every approval, any status
    await desk.get("AP-7K2QX9")
    await desk.decide("AP-7K2QX9", Decision(verdict="approve"), operator="maria")
    await desk.decide(id, Decision(verdict="edit", option=2, flight="XA123"), operator="maria")
    await desk.decide(id, Decision(verdict="reject", reason="customer called"), operator=...)

The graph parks a case at `interrupt()` after writing its approval here. A decision is
only recorded by the desk (any process may call it: the CLI, the dashboard, an eval
script); the daemon that owns the case sees the decision and resumes the case with it, so
the decision takes effect once even if the daemon was down when it was made.

Options are numbered from 1 everywhere — the desk, the CLI, the API and the audit log —
in the order the agent ranked them (1 = its best). An edit may also name the flight it
means (``flight``): a number that does not point at that flight is refused, so a wrong
number cannot book the wrong flight silently. The recorded decision keeps the flights
chosen, and the daemon books those.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, cast

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from agent.state import CaseStatus
from agent.tables import ApprovalRow, CaseRow
from airline.clock import Clock
from travel_agent.db import Database
from travel_agent.errors import TravelAgentError


class ApprovalStatus(StrEnum):
    PENDING = "pending"  # waiting for an operator
    APPROVED = "approved"  # the proposal runs as it is
    EDITED = "edited"  # the operator chose another option
    REJECTED = "rejected"  # nothing the agent proposed runs; the passenger hears a fallback
    STALE = "stale"  # the flight changed again before anyone decided: re-planned
    EXPIRED = "expired"  # the deadline passed: the safe default ran


OPEN = (ApprovalStatus.PENDING,)
DECIDED = (ApprovalStatus.APPROVED, ApprovalStatus.EDITED, ApprovalStatus.REJECTED)


class ApprovalNotFoundError(TravelAgentError):
    """No approval has that id."""


class ApprovalClosedError(TravelAgentError):
    """The approval was already decided, went stale or expired; it takes no decision now."""


class Decision(BaseModel):
    """An operator's answer to an approval."""

    verdict: Literal["approve", "edit", "reject"]
    option: int | None = Field(
        default=None,
        ge=1,
        description="edit: the number of the option to book, as shown (1 = the agent's best)",
    )
    flight: str | None = Field(
        default=None,
        max_length=40,
        description="edit: the flight the operator means (XA123 or XA123/2026-03-01); "
        "refused when the option does not contain it",
    )
    reason: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _complete(self) -> Decision:
        if self.verdict == "edit" and self.option is None:
            raise ValueError("an edit names the option to book (option=<number>, from 1)")
        if self.verdict == "reject" and not (self.reason or "").strip():
            raise ValueError("a rejection needs a reason")
        return self


class Resolution(BaseModel):
    """How an approval was resolved: an operator's decision, or the agent's own ("stale":
    the flight changed again; "default": the deadline passed and the safe default ran)."""

    verdict: Literal["approve", "edit", "reject", "stale", "default"]
    option: int | None = Field(default=None, description="edit: the option's number, from 1")
    flights: list[str] | None = Field(default=None, description="edit: the flights it books")
    reason: str | None = None


class Approval(BaseModel):
    """Everything an operator needs to decide, as the agent saw it when it asked."""

    id: str
    case_id: str
    revision: int
    pnr: str
    customer_id: str
    flight_key: str = Field(description="the disrupted flight")
    reason: str = Field(description="why the case exists: cancelled, diverted, ...")
    why: list[str] = Field(description="the autonomy limits that need a human")
    proposal: dict[str, Any] = Field(description="the guarded plan (agent.state.Plan as JSON)")
    options: list[dict[str, Any]] = Field(
        description="the alternatives considered (tools.flights.Itinerary as JSON), best first"
    )
    entitlements: list[dict[str, Any]] = Field(description="what the passenger is owed, cited")
    memory: list[dict[str, Any]] = Field(description="what memory recalled and was used")
    rationale: str
    cost_cents: int = Field(description="what the proposal costs the airline beyond the ticket")
    currency: str
    status: ApprovalStatus
    created_at: datetime
    deadline: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision: Resolution | None = None
    applied_at: datetime | None = Field(default=None, description="when the case ran on")


def option_label(option: dict[str, Any]) -> str:
    """An option's flights as an operator reads them: "XA123 + XA456"."""
    return " + ".join(str(key).split("/")[0] for key in option.get("flight_keys", []))


def chosen_flights(approval: Approval, decision: Decision) -> list[str]:
    """The flight keys an edit books, after checking its number (and flight, if named).

    Raises:
        ValueError: no option has that number, or it does not contain the named flight.
    """
    count = len(approval.options)
    number = decision.option or 0
    if not 1 <= number <= count:
        offered = f"1 to {count}" if count else "none"
        raise ValueError(f"option {number} does not exist: the options are numbered {offered}")
    option = approval.options[number - 1]
    keys = [str(key) for key in option.get("flight_keys", [])]
    if decision.flight is not None:
        wanted = decision.flight.strip().upper()
        if not any(wanted in (key.upper(), key.split("/")[0].upper()) for key in keys):
            raise ValueError(
                f"option {number} is {option_label(option)}, not {decision.flight}: "
                "nothing was booked; check the number"
            )
    return keys


def approval_id(case_id: str, revision: int) -> str:
    """Short, stable, typeable: the same case and revision always give the same id."""
    digest = hashlib.blake2b(f"{case_id}:{revision}".encode(), digest_size=8).digest()
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread
    n = int.from_bytes(digest, "big")
    return "AP-" + "".join(alphabet[(n >> (5 * i)) & 31] for i in range(8))


async def open_approval(
    session: AsyncSession, db: Database, values: dict[str, Any], *, at: datetime
) -> bool:
    """Write the approval `values` describe (once per id: a resumed case writes it again)
    and park its case as awaiting it, in the caller's transaction. False: the approval
    was written before (the case is run again up to it after a crash)."""
    written = cast(
        CursorResult[Any],
        await session.execute(db.insert(ApprovalRow).values(**values).on_conflict_do_nothing()),
    )
    await session.execute(
        update(CaseRow)
        .where(CaseRow.id == values["case_id"], CaseRow.status == CaseStatus.PENDING)
        .values(status=CaseStatus.AWAITING_APPROVAL, updated_at=at)
    )
    return written.rowcount == 1


async def mark_stale(
    session: AsyncSession, ident: str, *, reason: str, was: object, at: datetime
) -> None:
    """The approval no longer applies (the world changed under it): the case plans again."""
    await session.execute(
        update(ApprovalRow)
        .where(ApprovalRow.id == ident)
        .values(
            status=ApprovalStatus.STALE.value,
            decision={"verdict": "stale", "reason": reason, "was": was},
            decided_at=at,
        )
    )


async def stale_replaced(
    session: AsyncSession,
    *,
    pnr: str,
    replaced_seqs: Sequence[int],
    replaced_flights: Sequence[str],
    by_case: str,
    at: datetime,
) -> list[str]:
    """Mark stale, in the transaction of the change, the pending approvals of `pnr` that
    another case's change of the booking (`by_case` took `replaced_seqs`, the segments of
    `replaced_flights`, off it) leaves unable to run: a rebooking that replaces one of
    those segments, or a plan about a disrupted flight the booking no longer holds.
    Returns the cases of the approvals marked, whose holds the caller gives back.

    Why here and not at the next approvals tick: in the change's own transaction the
    approval is stale exactly when the booking changed, never one without the other (a
    kill before the commit loses both, after it keeps both), and its seat is free for
    the very next wave; at a tick, which wave saw the seat would depend on wall time
    and on where a crash fell. (`agent.nodes.approve._rebooked_since` still checks
    every answer: a change made outside the act node is caught there.)"""
    gone_seqs, gone_flights = set(replaced_seqs), set(replaced_flights)
    if not gone_seqs and not gone_flights:
        return []
    rows = (
        await session.execute(
            select(
                ApprovalRow.id, ApprovalRow.case_id, ApprovalRow.flight_key, ApprovalRow.proposal
            ).where(
                ApprovalRow.pnr == pnr,
                ApprovalRow.status == ApprovalStatus.PENDING.value,
                ApprovalRow.case_id != by_case,
            )
        )
    ).all()
    marked: list[str] = []
    for ident, case, disrupted, proposal in rows:
        lost = sorted(gone_seqs & _replaces(proposal))
        if not lost and disrupted not in gone_flights:
            continue
        what = f"segment(s) {lost}" if lost else disrupted
        changed = cast(
            CursorResult[Any],
            await session.execute(
                update(ApprovalRow)
                .where(ApprovalRow.id == ident, ApprovalRow.status == ApprovalStatus.PENDING.value)
                .values(
                    status=ApprovalStatus.STALE.value,
                    decided_by="agent",
                    decided_at=at,
                    decision={
                        "verdict": "stale",
                        "reason": f"replaced: case {by_case} rebooked {pnr} off {what}; "
                        "planned again",
                    },
                )
            ),
        )
        if changed.rowcount == 1:  # else decided meanwhile: its answer checks the booking
            marked.append(case)
    return marked


def _replaces(proposal: dict[str, Any]) -> set[int]:
    """The booking's segments the proposal's rebooking replaces."""
    return {
        int(seq)
        for action in proposal.get("actions", [])
        if action.get("kind") == "rebook"
        for seq in action.get("replace_seqs", [])
    }


def to_approval(row: ApprovalRow) -> Approval:
    return Approval(
        id=row.id,
        case_id=row.case_id,
        revision=row.revision,
        pnr=row.pnr,
        customer_id=row.customer_id,
        flight_key=row.flight_key,
        reason=row.reason,
        why=list(row.why),
        proposal=dict(row.proposal),
        options=list(row.options),
        entitlements=list(row.entitlements),
        memory=list(row.memory),
        rationale=row.rationale,
        cost_cents=row.cost_cents,
        currency=row.currency,
        status=ApprovalStatus(row.status),
        created_at=row.created_at,
        deadline=row.deadline,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision=Resolution.model_validate(row.decision) if row.decision else None,
        applied_at=row.applied_at,
    )


class ApprovalDesk:
    """List approvals and record decisions on them. Safe to use from any process."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def pending(self, *, limit: int = 500) -> list[Approval]:
        """Open approvals, nearest deadline first."""
        return await self.find(status=ApprovalStatus.PENDING, limit=limit)

    async def find(
        self, *, status: ApprovalStatus | None = None, limit: int = 500
    ) -> list[Approval]:
        query = select(ApprovalRow).order_by(ApprovalRow.deadline, ApprovalRow.id).limit(limit)
        if status is not None:
            query = query.where(ApprovalRow.status == status.value)
        async with self.db.session() as session:
            return [to_approval(row) for row in (await session.scalars(query)).all()]

    async def for_case(self, case_id: str) -> list[Approval]:
        query = (
            select(ApprovalRow).where(ApprovalRow.case_id == case_id).order_by(ApprovalRow.revision)
        )
        async with self.db.session() as session:
            return [to_approval(row) for row in (await session.scalars(query)).all()]

    async def get(self, approval_id: str) -> Approval:
        async with self.db.session() as session:
            row = await session.get(ApprovalRow, approval_id)
        if row is None:
            raise ApprovalNotFoundError(f"no approval {approval_id!r}")
        return to_approval(row)

    async def decide(self, approval_id: str, decision: Decision, *, operator: str) -> Approval:
        """Record an operator's decision; the daemon owning the case applies it.

        Raises ApprovalNotFoundError, or ApprovalClosedError when the approval is no
        longer pending (decided by someone else, stale, or expired) — then nothing changes.
        """
        current = await self.get(approval_id)
        recorded: dict[str, Any] = decision.model_dump(mode="json", exclude={"flight"})
        if decision.verdict == "edit":
            recorded["flights"] = chosen_flights(current, decision)
        status = {
            "approve": ApprovalStatus.APPROVED,
            "edit": ApprovalStatus.EDITED,
            "reject": ApprovalStatus.REJECTED,
        }[decision.verdict]
        async with self.db.transaction() as session:
            result = await session.execute(
                update(ApprovalRow)
                .where(
                    ApprovalRow.id == approval_id,
                    ApprovalRow.status == ApprovalStatus.PENDING.value,
                )
                .values(
                    status=status.value,
                    decided_by=operator,
                    # Never before the question: a reader's clock may trail the daemon's.
                    decided_at=max(self.clock.now(), current.created_at),
                    decision=recorded,
                )
            )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            latest = await self.get(approval_id)
            why = latest.decision.reason if latest.decision else None
            raise ApprovalClosedError(
                f"approval {approval_id} is {latest.status.value}"
                + (f" (by {latest.decided_by})" if latest.decided_by else "")
                + (f": {why}" if why else "")
                + "; it takes no decision now"
                + (": the case plans again" if latest.status is ApprovalStatus.STALE else "")
            )
        return await self.get(approval_id)
