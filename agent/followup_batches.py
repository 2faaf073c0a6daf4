"""The follow-up jobs of one moment, run as a batch (`agent.scheduler.register_batch`).

A wave rebooks hundreds of passengers at one instant: their re-checks fall due
together, two minutes later, and the reminders of one new flight together before it
leaves. One by one, each re-check read the whole passenger list of its flight to triage
one booking, and each reminder read its booking and customer in a transaction of its
own. Here a batch reads once what its jobs need, and each job still decides as it
would alone, in the claimed (due_at, key) order, inside `at(due_at)`:

- **re-checks**: the bookings of the batch are triaged together, one read for all
  (`agent.recheck_triage`); a job whose booking would open nothing is done (that
  set does not depend on the time), and one that may open a case runs as alone
  (`FollowUps.recheck_one`: it triages again, in its transaction, and opens and runs the
  case). A case run changes bookings, so after one the rest of the batch is read again.
- **reminders**: one transaction reads every booking and customer of the batch, and
  whether each reminder was sent before (the ledger, one read), and writes the
  reminders a few statements for all (each under its idempotency key, `remind:<case>`). A reminder
  whose itinerary broke becomes a re-check, run as alone after that transaction; the
  rest of the batch is read again after it.
- **reply deadlines**: the offers nobody answered close as defaulted in one transaction.

No record is applied between jobs claimed together (`agent.runtime.pump` runs them
between two records), so they all see one board. A crash before the batch is marked
done runs its jobs again, and their effects happen once (see `agent.scheduler`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from agent.followups import FollowUps, recheck_target, reminder_key, reminder_verdict
from agent.offer_default import default_unanswered
from agent.scheduler import At, BatchHandler, DueJob, JobKind
from airline.bookings import load_bookings, load_customers
from airline.ledger import read_ledger_ahead
from tools.notifications import booking_message_keys, stated_now, with_preferences
from travel_agent.db import defer_writes, write_deferred

MayOpen = Callable[[Sequence[tuple[str, str]]], Awaitable[set[tuple[str, str]]]]
"""(pnr, flight key) pairs -> those whose re-check may open a case (`CaseOpener.may_open`)."""


class FollowUpBatches:
    """Batch handlers for `FollowUps`' re-checks and reminders."""

    def __init__(self, followups: FollowUps, may_open: MayOpen) -> None:
        self.followups = followups
        self.may_open = may_open

    def handlers(self) -> dict[JobKind, BatchHandler]:
        return {
            JobKind.RECHECK: self.recheck,
            JobKind.REMINDER: self.remind,
            JobKind.REPLY_DEADLINE: self.reply_deadlines,
        }

    async def reply_deadlines(self, jobs: Sequence[DueJob], at: At) -> None:
        """The offers nobody answered in time close as defaulted, in one transaction."""
        deps = self.followups.deps
        async with deps.db.transaction() as session:
            for job in jobs:
                with at(job.due_at):
                    await default_unanswered(session, job.payload["offer_id"], deps.clock.now())

    async def recheck(self, jobs: Sequence[DueJob], at: At) -> None:
        start = 0
        while start < len(jobs):
            start = await self._recheck_from(jobs, start, at)

    async def _recheck_from(self, jobs: Sequence[DueJob], start: int, at: At) -> int:
        """Re-check `jobs[start:]` until one opens a case; the index after it."""
        board = self.followups.deps.board
        rest = jobs[start:]
        targets = [
            (job.payload["pnr"], recheck_target(board, job.payload["flights"])) for job in rest
        ]
        may = await self.may_open(targets)
        for n, (job, target) in enumerate(zip(rest, targets, strict=True)):
            if target not in may:
                continue  # alone, its triage would find nothing to open
            with at(job.due_at):
                opened = await self.followups.recheck_one(job.payload)
            if opened:
                return start + n + 1
        return len(jobs)

    async def remind(self, jobs: Sequence[DueJob], at: At) -> None:
        start = 0
        while start < len(jobs):
            start = await self._remind_from(jobs, start, at)

    async def _remind_from(self, jobs: Sequence[DueJob], start: int, at: At) -> int:
        """Remind `jobs[start:]` in one transaction up to the first whose itinerary
        broke, which is re-checked after it; the index after that one."""
        followups = self.followups
        deps = followups.deps
        rest = jobs[start:]
        # Read before the write lock: memory may take a while to answer.
        preferences = [await stated_now(deps.memory, deps.db, job.payload["pnr"]) for job in rest]
        async with deps.db.transaction() as session:
            # The reminders' rows wait and go a few statements for all before the commit.
            defer_writes(session)
            bookings = await load_bookings(session, sorted({j.payload["pnr"] for j in rest}))
            customers = await load_customers(
                session, sorted({b.customer_id for b in bookings.values()})
            )
            verdicts = [
                reminder_verdict(
                    deps.board, bookings.get(job.payload["pnr"]), job.payload["flights"]
                )
                for job in rest
            ]
            broken = verdicts.index("broken") if "broken" in verdicts else None
            reminders = [
                (job, bookings[job.payload["pnr"]], preferences[n])
                for n, (job, verdict) in enumerate(zip(rest, verdicts, strict=True))
                if verdict == "remind" and (broken is None or n < broken)
            ]
            contacts = [
                with_preferences(customers[booking.customer_id], stated)
                for _, booking, stated in reminders
            ]
            # Whether each was sent before (a batch run again after a crash): one read.
            await read_ledger_ahead(
                session,
                (
                    key
                    for (job, booking, _), contact in zip(reminders, contacts, strict=True)
                    for key in booking_message_keys(
                        reminder_key(job.payload["case_id"]), booking, contact
                    )
                ),
            )
            for (job, booking, _), contact in zip(reminders, contacts, strict=True):
                with at(job.due_at):
                    await followups.send_reminder(
                        session, booking, contact, job.payload["flights"], job.payload["case_id"]
                    )
            await write_deferred(session)
        if broken is None:
            return len(jobs)
        with at(rest[broken].due_at):  # after the reminders before it committed
            await followups.recheck(rest[broken].payload)
        return start + broken + 1
