"""One daemon process's worth of parts for a scenario run, and the operator's and
passenger's scripted acts on it (an approval decided, a choice recorded on the desk).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from agent.choices import ChoiceDesk
from agent.relay import OutboxRelay
from agent.runtime import Daemon
from agent.state import CaseStatus
from agent.tables import CaseRow, JobRow, JobStatus, OfferRow
from airline.clock import SimulatedClock
from evals.harness import Harness, ScenarioRuntime
from evals.run_result import RunResult
from evals.scenario import ChoiceSpec, DecisionSpec, Scenario
from evals.scenario_world import split_flight
from memory.base import CustomerMemory
from streams.embedded import EmbeddedBroker
from tools.notifications import is_due
from tools.tables import OutboxRow, OutboxStatus
from travel_agent.db import Database


class LiveDaemon:
    """One daemon process's worth of parts: the application's runtime for the scenario
    (agent, daemon on the embedded stream, outbox relay), the daemon running, and the
    approval desk — opened together, closed (or killed) together."""

    def __init__(
        self,
        stack: AsyncExitStack,
        runtime: ScenarioRuntime,
        desk: Any,
        stop: asyncio.Event,
        task: asyncio.Task[None],
        reopen: Callable[[], Awaitable[LiveDaemon]],
    ) -> None:
        self.stack, self.runtime, self.desk = stack, runtime, desk
        self.stop, self.task = stop, task
        self.reopen = reopen
        """A new daemon on the same database, checkpoints and stream (after a kill)."""

    @property
    def daemon(self) -> Daemon:
        return self.runtime.daemon

    @property
    def relay(self) -> OutboxRelay:
        return self.runtime.relay

    @property
    def db(self) -> Database:
        return self.runtime.db

    @property
    def broker(self) -> EmbeddedBroker:
        broker = self.runtime.broker
        assert broker is not None, "scenarios run on the embedded stream"
        return broker

    @classmethod
    async def open(
        cls,
        harness: Harness,
        directory: Path,
        scenario: Scenario,
        clock: SimulatedClock,
        memory: CustomerMemory | None,
        broker: EmbeddedBroker | None = None,
    ) -> LiveDaemon:
        stack = AsyncExitStack()
        try:
            runtime = await stack.enter_async_context(
                harness.open_runtime(directory, scenario.settings, clock, memory, broker=broker)
            )
        except BaseException:
            await stack.aclose()
            raise
        stop = asyncio.Event()
        # The runner moves the clock and runs what falls due at each moment (`_follow_up`),
        # at the same point of every run: no wall-time tick of the daemon's own.
        task = asyncio.create_task(
            runtime.daemon.run(stop, driven=True), name=f"daemon:{scenario.name}"
        )
        desk = approval_desk(runtime.db, clock)

        async def reopen() -> LiveDaemon:
            return await cls.open(harness, directory, scenario, clock, memory, runtime.broker)

        return cls(stack, runtime, desk, stop, task, reopen)

    async def close(self, *, graceful: bool) -> None:
        """Stop the daemon and close what it had open."""
        await self.stop_daemon(graceful=graceful)
        await self.stack.aclose()

    async def stop_daemon(self, *, graceful: bool) -> None:
        """`graceful`: let it finish the record in hand; else cancel it wherever it is,
        as a killed process stops (its open transactions roll back)."""
        if graceful:
            self.stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self.task), 30)
        if not self.task.done():
            self.task.cancel()
            with contextlib.suppress(BaseException):
                await self.task


# --- operator decisions -----------------------------------------------------------------


def tool_deps(deps: Any) -> Any:
    from tools.effects import ToolDeps

    return ToolDeps(deps.db, deps.schedule, deps.board, deps.clock)


def approval_desk(db: Database, clock: SimulatedClock) -> Any:
    from agent.approvals import ApprovalDesk

    return ApprovalDesk(db, clock)


async def decide(desk: Any, spec: DecisionSpec) -> str:
    from agent.approvals import ApprovalStatus, Decision

    pending = [a for a in await desk.find(status=ApprovalStatus.PENDING) if a.pnr == spec.booking]
    if not pending:
        # The operator decides on the card they have open: the booking's latest approval,
        # which the desk then refuses with its reason (stale, expired, decided).
        pending = [a for a in await desk.find() if a.pnr == spec.booking]
        if not pending:
            return f"{spec.at} {spec.verdict} {spec.booking}: no approval to decide"
    approval = pending[-1]
    try:
        decision = Decision(
            verdict=spec.verdict, option=spec.option, flight=spec.flight, reason=spec.reason
        )
        await desk.decide(approval.id, decision, operator=spec.operator)
    except Exception as exc:
        return f"{spec.at} {spec.verdict} {spec.booking}: refused: {exc}"
    return f"{spec.at} {spec.verdict} {spec.booking}: recorded on {approval.id}"


async def record_choice(desk: ChoiceDesk, spec: ChoiceSpec, result: RunResult) -> str:
    """Record a passenger's choice as the operator desk records it."""
    if spec.answer is not None:
        async with desk.db.session() as session:
            offer = await session.scalar(
                select(OfferRow.id)
                .where(OfferRow.pnr == spec.booking)
                .order_by(OfferRow.created_at.desc())
                .limit(1)
            )
        if offer is None:
            return f"{spec.at} answer {spec.answer} {spec.booking}: no offer to answer"
        recorded = await desk.record_offer_answer(
            offer, spec.booking, spec.answer, chosen_by=spec.by
        )
        return f"{spec.at} answer {spec.answer} {spec.booking} {offer}: " + (
            "recorded" if recorded else "not recorded (one waits already)"
        )
    booking = result.original[spec.booking]
    if spec.flight is not None:
        carrier, number = split_flight(spec.flight)
        flight = f"{carrier}{number}/{(spec.date or result.scenario.world.date).isoformat()}"
    else:
        flight = booking.segments[0].flight_key
    recorded = await desk.record_refund(spec.booking, flight, chosen_by=spec.by, source="desk")
    return f"{spec.at} {spec.choice} {spec.booking} {flight}: " + (
        "recorded" if recorded else "recorded before"
    )


async def pending_cases(db: Database) -> int:
    async with db.session() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(CaseRow)
                .where(CaseRow.status == CaseStatus.PENDING)
            )
            or 0
        )


async def next_due(db: Database, now: datetime) -> list[datetime]:
    """When held messages and scheduled jobs next come due (after `now`)."""
    found: list[datetime] = []
    async with db.session() as session:
        rows = (
            await session.scalars(
                select(OutboxRow.payload).where(OutboxRow.status == OutboxStatus.PENDING)
            )
        ).all()
        for payload in rows:
            if not is_due(payload, now) and payload.get("not_before"):
                found.append(datetime.fromisoformat(payload["not_before"]))
        jobs = (
            await session.scalars(select(JobRow.due_at).where(JobRow.status == JobStatus.DUE))
        ).all()
        found += [due for due in jobs if due > now]
    return found
