"""Retention: what a daemon that runs for months must let go of, and what it must keep.

A scheduled job (`JobKind.RETENTION`, every `every_hours` on the injected clock) prunes,
each by its own configured age:

- the LangGraph checkpoints of finished cases (done or failed — never a case that waits
  for an approval or is still pending): the case row keeps its outcome, and a finished
  case never runs again, so its thread is history nobody reads. LangGraph's own
  `aprune(strategy="delete")` where the saver has it (PostgreSQL), else `adelete_thread`;
  the case row is marked (`checkpoint_pruned_at`) so no thread is deleted twice;
- delivered outbox rows (sent or superseded), and the outbox's dead letters (rows the
  relay gave up on) after a longer age, so an operator can still look into them;
- finished scheduled jobs;
- the action ledger's rows of finished cases, *archived* (moved to
  `action_ledger_archive` in one transaction, never deleted): a refund or a compensation
  claim can come years later (the UK's limitation period is six years), so the default
  age is long and the archive keeps every row readable.

Deletes go in batches of `batch` rows, one transaction each, so the daemon's own writes
never wait long behind a retention run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import delete, insert, literal, select, update

from agent.scheduler import Handler, JobKind, schedule_job
from agent.settings import RetentionSettings
from agent.state import CaseStatus
from agent.tables import CaseRow, JobRow, JobStatus
from airline.clock import Clock
from airline.tables import LedgerArchiveRow, LedgerRow
from tools.tables import OutboxRow, OutboxStatus
from travel_agent.db import Database

__all__ = [
    "Retention",
    "RetentionReport",
    "RetentionSettings",
    "retention_handler",
    "schedule_retention",
]

log = logging.getLogger(__name__)

FINISHED = (CaseStatus.DONE.value, CaseStatus.FAILED.value)


@dataclass
class RetentionReport:
    """What one run let go of."""

    checkpoints: int = 0
    outbox: int = 0
    dead_letters: int = 0
    jobs: int = 0
    ledger_archived: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Retention:
    """Prunes one database and one checkpointer by the ages in `settings`."""

    def __init__(
        self,
        db: Database,
        checkpointer: BaseCheckpointSaver[Any] | None,
        settings: RetentionSettings,
    ) -> None:
        self.db = db
        self.checkpointer = checkpointer
        self.settings = settings

    async def run(self, now: datetime) -> RetentionReport:
        """One pass over everything, each kind by its age before `now`."""
        s = self.settings
        report = RetentionReport()
        if s.checkpoint_days is not None and self.checkpointer is not None:
            report.checkpoints = await self.prune_checkpoints(
                _before(now, s.checkpoint_days), now=now
            )
        if s.outbox_days is not None:
            report.outbox = await self._delete_outbox(_before(now, s.outbox_days), dead=False)
        if s.dead_letter_days is not None:
            report.dead_letters = await self._delete_outbox(
                _before(now, s.dead_letter_days), dead=True
            )
        if s.jobs_days is not None:
            report.jobs = await self._delete_jobs(_before(now, s.jobs_days))
        if s.ledger_days is not None:
            report.ledger_archived = await self.archive_ledger(_before(now, s.ledger_days))
        if any(report.as_dict().values()):
            log.info("retention: %s", report.as_dict())
        return report

    async def prune_checkpoints(self, before: datetime, *, now: datetime) -> int:
        """Delete the checkpoints of cases finished before `before`; how many threads.
        The cases are marked pruned at `now`."""
        assert self.checkpointer is not None
        pruned = 0
        while True:
            async with self.db.session() as session:
                ids = list(
                    (
                        await session.scalars(
                            select(CaseRow.id)
                            .where(
                                CaseRow.status.in_(FINISHED),
                                CaseRow.updated_at < before,
                                CaseRow.checkpoint_pruned_at.is_(None),
                            )
                            .limit(self.settings.batch)
                        )
                    ).all()
                )
            if not ids:
                return pruned
            await _delete_threads(self.checkpointer, ids)
            async with self.db.transaction() as session:
                await session.execute(
                    update(CaseRow).where(CaseRow.id.in_(ids)).values(checkpoint_pruned_at=now)
                )
            pruned += len(ids)

    async def _delete_outbox(self, before: datetime, *, dead: bool) -> int:
        if dead:
            which = [OutboxRow.status == OutboxStatus.FAILED, OutboxRow.created_at < before]
        else:
            which = [
                OutboxRow.status.not_in((OutboxStatus.PENDING, OutboxStatus.FAILED)),
                OutboxRow.created_at < before,
            ]
        return await self._delete_batches(OutboxRow, select(OutboxRow.id).where(*which))

    async def _delete_jobs(self, before: datetime) -> int:
        finished = select(JobRow.id).where(JobRow.status != JobStatus.DUE, JobRow.due_at < before)
        return await self._delete_batches(JobRow, finished)

    async def _delete_batches(self, row: Any, ids_query: Any) -> int:
        deleted = 0
        while True:
            async with self.db.transaction() as session:
                ids = list((await session.scalars(ids_query.limit(self.settings.batch))).all())
                if not ids:
                    return deleted
                await session.execute(delete(row).where(row.id.in_(ids)))
            deleted += len(ids)

    async def archive_ledger(self, before: datetime) -> int:
        """Move the ledger rows of finished cases older than `before` to the archive."""
        archived = 0
        finished = select(CaseRow.id).where(CaseRow.status.in_(FINISHED))
        columns = [c.name for c in LedgerRow.__table__.columns]
        while True:
            async with self.db.transaction() as session:
                ids = list(
                    (
                        await session.scalars(
                            select(LedgerRow.id)
                            .where(LedgerRow.created_at < before, LedgerRow.case_id.in_(finished))
                            .order_by(LedgerRow.id)
                            .limit(self.settings.batch)
                        )
                    ).all()
                )
                if not ids:
                    return archived
                source = select(
                    *(LedgerRow.__table__.c[name] for name in columns),
                    literal(before, LedgerArchiveRow.__table__.c.archived_before.type).label(
                        "archived_before"
                    ),
                ).where(LedgerRow.id.in_(ids))
                await session.execute(
                    insert(LedgerArchiveRow).from_select([*columns, "archived_before"], source)
                )
                await session.execute(delete(LedgerRow).where(LedgerRow.id.in_(ids)))
            archived += len(ids)


async def schedule_retention(
    db: Database, clock: Clock, settings: RetentionSettings, *, after: datetime | None = None
) -> None:
    """Schedule the next retention run, `every_hours` after `after` (default: now), unless
    one is scheduled already (several daemons share the database: each schedules it,
    the job's key makes it one)."""
    async with db.session() as session:
        waiting = await session.scalar(
            select(JobRow.id).where(
                JobRow.kind == JobKind.RETENTION.value, JobRow.status == JobStatus.DUE
            )
        )
    if waiting is not None:
        return
    due = (after or clock.now()) + timedelta(hours=settings.every_hours)
    async with db.transaction() as session:
        await schedule_job(
            session,
            db,
            key=f"retention:{due.isoformat()}",
            kind=JobKind.RETENTION,
            due_at=due,
            payload={},
        )


def retention_handler(retention: Retention, db: Database, clock: Clock) -> Handler:
    """The scheduled job: one retention pass now, then the next one scheduled."""

    async def run(_payload: dict[str, Any]) -> None:
        now = clock.now()
        await retention.run(now)
        # This job is still `due` while it runs: schedule past it by its key.
        due = now + timedelta(hours=retention.settings.every_hours)
        async with db.transaction() as session:
            await schedule_job(
                session,
                db,
                key=f"retention:{due.isoformat()}",
                kind=JobKind.RETENTION,
                due_at=due,
                payload={},
            )

    return run


async def _delete_threads(checkpointer: BaseCheckpointSaver[Any], ids: Sequence[str]) -> None:
    try:
        await checkpointer.aprune(ids, strategy="delete")  # one statement where supported
    except NotImplementedError:
        for thread_id in ids:
            await checkpointer.adelete_thread(thread_id)


def _before(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
