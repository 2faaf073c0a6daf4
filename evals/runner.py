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

Beside it: `evals.harness` (what the application hands the evals), `evals.live` (one
daemon process's parts and the scripted operator acts on it), `evals.run_result` (what a
run leaves behind, read back into a `RunResult`).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from agent.choices import ChoiceDesk
from agent.reasoners.base import ReportsProgress
from airline.clock import SimulatedClock
from airline.models import Flight
from evals.harness import Harness, MemoryFactory, ScenarioRuntime
from evals.live import LiveDaemon, decide, next_due, pending_cases, record_choice, tool_deps
from evals.oracle import RunRecord, judge
from evals.oracle.sql import read_run, read_world
from evals.replies import deliver
from evals.run_result import FedEvent, RunResult, collect, oracle_event, with_oracle_spec
from evals.scenario import ChoiceSpec, DecisionSpec, EventSpec, ReplySpec, Scenario
from evals.scenario_world import parse_duration, split_flight
from evals.world import write
from memory.base import CustomerMemory, MemoryKind
from streams.embedded import EmbeddedBroker, StoredRecord
from streams.events import TOPIC_DEAD_LETTERS, TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode
from travel_agent.errors import ConfigError

log = logging.getLogger(__name__)

SETTLE_TIMEOUT = 120.0
"""Real seconds the daemon may go without progress (a record committed, a case finished)
over one moment of the timeline before the run fails; a model reasoner adds two of its
timeouts, since one slow decision is no progress until it ends."""
MAX_STEPS = 500
PROGRESS_SECONDS = 30.0


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
        self.progress: Callable[[str], None] | None = None
        """Told where a long run is, every `PROGRESS_SECONDS` of real time (a storm day
        takes minutes; a caller that watches for output can tell slow from stuck)."""

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
            oracle_world=with_oracle_spec(oracle_world, scenario),
        )
        try:
            await self._play(scenario, directory, result)
        except Exception as exc:  # a broken run is a failed run, with the reason
            log.exception("scenario %s failed to run", scenario.name)
            result.error = f"{type(exc).__name__}: {exc}"
        if self.progress:
            self.progress(f"{scenario.name}: run over, the oracle judges it")
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
            events=[oracle_event(f.at, f.event) for f in result.fed if f.event is not None],
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
            live = await LiveDaemon.open(self.harness, directory, scenario, clock, memory)
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
                reported = time.monotonic()
                for moment in range(self.max_steps):
                    now = clock.now()
                    if self.progress and time.monotonic() - reported >= PROGRESS_SECONDS:
                        reported = time.monotonic()
                        self.progress(
                            f"{scenario.name}: {now:%m-%d %H:%M}Z of {end:%m-%d %H:%M}Z "
                            "on its clock, "
                            f"{len(steps) - len(pending)} of {len(steps)} scripted steps fed"
                        )
                    if pending and pending[0].at <= now:
                        # The jobs due by now run before now's records, as the daemon on
                        # event time orders them (`Daemon.run_due_jobs`): a reminder due
                        # at a cancellation's instant re-checks the itinerary before it.
                        await self._follow_up(live.runtime, live.task)
                    while pending and pending[0].at <= now:
                        step = pending.pop(0)
                        if step.event is not None:
                            await self._publish(scenario, step, broker, result)
                        elif step.decision is not None:
                            result.decisions.append(await decide(live.desk, step.decision))
                        elif step.choice is not None:
                            result.decisions.append(
                                await record_choice(ChoiceDesk(live.db, clock), step.choice, result)
                            )
                        elif step.answer is not None:
                            result.answers.append(
                                await deliver(
                                    tool_deps(live.runtime.deps),
                                    step.answer,
                                    step.index,
                                    now,
                                    live.runtime.deps.memory,
                                )
                            )
                    live = await self.interrupt(live, moment, result)
                    await self._settle(live.runtime, live.task)
                    await self._follow_up(live.runtime, live.task)
                    await live.relay.drain()
                    upcoming = [s.at for s in pending[:1]]
                    upcoming += await next_due(live.db, now)
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
                await collect(live.db, live.daemon, result)
            finally:
                await live.stack.aclose()
            result.dead_letters = [
                {k: v.decode() for k, v in r.headers.items()}
                for r in broker.topics[TOPIC_DEAD_LETTERS]
            ]

    async def interrupt(self, live: LiveDaemon, moment: int, result: RunResult) -> LiveDaemon:
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
        """Take over pending cases nobody holds, run the jobs due now and resume the cases
        whose approvals were decided, until nothing more happens (a deadline expires an
        approval, which resumes its case). The driven daemon does none of it on its own."""
        await runtime.daemon.catch_up()
        for _ in range(10):
            ran = await runtime.daemon.scheduler.run_due()
            resumed = await runtime.daemon.apply_decisions()
            await self._settle(runtime, task)
            if not ran and not resumed:
                return

    async def _settle(self, runtime: ScenarioRuntime, task: asyncio.Task[None]) -> None:
        """Wait until every published record is committed and no case is left pending.

        Waits while anything moves: the backlog, the pending cases, or a model's progress
        on a decision (its tokens stream in: a slow model is no stall)."""
        stall = SETTLE_TIMEOUT
        if self.harness.reasoner != "rules":
            stall += 2 * self.harness.decision_timeout
        deadline = time.monotonic() + stall
        reasoner = runtime.deps.reasoner
        seen: tuple[int, int, int] | None = None
        while True:
            if task.done():
                exc = task.exception() if not task.cancelled() else None
                raise RuntimeError(f"the daemon stopped early: {exc!r}")
            await runtime.daemon.checkpoint()
            backlog, pending = await runtime.backlog(), await pending_cases(runtime.db)
            if backlog == 0 and not pending:
                return
            model = reasoner.progress if isinstance(reasoner, ReportsProgress) else 0
            if (backlog, pending, model) != seen:  # progress moves the deadline on
                seen, deadline = (backlog, pending, model), time.monotonic() + stall
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the daemon made no progress for {stall:.0f} s "
                    f"({pending} case(s) pending, {backlog} record(s) not committed)"
                )
            await asyncio.sleep(0.005)


def _url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'airline.sqlite'}"


async def run_all(
    runner: ScenarioRunner, scenarios: list[Scenario], *, repeat: int = 1
) -> AsyncIterator[tuple[Scenario, int, RunResult]]:
    """Each scenario `repeat` times, one after the other."""
    for scenario in scenarios:
        for attempt in range(1, repeat + 1):
            yield scenario, attempt, await runner.run(scenario)
