"""The storm benchmark's figures, read from the database a run left (`bench_storm.py`).

Time to notify is each case's first message; messages held for the quiet hours are
counted apart; follow-up lag is given on the event clock and from when the clock reached
the job (`collect`'s docstring says why both). Everything is read from the database the
run left, as an auditor would: the event's emission (`disruptions.emitted_at`), the wall
time the wave's first record was taken (`waves.first_read_wall_at`), the case's decision
(`cases.decided_wall_at`) and the delivery (`outbox.sent_wall_at`); wall time to notify
is split at the decision, so a slow message shows whether deciding or delivering held it.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import select

from agent.tables import CaseRow, DisruptionRow, JobRow, WaveRow
from airline.board import LiveBoard
from airline.models import FlightStatus
from airline.tables import LedgerRow
from tools.tables import OutboxRow, OutboxStatus
from travel_agent.db import Database


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


async def collect(db: Database, started_wall: datetime, emitted: list[datetime]) -> dict[str, Any]:
    """What the database says: time to notify, churn, follow-up lag.

    The backlog is consumed as fast as the daemon can, so its event clock jumps from one
    record to the next: a job due in a night without records runs at the next morning's
    first record. It decides at its own due time (`Daemon.run_due_jobs`), with the state
    the stream had then, so its lag on the event clock (`done_at - due_at`) is its own
    wall time plus any wave window it waited for. The lag from when the clock first
    reached the job's due time (the first record at or after it) was the scheduler's lag
    while jobs decided at that record's time; it is still printed (0 when a job decided
    at its due time, before that record). A job that came due after the last record
    never saw its time on this clock; those are counted apart.
    Messages held for the quiet hours (payload `not_before`) are kept out of the
    event-to-notification figure: their delay is the rule, not the daemon's speed.
    """
    async with db.session() as session:
        notes = (
            await session.execute(
                select(
                    CaseRow.id,
                    CaseRow.decided_wall_at,
                    OutboxRow.sent_at,
                    OutboxRow.sent_wall_at,
                    # Only what the figures read of the message, not its payload:
                    # every payload of a storm day loaded at once was the run's peak.
                    OutboxRow.payload["not_before"].as_string().label("not_before"),
                    DisruptionRow.emitted_at,
                    WaveRow.first_read_wall_at,
                    WaveRow.planned_wall_at,
                    WaveRow.plan_seconds,
                )
                .join(LedgerRow, LedgerRow.idempotency_key == OutboxRow.idempotency_key)
                .join(CaseRow, CaseRow.id == LedgerRow.case_id)
                .join(DisruptionRow, DisruptionRow.id == CaseRow.disruption_id)
                .outerjoin(WaveRow, WaveRow.id == CaseRow.wave_id)
                .where(
                    OutboxRow.status == OutboxStatus.SENT,
                    OutboxRow.topic == "notifications.outbound",
                )
            )
        ).all()
        waves_first = {
            wave_id: planned_wall
            for wave_id, planned_wall in await session.execute(
                select(WaveRow.id, WaveRow.planned_wall_at)
            )
        }
        rebooks = (
            await session.execute(
                select(LedgerRow.pnr, LedgerRow.detail).where(LedgerRow.action == "rebook")
            )
        ).all()
        jobs = (
            await session.execute(select(JobRow.due_at, JobRow.done_at, JobRow.status, JobRow.kind))
        ).all()
        board = LiveBoard()
        await board.load(db)
    # Time to notify is a case's FIRST message (later ones are reminders and follow-ups,
    # sent when they are due, not late).
    first: dict[str, Any] = {}
    for note in notes:
        if note.sent_at and (note.id not in first or note.sent_at < first[note.id].sent_at):
            first[note.id] = note
    held = sum(1 for note in first.values() if note.not_before)
    event_s = [
        (note.sent_at - note.emitted_at).total_seconds()
        for note in first.values()
        if note.emitted_at and not note.not_before
    ]
    # Wall time from the wave's first material record taken (triage, the wave's window
    # and its planning included) to the delivery, and its two parts: until the case was
    # decided (closed), and from then until delivered (the relay's share) -- which of the
    # two a slow notification waited on.
    wall_s = [
        (note.sent_wall_at - start).total_seconds()
        for note in first.values()
        if note.sent_wall_at and (start := _wave_start(note))
    ]
    decide_s = [
        (note.decided_wall_at - start).total_seconds()
        for note in first.values()
        if note.decided_wall_at and (start := _wave_start(note))
    ]
    deliver_s = [
        (note.sent_wall_at - note.decided_wall_at).total_seconds()
        for note in first.values()
        if note.sent_wall_at and note.decided_wall_at
    ]
    # The audit: a case's first message without its event's emission time, its wave's
    # planning, its decision or its delivery wall time cannot be timed from the database.
    unauditable = sum(
        1
        for note in first.values()
        if not (note.emitted_at and note.first_read_wall_at and note.decided_wall_at)
        or not note.sent_wall_at
    )
    per_pnr: dict[str, list[list[str]]] = {}
    for pnr, detail in rebooks:
        per_pnr.setdefault(pnr, []).append(detail["flights"])
    flew = 0
    for itineraries in per_pnr.values():
        final = itineraries[-1]
        states = [board.get(key) for key in final]
        if all(
            s is not None and s.status not in (FlightStatus.CANCELLED, FlightStatus.DIVERTED)
            for s in states
        ):
            flew += 1
    lags = [
        (done - due).total_seconds() / 60
        for due, done, status, _ in jobs
        if done and status == "done"
    ]
    still_due = sum(1 for _, _, status, _ in jobs if status == "due")
    times = sorted(_utc(t) for t in emitted)
    scheduler_lags = []
    due_after_feed = 0
    for due, done, status, _ in jobs:
        reached = bisect_left(times, _utc(due))  # the first record at or after it
        if reached == len(times):
            due_after_feed += 1
        elif done and status == "done":
            scheduler_lags.append(max(0.0, (_utc(done) - times[reached]).total_seconds() / 60))
    return {
        "notified": len(notes),
        "cases_notified": len(first),
        "held_for_quiet_hours": held,
        "notify_event_s": {
            "p50": pct(event_s, 0.5),
            "p95": pct(event_s, 0.95),
            "max": pct(event_s, 1.0),
        },
        "notify_wall_s": {
            "p50": pct(wall_s, 0.5),
            "p95": pct(wall_s, 0.95),
            "max": pct(wall_s, 1.0),
        },
        "decide_wall_s": _spread(decide_s),
        "deliver_wall_s": _spread(deliver_s),
        "unauditable_messages": unauditable,
        "rebookings": len(rebooks),
        "rebooked_passengers": len(per_pnr),
        "churn": round(len(rebooks) / len(per_pnr), 3) if per_pnr else 0.0,
        "final_itinerary_flew": round(flew / len(per_pnr), 3) if per_pnr else 0.0,
        "jobs_done": len(lags),
        "jobs_still_due": still_due,
        "job_lag_min": {"p50": pct(lags, 0.5), "p95": pct(lags, 0.95), "max": pct(lags, 1.0)},
        "job_lag_after_clock_min": {
            "p50": pct(scheduler_lags, 0.5),
            "p95": pct(scheduler_lags, 0.95),
            "max": pct(scheduler_lags, 1.0),
        },
        "jobs_due_after_feed": due_after_feed,
        "waves_recorded": len(waves_first),
    }


def _wave_start(note: Any) -> datetime | None:
    """Wall time the case's wave began: its first record taken, or (waves recorded before
    `first_read_wall_at`) the start of its planning."""
    if note.first_read_wall_at:
        return cast(datetime, note.first_read_wall_at)
    if note.planned_wall_at:
        return cast(datetime, note.planned_wall_at - timedelta(seconds=note.plan_seconds or 0.0))
    return None


def _spread(values: list[float]) -> dict[str, float]:
    return {"p50": pct(values, 0.5), "p95": pct(values, 0.95), "max": pct(values, 1.0)}


def _utc(instant: datetime) -> datetime:
    """SQLite hands datetimes back naive (they were written in UTC)."""
    return instant.astimezone(UTC) if instant.tzinfo else instant.replace(tzinfo=UTC)
