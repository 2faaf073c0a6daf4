"""Run one scenario through the real daemon, on a simulated clock, and collect what it did.

    world (fresh SQLite in a temp dir) → harness.open_runtime → Daemon(embedded) → timeline

The application hands the runner its `Harness` (`app.eval_cli.EvalHarness`): how to open
a scenario's database and its runtime — the same `open_runtime()` the daemon runs on —
so the evals exercise the production assembly without importing the application.

The clock is frozen (speed 0) and moved by hand: the runner jumps from one moment that
matters to the next — a scripted event, a scripted operator decision, a held message
coming due, a scheduled job coming due — and at each one waits until the daemon has
committed every record (so every case it opened is durable), lets the outbox relay
deliver what is due, and runs the jobs that are due. Nothing here decides anything for
the agent; it only feeds it and reads the database afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import func, select

from agent.choices import ChoiceDesk
from agent.deps import AgentDeps
from agent.relay import OutboxRelay
from agent.runtime import Daemon
from agent.tables import ApprovalRow, CaseRow, DisruptionRow, JobRow
from airline.clock import SimulatedClock
from airline.models import Airport, Booking, Flight
from airline.reservations import load_booking
from airline.tables import InventoryRow, LedgerRow, SeatHoldRow
from evals.oracle import RunRecord, Verdict, judge
from evals.oracle.record import EventRec, Injection
from evals.oracle.record import World as OracleWorld
from evals.oracle.sql import read_run, read_world
from evals.replies import OfferEntry, ReplyEntry, deliver
from evals.replies import collect as collect_replies
from evals.scenario import (
    ChoiceSpec,
    DecisionSpec,
    EventSpec,
    ReplySpec,
    Scenario,
    parse_duration,
    split_flight,
)
from evals.world import write
from memory.base import CustomerMemory, MemoryKind
from streams.embedded import EmbeddedBroker, StoredRecord
from streams.events import TOPIC_DEAD_LETTERS, TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode
from tools.notifications import is_due
from tools.tables import OutboxRow
from travel_agent.db import Database
from travel_agent.errors import ConfigError

log = logging.getLogger(__name__)

SETTLE_TIMEOUT = 120.0
"""Real seconds the daemon may go without progress (a record committed, a case finished)
over one moment of the timeline before the run fails; a model reasoner adds two of its
timeouts, since one slow decision is no progress until it ends."""
MAX_STEPS = 500

MemoryFactory = Callable[[Path], AbstractAsyncContextManager[CustomerMemory]]
"""Opens a scenario's own customer memory in the directory it is given."""


# --- what a run leaves behind ---------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    key: str
    case_id: str
    action: str
    pnr: str
    detail: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class OutboxEntry:
    key: str
    topic: str
    pnr: str
    customer_id: str | None
    channel: str | None
    payload: dict[str, Any]
    status: str
    created_at: datetime
    sent_at: datetime | None

    @property
    def kind(self) -> str:
        return str(self.payload.get("kind", ""))

    @property
    def text(self) -> str:
        return f"{self.payload.get('subject', '')}\n{self.payload.get('body', '')}"


@dataclass(frozen=True)
class ApprovalEntry:
    id: str
    case_id: str
    pnr: str
    status: str
    why: list[str]
    created_at: datetime
    deadline: datetime
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class CaseEntry:
    id: str
    pnr: str
    reason: str
    status: str
    outcome: str | None
    flight_key: str
    disruption_kind: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PlanEntry:
    case_id: str
    reasoner: str
    rationale: str
    actions: list[dict[str, Any]]
    guard_violations: list[str]
    usage: dict[str, int]
    guard_repairs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FedEvent:
    """A record the runner published: when, and the event (None for raw bytes)."""

    at: datetime
    event: FlightStatusEvent | None


@dataclass
class RunResult:
    """Everything the scorers and metrics read about one run of one scenario."""

    scenario: Scenario
    start: datetime
    end: datetime
    flights: dict[str, Flight]
    airports: dict[str, Airport]
    original: dict[str, Booking]
    bookings: dict[str, Booking] = field(default_factory=dict)
    customers: dict[str, str] = field(default_factory=dict)
    """PNR → customer id."""
    ledger: list[LedgerEntry] = field(default_factory=list)
    outbox: list[OutboxEntry] = field(default_factory=list)
    approvals: list[ApprovalEntry] = field(default_factory=list)
    cases: list[CaseEntry] = field(default_factory=list)
    plans: dict[str, PlanEntry] = field(default_factory=dict)
    fed: list[FedEvent] = field(default_factory=list)
    dead_letters: list[dict[str, str]] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    """What became of each scripted operator decision."""
    inventory_before: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """(flight key, cabin) → (capacity, sold) as the world was written."""
    inventory_after: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """The same at the end of the run."""
    held_seats: dict[tuple[str, str], int] = field(default_factory=dict)
    """Seats still held (not confirmed, released or expired) at the end, per flight and cabin."""
    answers: list[str] = field(default_factory=list)
    """What became of each scripted passenger answer."""
    offers: list[OfferEntry] = field(default_factory=list)
    replies: list[ReplyEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    directory: Path | None = None
    """Where the run's world was (gone afterwards unless the runner keeps it)."""
    oracle_world: OracleWorld | None = None
    """The world as the independent oracle read it from the database before the run."""
    verdict: Verdict | None = None
    """What the independent oracle (`evals.oracle`) found."""
    oracle_record: RunRecord | None = None

    def notifications(self) -> list[OutboxEntry]:
        return [o for o in self.outbox if o.topic == "notifications.outbound"]


# --- what the application hands the evals ------------------------------------------------


class ScenarioRuntime(Protocol):
    """The parts of an opened runtime a scenario run drives (`app.runtime.Runtime`)."""

    @property
    def daemon(self) -> Daemon: ...

    @property
    def relay(self) -> OutboxRelay: ...

    @property
    def broker(self) -> EmbeddedBroker | None: ...

    @property
    def db(self) -> Database: ...

    @property
    def deps(self) -> AgentDeps: ...

    async def backlog(self) -> int: ...


class Harness(Protocol):
    """How to open a scenario's database and runtime; given by the application."""

    @property
    def reasoner(self) -> str: ...

    @property
    def model(self) -> str | None: ...

    def open_database(self, path: Path) -> AbstractAsyncContextManager[Database]:
        """A fresh database at `path` with the whole schema (the world is written to it)."""
        ...

    @property
    def horizon(self) -> timedelta:
        """How far ahead the agent searches for alternatives (the oracle searches as far)."""
        ...

    @property
    def decision_timeout(self) -> float:
        """Seconds one model decision may take (a settling run waits that much longer)."""
        ...

    def open_runtime(
        self,
        directory: Path,
        overrides: Mapping[str, Any],
        clock: SimulatedClock,
        memory: CustomerMemory | None,
        *,
        broker: EmbeddedBroker | None = None,
    ) -> AbstractAsyncContextManager[ScenarioRuntime]:
        """The embedded runtime on the scenario's database in `directory`, with the
        scenario's settings overrides; on `broker` when given (a restarted daemon reads
        the stream its predecessor left), else on a new one.

        Raises:
            ConfigError: an override names a setting that does not exist.
        """
        ...

    def with_overrides(self, overrides: Mapping[str, Any]) -> Harness:
        """The same harness with settings changed for every scenario (e.g. another
        reasoner or model endpoint), as nested mappings like a scenario's `settings`."""
        ...


# --- the run --------------------------------------------------------------------------


def build_event(
    scenario: Scenario,
    spec: EventSpec,
    index: int,
    flights: dict[str, Flight],
) -> FlightStatusEvent:
    """The `FlightStatusEvent` a scripted event describes."""
    world = scenario.world
    assert spec.flight is not None and spec.status is not None
    carrier, number = split_flight(spec.flight)
    day = spec.date or world.date
    key = f"{carrier}{number}/{day.isoformat()}"
    flight = flights.get(key)
    if flight is None:
        raise ConfigError(f"{scenario.path}: events[{index}]: no flight {key} in the world")
    shift = parse_duration(spec.delay) if spec.delay else timedelta()
    arrival_shift = parse_duration(spec.arrival_delay) if spec.arrival_delay else shift
    emitted = world.start_at + parse_duration(spec.emitted or spec.at)
    return FlightStatusEvent.about(
        flight,
        event_id=spec.id or f"{scenario.name[:40]}-{index}",
        status=spec.status,
        est_dep=flight.sched_dep + shift,
        est_arr=flight.sched_arr + arrival_shift,
        reason=spec.reason,
        gate=spec.gate,
        diverted_to=spec.diverted_to,
        emitted_at=emitted,
    )


@dataclass(order=True)
class _Step:
    at: datetime
    order: int
    event: EventSpec | None = field(compare=False, default=None)
    decision: DecisionSpec | None = field(compare=False, default=None)
    choice: ChoiceSpec | None = field(compare=False, default=None)
    answer: ReplySpec | None = field(compare=False, default=None)
    index: int = field(compare=False, default=0)


class ScenarioRunner:
    """Runs scenarios, each in its own temporary directory.

    Args:
        harness: opens each scenario's database and runtime (the application's); each
            scenario gets its own data directory and database, its `settings` overrides
            on top of the harness's settings.
        memory_factory: opens a customer memory for a scenario's directory; scenarios
            with `memory:` entries record them through it. None: such entries are noted
            as not recorded (and the expectations that depend on them will say so).
        workdir: where the temporary directories go (default: the system's).
    """

    def __init__(
        self,
        harness: Harness,
        *,
        memory_factory: MemoryFactory | None = None,
        workdir: Path | None = None,
        keep: bool = False,
    ) -> None:
        self.harness = harness
        self.memory_factory = memory_factory
        self.workdir = workdir
        self.keep = keep
        self.max_steps = MAX_STEPS
        """Moments of a timeline the runner goes through at most (a real day has more)."""

    async def run(self, scenario: Scenario) -> RunResult:
        started = time.perf_counter()
        prefix = f"eval-{scenario.name[:30]}-"
        if self.keep:
            result = await self._run_in(scenario, Path(tempfile.mkdtemp(prefix=prefix)))
        else:
            with tempfile.TemporaryDirectory(prefix=prefix, dir=self.workdir) as tmp:
                result = await self._run_in(scenario, Path(tmp))
        result.seconds = time.perf_counter() - started
        return result

    async def _run_in(self, scenario: Scenario, directory: Path) -> RunResult:
        from airline.seed import World

        world_spec = scenario.world
        start = world_spec.start_at
        world: World = await write(
            world_spec, directory / "airline.sqlite", open_database=self.harness.open_database
        )
        oracle_world = await read_world(_url(directory), start)
        flights = {f.key: f for f in world.flights}
        result = RunResult(
            scenario=scenario,
            start=start,
            end=start,
            flights=flights,
            airports={a.iata: a for a in world.airports},
            original={b.pnr: b for b in world.bookings},
            customers={b.pnr: b.customer_id for b in world.bookings},
            directory=directory,
            inventory_before={
                (f.key, c.cabin.value): (c.capacity, c.sold)
                for f in world.flights
                for c in f.cabins
            },
            oracle_world=_with_oracle_spec(oracle_world, scenario),
        )
        try:
            await self._play(scenario, directory, result)
        except Exception as exc:  # a broken run is a failed run, with the reason
            log.exception("scenario %s failed to run", scenario.name)
            result.error = f"{type(exc).__name__}: {exc}"
        await self._judge(scenario, directory, result)
        return result

    async def _judge(self, scenario: Scenario, directory: Path, result: RunResult) -> None:
        """Let the independent oracle read the run from the database and judge it."""
        assert result.oracle_world is not None
        horizon = (
            parse_duration(scenario.oracle.horizon)
            if scenario.oracle.horizon
            else self.harness.horizon
        )
        try:
            done = await read_run(_url(directory))
        except Exception as exc:  # an unreadable run is judged as one that failed
            log.exception("the oracle could not read the run of %s", scenario.name)
            done = {}
            result.error = result.error or f"the oracle could not read the run: {exc}"
        record = RunRecord(
            world=result.oracle_world,
            events=[_event_rec(f.at, f.event) for f in result.fed if f.event is not None],
            end=result.end,
            horizon=horizon,
            error=result.error,
            **done,
        )
        result.oracle_record = record
        result.verdict = judge(record)

    async def _play(self, scenario: Scenario, directory: Path, result: RunResult) -> None:
        start = result.start
        clock = SimulatedClock(start, speed=0)
        async with AsyncExitStack() as stack:
            memory = await self._memory(scenario, directory, stack, result)
            live = await _Live.open(self.harness, directory, scenario, clock, memory)
            broker = live.broker
            try:
                steps = (
                    [_Step(start + e.offset, i, event=e) for i, e in enumerate(scenario.events)]
                    + [
                        _Step(start + d.offset, 10_000 + i, decision=d)
                        for i, d in enumerate(scenario.operator)
                    ]
                    + [
                        _Step(start + c.offset, 30_000 + i, choice=c)
                        for i, c in enumerate(scenario.choices)
                    ]
                    + [
                        _Step(start + a.offset, 20_000 + i, answer=a, index=i)
                        for i, a in enumerate(scenario.passenger)
                    ]
                )
                steps.sort()
                last = max([s.at for s in steps], default=start)
                end = last + parse_duration(scenario.run_for)
                result.end = end
                pending = list(steps)
                for moment in range(self.max_steps):
                    now = clock.now()
                    while pending and pending[0].at <= now:
                        step = pending.pop(0)
                        if step.event is not None:
                            await self._publish(scenario, step, broker, result)
                        elif step.decision is not None:
                            result.decisions.append(await _decide(live.desk, step.decision))
                        elif step.choice is not None:
                            result.decisions.append(
                                await _choose(ChoiceDesk(live.db, clock), step.choice, result)
                            )
                        elif step.answer is not None:
                            result.answers.append(
                                await deliver(
                                    _tool_deps(live.runtime.deps), step.answer, step.index, now
                                )
                            )
                    live = await self.interrupt(live, moment, result)
                    await self._settle(live.runtime, live.task)
                    await self._follow_up(live.runtime, live.task)
                    await live.relay.drain()
                    upcoming = [s.at for s in pending[:1]]
                    upcoming += await _next_due(live.db, now)
                    later = [t for t in upcoming if t > now]
                    if not later or min(later) > end:
                        break
                    clock.advance(min(later) - now)
                if end > clock.now():
                    clock.advance(end - clock.now())
                await self._follow_up(live.runtime, live.task)
                await live.relay.drain()
            except BaseException:
                await broker.close()
                await live.close(graceful=False)
                raise
            await broker.close()
            await live.stop_daemon(graceful=True)
            try:
                task = live.task
                if task.done() and not task.cancelled() and task.exception() is not None:
                    raise RuntimeError(f"the daemon crashed: {task.exception()!r}")
                await _collect(live.runtime, result)
            finally:
                await live.stack.aclose()
            result.dead_letters = [
                {k: v.decode() for k, v in r.headers.items()}
                for r in broker.topics[TOPIC_DEAD_LETTERS]
            ]

    async def interrupt(self, live: _Live, moment: int, result: RunResult) -> _Live:
        """Called at each moment of the timeline once its records are published, before
        the daemon is waited for; a crash test kills and restarts the daemon here."""
        return live

    async def _memory(
        self, scenario: Scenario, directory: Path, stack: AsyncExitStack, result: RunResult
    ) -> CustomerMemory | None:
        if not scenario.world.memory:
            return None  # an empty memory answers as no memory does, and costs nothing
        if self.memory_factory is None:
            if scenario.world.memory:
                result.notes.append(
                    f"{len(scenario.world.memory)} memory entries not recorded: "
                    "no customer memory implementation is available"
                )
            return None
        memory = await stack.enter_async_context(self.memory_factory(directory / "memory"))
        for i, entry in enumerate(scenario.world.memory):
            await memory.record(
                entry.customer,
                MemoryKind(entry.kind),
                entry.text,
                at=scenario.world.start_at + parse_duration(entry.at),
                metadata=dict(entry.metadata) or None,
                id=f"{scenario.name}-{i}",
            )
        return memory

    async def _publish(
        self, scenario: Scenario, step: _Step, broker: EmbeddedBroker, result: RunResult
    ) -> None:
        spec = step.event
        assert spec is not None
        if spec.raw is not None:
            await broker.append(TOPIC_FLIGHT_STATUS, StoredRecord(b"raw", spec.raw.encode()))
            result.fed.append(FedEvent(step.at, None))
            return
        event = build_event(scenario, spec, step.order, result.flights)
        await broker.append(
            TOPIC_FLIGHT_STATUS, StoredRecord(event.flight_key.encode(), encode(event))
        )
        result.fed.append(FedEvent(step.at, event))

    async def _follow_up(self, runtime: ScenarioRuntime, task: asyncio.Task[None]) -> None:
        """Run the jobs due now and resume the cases whose approvals were decided, until
        nothing more happens (a deadline expires an approval, which resumes its case)."""
        for _ in range(10):
            ran = await runtime.daemon.scheduler.run_due()
            resumed = await runtime.daemon.apply_decisions()
            await self._settle(runtime, task)
            if not ran and not resumed:
                return

    async def _settle(self, runtime: ScenarioRuntime, task: asyncio.Task[None]) -> None:
        """Wait until every published record is committed and no case is left pending."""
        stall = SETTLE_TIMEOUT
        if self.harness.reasoner != "rules":
            stall += 2 * self.harness.decision_timeout
        deadline = time.monotonic() + stall
        seen: tuple[int, int] | None = None
        while True:
            if task.done():
                exc = task.exception() if not task.cancelled() else None
                raise RuntimeError(f"the daemon stopped early: {exc!r}")
            await runtime.daemon.checkpoint()
            backlog, pending = await runtime.backlog(), await _pending(runtime.db)
            if backlog == 0 and not pending:
                return
            if (backlog, pending) != seen:  # progress moves the deadline on
                seen, deadline = (backlog, pending), time.monotonic() + stall
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the daemon made no progress for {stall:.0f} s "
                    f"({pending} case(s) pending, {backlog} record(s) not committed)"
                )
            await asyncio.sleep(0.005)


async def _pending(db: Database) -> int:
    async with db.session() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(CaseRow).where(CaseRow.status == "pending")
            )
            or 0
        )


async def _next_due(db: Database, now: datetime) -> list[datetime]:
    """When held messages and scheduled jobs next come due (after `now`)."""
    found: list[datetime] = []
    async with db.session() as session:
        rows = (
            await session.scalars(select(OutboxRow.payload).where(OutboxRow.status == "pending"))
        ).all()
        for payload in rows:
            if not is_due(payload, now) and payload.get("not_before"):
                found.append(datetime.fromisoformat(payload["not_before"]))
        jobs = (await session.scalars(select(JobRow.due_at).where(JobRow.status == "due"))).all()
        found += [due for due in jobs if due > now]
    return found


def _url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'airline.sqlite'}"


def _event_rec(at: datetime, event: FlightStatusEvent) -> EventRec:
    return EventRec(
        fed_at=at,
        flight=event.flight_key,
        status=event.status.value,
        est_dep=event.est_dep,
        est_arr=event.est_arr,
        emitted_at=event.emitted_at,
        event_id=event.event_id,
        reason=event.reason.value if event.reason else None,
        diverted_to=event.diverted_to,
    )


def _with_oracle_spec(world: OracleWorld, scenario: Scenario) -> OracleWorld:
    """The oracle's world with the scenario's planted texts and linked bookings."""
    import dataclasses

    groups = {pnr: f"g{i}" for i, group in enumerate(scenario.oracle.groups) for pnr in group}
    bookings = {
        pnr: dataclasses.replace(b, group=groups.get(pnr, b.group))
        for pnr, b in world.bookings.items()
    }
    injections = tuple(
        Injection(i.booking, i.where, i.text, dict(i.asks)) for i in scenario.oracle.injections
    )
    return dataclasses.replace(world, bookings=bookings, injections=injections)


class _Live:
    """One daemon process's worth of parts: the application's runtime for the scenario
    (agent, daemon on the embedded stream, outbox relay), the daemon running, and the
    approval desk — opened together, closed (or killed) together."""

    def __init__(
        self,
        stack: AsyncExitStack,
        runtime: ScenarioRuntime,
        desk: Any,
        stop: asyncio.Event,
        task: asyncio.Task[None],
        reopen: Callable[[], Awaitable[_Live]],
    ) -> None:
        self.stack, self.runtime, self.desk = stack, runtime, desk
        self.stop, self.task = stop, task
        self.reopen = reopen
        """A new daemon on the same database, checkpoints and stream (after a kill)."""

    @property
    def daemon(self) -> Daemon:
        return self.runtime.daemon

    @property
    def relay(self) -> OutboxRelay:
        return self.runtime.relay

    @property
    def db(self) -> Database:
        return self.runtime.db

    @property
    def broker(self) -> EmbeddedBroker:
        broker = self.runtime.broker
        assert broker is not None, "scenarios run on the embedded stream"
        return broker

    @classmethod
    async def open(
        cls,
        harness: Harness,
        directory: Path,
        scenario: Scenario,
        clock: SimulatedClock,
        memory: CustomerMemory | None,
        broker: EmbeddedBroker | None = None,
    ) -> _Live:
        stack = AsyncExitStack()
        try:
            runtime = await stack.enter_async_context(
                harness.open_runtime(directory, scenario.settings, clock, memory, broker=broker)
            )
        except BaseException:
            await stack.aclose()
            raise
        stop = asyncio.Event()
        task = asyncio.create_task(runtime.daemon.run(stop), name=f"daemon:{scenario.name}")
        desk = _approval_desk(runtime.db, clock)

        async def reopen() -> _Live:
            return await cls.open(harness, directory, scenario, clock, memory, runtime.broker)

        return cls(stack, runtime, desk, stop, task, reopen)

    async def close(self, *, graceful: bool) -> None:
        """Stop the daemon and close what it had open."""
        await self.stop_daemon(graceful=graceful)
        await self.stack.aclose()

    async def stop_daemon(self, *, graceful: bool) -> None:
        """`graceful`: let it finish the record in hand; else cancel it wherever it is,
        as a killed process stops (its open transactions roll back)."""
        if graceful:
            self.stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self.task), 30)
        if not self.task.done():
            self.task.cancel()
            with contextlib.suppress(BaseException):
                await self.task


# --- operator decisions -----------------------------------------------------------------


def _tool_deps(deps: Any) -> Any:
    from tools.effects import ToolDeps

    return ToolDeps(deps.db, deps.schedule, deps.board, deps.clock)


def _approval_desk(db: Database, clock: SimulatedClock) -> Any:
    from agent.approvals import ApprovalDesk

    return ApprovalDesk(db, clock)


async def _decide(desk: Any, spec: DecisionSpec) -> str:
    from agent.approvals import ApprovalStatus, Decision

    pending = [a for a in await desk.find(status=ApprovalStatus.PENDING) if a.pnr == spec.booking]
    if not pending:
        # The operator decides on the card they have open: the booking's latest approval,
        # which the desk then refuses with its reason (stale, expired, decided).
        pending = [a for a in await desk.find() if a.pnr == spec.booking]
        if not pending:
            return f"{spec.at} {spec.verdict} {spec.booking}: no approval to decide"
    approval = pending[-1]
    try:
        decision = Decision(
            verdict=spec.verdict, option=spec.option, flight=spec.flight, reason=spec.reason
        )
        await desk.decide(approval.id, decision, operator=spec.operator)
    except Exception as exc:
        return f"{spec.at} {spec.verdict} {spec.booking}: refused: {exc}"
    return f"{spec.at} {spec.verdict} {spec.booking}: recorded on {approval.id}"


async def _choose(desk: ChoiceDesk, spec: ChoiceSpec, result: RunResult) -> str:
    """Record a passenger's choice as the operator desk records it."""
    booking = result.original[spec.booking]
    if spec.flight is not None:
        carrier, number = split_flight(spec.flight)
        flight = f"{carrier}{number}/{(spec.date or result.scenario.world.date).isoformat()}"
    else:
        flight = booking.segments[0].flight_key
    recorded = await desk.record_refund(spec.booking, flight, chosen_by=spec.by, source="desk")
    return f"{spec.at} {spec.choice} {spec.booking} {flight}: " + (
        "recorded" if recorded else "recorded before"
    )


# --- collecting -----------------------------------------------------------------------


async def _collect(runtime: ScenarioRuntime, result: RunResult) -> None:
    db = runtime.db
    async with db.session() as session:
        result.ledger = [
            LedgerEntry(r.idempotency_key, r.case_id, r.action, r.pnr, dict(r.detail), r.created_at)
            for r in (await session.scalars(select(LedgerRow).order_by(LedgerRow.id))).all()
        ]
        result.outbox = [
            OutboxEntry(
                r.idempotency_key,
                r.topic,
                r.key,
                r.customer_id,
                r.channel,
                dict(r.payload),
                r.status,
                r.created_at,
                r.sent_at,
            )
            for r in (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
        ]
        result.offers, result.replies = await collect_replies(session)
        result.approvals = [
            ApprovalEntry(
                r.id,
                r.case_id,
                r.pnr,
                r.status,
                list(r.why),
                r.created_at,
                r.deadline,
                r.decided_by,
                r.decided_at,
            )
            for r in (
                await session.scalars(select(ApprovalRow).order_by(ApprovalRow.created_at))
            ).all()
        ]
        rows = await session.execute(
            select(CaseRow, DisruptionRow.flight_key, DisruptionRow.kind)
            .join(DisruptionRow, DisruptionRow.id == CaseRow.disruption_id)
            .order_by(CaseRow.created_at, CaseRow.id)
        )
        result.cases = [
            CaseEntry(
                c.id,
                c.pnr,
                c.reason,
                c.status,
                c.outcome,
                flight_key,
                kind,
                c.created_at,
                c.updated_at,
            )
            for c, flight_key, kind in rows
        ]
        for pnr in result.original:
            result.bookings[pnr] = await load_booking(session, pnr)
        result.inventory_after = {
            (r.flight_key, r.cabin): (r.capacity, r.sold)
            for r in (await session.scalars(select(InventoryRow))).all()
        }
        for hold in (
            await session.scalars(select(SeatHoldRow).where(SeatHoldRow.status == "held"))
        ).all():
            for key in hold.flights:
                result.held_seats[key, hold.cabin] = (
                    result.held_seats.get((key, hold.cabin), 0) + hold.party
                )
    for case in result.cases:
        entry = await _plan_of(runtime.daemon, case.id)
        if entry is not None:
            result.plans[case.id] = entry


async def _plan_of(daemon: Daemon, case_id: str) -> PlanEntry | None:
    snapshot = await daemon.graph.aget_state({"configurable": {"thread_id": case_id}})
    values = snapshot.values or {}
    plan = _as_dict(values.get("plan"))
    if not plan:
        return None
    verdict = _as_dict(values.get("verdict"))
    return PlanEntry(
        case_id=case_id,
        reasoner=str(plan.get("reasoner", "")),
        rationale=str(plan.get("rationale", "")),
        actions=list(plan.get("actions") or []),
        guard_violations=[str(v) for v in verdict.get("violations") or []],
        usage={k: int(v) for k, v in (plan.get("usage") or {}).items()},
        guard_repairs=[str(r) for r in verdict.get("repairs") or []],
    )


def _as_dict(value: object) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return dict(value) if isinstance(value, dict) else {}


async def run_all(
    runner: ScenarioRunner, scenarios: list[Scenario], *, repeat: int = 1
) -> AsyncIterator[tuple[Scenario, int, RunResult]]:
    """Each scenario `repeat` times, one after the other."""
    for scenario in scenarios:
        for attempt in range(1, repeat + 1):
            yield scenario, attempt, await runner.run(scenario)
