"""`travel-agent demo`: everything embedded — a seeded world, the simulated day, the daemon.

The seeded world is built once per seed into a template file in the data directory and
copied fresh for every demo run, so each run starts from the same morning and its
figures are reproducible.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from agent.approvals import ApprovalDesk
from agent.offers import OfferDesk
from agent.replies import route_replies
from airline.clock import SimulatedClock
from airline.schedule import Schedule
from airline.seed import seed_database
from app.demo_passengers import answer_offers
from app.migrate import open_database
from app.runtime import open_runtime
from app.settings import DbSettings, Settings
from app.summary import run_figures
from app.wiring import open_memory_for
from memory.base import CustomerMemory
from streams.events import FlightStatusEvent
from streams.replies import EmbeddedReplies
from streams.simulator import generate_day, run_simulator
from tools.effects import ToolDeps
from travel_agent.db import copy_sqlite

log = logging.getLogger(__name__)

# With --duration, the simulated day is played in this share of it; the rest drains.
PLAY_SHARE = 0.7
DEFAULT_SPEED = 600.0
# The simulated clock waits while this many events are unconsumed, so the agent decides
# at the simulated time its events describe, however fast this machine is.
MAX_BACKLOG = 5
# The demo's customers with a history (`travel-agent seed` gives 18 %): enough to see
# memory at work, seeded in seconds rather than a minute on first start.
DEMO_MEMORY_SHARE = 0.06
# How often the pacer looks (real seconds). At the demo's ~10 000x, 0.05 s is 8 simulated
# minutes: an approval (30 minutes to its deadline) is seen, and time held, well before.
PACE_SECONDS = 0.05

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


async def _pace(
    clock: SimulatedClock,
    backlog: Callable[[], Awaitable[int]],
    approvals: ApprovalDesk | None = None,
) -> None:
    """Hold simulated time while the daemon is behind the feed — a real day does not wait,
    but a demo should: it shows decisions, not lag — and, with `approvals`, while any
    approval waits for an operator (at demo speed its deadline would pass in seconds)."""
    while True:
        waiting = approvals is not None and bool(await approvals.pending(limit=1))
        if await backlog() > MAX_BACKLOG or waiting:
            clock.pause()
        else:
            clock.resume()
        await asyncio.sleep(PACE_SECONDS)


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
    run_dir = settings.data_dir / "demo"
    shutil.rmtree(run_dir, ignore_errors=True)
    copy_sqlite(template, run_dir / "airline.sqlite")
    run_settings = settings.model_copy(update={"data_dir": run_dir, "db": DbSettings()})
    async with open_database(run_settings.db_url) as db:
        schedule = await Schedule.load(db)
    events = generate_day(
        list(schedule.flights.values()), seed=settings.seed.seed, scenario=scenario
    )
    async with AsyncExitStack() as stack:
        memory = await stack.enter_async_context(open_memory_for(settings))
        if memory is not None:
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
    async with open_database(f"sqlite+aiosqlite:///{template}") as db:
        count = await seed_memory(store, db, share=DEMO_MEMORY_SHARE, seed=settings.seed.seed)
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
    say(f"playing {len(events)} events at {speed:.0f}x ({span / speed:.0f} s of real time)")

    embedded = run_settings.model_copy(update={"source": "embedded"})
    async with open_runtime(embedded, clock, memory=memory) as runtime:
        daemon = runtime.daemon
        deps = runtime.agent.deps
        async with runtime.relaying() as relay:
            daemon_stop = asyncio.Event()
            simulator = asyncio.create_task(
                run_simulator(events, runtime.sink, clock), name="simulator"
            )
            approvals = ApprovalDesk(runtime.db, clock) if hold_for_approvals else None
            pacer = asyncio.create_task(_pace(clock, runtime.backlog, approvals), name="pacer")
            daemon_task = asyncio.create_task(daemon.run(daemon_stop), name="daemon")
            # Passengers who answer: a scripted few answer their offers over passenger.replies.
            replies = EmbeddedReplies()
            offers = OfferDesk(ToolDeps(deps.db, deps.schedule, deps.board, clock))
            answering = asyncio.create_task(
                answer_offers(runtime.db, replies, clock), name="passengers"
            )
            routing = asyncio.create_task(
                route_replies(replies, offers, daemon_stop), name="replies"
            )
            tasks = [simulator, pacer, daemon_task, relay, answering, routing]
            deadline = time.monotonic() + duration if duration else None
            hinted = False
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
                        say(
                            f"sim {clock.now():%H:%M}Z"
                            f" | events {daemon.stats.events}/{len(events)} "
                            f"| disruptions {figures['disruptions']} | cases {figures['cases']} "
                            f"| rebooked {figures['rebooked']} | notified {figures['notified']}"
                            f" | awaiting approval {waiting}"
                            + (
                                " (time held until decided)"
                                if waiting and hold_for_approvals
                                else ""
                            )
                        )
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
