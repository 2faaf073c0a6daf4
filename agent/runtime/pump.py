"""The stream pump: source → board → wave → planner → one graph run per case → commit.

For each record: decode (bad records go to the dead letters and are committed); apply the
event to the live board (in memory). Material changes gather into a wave
(`agent.runtime.waves`: a deterministic function of the record sequence); when the wave
closes, one transaction writes the board, its disruptions, one pending case per affected
booking, the planner's joint assignment with its seats held, and the wave's record; the
cases then run under bounded concurrency, most urgent first (`agent.runtime.cases`);
the wave's records are committed once every case is durable. Cases left pending by a
crash are resumed at start-up with their recorded assignment, so nothing is lost or
decided differently; effects are idempotent, so nothing is done twice. Daemons sharing
a database claim the cases they open (`agent.claims`), and take over those of a daemon
that is gone.

Why it is long: the pump is one state machine over the record stream — the hot path,
the open wave, the positions to commit and the loops beside it share its state; split
further, that state would be handed across modules. Opening cases is `opening`,
running them `cases`, a wave's record `waves`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import func, select

from agent.choices import apply_recorded_choices, tool_deps
from agent.claims import CaseClaims
from agent.deps import AgentDeps
from agent.followup_batches import FollowUpBatches
from agent.followups import FollowUps
from agent.graph import CaseGraph
from agent.metrics import Metrics
from agent.offers import OfferDesk, apply_desk_answers
from agent.runtime.cases import CaseLifecycle, DaemonStats, OpenCase
from agent.runtime.opening import CaseOpener
from agent.runtime.waves import Wave
from agent.scheduler import Scheduler
from agent.tables import JobRow, JobStatus
from agent.triage import (
    TRIAGED,
    triage_kind,
)
from airline.board import Change, FlightState
from airline.clock import EventTimeClock
from airline.stream_time import publish_clock
from airline.trusted import trusted
from streams.base import Position, Received, Source
from streams.events import FlightStatusEvent
from streams.plausibility import Plausibility
from travel_agent.errors import EventError, StreamError, ValidationError

log = logging.getLogger(__name__)

# Records that change nothing material are made durable together, this often: their
# board states in one transaction, then their offsets.
CHECKPOINT_SECONDS = 0.25
YIELD_EVERY = 200
# How often a daemon renews its claims and looks for cases whose daemon is gone.
SWEEP_SECONDS = 15.0
# How often a daemon looks for decided approvals to apply (wall time).
DECISIONS_SECONDS = 1.0


class Daemon:
    """Consumes one source until stopped."""

    def __init__(
        self,
        deps: AgentDeps,
        graph: CaseGraph,
        source: Source,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self.deps = deps
        self.graph = graph
        self.source = source
        self.stats = DaemonStats()
        self.metrics = metrics
        self.consuming = False
        """Readiness: True from the end of start-up (pending cases resumed) until it stops."""
        self.plausibility = Plausibility(
            deps.schedule.flights, deps.clock, deps.settings.plausibility.limits()
        )
        """Which decoded events are believed; the rest are dead-lettered with the reason."""
        self._between_records = False
        self._wave: Wave | None = None
        planner = deps.settings.planner
        self._window = timedelta(seconds=planner.wave_window_seconds)
        self._dry = planner.wave_dry_seconds
        self._done: dict[tuple[str, int], Position] = {}  # handled, not yet committed
        self._checkpointing = asyncio.Lock()
        self.claims = CaseClaims(deps.db)
        self.cases = CaseLifecycle(
            deps,
            graph,
            self.claims,
            self.stats,
            metrics=metrics,
            after_batch=self._refresh_next_due,
        )
        self.opener = CaseOpener(deps, self.claims, self.stats, metrics=metrics)
        self._stop = asyncio.Event()
        self._assigned = False
        self._next_sweep = 0.0
        self._turn = asyncio.Lock()  # one thing at a time: a record, or a catch-up
        clock = deps.clock
        self._event_clock = clock if isinstance(clock, EventTimeClock) else None
        self._follow = self._event_clock.follow if self._event_clock is not None else None
        self._event_time = self._event_clock is not None
        self._next_due: datetime | None = None  # event time: the next job's due time
        self.followups = FollowUps(
            deps, graph, self.claims, self.recheck, start_of=self.cases.start_of
        )
        self.scheduler = Scheduler(
            deps.db, deps.clock, self.followups.handlers(), owner=self.claims.owner
        )
        for kind, batch in FollowUpBatches(self.followups, self.may_open).handlers().items():
            self.scheduler.register_batch(kind, batch)

    async def run(self, stop: asyncio.Event, *, driven: bool = False) -> None:
        """Resume what a previous run left pending, then consume until `stop` is set.

        `driven`: whoever moves this daemon's clock also runs what falls due (a scenario
        runner on frozen simulated time: `evals.runner`), so no wall-time loop runs due
        jobs, applies decided approvals or catches up (takes over pending cases nobody
        holds: the driver calls `catch_up` at its moments); claims are still renewed, as
        their leases are on wall time. Ticking on wall time beside a clock moved by
        hand, a job due at the instant records are published ran during their wave, or
        before it, or after it, as the tick's phase fell: the members of one group were
        then moved by a reminder's re-check and by the wave's joint plan apart (gen-s1-w0,
        `split`, seen under load)."""
        self._stop = stop
        resumed = await self.resume_pending()
        if resumed:
            log.info("resumed %d cases left pending by a previous run", resumed)
        if self._event_time:
            # Time moves only with records: due jobs run between them, at the same stream
            # positions in every run (a restarted daemon decides as an uninterrupted one).
            # Read before the first record is taken: read after, a backlog's first records
            # went by with no job known due, and its jobs ran at a later record.
            await self._refresh_next_due()
        records = self.source.records().__aiter__()
        # One task consumes; this one waits for it or for `stop`. (Racing `stop` against
        # every record instead costs a task per record, ~15 µs: more than a record takes.)
        consuming = asyncio.create_task(self._consume(records, stop, sweeping=not driven))
        stopping = asyncio.create_task(stop.wait())
        checkpoints = asyncio.create_task(self._checkpoint_periodically())
        sweeps = asyncio.create_task(self._sweep_periodically(catching_up=not driven))
        decisions = None if driven else asyncio.create_task(self._apply_decisions_periodically())
        if not self._event_time and not driven:
            self.scheduler.start(self.deps.settings.scheduler.tick_seconds)
        self.consuming = True
        try:
            await asyncio.wait({consuming, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if self._between_records:  # nothing in hand: stop waiting for the next record
                consuming.cancel()
            # Otherwise the record in hand is finished first (and committed).
            await asyncio.wait({consuming})
            if not consuming.cancelled():
                consuming.result()  # a crash propagates
            if self._wave is not None:
                # A stop finishes the wave in hand, as it does the record in hand: its
                # cases run and its records commit. (A crash leaves it to the next run,
                # which reads its records again and plans them as one wave.)
                await self.close_wave()
        finally:
            self.consuming = False
            stopping.cancel()
            checkpoints.cancel()
            sweeps.cancel()
            if decisions is not None:
                decisions.cancel()
            await self.scheduler.stop()
            if not consuming.done():  # run() itself was cancelled
                consuming.cancel()
                await asyncio.wait({consuming})
            try:
                await self.checkpoint()
            except Exception:  # what it held is redelivered: at least once
                log.exception("the last checkpoint failed")
            closer = getattr(records, "aclose", None)
            if closer is not None:  # release the source's iterator (and its fetch task)
                await closer()

    async def _consume(
        self, records: AsyncIterator[Received], stop: asyncio.Event, *, sweeping: bool
    ) -> None:
        handled = 0
        stopped, take, finish = stop.is_set, self._take, self._finish
        while not stopped():
            handled += 1
            due = False
            if handled % YIELD_EVERY == 0:
                # A source with records buffered never suspends, and a record that
                # changes nothing material needs no I/O: let the ops server, the
                # checkpoints and the broker's heartbeats in. (A quiet stream's sweeps
                # come from `_sweep_periodically`.)
                await asyncio.sleep(0)
                due = sweeping and time.monotonic() >= self._next_sweep
            self._between_records = True
            try:
                record = await self._next(records)
            except StopAsyncIteration:
                if self._wave is not None:
                    await self.close_wave()  # the source ended: so did the backlog
                return
            finally:
                self._between_records = False
            if self._assigned or due:
                await self.catch_up()  # before the first record of partitions new to us
            # `handle`, without a coroutine for the records `_take` finishes (most).
            started = time.perf_counter()
            taken = take(record, started)
            if taken is not True:
                await finish(record, taken, started)
            # Due jobs, at the time of the record just handled (see `run`).
            # Not while a wave is open: its changes are not durable yet, and a job (a
            # re-check) must see what the wave decided.
            due_at, clock = self._next_due, self._event_clock
            if (
                due_at is not None
                and clock is not None
                and clock.followed >= due_at
                and self._wave is None
            ):
                await self.run_due_jobs()

    async def _next(self, records: AsyncIterator[Received]) -> Received:
        """The next record; while a wave is open and none comes for `wave_dry_seconds`,
        the backlog has ended: the wave closes, and the wait goes on."""
        if self._wave is None:
            return await anext(records)
        pending: asyncio.Future[Received] = asyncio.ensure_future(anext(records))
        # A stop can end the source while this waits: the read then finishes with
        # StopAsyncIteration after its cancel, and asyncio would log "Task exception was
        # never retrieved" at the operator. It is retrieved here; `await pending` still
        # raises it on the normal path.
        pending.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            done, _ = await asyncio.wait({pending}, timeout=self._dry)
            if not done:
                self._between_records = False  # a stop now waits for the wave to finish
                await self.close_wave()
                self._between_records = True
            return await pending
        finally:
            if not pending.done():
                pending.cancel()

    async def handle(self, record: Received) -> None:
        """Dead-letter `record`, or apply its event to the board and run the cases it opens.

        Most records change nothing material. Those are done by `_take` alone — no lock,
        no await, no per-event model beyond the board state — and made durable by the
        next checkpoint; it runs only while no catch-up holds `_turn`, and cannot be
        interleaved with one, since it does not yield.
        """
        started = time.perf_counter()
        taken = self._take(record, started)
        if taken is not True:
            await self._finish(record, taken, started)

    def _take(self, record: Received, started: float) -> Change | bool:
        """The synchronous part of `handle`: True when `record` is done; the change when
        its event was applied and is material (its cases are `_finish`'s to open); False
        when it needs the general path (a dead letter, an unknown flight, a catch-up)."""
        self.stats.events += 1
        event = record.event
        if event is None or self._turn.locked():
            return False
        wave = self._wave
        if wave is not None and not wave.admits(event):
            return False  # the first record beyond the wave's window closes it
        due = self._next_due
        if wave is None and due is not None and self._event_time and event.emitted_at >= due:
            return False  # the jobs due by its time run first, on the general path
        key = event.flight_key
        if self.plausibility.judge(event, key) is not None:
            return False  # dead-lettered with its reason on the general path
        try:
            # A heartbeat (the state the board holds, restated) is most records.
            restated = self.deps.board.restate(key, event)
        except KeyError:
            return False  # an unknown flight: dead-lettered on the general path
        if restated is None:
            change = self._apply(event, key)
            if change is not None:
                return change
        else:
            if self._follow is not None:
                self._follow(event.emitted_at)
            if not restated:
                self.stats.stale += 1
        position = record.position
        if wave is not None:
            wave.positions.append(position)
        else:
            self._done[(position.topic, position.partition)] = position
        if self.metrics is not None:  # nothing yielded: consumed and handled at once
            self.metrics.event_taken(position.topic, time.perf_counter() - started)
        return True

    async def _finish(self, record: Received, taken: Change | bool, started: float) -> None:
        """The rest of `handle`, under `_turn`: open the cases of a change `_take`
        applied, or take the record the general way."""
        metrics = self.metrics
        if metrics is not None:
            metrics.event_consumed(record.position.topic)
        wave, event = self._wave, record.event
        closes = wave is not None and (event is None or not wave.admits(event))
        if closes:  # a record beyond the window (or a dead letter)
            async with self._turn:
                await self._close_wave()
        if closes or wave is None:
            # Between waves, before the record is applied (`_take` left it alone), the
            # jobs due by its time run: in a storm each wave's last record opens the next,
            # and jobs waiting for a moment with no wave open waited until the storm
            # ended. Before the record, not after, so a daemon restarted here (the wave
            # committed, this record not) runs them at the same point of the stream.
            await self._run_jobs_due_by(event)
        async with self._turn:  # after a change, free (`_take` checked), so taken at once
            if isinstance(taken, Change):
                assert event is not None  # a change comes from an event
                self._gather(record, event, taken)
            else:
                await self._handle(record)
        if metrics is not None:
            metrics.event_handled(time.perf_counter() - started)

    async def _handle(self, record: Received) -> None:
        event = record.event
        if event is not None:
            problem = self.plausibility.judge(event, event.flight_key)
            if problem is None and event.flight_key not in self.deps.board:
                problem = ValidationError(
                    "unknown_flight", f"{event.flight_key} is not on the board"
                )
            if problem is not None:
                record = _rejected(record, problem)
                event = None
        if event is None:
            await self._park(record)
            return
        change = self._apply(event, event.flight_key)
        if change is None:
            self._mark_done(record.position)
        else:
            self._gather(record, event, change)

    def _mark_done(self, position: Position) -> None:
        if self._wave is not None:
            self._wave.positions.append(position)  # committed with the wave
        else:
            self._done[(position.topic, position.partition)] = position

    def _gather(self, record: Received, event: FlightStatusEvent, change: Change) -> None:
        """Add a material change to the open wave (opening one if none is)."""
        if self._wave is None:
            self._wave = Wave.starting(event, self._window)
        self._wave.add(record, event, change)
        self._wave.positions.append(record.position)

    async def close_wave(self) -> int:
        """Plan and run the open wave now (the end of a backlog); the cases it ran."""
        async with self._turn:
            return await self._close_wave()

    async def _close_wave(self) -> int:
        wave = self._wave
        if wave is None:
            return 0
        # The wave stays open until its transaction has written it: the opener awaits
        # before it (staleness, the memory read), and a checkpoint meanwhile that saw no
        # wave wrote the wave's news to the stored board without its cases. Killed then,
        # the restarted daemon read the records again, found the board already so, and
        # told nobody (chaos, session 12: a gate change's 84 passengers). An error leaves
        # it open: nothing was written, its records stay uncommitted.
        cases = await self.opener.open(wave, self.followups.stale_for)
        self._wave = None
        if cases:
            if self._event_clock is not None:
                self._event_clock.follow(wave.planned_at)
            await self.cases.run(cases)
        for position in wave.positions:
            self._done[(position.topic, position.partition)] = position
        await self.checkpoint()  # the wave is durable: its records are committed
        return len(cases)

    async def _park(self, record: Received) -> None:
        """Dead-letter `record`; it is committed with the next checkpoint."""
        if not await self._dead_letter(record):
            return  # stopped while the broker was away: uncommitted, so read again
        self.stats.dead_lettered += 1
        reason = record.error.reason if record.error else "unknown"
        log.warning("dead-lettered %s: %s", record.position, reason)
        if self.metrics is not None:
            self.metrics.dead_lettered(reason)
        self._mark_done(record.position)

    def _apply(self, event: FlightStatusEvent, key: str) -> Change | None:
        """Take `event` onto the board (in memory); the change if triage must look at it.

        A stale state changes nothing; a non-material one is written by the next
        checkpoint, before its record is committed. (`_take` hands heartbeats, the
        commonest kind, to `LiveBoard.restate`, which builds no state for them.)
        """
        if self._follow is not None:
            self._follow(event.emitted_at)
        state = _flight_state(event, key)
        step = self.deps.board.advance(state)
        if step is None:
            self.stats.stale += 1
            return None
        previous, kind, state = step  # the state as held (a gate left out is kept)
        # Landed very late? A small move of a late flight (news against what was told)?
        kind = triage_kind(
            previous,
            state,
            kind,
            self.deps.schedule,
            timedelta(minutes=self.deps.settings.delay_notify_minutes),
        )
        if kind not in TRIAGED:
            return None
        return Change(flight_key=key, kind=kind, previous=previous, current=state)

    async def checkpoint(self) -> None:
        """Write the board states held in memory only, then commit the records handled.

        Not while a wave is open: its changes are on the board in memory only, and are
        written with its cases (a restart then reads its records again and forms it anew).
        """
        if self._wave is not None:
            return
        async with self._checkpointing:
            done, self._done = self._done, {}
            unsaved = self.deps.board.unsaved
            if unsaved:
                async with self.deps.db.transaction() as session:
                    await self.deps.board.save(session, unsaved)
                self.deps.board.saved(unsaved)
            for position in done.values():
                await self.source.commit(position)

    async def _checkpoint_periodically(self) -> None:
        while True:
            await asyncio.sleep(CHECKPOINT_SECONDS)
            # Not cancelled half-way when the daemon stops: the last one waits for it.
            await asyncio.shield(self.checkpoint())

    def partitions_assigned(self, partitions: frozenset[int] = frozenset()) -> None:
        """The source was given partitions (perhaps another daemon's): catch up first."""
        self._assigned = True

    async def catch_up(self) -> None:
        """Between records: after a rebalance re-read the board (another daemon may have
        moved it); and take over the pending cases of any daemon that is gone."""
        async with self._turn:
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
            if self._assigned:
                self._assigned = False
                await self.checkpoint()
                # Take what the partitions' last owner committed, and keep what is ours and
                # newer: an open wave's states wait in memory for the wave's transaction
                # (re-read from the database instead, they were lost, and the wave's gate
                # change was told with no gate).
                await self.deps.board.refresh(self.deps.db)
            taken = await self.resume_pending()
            if taken:
                log.info("took over %d pending cases whose daemon is gone", taken)

    async def _sweep_periodically(self, *, catching_up: bool) -> None:
        """Renew our claims; while the stream is quiet, catch up now and then (unless
        driven: a catch-up at a wall-time moment took over cases between the driver's
        moments, before or after a record as the sweep's phase fell)."""
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.claims.renew()
                if catching_up and self._between_records and time.monotonic() >= self._next_sweep:
                    await self.catch_up()
            except Exception:
                log.exception("renewing claims or catching up failed; trying again")

    async def apply_decisions(self) -> int:
        """Take the passengers' recorded choices (a refund makes their pending approval
        stale) and the answers to offers the desk recorded for them, then resume the
        cases whose approvals were decided, went stale or expired."""
        async with self._turn:
            chosen = await apply_recorded_choices(self.deps)
            # Answers to offers an operator recorded for the passenger (the desk).
            answered = await apply_desk_answers(OfferDesk(tool_deps(self.deps), self.deps.memory))
            return chosen + answered + await self.followups.resume_decided()

    async def _apply_decisions_periodically(self) -> None:
        while True:
            try:
                # The desk and the CLI record decisions on this daemon's clock.
                await publish_clock(self.deps.db, self.claims.owner, self.deps.clock)
            except Exception:
                log.exception("publishing the stream clock failed; trying again")
            await asyncio.sleep(DECISIONS_SECONDS)
            try:
                await self.apply_decisions()
            except Exception:
                log.exception("applying decided approvals failed; trying again")

    async def recheck(self, pnr: str, flight_key: str) -> int:
        """Triage one booking against a flight's live state (a scheduled re-check): the
        case it opens, run now; how many cases ran."""
        async with self._turn:
            cases = await self.opener.recheck(pnr, flight_key)
            if cases:
                await self.run_cases(cases)
        return len(cases)

    async def may_open(self, targets: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Of `targets` (a booking, the flight its re-check triages it against), those
        whose re-check may open a case, read together (`agent.followup_batches`)."""
        async with self._turn:
            return await self.opener.may_open(targets)

    async def _dead_letter(self, record: Received) -> bool:
        """Park `record`; while the broker is away keep it uncommitted and try again."""
        delay = 1.0
        while True:
            try:
                await self.source.dead_letter(record)
                return True
            except StreamError as exc:
                if not exc.retriable:
                    raise
                if self._stop.is_set():
                    log.warning("stopping: %s stays uncommitted (%s)", record.position, exc)
                    return False
                log.warning(
                    "cannot dead-letter %s yet (%s); it stays uncommitted, next try in %.0f s",
                    record.position,
                    exc,
                    delay,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            delay = min(delay * 2, 30.0)

    async def open_cases_for(self, records: Iterable[Received]) -> list[OpenCase]:
        """Take `records` as one wave and write it — the board, its disruptions, its
        cases with the planner's assignment and held seats, the wave's record — without
        running the cases (`handle` and `close_wave` run them): for callers that run a
        case's nodes themselves. The records are not committed to the source."""
        async with self._turn:
            if self._wave is not None:
                await self._close_wave()  # what was open before is a wave of its own
            for record in records:
                event = record.event
                if event is None:
                    raise ValueError(f"{record.position}: no event to open cases for")
                change = self._apply(event, event.flight_key)
                if change is not None:
                    self._gather(record, event, change)
            wave = self._wave
            if wave is None:
                return []
            try:  # open until written, as in `_close_wave`, so no checkpoint saves its news
                return await self.opener.open(wave, self.followups.stale_for)
            finally:
                # (On failure the opener re-reads the board; nothing of the wave is kept.)
                self._wave = None

    async def run_due_jobs(self, due_by: datetime | None = None) -> int:
        """Run the jobs due on the clock (on event time: due by `due_by`, default the time
        last followed), then apply what they decided (deadlines).

        On event time each job runs at its own due time, inside the clock's `at(due_at)`
        (`_at_due`). A backlog's clock jumps from record to record, so a
        night without records leaves every job due in it to the morning's first record;
        run at that record's time plus the wall time the jobs before it took, the last of
        7 000 such jobs on the storm-day benchmark decided 3 min "late", and at a time that
        depended on the machine's load. Which jobs run at a stream position, and the time
        each decides at, are now functions of the records and the jobs' rows only:

        - which: those due by an event-time instant (`due_by`: the record about to be
          applied, or the time last followed) — never by `clock.now()`, which runs on with
          wall time while the jobs or a wave's cases run, and so claimed, on a slow
          machine, jobs due after records not yet applied (a re-check or a reply deadline
          would then run before the news it should have seen);
        - when: at `due_at`, a column of the job's row, written once (its key makes
          scheduling idempotent), so a daemon killed anywhere and restarted decides each
          job at the same instant; jobs due together run in (due_at, key) order.

        What a job sees is the state at the stream position it runs at: before the first
        record at or after its due time (`_take` sends that record to the general path,
        `_run_jobs_due_by` runs the jobs first), or, when a wave was open at its due time,
        after the wave's cases are durable (a re-check must see what the wave decided). A
        restart finds the same state there: a committed wave's records are read again as
        stale states, and a wave killed mid-run has its pending cases resumed before any
        record or job. A job due inside a wave's window thus decides at its due time with
        the wave's decisions in view, up to the window (`wave_window_seconds`) earlier
        than the wave's own decision time: the wave is one decision over its window.
        A job due before the time last followed decides inside the clock's `at()`, and
        the stream's time is back after it, even when the job fails.
        """
        # Not under `_turn`: a re-check takes it to open its cases (records wait meanwhile,
        # as this runs in the consuming task between two records).
        clock = self._event_clock
        if clock is None:
            ran = await self.scheduler.run_due()
        else:
            ran = await self.scheduler.run_due(
                clock.followed if due_by is None else due_by, at=self._at_due
            )
        if ran:
            await self.apply_decisions()
        await self._refresh_next_due()
        return ran

    def _at_due(self, due_at: datetime) -> AbstractContextManager[None]:
        """The block a job runs in, on event time: at its due time (`run_due_jobs`)."""
        clock = self._event_clock
        assert clock is not None, "only a daemon on event time runs its jobs at their time"
        if due_at > clock.followed:
            # Due after the time last followed and by the record about to be applied
            # (`_run_jobs_due_by`): the stream reaches the job before that record, and
            # the clock stays there, as it would at a record of its own.
            clock.follow(due_at)
        return clock.at(due_at)

    async def _run_jobs_due_by(self, event: FlightStatusEvent | None) -> None:
        """On event time, between two waves: run the jobs due by the time of `event`, the
        record about to be applied (once believed: an implausible record must not bring
        jobs forward), or by the clock as it stands."""
        clock, due_at = self._event_clock, self._next_due
        if clock is None or due_at is None:
            return
        due_by = clock.followed
        if due_at > due_by:
            if event is None or due_at > event.emitted_at:
                return
            if self.plausibility.judge(event, event.flight_key) is not None:
                return
            due_by = event.emitted_at
        await self.run_due_jobs(due_by)

    async def _refresh_next_due(self) -> None:
        if not self._event_time:
            return
        async with self.deps.db.session() as session:
            self._next_due = await session.scalar(
                select(func.min(JobRow.due_at)).where(JobRow.status == JobStatus.DUE)
            )

    async def run_cases(self, cases: list[OpenCase]) -> None:
        """Run cases (already sorted by urgency) under bounded concurrency."""
        await self.cases.run(cases)

    async def resume_pending(self) -> int:
        """Run the pending cases no living daemon holds, with their recorded assignments."""
        return await self.cases.resume_pending()


def _flight_state(event: FlightStatusEvent, key: str) -> FlightState:
    # The event was validated when it was decoded: its fields are the state's, as they are.
    return trusted(
        FlightState,
        {
            "flight_key": key,
            "status": event.status,
            "est_dep": event.est_dep,
            "est_arr": event.est_arr,
            "gate": event.gate,
            "reason": event.reason.value if event.reason else None,
            "diverted_to": event.diverted_to,
            "event_id": event.event_id,
            "emitted_at": event.emitted_at,
        },
    )


def _rejected(record: Received, error: EventError) -> Received:
    return Received(record.position, record.raw, record.key, error=error, headers=record.headers)
