"""`travel-agent demo`, the README's first command: a simulated day on embedded
everything, with figures at the end — and simulated time held while an approval waits,
when asked, so an operator can decide it on the desk."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from agent.approvals import ApprovalDesk, Decision
from airline.clock import SimulatedClock
from app.demo import _pace, run_demo
from app.settings import Settings
from app.wiring import Agent
from streams.embedded import EmbeddedBroker, EmbeddedSource
from tests.conftest import SEED, SERVICE_DATE
from tests.integration.helpers import wait_until
from tests.unit.test_approvals import agent, clock, parked

__all__ = ["agent", "clock"]  # fixtures


async def test_the_demo_plays_a_day_and_reports_what_the_agent_did(
    world_template: Path, tmp_path: Path
) -> None:
    # The world the demo would seed on first start, already built (seeding is tested
    # elsewhere); no memory (its seeding is too).
    shutil.copy(world_template, tmp_path / f"world-{SEED}-{SERVICE_DATE}.sqlite")
    settings = Settings(data_dir=tmp_path, memory={"enabled": False})
    said: list[str] = []

    figures = await run_demo(
        settings, duration=12, speed=None, say=said.append, stop=asyncio.Event()
    )

    # Time holds while the daemon works through a disruption, so how far the day gets in
    # 12 s depends on the machine; that it gets somewhere and tells passengers, not.
    assert figures["events"] > 0
    assert figures["disruptions"] > 0 and figures["cases"] > 0
    assert figures["notified"] > 0 and figures["dead_lettered"] == 0
    assert any(line.startswith("playing ") for line in said)
    assert any("| cases " in line for line in said)  # progress while it plays


async def test_simulated_time_holds_while_an_approval_waits_and_goes_on_once_decided(
    agent: Agent,
) -> None:
    runner, _pnr, approval_id = await parked(agent)
    demo_clock = SimulatedClock(agent.deps.clock.now(), speed=600)
    broker = EmbeddedBroker()
    desk = ApprovalDesk(agent.deps.db, demo_clock)
    pacer = asyncio.create_task(_pace(demo_clock, EmbeddedSource(broker).backlog, desk))

    async def held_still() -> bool:
        return demo_clock.speed == 0

    async def going() -> bool:
        return demo_clock.speed == 600

    try:
        await wait_until("the pacer to hold time", held_still, within=10, interval=0.02)
        held = demo_clock.now()
        await asyncio.sleep(0.5)
        assert demo_clock.now() == held  # 5 simulated minutes would have passed

        await desk.decide(approval_id, Decision(verdict="approve"), operator="maria")
        assert await runner.apply_decisions() == 1
        await wait_until("time to go on", going, within=10, interval=0.02)
        await asyncio.sleep(0.2)
        assert demo_clock.now() > held
    finally:
        pacer.cancel()
