"""The real agent behind the desk's browser tests, with every rebooking asking a human.

The graph and the daemon on the embedded stream, as the demo runs them, in the test's
event loop, with `approvals.all_rebookings` on: a cancellation parks each passenger's
case at an approval (LangGraph `interrupt()`), and the daemon resumes a case within a
second of its approval being decided — in the browser, through the desk.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from sqlalchemy import func, select

from agent.approvals import ApprovalDesk, ApprovalStatus
from agent.metrics import Metrics
from agent.relay import OutboxRelay
from agent.runtime import Daemon
from agent.tables import ApprovalRow, CaseRow
from airline.clock import SimulatedClock
from airline.models import FlightStatus, ReasonCode
from airline.tables import FlightRow, SegmentRow
from app.ops_server import DaemonProbe, OpsServer
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSink, EmbeddedSource, StoredRecord
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode
from tools.channels.log import LogChannel

NOW = datetime.fromisoformat("2026-03-01T05:00:00+00:00")


class DeskAgent:
    def __init__(
        self, agent: Agent, broker: EmbeddedBroker, clock: SimulatedClock, metrics_url: str
    ) -> None:
        self.agent = agent
        self.metrics_url = metrics_url
        """The daemon's Prometheus endpoint (the desk reads dead letters there)."""
        self.db = agent.deps.db
        self.broker = broker
        self.clock = clock
        self.desk = ApprovalDesk(self.db, clock)
        self._handed_out: set[str] = set()
        self._cancelled: list[str] = []

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, settings: Settings) -> AsyncIterator[DeskAgent]:
        """The daemon and the outbox relay on `settings` (all_rebookings must be on)."""
        assert settings.agent.approvals.all_rebookings
        clock = SimulatedClock(NOW, speed=1.0)
        broker = EmbeddedBroker()
        metrics = Metrics()
        async with (
            open_agent(settings, clock) as agent,
            OpsServer(metrics, DaemonProbe(metrics), host="127.0.0.1", port=0) as ops,
        ):
            daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(broker), metrics=metrics)
            relay = OutboxRelay(
                agent.deps.db,
                EmbeddedSink(broker),
                {},
                LogChannel(include_passenger_data=False),
                clock,
            )
            daemon_stop, relay_stop = asyncio.Event(), asyncio.Event()
            tasks = [
                asyncio.create_task(daemon.run(daemon_stop), name="daemon"),
                asyncio.create_task(relay.run(relay_stop), name="relay"),
            ]
            try:
                yield cls(agent, broker, clock, f"{ops.url}/metrics")
                for task in tasks:  # a crash in the background fails the test
                    if task.done() and not task.cancelled() and task.exception():
                        raise task.exception()  # type: ignore[misc]
            finally:
                daemon_stop.set()
                await broker.close()
                await asyncio.gather(tasks[0], return_exceptions=True)
                relay_stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def cause_approval(self) -> str:
        """An approval no test has had yet; cancels a flight when none is left."""
        fresh = await self._fresh()
        if not fresh:
            await self._cancel_a_flight()
            async with asyncio.timeout(60):
                while not (fresh := await self._fresh()):  # noqa: ASYNC110 (polls the DB)
                    await asyncio.sleep(0.1)
        self._handed_out.add(fresh[0])
        return fresh[0]

    async def _fresh(self) -> list[str]:
        pending = await self.desk.pending()
        return [a.id for a in pending if a.id not in self._handed_out]

    async def cancel_a_flight(self) -> str:
        """Cancel another flight now; its key."""
        await self._cancel_a_flight()
        return self._cancelled[-1]

    async def _cancel_a_flight(self) -> None:
        """Cancel the least-booked flight (~100 passengers) on a route flown again later."""
        schedule = self.agent.deps.schedule
        async with self.db.session() as session:
            counts = await session.execute(
                select(SegmentRow.flight_key, func.count())
                .join(FlightRow, FlightRow.key == SegmentRow.flight_key)
                .where(FlightRow.sched_dep > self.clock.now() + timedelta(hours=2))
                .group_by(SegmentRow.flight_key)
                .order_by(func.count(), SegmentRow.flight_key)
            )
            candidates = [key for key, _ in counts.all() if key not in self._cancelled]
        flights = schedule.flights
        for key in candidates:
            flight = flights[key]
            again = [
                f
                for f in flights.values()
                if f.origin == flight.origin
                and f.destination == flight.destination
                and f.sched_dep > flight.sched_dep
            ]
            if again:
                break
        else:
            raise AssertionError("no flight with later ones on its route to cancel")
        self._cancelled.append(key)
        event = FlightStatusEvent.about(
            flight,
            event_id=f"desk-e2e-cancel-{len(self._cancelled)}",
            status=FlightStatus.CANCELLED,
            reason=ReasonCode.TECHNICAL,
            emitted_at=self.clock.now(),
        )
        await self.broker.append(TOPIC_FLIGHT_STATUS, StoredRecord(key.encode(), encode(event)))

    async def wait_until_parked(self) -> int:
        """Once no case is still running (each is done or awaiting its approval): how many wait."""
        async with asyncio.timeout(60):
            while True:
                async with self.db.session() as session:
                    running = await session.scalar(
                        select(func.count()).where(CaseRow.status == "pending")
                    )
                if not running:
                    return len(await self.desk.pending())
                await asyncio.sleep(0.2)

    async def wait_until_done(self, approval_id: str) -> str:
        """The case id, once the daemon has resumed the approval's case to done (60 s at most)."""
        case_id = (await self.desk.get(approval_id)).case_id
        async with asyncio.timeout(60):
            while True:
                async with self.db.session() as session:
                    case = await session.get(CaseRow, case_id)
                    approval = await session.get(ApprovalRow, approval_id)
                if (
                    case is not None
                    and case.status == "done"
                    and approval is not None
                    and approval.status != ApprovalStatus.PENDING
                ):
                    return case_id
                await asyncio.sleep(0.2)
