"""A daemon whose clock is moved by hand runs nothing due on a wall-time tick of its own.

The scenario runner freezes simulated time, moves it moment by moment, and runs what
falls due at each moment itself (`evals.runner`). The daemon's wall-time tick beside it
ran a job due at the instant records were published during their wave, or before it,
or after it, as the tick's phase fell: on a loaded machine one member of a travelling
group was moved by a reminder's re-check and the other by the wave's joint plan
(gen-s1-w0, `split`). Driven, it leaves them to the runner.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent.runtime import Daemon, pump
from agent.scheduler import JobKind, schedule_job
from airline.clock import SimulatedClock
from app.settings import Settings
from app.wiring import open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource
from travel_agent.db import copy_sqlite

NOW = datetime(2026, 3, 1, 3, 30, tzinfo=UTC)


async def test_a_driven_daemon_leaves_due_jobs_to_whoever_moves_its_clock(
    world_template: Path, tmp_path: Path
) -> None:
    copy_sqlite(world_template, tmp_path / "airline.sqlite")
    clock = SimulatedClock(NOW, speed=0)
    # A tick every 10 ms: undriven, the job below would run within the wait.
    settings = Settings(data_dir=tmp_path, agent={"scheduler": {"tick_seconds": 0.01}})
    async with open_agent(settings, clock) as agent:
        async with agent.deps.db.transaction() as session:
            await schedule_job(
                session,
                agent.deps.db,
                key="due-now",
                kind=JobKind.REPLY_DEADLINE,
                due_at=NOW,
                payload={},
            )
        ran: list[str] = []

        async def job(payload: dict[str, Any]) -> None:
            ran.append("due-now")

        daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker()))
        daemon.scheduler.register(JobKind.REPLY_DEADLINE, job)
        stop = asyncio.Event()
        running = asyncio.create_task(daemon.run(stop, driven=True))
        await asyncio.sleep(0.5)
        assert ran == []  # the daemon's own loops ran nothing due

        assert await daemon.scheduler.run_due() == 1  # the driver runs it, at its moment
        assert ran == ["due-now"]
        stop.set()
        await running


@pytest.mark.parametrize("driven", [False, True], ids=["own-sweep", "driven"])
async def test_a_driven_daemon_leaves_catching_up_to_whoever_moves_its_clock(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, driven: bool
) -> None:
    """The catch-up takes over pending cases nobody holds and runs them. On the wall-time
    sweep it ran between the driver's moments, wherever the sweep's phase fell; driven,
    only the driver's `catch_up` does, and the claims are still renewed."""
    monkeypatch.setattr(pump, "SWEEP_SECONDS", 0.01)
    copy_sqlite(world_template, tmp_path / "airline.sqlite")
    async with open_agent(Settings(data_dir=tmp_path), SimulatedClock(NOW, speed=0)) as agent:
        daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker()))
        took_over: list[str] = []
        sweeps = asyncio.Event()
        renewed = 0

        async def resume_pending() -> int:
            took_over.append("catch-up")
            return 0

        async def renew() -> None:
            nonlocal renewed
            renewed += 1
            if renewed == 5:
                sweeps.set()

        monkeypatch.setattr(daemon, "resume_pending", resume_pending)
        monkeypatch.setattr(daemon.claims, "renew", renew)
        stop = asyncio.Event()
        running = asyncio.create_task(daemon.run(stop, driven=driven))
        await sweeps.wait()  # five sweeps: claims renewed, driven or not
        # The resume at start is every run's; the sweeps' catch-ups are an own daemon's.
        assert (len(took_over) > 1) is not driven, took_over

        if driven:
            await daemon.catch_up()  # the driver's moment
            assert took_over == ["catch-up"] * 2
        stop.set()
        await running
