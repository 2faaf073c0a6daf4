"""Retention: finished work is let go of by age, the ledger is archived (never lost), and
the scheduled job runs itself again.

A real cancellation runs through `open_runtime()` on the seeded world (SQLite database,
SQLite checkpoints); retention is then run at later and later times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from agent.scheduler import JobKind
from agent.state import CaseStatus
from agent.tables import CaseRow, JobRow, JobStatus
from airline.clock import SimulatedClock
from airline.models import FlightStatus, ReasonCode
from airline.tables import LedgerArchiveRow, LedgerRow
from app.runtime import Runtime, open_runtime
from app.settings import Settings
from streams.base import Position, Received
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode
from tools.tables import OutboxRow

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
CANCELLED = "XA102/2026-03-01"


async def _cancel(runtime: Runtime) -> int:
    flight = runtime.agent.deps.schedule.flights[CANCELLED]
    event = FlightStatusEvent.about(
        flight,
        event_id="retention-1",
        status=FlightStatus.CANCELLED,
        reason=ReasonCode.CREW,
        emitted_at=NOW,
    )
    record = Received(Position(TOPIC_FLIGHT_STATUS, 0, 0), encode(event), b"k", event)
    await runtime.daemon.handle(record)
    await runtime.daemon.close_wave()  # the wave planner plans it and runs its cases
    await runtime.relay.drain()
    return runtime.daemon.stats.cases


async def _count(runtime: Runtime, row: object, *where: object) -> int:
    async with runtime.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(row).where(*where)) or 0)


async def _threads(runtime: Runtime, case_ids: list[str]) -> int:
    """How many of the cases still have a LangGraph checkpoint."""
    found = 0
    for case_id in case_ids:
        config = {"configurable": {"thread_id": case_id}}
        if await runtime.agent.checkpointer.aget_tuple(config) is not None:  # type: ignore[arg-type]
            found += 1
    return found


async def test_finished_work_goes_by_age_and_the_ledger_moves_to_the_archive(
    world_path: Path, tmp_path: Path
) -> None:
    clock = SimulatedClock(NOW, speed=0)
    async with open_runtime(Settings(data_dir=tmp_path), clock) as runtime:
        cases = await _cancel(runtime)
        assert cases > 50
        async with runtime.db.session() as session:
            ids = list((await session.scalars(select(CaseRow.id))).all())
            keys = set((await session.scalars(select(LedgerRow.idempotency_key))).all())
        sent = await _count(runtime, OutboxRow, OutboxRow.status == "sent")
        assert sent and keys and await _threads(runtime, ids) == len(ids)

        # A day later nothing is old enough.
        report = await runtime.retention.run(NOW + timedelta(days=1))
        assert report.as_dict() == dict.fromkeys(report.as_dict(), 0)

        # After 100 days: checkpoints (30 d) and delivered messages (90 d) go; the ledger stays.
        report = await runtime.retention.run(NOW + timedelta(days=100))
        finished = await _count(runtime, CaseRow, CaseRow.status.in_(["done", "failed"]))
        assert report.checkpoints == finished > 0
        assert await _threads(runtime, ids) == len(ids) - finished
        assert report.outbox == sent
        assert await _count(runtime, OutboxRow, OutboxRow.status == "sent") == 0
        assert report.ledger_archived == 0
        # Run again: nothing is pruned twice.
        again = await runtime.retention.run(NOW + timedelta(days=101))
        assert again.checkpoints == again.outbox == 0

        # After seven years the ledger of finished cases is archived — every row, by key.
        report = await runtime.retention.run(NOW + timedelta(days=7 * 365))
        assert report.ledger_archived == len(keys)
        async with runtime.db.session() as session:
            archived = set((await session.scalars(select(LedgerArchiveRow.idempotency_key))).all())
        assert archived == keys
        assert await _count(runtime, LedgerRow) == 0


async def test_a_case_waiting_for_a_human_keeps_its_checkpoint(
    world_path: Path, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, agent={"approvals": {"all_rebookings": True}})
    async with open_runtime(settings, SimulatedClock(NOW, speed=0)) as runtime:
        await _cancel(runtime)
        waiting = await _count(runtime, CaseRow, CaseRow.status == CaseStatus.AWAITING_APPROVAL)
        assert waiting > 0
        async with runtime.db.session() as session:
            parked = list(
                (
                    await session.scalars(
                        select(CaseRow.id).where(CaseRow.status == CaseStatus.AWAITING_APPROVAL)
                    )
                ).all()
            )
        await runtime.retention.run(NOW + timedelta(days=400))
        assert await _threads(runtime, parked) == len(parked)


async def test_retention_is_a_scheduled_job_that_schedules_the_next(
    world_path: Path, tmp_path: Path
) -> None:
    clock = SimulatedClock(NOW, speed=0)
    async with open_runtime(Settings(data_dir=tmp_path), clock) as runtime:
        retention = (JobRow.kind == JobKind.RETENTION.value, JobRow.status == JobStatus.DUE)
        async with runtime.db.session() as session:
            due = await session.scalar(select(JobRow.due_at).where(*retention))
        assert due == NOW + timedelta(hours=24)
        assert await runtime.daemon.scheduler.run_due() == 0  # not yet
        clock.advance(timedelta(hours=24))
        assert await runtime.daemon.scheduler.run_due() == 1
        async with runtime.db.session() as session:
            after = await session.scalar(select(JobRow.due_at).where(*retention))
            done = await session.scalar(
                select(func.count()).where(
                    JobRow.kind == JobKind.RETENTION.value, JobRow.status == JobStatus.DONE
                )
            )
        assert after == NOW + timedelta(hours=48)
        assert done == 1
    # Opening again (a restart) does not add a second one.
    async with open_runtime(Settings(data_dir=tmp_path), clock) as runtime:
        assert await _count(runtime, JobRow, *retention) == 1
