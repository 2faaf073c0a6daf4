"""Case throughput: one full cancellation and a storm of 50, through the real daemon code.

    .venv/bin/python scripts/bench_cases.py [--storm 50] [--delays 0] [--concurrency 8]
        [--no-settle] [--no-plain]

`--delays N` adds N more hub flights to the storm, delayed by 4 h: news-only cases, which
the daemon settles in bulk (`agent.runtime.settle`) unless `--no-settle`.

Seeds the world once into a temporary directory, then for each scenario copies it fresh
and runs, with the rules reasoner on SQLite:

- graph:  Daemon.handle() per cancellation event, then the end of the backlog closes the
          wave (board → triage → the wave planner → one LangGraph run per case, SQLite
          checkpoints) and the outbox relay sends every message;
- plain:  on another fresh copy, the same wave opened the same way
          (`Daemon.open_cases_for`, planner included) and then, per case, the
          same node functions the graph runs — context, plan, guard, approve, act,
          remember — in the same order, with the same routing and the same database
          I/O, as plain coroutines: no graph, no checkpoints. The graph/plain ratio is
          what LangGraph (its loop, state channels and one checkpoint per case) costs.

Prints cases, seconds until every case is durable, seconds until every passenger is
notified, cases/s, and the graph/plain ratio of wall time and of this process's CPU time
(the one to read on a shared machine, where wall time is mostly waiting for a core);
``--storm 0`` runs the full cancellation only. The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langgraph.runtime import Runtime

from agent.nodes.act import act, after_act
from agent.nodes.approve import approve
from agent.nodes.context import gather_context
from agent.nodes.guard import after_guard, guard_plan
from agent.nodes.plan import make_plan
from agent.nodes.remember import remember
from agent.settings import AgentSettings
from agent.state import CaseState
from airline.clock import SimulatedClock
from airline.models import Flight, FlightStatus
from airline.schedule import Schedule
from airline.seed import seed_database
from app.migrate import open_database
from app.runtime import open_runtime
from app.settings import Settings
from streams.base import Position, Received
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, ReasonCode, encode
from travel_agent.db import copy_sqlite


def cancellation(flight: Flight, at: Any, n: int) -> FlightStatusEvent:
    """The storm's event `n`: its first `--storm` flights are cancelled, the rest
    (`--delays`, `DELAYED`) delayed by `DELAY` (news-only cases: told, and given the
    care owed)."""
    delayed = flight.key in DELAYED
    shift = DELAY if delayed else timedelta()
    return FlightStatusEvent.about(
        flight,
        event_id=f"bench-{n}",
        status=FlightStatus.DELAYED if delayed else FlightStatus.CANCELLED,
        reason=ReasonCode.WEATHER if delayed else ReasonCode.CREW,
        emitted_at=at,
        est_dep=flight.sched_dep + shift,
        est_arr=flight.sched_arr + shift,
    )


DELAY = timedelta(hours=4)
DELAYED: set[str] = set()


def fresh_copy(template: Path, root: Path, name: str) -> Settings:
    run_dir = root / name
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    copy_sqlite(template, run_dir / "airline.sqlite")
    return Settings(
        data_dir=run_dir,
        agent=AgentSettings(concurrency=ARGS.concurrency, settle_news_in_bulk=not ARGS.no_settle),
    )


async def run_graph(
    settings: Settings, flights: list[Flight], clock: SimulatedClock
) -> dict[str, Any]:
    async with open_runtime(settings, clock) as runtime:
        daemon, relay = runtime.daemon, runtime.relay
        started, cpu = time.perf_counter(), time.process_time()
        for n, flight in enumerate(flights):
            # As the stream hands it over: board, triage, cases, each run to durable.
            event = cancellation(flight, clock.now(), n)
            position = Position(TOPIC_FLIGHT_STATUS, 0, n)
            await daemon.handle(Received(position, encode(event), flight.key.encode(), event))
        await daemon.close_wave()  # the end of the backlog
        durable, durable_cpu = time.perf_counter() - started, time.process_time() - cpu
        await relay.drain()
        notified = time.perf_counter() - started
    return {
        "cases": daemon.stats.cases,
        "settled": daemon.stats.settled,
        "durable_s": round(durable, 2),
        "durable_cpu_s": round(durable_cpu, 2),
        "notified_s": round(notified, 2),
        "cases_per_s": round(daemon.stats.cases / durable, 1),
        "outcomes": dict(daemon.stats.outcomes),
    }


async def run_plain(
    settings: Settings, flights: list[Flight], clock: SimulatedClock
) -> tuple[float, float]:
    """The same wave and node functions as plain calls: what the graph costs on top.
    Returns the seconds until every case is durable, wall and CPU (this process's)."""
    async with open_runtime(settings, clock) as opened:
        daemon = opened.daemon
        runtime = Runtime(context=opened.deps)
        slots = asyncio.Semaphore(ARGS.concurrency)

        async def one(state: CaseState) -> None:
            async with slots:
                step = "context"
                while step != "end":
                    if step == "context":
                        state.update(await gather_context(state, runtime))
                        state.update(await make_plan(state, runtime))
                        state.update(await guard_plan(state, runtime))
                        step = "approve" if await after_guard(state) == "approve" else "context"
                    elif step == "approve":
                        if state["verdict"].needs_human:
                            step = "end"  # the graph parks it at interrupt(): a plain call cannot
                            continue
                        command = await approve(state, runtime)
                        state.update(command.update or {})
                        step = str(command.goto)
                    elif step == "act":
                        state.update(await act(state, runtime))
                        step = "context" if await after_act(state) == "context" else "remember"
                    else:
                        state.update(await remember(state, runtime))
                        step = "end"

        started, cpu = time.perf_counter(), time.process_time()
        records = []
        for n, flight in enumerate(flights):
            event = cancellation(flight, clock.now(), n)
            position = Position(TOPIC_FLIGHT_STATUS, 0, n)
            records.append(Received(position, encode(event), flight.key.encode(), event))
        # The wave the graph run's end of backlog closes, opened the same way (planner
        # included), its cases left for the plain calls below.
        cases = await daemon.open_cases_for(records)
        assert cases, "the cancellations opened no case"
        await asyncio.gather(
            *(
                one(
                    {
                        "case_id": c.id,
                        "pnr": c.pnr,
                        "disruption_id": c.disruption_id,
                        "flight_key": c.flight_key,
                        "reason": c.reason,
                        **({"assignment": c.assignment} if c.assignment else {}),
                    }
                )
                for c in cases
            )
        )
        return time.perf_counter() - started, time.process_time() - cpu


async def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="bench-cases-"))
    template = root / "world.sqlite"
    async with open_database(f"sqlite+aiosqlite:///{template}") as db:
        await seed_database(db, seed=7, service_date=date(2026, 3, 1))
        schedule = await Schedule.load(db)
    by_load = sorted(
        schedule.flights.values(),
        key=lambda f: (-sum(c.sold for c in f.cabins), f.key),
    )
    full = next(f for f in by_load if sum(c.capacity for c in f.cabins) == 180)
    hub = max(schedule.airports, key=lambda a: len(schedule.departures(a)))
    storm = sorted(
        (f for f in schedule.flights.values() if hub in (f.origin, f.destination)),
        key=lambda f: (f.sched_dep, f.key),
    )[: ARGS.storm + ARGS.delays]
    DELAYED.update(f.key for f in storm[ARGS.storm :])
    results: dict[str, Any] = {}
    scenarios = [("full_cancellation", [full])] + (
        [(f"storm_{len(storm)}", storm)] if storm else []
    )
    for name, flights in scenarios:
        start = min(f.sched_dep for f in flights) - timedelta(hours=3)
        graph = await run_graph(
            fresh_copy(template, root, f"{name}-graph"), flights, SimulatedClock(start, speed=0)
        )
        graph["cpu_ms_per_case"] = round(graph["durable_cpu_s"] * 1000 / graph["cases"], 1)
        results[name] = graph
        line = (
            f"{name:>20}: {graph['cases']} cases durable in {graph['durable_s']} s "
            f"({graph['cases_per_s']} cases/s; {graph['settled']} settled in bulk), "
            f"all notified at {graph['notified_s']} s; "
            f"CPU {graph['durable_cpu_s']} s ({graph['cpu_ms_per_case']} ms per case)"
        )
        if not ARGS.no_plain:
            plain, plain_cpu = await run_plain(
                fresh_copy(template, root, f"{name}-plain"), flights, SimulatedClock(start, speed=0)
            )
            graph["plain_s"] = round(plain, 2)
            graph["plain_cpu_s"] = round(plain_cpu, 2)
            graph["graph_overhead_ratio"] = round(graph["durable_s"] / plain, 2)
            # CPU time is what a shared machine cannot steal from the comparison.
            graph["graph_overhead_cpu_ratio"] = round(graph["durable_cpu_s"] / plain_cpu, 2)
            line += (
                f"; plain node calls {plain:.2f} s → graph/plain "
                f"{graph['graph_overhead_ratio']}x, CPU {plain_cpu:.2f} s → "
                f"{graph['graph_overhead_cpu_ratio']}x"
            )
        print(f"{line}; {dict(Counter(graph['outcomes']))}")
    shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--storm", type=int, default=50, help="cancellations in the storm")
    parser.add_argument(
        "--delays", type=int, default=0, help="hub flights the storm delays by 4 h, too"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="cases run at once")
    parser.add_argument(
        "--no-plain", action="store_true", help="skip the plain node calls' comparison run"
    )
    parser.add_argument(
        "--no-settle",
        action="store_true",
        help="every case runs its graph (news-only cases are not settled in bulk)",
    )
    ARGS = parser.parse_args()
    raise SystemExit(asyncio.run(main()))
