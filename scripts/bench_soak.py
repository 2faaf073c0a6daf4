"""Soak: what a long-running daemon's databases and memory grow to, and what retention
gives back.

    .venv/bin/python scripts/bench_soak.py [--cases 10000] [--every 10000]

Seeds the world into a temporary directory, opens the runtime as `travel-agent run`
does (`open_runtime()`, rules reasoner, SQLite database and checkpoints), and cancels
flights one after another — each through `Daemon.handle` (board, triage, one LangGraph
run per case, durable) and the outbox relay — until `--cases` cases have run. Every
`--every` cases, and at the end, it prints the airline database's and the checkpoint
database's size (the file with its WAL, and the bytes in use: pages minus free pages)
and the process's RSS. Then retention runs as its scheduled job would, 100 days later
(checkpoints of finished cases, delivered messages, finished jobs) and seven years
later (the ledger archived), and the sizes are printed again — before and after a
VACUUM, since SQLite reuses freed pages but does not shrink its file by itself.
The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airline.clock import SimulatedClock
from airline.models import FlightStatus
from airline.schedule import Schedule
from airline.seed import seed_database
from app.migrate import open_database
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from streams.base import Position, Received
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, ReasonCode, encode

SERVICE_DATE = date(2026, 3, 1)


def rss_mb() -> float:
    """The process's resident set (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def db_size(path: Path) -> dict[str, float]:
    """The file with its WAL, and the bytes its pages hold (in MB)."""
    files = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    with closing(sqlite3.connect(path)) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return {"file_mb": round(files / 1e6, 1), "used_mb": round((pages - free) * page / 1e6, 1)}


def sizes(settings: Settings, cases: int) -> dict[str, Any]:
    return {
        "cases": cases,
        "airline": db_size(settings.data_dir / "airline.sqlite"),
        "checkpoints": db_size(settings.checkpoint_path),
        "rss_mb": round(rss_mb(), 1),
    }


def say(label: str, figures: dict[str, Any]) -> None:
    a, c = figures["airline"], figures["checkpoints"]
    print(
        f"{label:>28}: {figures['cases']:>6} cases | airline {a['file_mb']:7.1f} MB "
        f"({a['used_mb']:.1f} in use) | checkpoints {c['file_mb']:7.1f} MB "
        f"({c['used_mb']:.1f} in use) | RSS {figures['rss_mb']:.0f} MB",
        flush=True,
    )


async def cancel_until(runtime: Runtime, settings: Settings, target: int, every: int) -> list[Any]:
    schedule = runtime.agent.deps.schedule
    flights = sorted(schedule.flights.values(), key=lambda f: (f.sched_dep, f.key))
    daemon, points, next_report = runtime.daemon, [], every
    for n, flight in enumerate(flights):
        if daemon.stats.cases >= target:
            break
        event = FlightStatusEvent.about(
            flight,
            event_id=f"soak-{n}",
            status=FlightStatus.CANCELLED,
            reason=ReasonCode.CREW,
            emitted_at=runtime.clock.now(),
        )
        position = Position(TOPIC_FLIGHT_STATUS, 0, n)
        await daemon.handle(Received(position, encode(event), flight.key.encode(), event))
        await runtime.relay.drain()
        if daemon.stats.cases >= next_report:
            await daemon.checkpoint()
            points.append(sizes(settings, daemon.stats.cases))
            say(f"after {daemon.stats.cases} cases", points[-1])
            next_report += every
    return points


async def main(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        async with open_database(settings.db_url) as db:
            await seed_database(db, seed=7, service_date=SERVICE_DATE)
            schedule = await Schedule.load(db)
        start = min(f.sched_dep for f in schedule.flights.values()) - timedelta(hours=3)
        clock = SimulatedClock(start, speed=0)
        say("seeded", sizes(settings, 0))
        started = time.perf_counter()
        async with open_runtime(settings, clock) as runtime:
            points = await cancel_until(runtime, settings, args.cases, args.every)
            cases = runtime.daemon.stats.cases
            seconds = time.perf_counter() - started
            grown = sizes(settings, cases)
            say(f"end ({cases / seconds:.0f} cases/s)", grown)
            pruned = (await runtime.retention.run(clock.now() + timedelta(days=100))).as_dict()
            archived = await runtime.retention.run(clock.now() + timedelta(days=7 * 365))
            pruned["ledger_archived"] = archived.ledger_archived
            after = sizes(settings, cases)
            say("after retention", after)
        for path in (settings.data_dir / "airline.sqlite", settings.checkpoint_path):
            with closing(sqlite3.connect(path)) as conn:
                conn.execute("VACUUM")
        vacuumed = sizes(settings, cases)
        say("after retention + VACUUM", vacuumed)
    print(
        json.dumps(
            {
                "cases": cases,
                "seconds": round(seconds, 1),
                "points": points,
                "end": grown,
                "pruned": pruned,
                "after_retention": after,
                "after_vacuum": vacuumed,
            }
        )
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases to run (at least)")
    parser.add_argument("--every", type=int, default=10_000, help="report every this many")
    raise SystemExit(asyncio.run(main(parser.parse_args())))
