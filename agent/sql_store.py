"""The SQL adapter behind `agent.store.CaseStore`: the agent's tables on SQLite or
PostgreSQL (`travel_agent.db.Database` picks the dialect's upsert).

Each method is the room's own SQL helper (`agent.approvals`, `agent.offers`,
`agent.scheduler`), which the scheduler, the desk and the replies path call directly;
closing a case is written here, the one writer of a case's final status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent import approvals, offer_replaced, offers, scheduler
from agent.approvals import ApprovalStatus
from agent.scheduler import JobKind
from agent.state import CaseStatus, Outcome
from agent.tables import ApprovalRow, CaseRow, OfferRow, OfferStatus
from airline.models import Cabin
from tools.flights import Itinerary
from travel_agent.db import Database, execute_write

__all__ = ["SqlCaseStore", "close_case"]


async def close_case(session: AsyncSession, case_id: str, outcome: Outcome, at: datetime) -> None:
    """Mark the case done with its outcome; a case closed before keeps its outcome.
    (In a session that defers its writes, with the other cases' closings, at the end.)"""
    await execute_write(
        session,
        _CLOSE,
        {"b_id": case_id, "b_outcome": outcome.value, "b_at": at, "b_wall": datetime.now(UTC)},
    )


# Built once (see `travel_agent.db.insert_row`): constructing and keying a statement
# for the compiled cache per call costs more CPU than running it. On the table, not the
# mapped class: many cases' closings run as one executemany (`write_deferred`), which
# the ORM's bulk UPDATE (by primary key, without a WHERE) would refuse; and no IN of a
# list, whose expanding parameter executemany refuses too.
_CASES = cast(Table, CaseRow.__table__)
_CLOSE = (
    update(_CASES)
    .where(
        _CASES.c.id == bindparam("b_id"),
        or_(
            _CASES.c.status == CaseStatus.PENDING,
            _CASES.c.status == CaseStatus.AWAITING_APPROVAL,
        ),
    )
    .values(
        status=CaseStatus.DONE,
        outcome=bindparam("b_outcome"),
        updated_at=bindparam("b_at"),
        decided_wall_at=bindparam("b_wall"),
    )
)


class SqlCaseStore:
    """`CaseStore` in one transaction (`session`) on the database the agent runs on."""

    def __init__(self, db: Database, session: AsyncSession) -> None:
        self.db = db
        self._session = session
        # Bookings read ahead to have no pending approval (`read_approvals_ahead`).
        self._no_pending_approval: set[str] = set()
        # Bookings read ahead to have no open offer (`read_offers_ahead`).
        self._no_open_offer: set[str] = set()

    async def close_case(self, case_id: str, outcome: Outcome, at: datetime) -> None:
        await close_case(self._session, case_id, outcome, at)

    async def open_approval(self, values: Mapping[str, Any], *, at: datetime) -> bool:
        self._no_pending_approval.discard(str(values.get("pnr")))
        return await approvals.open_approval(self._session, self.db, dict(values), at=at)

    async def read_approvals_ahead(self, pnrs: Iterable[str]) -> None:
        wanted = set(pnrs)
        if not wanted:
            return
        pending = await self._session.scalars(
            select(ApprovalRow.pnr)
            .where(
                ApprovalRow.pnr.in_(wanted),
                ApprovalRow.status == ApprovalStatus.PENDING.value,
            )
            .distinct()
        )
        self._no_pending_approval |= wanted - set(pending)

    async def read_offers_ahead(self, pnrs: Iterable[str]) -> None:
        wanted = set(pnrs)
        if not wanted:
            return
        open_ = await self._session.scalars(
            select(OfferRow.pnr)
            .where(OfferRow.pnr.in_(wanted), OfferRow.status == OfferStatus.OPEN)
            .distinct()
        )
        self._no_open_offer |= wanted - set(open_)

    async def mark_stale(self, approval: str, *, reason: str, was: object, at: datetime) -> None:
        await approvals.mark_stale(self._session, approval, reason=reason, was=was, at=at)

    async def stale_replaced_approvals(
        self,
        *,
        pnr: str,
        replaced_seqs: Sequence[int],
        replaced_flights: Sequence[str],
        by_case: str,
        at: datetime,
    ) -> list[str]:
        if pnr in self._no_pending_approval:
            return []  # read ahead: nothing of this booking waits for an operator
        return await approvals.stale_replaced(
            self._session,
            pnr=pnr,
            replaced_seqs=replaced_seqs,
            replaced_flights=replaced_flights,
            by_case=by_case,
            at=at,
        )

    async def open_offer(
        self,
        *,
        case_id: str,
        pnr: str,
        disruption_flight: str,
        booked: Sequence[str],
        alternatives: Sequence[Itinerary],
        cabin: Cabin,
        departure: datetime,
        now: datetime,
    ) -> str:
        self._no_open_offer.discard(pnr)
        return await offers.open_offer(
            self._session,
            self.db,
            case_id=case_id,
            pnr=pnr,
            disruption_flight=disruption_flight,
            booked=booked,
            alternatives=alternatives,
            cabin=cabin,
            departure=departure,
            now=now,
        )

    async def supersede_offers(
        self, *, pnr: str, replaced: Sequence[str], by_case: str, at: datetime
    ) -> list[str]:
        if pnr in self._no_open_offer:
            return []  # read ahead: the booking has no offer open to close
        return await offer_replaced.supersede_offers(
            self._session, pnr=pnr, replaced=replaced, by_case=by_case, at=at
        )

    async def schedule_job(
        self,
        *,
        key: str,
        kind: JobKind,
        due_at: datetime,
        payload: dict[str, Any],
    ) -> None:
        await scheduler.schedule_job(
            self._session, self.db, key=key, kind=kind, due_at=due_at, payload=payload
        )
