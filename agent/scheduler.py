"""Scheduled follow-ups: approval deadlines, reminders, re-checks, hold expiry.

Jobs live in the database (`jobs`), written in the same transaction as the work that
needs them, so a crash loses none. Any daemon may run a due job, but only after claiming
it: an UPDATE that succeeds for one daemon only (`FOR UPDATE SKIP LOCKED` picks the
candidates on PostgreSQL, so daemons do not queue on each other's rows); a claim that
outlives its lease (its daemon died mid-job) is taken over. Due means due on the
injected clock, so tests and evals run on simulated time: `await scheduler.run_due()`.
In the daemon, APScheduler's asyncio scheduler calls `run_due` every tick (wall time).

**Jobs of one moment in one batch.** A storm's wave rebooks hundreds of passengers at
one instant, and their re-checks fall due together, as do the reminders of one new
flight: run one by one, each job was a transaction for its effects and another to be
marked done (the real storm day: 12 881 jobs, ~70 % of the run's CPU). A kind with a
batch handler (`register_batch`) gets each run of consecutive claimed jobs of its kind
whole: it reads what they need once, writes their effects in few transactions, and
still decides each job inside `at(due_at)` in (due_at, key) order, exactly as one by
one (no record is applied between jobs claimed together, so they see one board). The
batch is then marked done in one statement. The crash rule is a wave's: killed before
that statement, the batch's jobs are claimed and run again, and their effects happen
once (the outbox's and the ledger's keys, a case's id, an offer's status). A batch that
raises is run again one job at a time, so each failure is counted against its own job.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent.claims import owner_gone
from agent.tables import JobRow, JobStatus
from airline.clock import Clock, EventTimeClock
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

At = Callable[[datetime], AbstractContextManager[None]]
"""The block a job decides in, from its due time (`Scheduler.run_due`)."""


@dataclass(frozen=True, slots=True)
class DueJob:
    """A claimed job, as a batch handler gets it."""

    id: int
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int


BatchHandler = Callable[[Sequence[DueJob], At], Awaitable[None]]
"""Runs claimed jobs of one kind in their order, each inside `at(job.due_at)`; raises
to have them run again one by one."""


def no_at(instant: datetime) -> AbstractContextManager[None]:
    """`At` for a clock that keeps its own time."""
    return nullcontext()


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
        self.batch_handlers: dict[JobKind, BatchHandler] = {}
        self.owner = owner
        self.ran: int = 0
        self._apscheduler: AsyncIOScheduler | None = None
        self._ticking: asyncio.Task[object] | None = None

    def register(self, kind: JobKind, handler: Handler) -> None:
        """Run `handler` for the jobs of `kind` (the composition root adds its own)."""
        self.handlers[kind] = handler
        self.batch_handlers.pop(kind, None)  # the handler given last is the one that runs

    def register_batch(self, kind: JobKind, handler: BatchHandler) -> None:
        """Run the jobs of `kind` claimed together through `handler` (module docstring);
        the one-job handler stays for a batch that fails."""
        self.batch_handlers[kind] = handler

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
            # Runs of one kind, in the claimed order: a kind's batch never jumps a job of
            # another kind due between two of its own.
            for kind, run in itertools.groupby(claimed, key=lambda job: job.kind):
                jobs = list(run)
                batch = self.batch_handlers.get(JobKind(kind))
                if batch is not None:
                    await self._run_batch(batch, jobs, at)
                else:
                    await self._run_each(jobs, at)
                ran += len(jobs)
            self.ran += len(claimed)

    async def _run_each(self, jobs: list[DueJob], at: At | None) -> None:
        """One job at a time, each in its own block at its due time."""
        for job in jobs:
            with nullcontext() if at is None else at(job.due_at):
                await self._run(job.id, job.kind, job.payload)

    async def _run_batch(self, handler: BatchHandler, jobs: list[DueJob], at: At | None) -> None:
        started = time.monotonic()
        try:
            await handler(jobs, no_at if at is None else at)
        except Exception:
            log.exception(
                "a batch of %d %s jobs failed; running them one by one", len(jobs), jobs[0].kind
            )
            await self._run_each(jobs, at)
            return
        if at is not None:
            # A job the handler found nothing to do for entered no block of its own: the
            # stream's time is left where the jobs one by one leave it (`at` may move it
            # on to a due time past it), at the last one's due time.
            with at(jobs[-1].due_at):
                pass
        # Done when the batch is: on event time each job's due time plus the batch's
        # time (its effects committed no sooner), as a job run alone is stamped.
        if at is None:
            stamps = dict.fromkeys((job.id for job in jobs), self.clock.now())
        else:
            speed = self.clock.speed if isinstance(self.clock, EventTimeClock) else 1.0
            took = timedelta(seconds=(time.monotonic() - started) * speed)
            stamps = {job.id: job.due_at + took for job in jobs}
        async with self.db.transaction() as session:
            await session.execute(
                update(JobRow),
                [
                    {
                        "id": job.id,
                        "attempts": job.attempts + 1,
                        "claimed_until": None,
                        "status": JobStatus.DONE.value,
                        "done_at": stamps[job.id],
                    }
                    for job in jobs
                ],
            )

    async def _claim(self, now: datetime) -> list[DueJob]:
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
                select(JobRow.id, JobRow.kind, JobRow.payload, JobRow.due_at, JobRow.attempts)
                .where(JobRow.id.in_(ids), JobRow.claimed_by == self.owner)
                .order_by(JobRow.due_at, JobRow.key)
            )
            return [
                DueJob(job_id, kind, dict(payload), due, attempts)
                for job_id, kind, payload, due, attempts in rows
            ]

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
