"""An approval survives the daemon: park a case, SIGKILL the process, restart, approve.

The child process parks one case at its approval and is killed with SIGKILL (no clean
shutdown). A new daemon on the same files still lists the approval; approving it
completes the case exactly once, and a further restart does nothing more.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from agent.approvals import ApprovalDesk, ApprovalStatus, Decision
from agent.runtime import Daemon
from agent.tables import CaseRow
from airline.clock import SimulatedClock
from airline.tables import LedgerRow
from app.settings import Settings
from app.wiring import open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource
from tests.unit.test_case_graph import NOW

CHILD = Path(__file__).with_name("park_and_wait.py")


def park_in_a_process_then_kill_it(data_dir: Path) -> tuple[str, str]:
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().split()
        assert line[:1] == ["PARKED"], line
        assert "awaiting_approval" in " ".join(line)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return line[1], line[2]


async def run_until(daemon: Daemon, done: asyncio.Event) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(daemon.run(stop))
    try:
        await asyncio.wait_for(done.wait(), timeout=60)
    finally:
        stop.set()
        await running


async def test_an_approval_survives_a_killed_daemon_and_completes_once(
    world_path: Path, tmp_path: Path
) -> None:
    pnr, case_id = await asyncio.to_thread(park_in_a_process_then_kill_it, tmp_path)
    settings = Settings(data_dir=tmp_path, agent={"approvals": {"all_rebookings": True}})

    async with open_agent(settings, SimulatedClock(NOW, speed=0)) as agent:
        desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
        [listed] = await desk.pending()
        assert (listed.pnr, listed.case_id) == (pnr, case_id)

        await desk.decide(listed.id, Decision(verdict="approve"), operator="night-shift")
        daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker(), follow=True))
        applied = asyncio.Event()

        async def watch() -> None:
            while (await desk.get(listed.id)).applied_at is None:  # noqa: ASYNC110 (a DB poll)
                await asyncio.sleep(0.1)
            applied.set()

        watcher = asyncio.create_task(watch())
        await run_until(daemon, applied)  # the daemon's own loop applies the decision
        await watcher

        async with agent.deps.db.session() as session:
            row = await session.get(CaseRow, case_id)
            actions = sorted(
                (await session.scalars(select(LedgerRow.action).where(LedgerRow.pnr == pnr))).all()
            )
        assert row is not None and (row.status, row.outcome) == ("done", "rebooked")
        assert actions == ["care", "compensate", "notify", "rebook", "refund_offer"]
        assert (await desk.get(listed.id)).status is ApprovalStatus.APPROVED

    # Restarted once more: nothing is pending and nothing runs twice.
    async with open_agent(settings, SimulatedClock(NOW, speed=0)) as agent:
        again = Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker(), follow=False))
        await again.run(asyncio.Event())
        assert await again.apply_decisions() == 0
        async with agent.deps.db.session() as session:
            rows = await session.scalars(select(LedgerRow).where(LedgerRow.pnr == pnr))
            assert len(rows.all()) == 5  # the five above, once each
