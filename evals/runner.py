"""Run one scenario through the real daemon, on a simulated clock, and collect what it did.

    world (fresh SQLite in a temp dir) → open_agent → Daemon(EmbeddedSource) → timeline

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
import inspect
import logging
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from agent.choices import ChoiceDesk
from agent.relay import OutboxRelay
from agent.runtime import Daemon
from agent.settings import DbSettings, Settings
from agent.tables import ApprovalRow, CaseRow, DisruptionRow, JobRow
from airline.clock import SimulatedClock
from airline.models import Airport, Booking, Flight
from airline.reservations import load_booking
from airline.tables import InventoryRow, LedgerRow, SeatHoldRow
from app.wiring import open_agent
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
from streams.embedded import EmbeddedBroker, EmbeddedSink, EmbeddedSource, StoredRecord
from streams.events import TOPIC_DEAD_LETTERS, TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode
from tools.channels.log import LogChannel
from tools.notifications import is_due
from tools.tables import OutboxRow
from travel_agent.db import Database
from travel_agent.errors import ConfigError

log = logging.getLogger(__name__)

SETTLE_TIMEOUT = 120.0
"""Real seconds the daemon may take over one moment of the timeline before the run fails."""
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

    def notifications(self) -> list[OutboxEntry]:
        return [o for o in self.outbox if o.topic == "notifications.outbound"]


# --- settings -------------------------------------------------------------------------


def _check_keys(model: type[BaseModel], overrides: dict[str, Any], where: str) -> None:
    for key, value in overrides.items():
        info = model.model_fields.get(key)
        if info is None:
            raise ConfigError(
                f"settings override {where}{key}: no such setting; "
                f"known: {', '.join(sorted(model.model_fields))}"
            )
        annotation = info.annotation
        if (
            isinstance(value, dict)
            and inspect.isclass(annotation)
            and issubclass(annotation, BaseModel)
        ):
            _check_keys(annotation, value, f"{where}{key}.")


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def scenario_settings(base: Settings, overrides: dict[str, Any], data_dir: Path) -> Settings:
    """`base` with the scenario's overrides, on its own data directory and database.

    Raises:
        ConfigError: an override names a setting that does not exist.
    """
    _check_keys(Settings, overrides, "")
    data = _merge(base.model_dump(), overrides)
    data.update(data_dir=data_dir, db=DbSettings().model_dump())
    return Settings(**data)


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
        settings: the base settings (reasoner, model endpoint); each scenario gets its
            own data directory and database, and its `settings` overrides on top.
        memory_factory: opens a customer memory for a scenario's directory; scenarios
            with `memory:` entries record them through it. None: such entries are noted
            as not recorded (and the expectations that depend on them will say so).
        workdir: where the temporary directories go (default: the system's).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        memory_factory: MemoryFactory | None = None,
        workdir: Path | None = None,
        keep: bool = False,
    ) -> None:
        self.settings = settings
        self.memory_factory = memory_factory
        self.workdir = workdir
        self.keep = keep

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
        world: World = await write(world_spec, directory / "airline.sqlite")
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
        )
        try:
            await self._play(scenario, directory, result)
        except Exception as exc:  # a broken run is a failed run, with the reason
            log.exception("scenario %s failed to run", scenario.name)
            result.error = f"{type(exc).__name__}: {exc}"
        return result

    async def _play(self, scenario: Scenario, directory: Path, result: RunResult) -> None:
        settings = scenario_settings(self.settings, scenario.settings, directory)
        start = result.start
        clock = SimulatedClock(start, speed=0)
        broker = EmbeddedBroker()
        source = EmbeddedSource(broker)
        async with AsyncExitStack() as stack:
            memory = await self._memory(scenario, directory, stack, result)
            agent = await stack.enter_async_context(open_agent(settings, clock, memory=memory))
            deps = agent.deps
            db = deps.db
            daemon = Daemon(deps, agent.graph, source)
            relay = OutboxRelay(db, EmbeddedSink(broker), {}, LogChannel(), clock)
            desk = _approval_desk(db, clock)
            stop = asyncio.Event()
            task = asyncio.create_task(daemon.run(stop), name=f"daemon:{scenario.name}")
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
                for _ in range(MAX_STEPS):
                    now = clock.now()
                    while pending and pending[0].at <= now:
                        step = pending.pop(0)
                        if step.event is not None:
                            await self._publish(scenario, step, broker, result)
                        elif step.decision is not None:
                            result.decisions.append(await _decide(desk, step.decision))
                        elif step.choice is not None:
                            result.decisions.append(
                                await _choose(ChoiceDesk(db, clock), step.choice, result)
                            )
                        elif step.answer is not None:
                            result.answers.append(
                                await deliver(_tool_deps(deps), step.answer, step.index, now)
                            )
                    await self._settle(daemon, task, broker, db)
                    await self._follow_up(daemon, task, broker, db)
                    await relay.drain()
                    upcoming = [s.at for s in pending[:1]]
                    upcoming += await _next_due(db, now)
                    later = [t for t in upcoming if t > now]
                    if not later or min(later) > end:
                        break
                    clock.advance(min(later) - now)
                if end > clock.now():
                    clock.advance(end - clock.now())
                await self._follow_up(daemon, task, broker, db)
                await relay.drain()
            finally:
                stop.set()
                await broker.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(task, 30)
                if not task.done():
                    task.cancel()
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise RuntimeError(f"the daemon crashed: {task.exception()!r}")
            await _collect(agent, result)
            result.dead_letters = [
                {k: v.decode() for k, v in r.headers.items()}
                for r in broker.topics[TOPIC_DEAD_LETTERS]
            ]

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

    async def _follow_up(
        self, daemon: Daemon, task: asyncio.Task[None], broker: EmbeddedBroker, db: Database
    ) -> None:
        """Run the jobs due now and resume the cases whose approvals were decided, until
        nothing more happens (a deadline expires an approval, which resumes its case)."""
        for _ in range(10):
            ran = await daemon.scheduler.run_due()
            resumed = await daemon.apply_decisions()
            await self._settle(daemon, task, broker, db)
            if not ran and not resumed:
                return

    async def _settle(
        self, daemon: Daemon, task: asyncio.Task[None], broker: EmbeddedBroker, db: Database
    ) -> None:
        """Wait until every published record is committed and no case is left pending."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        group = (daemon.source.group, TOPIC_FLIGHT_STATUS)  # type: ignore[attr-defined]
        while True:
            if task.done():
                exc = task.exception() if not task.cancelled() else None
                raise RuntimeError(f"the daemon stopped early: {exc!r}")
            await daemon.checkpoint()
            published = len(broker.topics[TOPIC_FLIGHT_STATUS])
            if broker.committed.get(group, -1) >= published - 1 and not await _pending(db):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the daemon did not settle within {SETTLE_TIMEOUT:.0f} s")
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
        decision = Decision(verdict=spec.verdict, option=spec.option, reason=spec.reason)
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


async def _collect(agent: Any, result: RunResult) -> None:
    db: Database = agent.deps.db
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
        entry = await _plan_of(agent, case.id)
        if entry is not None:
            result.plans[case.id] = entry


async def _plan_of(agent: Any, case_id: str) -> PlanEntry | None:
    snapshot = await agent.graph.aget_state({"configurable": {"thread_id": case_id}})
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
