"""The agent as the desk's browser tests need it: it parks cases at approvals and resumes them.

Stand-in until the graph's `approve` node and the daemon's resuming of decided approvals
are on this branch: it writes the rows the graph writes when it parks a case, and, like
the daemon, applies a recorded decision (the rebooking into the ledger, the case to done,
`applied_at` on the approval).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from sqlalchemy import select, update

from agent.approvals import ApprovalDesk
from agent.settings import Settings
from airline.clock import SimulatedClock
from airline.db import ApprovalRow, CaseRow, Database, LedgerRow
from tests.fakes.desk import park_case
from tests.fakes.desk_client import NOW


class DeskAgent:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.clock = SimulatedClock(NOW, speed=1.0)
        self.desk = ApprovalDesk(db, self.clock)
        self._parked = 0

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, settings: Settings) -> AsyncIterator[DeskAgent]:
        async with Database(settings.db_url) as db:
            agent = cls(db)
            stop = asyncio.Event()
            task = asyncio.create_task(agent._resume(stop))
            try:
                yield agent
            finally:
                stop.set()
                await task

    async def cause_approval(self) -> str:
        """A disruption parks one passenger's case at an approval; its id."""
        row = await park_case(self.db, now=self.clock.now(), n=self._parked)
        self._parked += 1
        return row.id

    async def wait_until_done(self, approval_id: str) -> str:
        """The case id, once the agent has resumed the approval's case to done (30 s at most)."""
        case_id = (await self.desk.get(approval_id)).case_id
        async with asyncio.timeout(30):
            while True:
                async with self.db.session() as session:
                    case = await session.get(CaseRow, case_id)
                if case is not None and case.status == "done":
                    return case_id
                await asyncio.sleep(0.2)

    async def _resume(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            async with self.db.session() as session:
                decided = (
                    await session.scalars(
                        select(ApprovalRow).where(
                            ApprovalRow.status.in_(("approved", "edited", "rejected")),
                            ApprovalRow.applied_at.is_(None),
                        )
                    )
                ).all()
            for approval in decided:
                await self._apply(approval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)

    async def _apply(self, approval: ApprovalRow) -> None:
        now = self.clock.now() + timedelta(seconds=1)
        rebooked = approval.status != "rejected"
        async with self.db.transaction() as session:
            if rebooked:
                option = (approval.decision or {}).get("option") or 0
                flights = [leg["flight_key"] for leg in approval.options[option]["legs"]]
                session.add(
                    LedgerRow(
                        idempotency_key=f"{approval.case_id}:rebook:{approval.revision}",
                        case_id=approval.case_id,
                        action="rebook",
                        pnr=approval.pnr,
                        detail={"flights": flights},
                        created_at=now,
                    )
                )
            await session.execute(
                update(CaseRow)
                .where(CaseRow.id == approval.case_id)
                .values(
                    status="done", outcome="rebooked" if rebooked else "notified", updated_at=now
                )
            )
            await session.execute(
                update(ApprovalRow).where(ApprovalRow.id == approval.id).values(applied_at=now)
            )
