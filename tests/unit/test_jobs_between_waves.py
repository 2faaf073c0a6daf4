"""On event time, a follow-up job due in the middle of a storm runs between two waves.

A daemon following the stream's time runs due jobs between records, never while a wave is
open (a re-check must see what the wave decided). In a storm every wave's last record is
the first of the next, so "no wave open" never came: a reminder or re-check due at 03:55
waited until the storm ended (on the storm-day benchmark, 32 min of event time after the
clock had passed it, for every job). Now the record that closes a wave lets the jobs due
by its time run first, once the wave is durable, each at its own due time.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from agent.runtime import Daemon
from agent.scheduler import JobKind, schedule_job
from agent.tables import JobRow, JobStatus
from airline.clock import EventTimeClock
from airline.models import FlightStatus
from app.settings import Settings
from app.wiring import open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource, StoredRecord
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, ReasonCode, encode
from travel_agent.db import copy_sqlite

NOW = datetime(2026, 3, 1, 3, 30, tzinfo=UTC)
STEP = timedelta(minutes=10)  # apart more than a wave's window: one wave per record


async def test_a_job_due_mid_storm_runs_at_the_next_wave_boundary(
    world_template: Path, tmp_path: Path
) -> None:
    copy_sqlite(world_template, tmp_path / "airline.sqlite")
    clock = EventTimeClock(NOW)
    async with open_agent(Settings(data_dir=tmp_path), clock) as agent:
        flight = next(
            f
            for f in agent.deps.schedule.flights.values()
            if f.sched_dep >= NOW + timedelta(hours=5)
        )
        broker = EmbeddedBroker()
        # A delay that grows at every record: each is material news, each its own wave.
        for n in range(6):
            delay = timedelta(minutes=30 * (n + 1))
            event = FlightStatusEvent.about(
                flight,
                event_id=f"storm-{n}",
                status=FlightStatus.DELAYED,
                reason=ReasonCode.WEATHER,
                emitted_at=NOW + n * STEP,
                est_dep=flight.sched_dep + delay,
                est_arr=flight.sched_arr + delay,
            )
            await broker.append(
                TOPIC_FLIGHT_STATUS, StoredRecord(flight.key.encode(), encode(event), {})
            )
        await broker.close()  # a backlog: the source ends after it

        due = NOW + 2 * STEP + timedelta(minutes=5)  # between the 3rd and 4th records
        async with agent.deps.db.transaction() as session:
            await schedule_job(
                session,
                agent.deps.db,
                key="test:mid-storm",
                kind=JobKind.REPLY_DEADLINE,
                due_at=due,
                payload={},
            )
        ran_at: list[datetime] = []
        seen_dep: list[datetime] = []

        async def note(payload: dict[str, Any]) -> None:
            ran_at.append(clock.followed)
            state = agent.deps.board.get(flight.key)
            assert state is not None
            seen_dep.append(state.est_dep)

        daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(broker))
        daemon.scheduler.register(JobKind.REPLY_DEADLINE, note)
        await asyncio.wait_for(daemon.run(asyncio.Event()), timeout=600)

        assert daemon.stats.waves == 6, "one wave per record: the storm never paused"
        # It ran when the 4th record (03:30 + 30 min) closed the 3rd wave, before that
        # record was applied (it saw the 3rd delay, 90 min), not at the end of the storm
        # (05:00 is past the last record); and it decided at its own due time, 03:55.
        assert ran_at == [due]
        assert seen_dep == [flight.sched_dep + timedelta(minutes=90)]
        async with agent.deps.db.session() as session:
            status = await session.scalar(
                select(JobRow.status).where(JobRow.key == "test:mid-storm")
            )
        assert status == JobStatus.DONE.value
