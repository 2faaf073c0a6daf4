"""A status event that leaves the gate out does not know it: the gate stays the last one
heard (`LiveBoard.advance`), so the next event naming that gate again is no gate change,
and nobody is told a second time that their gate "is now" the gate they already had."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from agent.runtime import Daemon
from agent.tables import CaseRow, DisruptionRow
from airline.clock import EventTimeClock
from airline.models import FlightStatus
from app.settings import Settings
from app.wiring import open_agent
from streams.base import Position, Received
from streams.embedded import EmbeddedBroker, EmbeddedSource
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode

NOW = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
FLIGHT = "XA102/2026-03-01"  # FRA→LHR 08:20 UTC: its gate is news to its passengers now


async def test_an_event_without_a_gate_keeps_it_and_naming_it_again_is_no_news(
    world_path: Path,
) -> None:
    async with open_agent(Settings(data_dir=world_path.parent), EventTimeClock(NOW)) as agent:
        daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker()))
        flight = agent.deps.schedule.flights[FLIGHT]
        minutes = timedelta(minutes=1)
        events = [
            FlightStatusEvent.about(
                flight, event_id="gate", status=FlightStatus.GATE_CHANGE, gate="B12",
                emitted_at=NOW,
            ),
            # A feed's update that does not state the gate (the schema's gate is optional).
            FlightStatusEvent.about(
                flight, event_id="no-gate", status=FlightStatus.SCHEDULED,
                emitted_at=NOW + 5 * minutes,
            ),
            FlightStatusEvent.about(
                flight, event_id="gate-again", status=FlightStatus.GATE_CHANGE, gate="B12",
                emitted_at=NOW + 10 * minutes,
            ),
        ]  # fmt: skip
        gates = []
        for n, event in enumerate(events):
            record = Received(
                Position(TOPIC_FLIGHT_STATUS, 0, n), encode(event), FLIGHT.encode(), event
            )
            await daemon.handle(record)
            await daemon.close_wave()
            state = agent.deps.board.get(FLIGHT)
            assert state is not None
            gates.append(state.gate)
        async with agent.deps.db.session() as session:
            disruptions = list(
                await session.scalars(
                    select(DisruptionRow.event_id).where(DisruptionRow.kind == "gate_change")
                )
            )
            told = await session.scalar(
                select(func.count()).select_from(CaseRow).where(CaseRow.reason == "gate_change")
            )
    assert disruptions == ["gate"], "only the first event moved the gate"
    assert gates == ["B12", "B12", "B12"]
    assert told, "its passengers were told of gate B12 once"
