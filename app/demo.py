"""`travel-agent demo`: everything embedded — a seeded world, the simulated day, the daemon.

The seeded world and its customers' memory are built once per seed into templates in the
data directory and copied fresh into ``<data dir>/demo`` for every run — database,
memory, checkpoints — so each run starts from the same morning, no run remembers another,
and its figures are reproducible. (A memory on a Chroma server or at a configured path is
not copied: the demo says that it continues it.)
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

from agent.approvals import ApprovalDesk
from agent.offers import OfferDesk
from agent.replies import route_replies
from airline.clock import SimulatedClock
from airline.models import Flight
from airline.schedule import Schedule
from airline.seed import seed_database
from airline.stream_time import publish_clock
from app.demo_pacing import StreamLimit, pace
from app.demo_passengers import answer_offers
from app.migrate import open_database
from app.runtime import open_runtime
from app.settings import DbSettings, Settings
from app.summary import run_figures
from app.wiring import open_memory_for
from memory.base import CustomerMemory
from memory.chroma import LOCK_FILE
from streams.events import FlightStatusEvent
from streams.replies import EmbeddedReplies
from streams.simulator import generate_day, run_simulator
from streams.storm import plan_storm
from tools.effects import ToolDeps
from travel_agent.db import copy_sqlite

log = logging.getLogger(__name__)

# With --duration, the simulated day is played in this share of it; the rest drains.
PLAY_SHARE = 0.7
DEFAULT_SPEED = 600.0
# The demo's customers with a history (`travel-agent seed` gives 18 %): enough to see
# memory at work. Seeding stores the texts; each is embedded at its customer's first recall.
DEMO_MEMORY_SHARE = 0.06
# The storm demo starts this long before the airline's first storm announcement.
STORM_LEAD = timedelta(minutes=10)
# Written into a memory template once it is complete: a half-seeded one is seeded again.
SEEDED_MARK = "seeded"

Beside = Callable[[Settings, "CustomerMemory | None"], AbstractAsyncContextManager[object]]


async def ensure_world(settings: Settings, say: Callable[[str], None]) -> Path:
    """The template world for the configured seed, seeded now if it does not exist yet."""
    service_date = date.fromisoformat(settings.seed.service_date)
    template = settings.data_dir / f"world-{settings.seed.seed}-{service_date}.sqlite"
    if template.exists():
        return template
    say(f"seeding a world (seed {settings.seed.seed}, {service_date}) into {template} ...")
    partial = template.with_suffix(".partial")
    for leftover in template.parent.glob(partial.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    async with open_database(f"sqlite+aiosqlite:///{partial}") as db:
        summary = await seed_database(db, seed=settings.seed.seed, service_date=service_date)
    copy_sqlite(partial, template)
    for leftover in template.parent.glob(partial.name + "*"):
        leftover.unlink()
    say(f"seeded in {time.perf_counter() - started:.1f} s: {summary.model_dump_json()}")
    return template


async def run_demo(
    settings: Settings,
    *,
    duration: float | None,
    speed: float | None,
    say: Callable[[str], None],
    stop: asyncio.Event,
    scenario: Literal["normal", "storm"] = "normal",
    beside: Beside | None = None,
    hold_for_approvals: bool = False,
) -> dict[str, int]:
    """Play the simulated day on a fresh copy of the world.

    `beside(run_settings, memory)` is entered once that copy exists and stays open while
    the day plays: the CLI serves the operator desk there (this module does not import
    it). Customer memory lives in the data directory across demo runs, seeded once.
    With `hold_for_approvals` simulated time stands still while an approval waits, so an
    operator can decide it on the desk before its deadline.
    """
    template = await ensure_world(settings, say)
    memory_template = await ensure_memory_template(settings, template, say)
    run_dir = settings.data_dir / "demo"
    shutil.rmtree(run_dir, ignore_errors=True)
    copy_sqlite(template, run_dir / "airline.sqlite")
    if memory_template is not None:
        shutil.copytree(memory_template, run_dir / "memory", ignore=_lock_file)
    elif settings.memory.enabled:
        shown = settings.memory.url or settings.memory.path
        say(f"customer memory at {shown} continues from earlier runs (it is not copied)")
    run_settings = settings.model_copy(update={"data_dir": run_dir, "db": DbSettings()})
    say(
        f"a fresh run in {run_dir} (database, memory and checkpoints copied from the "
        # Absolute: the other terminal need not be in this one's directory.
        f"templates); in another terminal: export TRAVEL_AGENT_DATA_DIR={run_dir.resolve()}"
    )
    async with open_database(run_settings.db_url) as db:
        schedule = await Schedule.load(db)
    flights = list(schedule.flights.values())
    events = generate_day(flights, seed=settings.seed.seed, scenario=scenario)
    if scenario == "storm":
        events = _from_the_storm(events, flights, settings.seed.seed, say)
    async with AsyncExitStack() as stack:
        memory_settings = run_settings if memory_template is not None else settings
        memory = await stack.enter_async_context(open_memory_for(memory_settings))
        if memory is not None and memory_template is None:
            await ensure_memory(memory, template, settings, say)
        if beside is not None:
            await stack.enter_async_context(beside(run_settings, memory))
        return await play_embedded(
            run_settings,
            events,
            duration=duration,
            speed=speed,
            say=say,
            stop=stop,
            memory=memory,
            hold_for_approvals=hold_for_approvals,
        )


def _from_the_storm(
    events: list[FlightStatusEvent], flights: list[Flight], seed: int, say: Callable[[str], None]
) -> list[FlightStatusEvent]:
    """The day from the storm's first announcement on: a short demo shows the storm."""
    plan = plan_storm(flights, seed=seed)
    announced = (cancel.announced_at for cancel in plan.cancelled.values())
    start = min(announced, default=plan.start) - STORM_LEAD
    kept = [e for e in events if e.emitted_at >= start]
    say(
        f"storm: {plan.airport} closes {plan.start:%H:%M}-{plan.end:%H:%M} UTC; the demo "
        f"starts at {start:%H:%M} UTC, before the first announcement "
        f"({len(events) - len(kept)} earlier events of the day left out)"
    )
    return kept


def _lock_file(_directory: str, names: list[str]) -> list[str]:
    return [name for name in names if name == LOCK_FILE]


async def ensure_memory_template(
    settings: Settings, world: Path, say: Callable[[str], None]
) -> Path | None:
    """The seeded memory directory for the world's seed, built once; None when memory is
    off or lives elsewhere (a Chroma server, a configured path): that is not copied."""
    if not settings.memory.enabled or settings.memory.url or settings.memory.path:
        return None
    template = settings.data_dir / f"{world.stem}-memory"
    if (template / SEEDED_MARK).is_file():
        return template
    partial = template.with_name(template.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(template, ignore_errors=True)
    seeding = settings.model_copy(
        update={"memory": settings.memory.model_copy(update={"path": partial})}
    )
    async with open_memory_for(seeding) as memory:
        if memory is not None:
            await ensure_memory(memory, world, settings, say)
    (partial / SEEDED_MARK).write_text("seeded\n")
    partial.rename(template)
    return template


async def ensure_memory(
    memory: CustomerMemory, template: Path, settings: Settings, say: Callable[[str], None]
) -> None:
    """Give a share of the world's customers a history, once (a memory kept across runs)."""
    from memory.history import ChromaMemory
    from memory.seed import seed_memory

    store = getattr(memory, "memory", memory)  # the store under a batching writer
    if not isinstance(store, ChromaMemory) or await store.count() > 0:
        return
    say(f"seeding customer memory for {DEMO_MEMORY_SHARE:.0%} of the customers (once) ...")
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        elapsed = time.perf_counter() - started
        left = elapsed / done * (total - done) if done else 0.0
        say(f"  memory: {done}/{total} ({done / total:.0%}), about {left:.0f} s left")

    async with open_database(f"sqlite+aiosqlite:///{template}") as db:
        count = await seed_memory(
            store, db, share=DEMO_MEMORY_SHARE, seed=settings.seed.seed, on_progress=progress
        )
    say(f"{count} memories in {time.perf_counter() - started:.1f} s")


async def play_embedded(
    run_settings: Settings,
    events: Sequence[FlightStatusEvent],
    *,
    duration: float | None,
    speed: float | None,
    say: Callable[[str], None],
    stop: asyncio.Event,
    until_done: bool = False,
    memory: CustomerMemory | None = None,
    hold_for_approvals: bool = False,
) -> dict[str, int]:
    """Play `events` into the embedded stream and run the daemon on them.

    Ends at `stop`, after `duration` seconds, or — with `until_done` — once every event
    has been consumed and every message delivered. Returns the run's figures.
    """
    span = (events[-1].emitted_at - events[0].emitted_at).total_seconds()
    if speed is None:
        speed = span / (duration * PLAY_SHARE) if duration else DEFAULT_SPEED
    clock = SimulatedClock(events[0].emitted_at - timedelta(minutes=1), speed=speed)
    say(
        f"playing {len(events)} events at {speed:,.0f}x: at least {span / speed:,.0f} s of real"
        " time (the clock waits at each event the agent has not finished)"
    )
    started = time.monotonic()

    embedded = run_settings.model_copy(update={"source": "embedded"})
    async with open_runtime(embedded, clock, memory=memory) as runtime:
        daemon = runtime.daemon
        deps = runtime.deps
        async with runtime.relaying() as relay:
            daemon_stop = asyncio.Event()
            stream = StreamLimit(clock, runtime.backlog)
            simulator = asyncio.create_task(
                run_simulator(events, runtime.sink, clock, on_sent=stream.sent), name="simulator"
            )
            approvals = ApprovalDesk(runtime.db, clock) if hold_for_approvals else None
            pacer = asyncio.create_task(
                pace(
                    clock,
                    runtime.backlog,
                    approvals,
                    lambda: publish_clock(runtime.db, daemon.claims.owner, clock),
                    stream,
                ),
                name="pacer",
            )
            daemon_task = asyncio.create_task(daemon.run(daemon_stop), name="daemon")
            # Passengers who answer: a scripted few answer their offers over passenger.replies.
            replies = EmbeddedReplies()
            offers = OfferDesk(ToolDeps(deps.db, deps.schedule, deps.board, clock), deps.memory)
            answering = asyncio.create_task(
                answer_offers(runtime.db, replies, clock), name="passengers"
            )
            routing = asyncio.create_task(
                route_replies(replies, offers, daemon_stop), name="replies"
            )
            tasks = [simulator, pacer, daemon_task, relay, answering, routing]
            deadline = time.monotonic() + duration if duration else None
            hinted = False
            last_said = ""
            try:
                while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
                    failed = [t for t in tasks if t.done() and not t.cancelled() and t.exception()]
                    if failed:
                        raise failed[0].exception()  # type: ignore[misc]
                    if until_done and simulator.done() and await runtime.backlog() == 0:
                        break
                    try:
                        await asyncio.wait_for(stop.wait(), 1.0 if until_done else 5.0)
                    except TimeoutError:
                        figures = await run_figures(runtime.db)
                        waiting = figures["awaiting_approval"]
                        progress = (
                            f"events {daemon.stats.events}/{len(events)} "
                            f"| disruptions {figures['disruptions']} | cases {figures['cases']} "
                            f"| rebooked {figures['rebooked']} | notified {figures['notified']}"
                            f" | awaiting approval {waiting}"
                            + (
                                " (time held until decided)"
                                if waiting and hold_for_approvals
                                else ""
                            )
                        )
                        if progress != last_said:  # a held clock would repeat the same line
                            eta = _eta(events, clock, started)
                            say(f"sim {clock.now():%H:%M}Z | {progress}{eta}")
                            last_said = progress
                        if waiting and not hold_for_approvals and not hinted:
                            hinted = True
                            say(
                                f"cases wait for an operator; at {speed:.0f}x their deadlines pass"
                                " in seconds (then the safe default runs): run the demo with"
                                " --hold-for-approvals to decide them on the desk"
                            )
            finally:
                simulator.cancel()
                pacer.cancel()
                answering.cancel()
                daemon_stop.set()
                await replies.close()
                assert runtime.broker is not None  # embedded
                await runtime.broker.close()
                await asyncio.gather(
                    simulator, pacer, daemon_task, answering, routing, return_exceptions=True
                )
        figures = await run_figures(runtime.db)
        ended_at = clock.now()
    say(
        in_words(
            figures,
            events=daemon.stats.events,
            dead_lettered=daemon.stats.dead_lettered,
            span=(events[0].emitted_at, ended_at),
        )
    )
    return {
        "events": daemon.stats.events,
        "disruptions": figures["disruptions"],
        "cases": figures["cases"],
        "rebooked": figures["rebooked"],
        "notified": figures["notified"],
        "awaiting_approval": figures["awaiting_approval"],
        "answers": figures["answers"],
        "dead_lettered": daemon.stats.dead_lettered,
    }


def _eta(events: Sequence[FlightStatusEvent], clock: SimulatedClock, started: float) -> str:
    """How far the simulated day is, and the real time left at the pace so far."""
    span = (events[-1].emitted_at - events[0].emitted_at).total_seconds()
    done = (clock.now() - events[0].emitted_at).total_seconds()
    if span <= 0 or done <= 0:
        return ""
    share = min(done / span, 1.0)
    elapsed = time.monotonic() - started
    left = elapsed / share * (1 - share)
    return f" | {share:.0%} of the day, about {int(left // 60)} min {int(left % 60):02d} s left"


def in_words(
    figures: dict[str, int],
    *,
    events: int,
    dead_lettered: int,
    span: tuple[datetime, datetime],
) -> str:
    """The run's figures as a table an operator reads (the JSON line follows on stdout)."""
    rows = [
        ("flight-status events applied", events),
        ("disruptions", figures["disruptions"]),
        ("passengers affected (cases)", figures["cases"]),
        ("rebooked", figures["rebooked"]),
        ("told (messages sent)", figures["notified"]),
        ("waiting for an operator", figures["awaiting_approval"]),
        ("passengers' answers to offers", figures.get("answers", 0)),
        ("records refused (dead letters)", dead_lettered),
    ]
    width = max(len(label) for label, _ in rows)
    start, end = span
    lines = [f"simulated {start:%a %d %b %H:%M}–{end:%H:%M} UTC:"]
    lines += [f"  {label:<{width}}  {value:>7,}" for label, value in rows]
    return "\n".join(lines)
