"""Records that restate what the board holds (heartbeats) take the daemon's fast path:
the board and its table learn the newer event, nothing else happens, and every record is
committed — a repeated or older one counted stale, as on the general path."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from agent.runtime import Daemon
from agent.tables import CaseRow
from airline.clock import EventTimeClock
from airline.tables import BoardRow
from app.settings import Settings
from app.wiring import open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource, StoredRecord
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode

FLIGHT = "XA102/2026-03-01"
EMITTED = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)


async def test_heartbeats_move_the_board_on_and_are_committed(world_path: Path) -> None:
    settings = Settings(data_dir=world_path.parent)
    async with open_agent(settings, EventTimeClock(EMITTED - timedelta(hours=1))) as agent:
        held = agent.deps.board.get(FLIGHT)
        assert held is not None
        flight = agent.deps.schedule.flights[FLIGHT]

        def beat(event_id: str, emitted_at: datetime) -> bytes:
            return encode(
                FlightStatusEvent.about(
                    flight,
                    event_id=event_id,
                    status=held.status,
                    est_dep=held.est_dep,
                    est_arr=held.est_arr,
                    gate=held.gate,
                    emitted_at=emitted_at,
                )
            )

        broker = EmbeddedBroker()
        for value in (
            beat("beat-1", EMITTED),
            beat("beat-1", EMITTED + timedelta(minutes=1)),  # the same event again
            beat("beat-0", EMITTED - timedelta(minutes=1)),  # an older one, late
            beat("beat-2", EMITTED + timedelta(minutes=2)),
        ):
            await broker.append(TOPIC_FLIGHT_STATUS, StoredRecord(FLIGHT.encode(), value))
        source = EmbeddedSource(broker, follow=False)
        daemon = Daemon(agent.deps, agent.graph, source)
        await asyncio.wait_for(daemon.run(asyncio.Event()), 30)

        state = agent.deps.board.get(FLIGHT)
        assert state == held.model_copy(
            update={"event_id": "beat-2", "emitted_at": EMITTED + timedelta(minutes=2)}
        )
        assert (daemon.stats.events, daemon.stats.stale, daemon.stats.cases) == (4, 2, 0)
        assert broker.committed[(source.group, TOPIC_FLIGHT_STATUS)] == 3
        async with agent.deps.db.session() as session:
            row = await session.get(BoardRow, FLIGHT)
            cases = (await session.scalars(select(CaseRow))).all()
        assert row is not None and row.last_event_id == "beat-2"  # written before the commit
        assert not cases
        assert agent.deps.clock.now() >= EMITTED + timedelta(minutes=2)  # the clock followed
