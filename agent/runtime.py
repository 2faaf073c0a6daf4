"""The daemon: source → board → triage → one graph run per case → commit.

For each record: decode (bad records go to the dead letters and are committed); apply the
event to the live board and, in the same transaction, write the disruption and one
pending case per affected booking; run the cases under bounded concurrency, most urgent
first; commit the record's offset once every case is durable. Cases left pending by a
crash are resumed at start-up, so nothing is lost; effects are idempotent, so nothing
is done twice. Daemons sharing a database claim the cases they open (`agent.claims`),
and take over those of a daemon that is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from langchain_core.runnables import RunnableConfig
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agent.choices import apply_recorded_choices
from agent.claims import CaseClaims
from agent.deps import AgentDeps
from agent.followups import FollowUps
from agent.graph import CASE_DURABILITY, CaseGraph
from agent.metrics import Metrics
from agent.scheduler import Scheduler
from agent.state import CaseState, CaseStatus
from agent.tables import CaseRow, DisruptionRow, JobRow
from agent.triage import (
    TRIAGED,
    Affected,
    affected_bookings,
    arrival_kind,
    case_id,
    disruption_id,
)
from agent.turns import Turns, take_turns
from airline.board import Change, ChangeKind, FlightState
from airline.clock import EventTimeClock
from airline.models import FlightStatus
from airline.trusted import trusted
from streams.base import Position, Received, Source
from streams.events import FlightStatusEvent
from travel_agent.errors import EventError, StreamError, ValidationError

log = logging.getLogger(__name__)

# A case that raises is retried this often before it is parked as failed, so one
# poisonous booking cannot hold the stream.
CASE_TRIES = 2

# Records that change nothing material are made durable together, this often: their
# board states in one transaction, then their offsets.
CHECKPOINT_SECONDS = 0.25
YIELD_EVERY = 200
# How often a daemon renews its claims and looks for cases whose daemon is gone.
SWEEP_SECONDS = 15.0
# How often a daemon looks for decided approvals to apply (wall time).
DECISIONS_SECONDS = 1.0


@dataclass
class DaemonStats:
    events: int = 0
    dead_lettered: int = 0
    stale: int = 0
    disruptions: int = 0
    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class OpenCase:
    id: str
    pnr: str
    disruption_id: str
    flight_key: str
    reason: str


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
        self._slots = asyncio.Semaphore(deps.settings.concurrency)
        self._between_records = False
        self._done: dict[tuple[str, int], Position] = {}  # handled, not yet committed
        self._checkpointing = asyncio.Lock()
        self.claims = CaseClaims(deps.db)
        self._stop = asyncio.Event()
        self._assigned = False
        self._next_sweep = 0.0
        self._turn = asyncio.Lock()  # one thing at a time: a record, or a catch-up
        clock = deps.clock
        self._event_clock = clock if isinstance(clock, EventTimeClock) else None
        self._follow = self._event_clock.follow if self._event_clock is not None else None
        self._event_time = self._event_clock is not None
        self._next_due: datetime | None = None  # event time: the next job's due time
        self.followups = FollowUps(deps, graph, self.claims, self.recheck)
        self.scheduler = Scheduler(
            deps.db, deps.clock, self.followups.handlers(), owner=self.claims.owner
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Resume what a previous run left pending, then consume until `stop` is set."""
        self._stop = stop
        resumed = await self.resume_pending()
        if resumed:
            log.info("resumed %d cases left pending by a previous run", resumed)
        records = self.source.records().__aiter__()
        # One task consumes; this one waits for it or for `stop`. (Racing `stop` against
        # every record instead costs a task per record, ~15 µs: more than a record takes.)
        consuming = asyncio.create_task(self._consume(records, stop))
        stopping = asyncio.create_task(stop.wait())
        checkpoints = asyncio.create_task(self._checkpoint_periodically())
        sweeps = asyncio.create_task(self._sweep_periodically())
        decisions = asyncio.create_task(self._apply_decisions_periodically())
        if self._event_time:
            # Time moves only with records: due jobs run between them, at the same stream
            # positions in every run (a restarted daemon decides as an uninterrupted one).
            await self._refresh_next_due()
        else:
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
        finally:
            self.consuming = False
            stopping.cancel()
            checkpoints.cancel()
            sweeps.cancel()
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

    async def _consume(self, records: AsyncIterator[Received], stop: asyncio.Event) -> None:
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
                due = time.monotonic() >= self._next_sweep
            self._between_records = True
            try:
                record = await anext(records)
            except StopAsyncIteration:
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
            due_at, clock = self._next_due, self._event_clock
            if due_at is not None and clock is not None and clock.followed >= due_at:
                await self.run_due_jobs()

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
        key = event.flight_key
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
        async with self._turn:  # after a change, free (`_take` checked), so taken at once
            if isinstance(taken, Change):
                assert record.event is not None  # a change comes from an event
                await self._disrupted(record, record.event, taken)
            else:
                await self._handle(record)
        if metrics is not None:
            metrics.event_handled(time.perf_counter() - started)

    async def _handle(self, record: Received) -> None:
        event = record.event
        if event is not None and event.flight_key not in self.deps.board:
            record = _rejected(record, "unknown_flight", f"{event.flight_key} is not scheduled")
            event = None
        if event is None:
            await self._park(record)
            return
        change = self._apply(event, event.flight_key)
        if change is None:
            self._done[(record.position.topic, record.position.partition)] = record.position
        else:
            await self._disrupted(record, event, change)

    async def _park(self, record: Received) -> None:
        """Dead-letter `record`; it is committed with the next checkpoint."""
        if not await self._dead_letter(record):
            return  # stopped while the broker was away: uncommitted, so read again
        self.stats.dead_lettered += 1
        reason = record.error.reason if record.error else "unknown"
        log.warning("dead-lettered %s: %s", record.position, reason)
        if self.metrics is not None:
            self.metrics.dead_lettered(reason)
        self._done[(record.position.topic, record.position.partition)] = record.position

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
        previous, kind = step
        if kind == ChangeKind.PROGRESS and state.status == FlightStatus.ARRIVED:
            kind = arrival_kind(previous, state, self.deps.schedule)  # landed very late?
        if kind not in TRIAGED:
            return None
        return Change(flight_key=key, kind=kind, previous=previous, current=state)

    async def _disrupted(self, record: Received, event: FlightStatusEvent, change: Change) -> None:
        """Open the cases of a material change and run them; then commit the record."""
        cases = await self._open_cases(event, change)
        if cases:
            await self.run_cases(cases)
        self._done[(record.position.topic, record.position.partition)] = record.position
        if cases:  # commit at once what took a while
            await self.checkpoint()

    async def checkpoint(self) -> None:
        """Write the board states held in memory only, then commit the records handled."""
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
                await self.checkpoint()  # nothing of ours only in memory: the board is re-read
                await self.deps.board.load(self.deps.db)
            taken = await self.resume_pending()
            if taken:
                log.info("took over %d pending cases whose daemon is gone", taken)

    async def _sweep_periodically(self) -> None:
        """Renew our claims; while the stream is quiet, catch up now and then."""
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.claims.renew()
                if self._between_records and time.monotonic() >= self._next_sweep:
                    await self.catch_up()
            except Exception:
                log.exception("renewing claims or catching up failed; trying again")

    async def apply_decisions(self) -> int:
        """Take the passengers' recorded choices (a refund makes their pending approval
        stale), then resume the cases whose approvals were decided, went stale or expired."""
        async with self._turn:
            chosen = await apply_recorded_choices(self.deps)
            return chosen + await self.followups.resume_decided()

    async def _apply_decisions_periodically(self) -> None:
        while True:
            await asyncio.sleep(DECISIONS_SECONDS)
            try:
                await self.apply_decisions()
            except Exception:
                log.exception("applying decided approvals failed; trying again")

    async def recheck(self, pnr: str, flight_key: str) -> int:
        """Triage one booking against a flight's live state, as if its change came now.

        Used by the scheduled re-checks of rebooked itineraries: a change that raced the
        rebooking found no one on the new flight then. Opens the case triage would have
        opened (same id), unless it exists; returns how many cases ran.
        """
        deps = self.deps
        state = deps.board.get(flight_key)
        if state is None:
            return 0
        kind = {
            FlightStatus.CANCELLED: ChangeKind.CANCELLATION,
            FlightStatus.DIVERTED: ChangeKind.DIVERSION,
        }.get(state.status, ChangeKind.DELAY)
        change = Change(flight_key=flight_key, kind=kind, previous=state, current=state)
        disruption = disruption_id(change)
        async with self._turn:
            now = deps.clock.now()
            async with deps.db.transaction() as session:
                affected = [
                    a
                    for a in await self._affected(session, change, now)
                    # A delay was announced when it happened; only a broken connection is new.
                    if a.pnr == pnr and (kind != ChangeKind.DELAY or a.reason.value != "delayed")
                ]
                if not affected:
                    return 0
                if await session.get(CaseRow, case_id(disruption, pnr)) is not None:
                    return 0
                if await session.get(DisruptionRow, disruption) is None:
                    session.add(_disruption_row(disruption, change, state.event_id, now))
                    await session.flush()
                cases = _case_rows(session, disruption, change.flight_key, affected, now)
                await self.claims.add(session, [case.id for case in cases])
            await self.run_cases(cases)
        return len(cases)

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

    async def open_cases_for(self, event: FlightStatusEvent) -> list[OpenCase]:
        """Apply `event` to the board and write the cases it opens, without running them
        (`handle` runs them next): for callers that run a case's nodes themselves."""
        change = self._apply(event, event.flight_key)
        return [] if change is None else await self._open_cases(event, change)

    async def _open_cases(self, event: FlightStatusEvent, change: Change) -> list[OpenCase]:
        """Write the board, the disruption and its pending cases in one transaction."""
        deps = self.deps
        now = deps.clock.now()
        # Anything an operator was asked about this flight is out of date now.
        await self.followups.stale_for(change.flight_key)
        try:
            async with deps.db.transaction() as session:
                unsaved = deps.board.unsaved
                await deps.board.save(session, unsaved)
                affected = await self._affected(session, change, now)
                cases = await _write_cases(session, event, change, affected, now)
                await self.claims.add(session, [case.id for case in cases])
        except BaseException:
            await deps.board.reload(deps.db, change.flight_key)
            raise
        deps.board.saved(unsaved)
        if not cases:
            return []
        self.stats.disruptions += 1
        if self.metrics is not None:
            self.metrics.disruption_opened(change.kind.value)
        log.info(
            "%s %s (%s): %d cases",
            change.flight_key,
            change.kind.value,
            event.reason.value if event.reason else "no reason given",
            len(cases),
        )
        return cases

    async def _affected(
        self, session: AsyncSession, change: Change, now: datetime
    ) -> list[Affected]:
        """The bookings `change` affects, as triage finds them on the live board."""
        deps = self.deps
        return await affected_bookings(
            session,
            change,
            deps.schedule,
            deps.board,
            now=now,
            delay_notify=timedelta(minutes=deps.settings.delay_notify_minutes),
        )

    async def run_due_jobs(self) -> int:
        """Run the jobs due on the clock, then apply what they decided (deadlines)."""
        # Not under `_turn`: a re-check takes it to open its cases (records wait meanwhile,
        # as this runs in the consuming task between two records).
        ran = await self.scheduler.run_due()
        if ran:
            await self.apply_decisions()
        await self._refresh_next_due()
        return ran

    async def _refresh_next_due(self) -> None:
        if not self._event_time:
            return
        async with self.deps.db.session() as session:
            self._next_due = await session.scalar(
                select(func.min(JobRow.due_at)).where(JobRow.status == "due")
            )

    async def run_cases(self, cases: list[OpenCase]) -> None:
        """Run cases (already sorted by urgency) under bounded concurrency."""
        started = time.perf_counter()
        self.stats.cases += len(cases)
        if self.metrics is not None:
            self.metrics.cases_opened(len(cases))
        turns = Turns(len(cases))  # they act in the order triage gave them
        outcomes = await asyncio.gather(
            *(self._run_measured(case, started, turns, i) for i, case in enumerate(cases))
        )
        await self.claims.release(case.id for case in cases)
        await self._refresh_next_due()  # the cases may have scheduled follow-ups
        self.stats.outcomes.update(outcomes)
        log.info(
            "%d cases durable in %.2f s: %s",
            len(cases),
            time.perf_counter() - started,
            dict(Counter(outcomes)),
        )

    async def resume_pending(self) -> int:
        """Run the pending cases no living daemon holds, disruption by disruption."""
        await self.claims.reap()
        async with self.deps.db.session() as session:
            rows = (
                await session.execute(
                    select(CaseRow, DisruptionRow.flight_key, DisruptionRow.detected_at)
                    .join(DisruptionRow, DisruptionRow.id == CaseRow.disruption_id)
                    .where(CaseRow.status == CaseStatus.PENDING)
                    .where(CaseRow.id.not_in(self.claims.held()))
                    # The order triage gave them, so scarce seats go to the same passengers.
                    .order_by(DisruptionRow.detected_at, CaseRow.priority, CaseRow.pnr)
                )
            ).all()
        by_disruption: dict[str, list[OpenCase]] = {}
        detected: dict[str, datetime] = {}
        for case, flight_key, detected_at in rows:
            if not await self.claims.claim(case.id):  # another daemon took it just now
                continue
            by_disruption.setdefault(case.disruption_id, []).append(
                OpenCase(case.id, case.pnr, case.disruption_id, flight_key, case.reason)
            )
            detected[case.disruption_id] = detected_at
        for disruption, cases in by_disruption.items():
            if isinstance(self.deps.clock, EventTimeClock):
                self.deps.clock.follow(detected[disruption])
            await self.run_cases(cases)
        return sum(len(cases) for cases in by_disruption.values())

    async def _run_measured(self, case: OpenCase, opened: float, turns: Turns, index: int) -> str:
        take_turns(turns, index)
        try:
            outcome = await self._run_case(case)
        finally:
            await turns.release(index)  # acted, parked, failed or had nothing to do
        if self.metrics is not None:
            self.metrics.case_durable(outcome, time.perf_counter() - opened)
        return outcome

    async def _run_case(self, case: OpenCase) -> str:
        config: RunnableConfig = {"configurable": {"thread_id": case.id}}
        if self.metrics is not None:
            config["callbacks"] = self.metrics.graph_callbacks()
        async with self._slots:
            for attempt in range(1, CASE_TRIES + 1):
                try:
                    snapshot = await self.graph.aget_state(config)
                    if snapshot.next:  # interrupted mid-graph: carry on where it stopped
                        result = await self.graph.ainvoke(
                            None, config, context=self.deps, durability=CASE_DURABILITY
                        )
                    elif "outcome" in snapshot.values:  # finished before; the row says so
                        return str(snapshot.values.get("outcome", "done"))
                    else:
                        start: CaseState = {
                            "case_id": case.id,
                            "pnr": case.pnr,
                            "disruption_id": case.disruption_id,
                            "flight_key": case.flight_key,
                            "reason": case.reason,
                        }
                        result = await self.graph.ainvoke(
                            start, config, context=self.deps, durability=CASE_DURABILITY
                        )
                    if "__interrupt__" in result:  # parked at an approval, checkpointed
                        return "awaiting_approval"
                    return str(result.get("outcome", "unknown"))
                except Exception:
                    log.exception("case %s failed (try %d of %d)", case.id, attempt, CASE_TRIES)
            await self._park_failed(case)
            return "failed"

    async def _park_failed(self, case: OpenCase) -> None:
        async with self.deps.db.transaction() as session:
            row = await session.get(CaseRow, case.id)
            if row is not None and row.status == CaseStatus.PENDING:  # not closed elsewhere
                row.status = CaseStatus.FAILED
                row.outcome = "error"
                row.updated_at = self.deps.clock.now()


async def _write_cases(
    session: AsyncSession,
    event: FlightStatusEvent,
    change: Change,
    affected: list[Affected],
    now: datetime,
) -> list[OpenCase]:
    """The disruption and one pending case per affected booking, none if nobody is."""
    if not affected:
        return []
    disruption = disruption_id(change)
    session.add(_disruption_row(disruption, change, event.event_id, now))
    # No ORM relationship orders these inserts; the disruption must exist first.
    await session.flush()
    return _case_rows(session, disruption, change.flight_key, affected, now)


def _disruption_row(disruption: str, change: Change, event_id: str, now: datetime) -> DisruptionRow:
    current = change.current
    return DisruptionRow(
        id=disruption,
        flight_key=change.flight_key,
        event_id=event_id,
        kind=change.kind.value,
        detail={
            "status": current.status.value,
            "reason": current.reason,
            "shift_minutes": int(change.shift.total_seconds() // 60),
            "gate": current.gate,
            "old_gate": change.previous.gate,
        },
        detected_at=now,
    )


def _case_rows(
    session: AsyncSession,
    disruption: str,
    flight_key: str,
    affected: list[Affected],
    now: datetime,
) -> list[OpenCase]:
    cases = [
        OpenCase(case_id(disruption, a.pnr), a.pnr, disruption, flight_key, a.reason.value)
        for a in affected
    ]
    for case, a in zip(cases, affected, strict=True):
        session.add(
            CaseRow(
                id=case.id,
                disruption_id=disruption,
                pnr=a.pnr,
                reason=a.reason.value,
                priority=a.priority,
                status=CaseStatus.PENDING,
                created_at=now,
                updated_at=now,
            )
        )
    return cases


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


def _rejected(record: Received, reason: str, detail: str) -> Received:
    error: EventError = ValidationError(reason, detail)
    return Received(record.position, record.raw, record.key, error=error, headers=record.headers)
