"""Cases, approvals and jobs on PostgreSQL, with LangGraph's PostgreSQL checkpointer.

The airline database and the checkpoints share one real PostgreSQL database (the
embedded default is SQLite for both). A case parks at its approval, the agent is closed
and opened again (a restart), the approval is approved and the case completes once; two
schedulers on the same database fire a due job once (FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.approvals import ApprovalDesk, Decision
from agent.runtime import Daemon
from agent.scheduler import Scheduler
from agent.tables import CaseRow, JobRow
from airline.clock import SimulatedClock
from airline.seed import build_world, write_world
from airline.tables import LedgerRow
from app.migrate import open_database
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource
from tests.unit.test_case_graph import NOW, cancel_and_open, passenger

pytestmark = pytest.mark.integration


def daemon(agent: Agent) -> Daemon:
    return Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker(), follow=False))


@pytest.fixture
async def settings(pg_db_url: str, tmp_path: Path) -> Settings:
    """The seeded world and the checkpoints in one PostgreSQL database; every rebooking
    asks a human, so cases park."""
    async with open_database(pg_db_url) as db:
        await write_world(db, build_world(7, date(2026, 3, 1)))
    return Settings(
        data_dir=tmp_path,
        db={"url": pg_db_url},
        checkpoints={"url": pg_db_url},
        agent={"approvals": {"all_rebookings": True}},
    )


async def test_a_parked_case_resumes_from_postgres_checkpoints(settings: Settings) -> None:
    clock = SimulatedClock(NOW, speed=0)
    async with open_agent(settings, clock) as agent:
        booking = await passenger(agent, connecting=False)
        case = await cancel_and_open(agent, booking.pnr)
        first = daemon(agent)
        await first.run_cases([case])
        assert dict(first.stats.outcomes) == {"awaiting_approval": 1}
    assert not settings.checkpoint_path.exists()  # nothing went to the SQLite default

    async with open_agent(settings, clock) as agent:  # a restarted daemon
        desk = ApprovalDesk(agent.deps.db, clock)
        [approval] = await desk.pending()
        await desk.decide(approval.id, Decision(verdict="approve"), operator="maria")
        restarted, other = daemon(agent), daemon(agent)
        applied = await asyncio.gather(restarted.apply_decisions(), other.apply_decisions())
        assert sorted(applied) == [0, 1]  # the case claim lets one daemon apply it
        async with agent.deps.db.session() as session:
            row = await session.get(CaseRow, case.id)
            actions = sorted(
                await session.scalars(select(LedgerRow.action).where(LedgerRow.pnr == booking.pnr))
            )
        assert row is not None and (row.status, row.outcome) == ("done", "rebooked")
        assert actions == ["care", "compensate", "notify", "rebook", "refund_offer"]


async def test_two_schedulers_on_postgres_fire_each_job_once(settings: Settings) -> None:
    clock = SimulatedClock(NOW, speed=0)
    async with open_agent(settings, clock) as agent:
        booking = await passenger(agent, connecting=False)
        case = await cancel_and_open(agent, booking.pnr)
        await daemon(agent).run_cases([case])
        clock.advance(timedelta(hours=2))
        # Three daemons as three processes would be: one owner each, on hosts of their own.
        # (Owners minted in one process share its pid, and a claim by another owner under
        # our pid reads as a dead earlier process's — true of daemons, one per process —
        # so same-process schedulers would take each other's live claims.)
        schedulers = [
            Scheduler(
                agent.deps.db,
                clock,
                daemon(agent).followups.handlers(),
                owner=f"daemon-{n}.example/1/{n:08x}",
            )
            for n in range(3)
        ]
        ran = await asyncio.gather(*(s.run_due() for s in schedulers))
        async with agent.deps.db.session() as session:
            jobs = (await session.scalars(select(JobRow))).all()
        due = [j for j in jobs if j.due_at <= clock.now()]
        assert due and all((j.status, j.attempts) == ("done", 1) for j in due)
        assert sum(ran) == len(due)
