"""Scheduled follow-ups: approval deadlines, reminders, re-checks, hold expiry.

Jobs live in the database (`jobs`), written in the same transaction as the work that
needs them, so a crash loses none. Any daemon may run a due job, but only after claiming
it: an UPDATE that succeeds for one daemon only (`FOR UPDATE SKIP LOCKED` picks the
candidates on PostgreSQL, so daemons do not queue on each other's rows); a claim that
outlives its lease (its daemon died mid-job) is taken over. Due means due on the
injected clock, so tests and evals run on simulated time: `await scheduler.run_due()`.
In the daemon, APScheduler's asyncio scheduler calls `run_due` every tick (wall time).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent.claims import owner_gone
from agent.tables import JobRow, JobStatus
from airline.clock import Clock
from travel_agent.db import Database, execute_write

log = logging.getLogger(__name__)


class _SkippedTicks(logging.Filter):
    """Drops APScheduler's warning for a tick skipped because the last one still runs.

    That skip is the design (`max_instances=1`: a tick that waits for a big disruption's
    cases is not overlapped by the next); APScheduler warns at every one, once a second,
    which at 3 a.m. reads like a fault.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


_SKIPPED_TICKS = _SkippedTicks()

# A claimed job whose daemon has not finished it within this long (wall time) is run again.
CLAIM_LEASE = timedelta(minutes=5)
# A job that fails is retried this often (with the tick as back-off), then parked.
MAX_ATTEMPTS = 5
BATCH = 100


class JobKind(StrEnum):
    APPROVAL_DEADLINE = "approval_deadline"
    REMINDER = "reminder"
    RECHECK = "recheck"
    HOLD_EXPIRY = "hold_expiry"
    """Seats a wave held and nobody confirmed go back (`airline.holds.release_expired_holds`)."""
    REPLY_DEADLINE = "reply_deadline"
    RETENTION = "retention"


Handler = Callable[[dict[str, Any]], Awaitable[None]]


async def schedule_job(
    session: AsyncSession,
    db: Database,
    *,
    key: str,
    kind: JobKind,
    due_at: datetime,
    payload: dict[str, Any],
) -> None:
    """Schedule once: a job whose key exists already is left as it is."""
    values = {
        "key": key,
        "kind": kind.value,
        "due_at": due_at,
        "payload": payload,
        "status": JobStatus.DUE.value,
        "attempts": 0,
    }
    # (In a session that defers its writes, with the other cases' rows, at the end.)
    await execute_write(session, db.insert_new(JobRow), values)


class Scheduler:
    """Runs this daemon's share of the due jobs through their handlers."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        handlers: Mapping[JobKind, Handler],
        *,
        owner: str,
    ) -> None:
        self.db = db
        self.clock = clock
        self.handlers = dict(handlers)
        self.owner = owner
        self.ran: int = 0
        self._apscheduler: AsyncIOScheduler | None = None
        self._ticking: asyncio.Task[object] | None = None

    def register(self, kind: JobKind, handler: Handler) -> None:
        """Run `handler` for the jobs of `kind` (the composition root adds its own)."""
        self.handlers[kind] = handler

    async def run_due(
        self,
        due_by: datetime | None = None,
        *,
        at: Callable[[datetime], AbstractContextManager[None]] | None = None,
    ) -> int:
        """Claim and run every job due by `due_by` (default: now on the clock), earliest
        first; returns how many ran.

        `at`, when given, gives the block each job runs in, from the job's due time: a
        daemon on event time runs it inside its clock's `at(due_at)`
        (`agent.runtime.pump`), so the job decides at the time it was due, as a record's
        decisions are taken at the record's time, not at the time the daemon got round
        to it.
        """
        ran = 0
        while True:
            claimed = await self._claim(self.clock.now() if due_by is None else due_by)
            if not claimed:
                return ran
            for job_id, kind, payload, due_at in claimed:
                with nullcontext() if at is None else at(due_at):
                    await self._run(job_id, kind, payload)
                ran += 1
            self.ran += len(claimed)

    async def _claim(self, now: datetime) -> list[tuple[int, str, dict[str, Any], datetime]]:
        # Due is judged on the injected clock; a claim's lease on the wall clock (a stream's
        # clock stands still when the stream does, and a dead daemon's claim must lapse).
        wall = datetime.now(UTC)
        await self._release_dead_claims(wall)
        lapsed = or_(JobRow.claimed_until.is_(None), JobRow.claimed_until < wall)
        candidates = (
            select(JobRow.id)
            .where(JobRow.status == JobStatus.DUE.value, JobRow.due_at <= now, lapsed)
            # Ties by key, which the work that scheduled the job derives: the same order
            # in every run (an id would follow insertion order, a restart's included).
            .order_by(JobRow.due_at, JobRow.key)
            .limit(BATCH)
        )
        if not self.db.is_sqlite:
            candidates = candidates.with_for_update(skip_locked=True)
        async with self.db.transaction() as session:
            ids = list((await session.scalars(candidates)).all())
            if not ids:
                return []
            # The same condition again: a claim only this daemon's UPDATE can win.
            await session.execute(
                update(JobRow)
                .where(JobRow.id.in_(ids), JobRow.status == JobStatus.DUE.value, lapsed)
                .values(claimed_by=self.owner, claimed_until=wall + CLAIM_LEASE)
            )
            rows = await session.execute(
                select(JobRow.id, JobRow.kind, JobRow.payload, JobRow.due_at)
                .where(JobRow.id.in_(ids), JobRow.claimed_by == self.owner)
                .order_by(JobRow.due_at, JobRow.key)
            )
            return [(job_id, kind, dict(payload), due) for job_id, kind, payload, due in rows]

    async def _release_dead_claims(self, wall: datetime) -> None:
        """Jobs claimed by a process of this host that is gone are free at once (a killed
        daemon's claims would otherwise wait out their lease)."""
        async with self.db.session() as session:
            owners = (
                await session.scalars(
                    select(JobRow.claimed_by)
                    .where(JobRow.status == JobStatus.DUE.value, JobRow.claimed_until >= wall)
                    .distinct()
                )
            ).all()
        dead = [o for o in owners if o and o != self.owner and owner_gone(o)]
        if dead:
            async with self.db.transaction() as session:
                await session.execute(
                    update(JobRow)
                    .where(JobRow.claimed_by.in_(dead), JobRow.status == JobStatus.DUE.value)
                    .values(claimed_by=None, claimed_until=None)
                )
            log.info("took back the scheduled jobs of %d stopped daemons", len(dead))

    async def _run(self, job_id: int, kind: str, payload: dict[str, Any]) -> None:
        handler = self.handlers.get(JobKind(kind))
        error: str | None = None
        if handler is None:
            error = f"no handler for {kind}"
        else:
            try:
                await handler(payload)
            except Exception as exc:
                log.exception("scheduled %s job %d failed", kind, job_id)
                error = f"{type(exc).__name__}: {exc}"[:500]
        async with self.db.transaction() as session:
            row = await session.get(JobRow, job_id)
            if row is None:
                return
            row.attempts += 1
            row.claimed_until = None
            if error is None:
                row.status = JobStatus.DONE.value
                row.done_at = self.clock.now()
            else:
                row.last_error = error
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = JobStatus.FAILED.value

    def start(self, tick_seconds: float) -> None:
        """Look for due jobs every tick (wall time), from APScheduler's asyncio scheduler."""
        logging.getLogger("apscheduler.scheduler").addFilter(_SKIPPED_TICKS)  # once: a set
        scheduler = AsyncIOScheduler()
        scheduler.add_job(
            self._tick,
            "interval",
            seconds=tick_seconds,
            max_instances=1,  # a slow tick is never overlapped by the next
            coalesce=True,
            id="run-due-jobs",
        )
        scheduler.start()
        self._apscheduler = scheduler

    async def _tick(self) -> None:
        self._ticking = asyncio.current_task()
        try:
            await self.run_due()
        except asyncio.CancelledError:  # stopping: a claimed job is run again after its lease
            log.debug("scheduler tick cancelled")
        except Exception:  # the database may be away for a moment; next tick tries again
            log.exception("running due jobs failed; trying again next tick")
        finally:
            self._ticking = None

    async def stop(self) -> None:
        """Stop ticking and let the tick in progress finish its job."""
        if self._apscheduler is not None and self._apscheduler.running:
            self._apscheduler.shutdown(wait=False)
        self._apscheduler = None
        if self._ticking is not None and not self._ticking.done():
            await asyncio.wait({self._ticking}, timeout=30)
