"""`travel-agent demo`, the README's first command: a simulated day on embedded
everything, with figures at the end — and simulated time held while an approval waits,
when asked, so an operator can decide it on the desk."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from agent.approvals import ApprovalDesk, Decision
from airline.clock import SimulatedClock
from app.demo import run_demo
from app.demo_pacing import pace
from app.settings import Settings
from app.wiring import Agent
from streams.embedded import EmbeddedBroker, EmbeddedSource
from tests.conftest import SEED, SERVICE_DATE
from tests.integration.helpers import wait_until
from tests.unit.test_approvals import agent, clock, parked

__all__ = ["agent", "clock"]  # fixtures


async def test_the_demo_plays_a_day_and_reports_what_the_agent_did(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The world the demo would seed on first start, already built (seeding is tested
    # elsewhere); no memory (its seeding is too). The data directory is relative, as the
    # default `data` is.
    shutil.copy(world_template, tmp_path / f"world-{SEED}-{SERVICE_DATE}.sqlite")
    monkeypatch.chdir(tmp_path.parent)
    settings = Settings(data_dir=Path(tmp_path.name), memory={"enabled": False})
    said: list[str] = []

    figures = await run_demo(
        settings, duration=12, speed=None, say=said.append, stop=asyncio.Event()
    )

    # Time holds while the daemon works through a disruption, so how far the day gets in
    # 12 s depends on the machine; that it gets somewhere and tells passengers, not.
    assert figures["events"] > 0
    assert figures["disruptions"] > 0 and figures["cases"] > 0
    # It says where its data is, for the second terminal, and ends with a table in words.
    assert f"export TRAVEL_AGENT_DATA_DIR={(tmp_path / 'demo').resolve()}" in "\n".join(said)
    assert said[-1].startswith("simulated ") and "passengers affected (cases)" in said[-1]
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
    pacer = asyncio.create_task(pace(demo_clock, EmbeddedSource(broker).backlog, desk))

    async def held_still() -> bool:
        return demo_clock.speed == 0

    async def going() -> bool:
        return demo_clock.speed == 600

    try:
        await wait_until("the pacer to hold time", held_still, stall=10, interval=0.02)
        held = demo_clock.now()
        await asyncio.sleep(0.5)
        assert demo_clock.now() == held  # 5 simulated minutes would have passed

        await desk.decide(approval_id, Decision(verdict="approve"), operator="maria")
        assert await runner.apply_decisions() == 1
        await wait_until("time to go on", going, stall=10, interval=0.02)
        await asyncio.sleep(0.2)
        assert demo_clock.now() > held
    finally:
        pacer.cancel()


async def test_the_storm_demo_starts_at_the_storms_first_announcement(
    world_template: Path,
) -> None:
    from airline.schedule import Schedule
    from app.demo import STORM_LEAD, _from_the_storm
    from streams.simulator import generate_day
    from streams.storm import plan_storm
    from travel_agent.db import Database

    async with Database(f"sqlite+aiosqlite:///{world_template}") as db:
        flights = list((await Schedule.load(db)).flights.values())
    day = generate_day(flights, seed=SEED, scenario="storm")
    said: list[str] = []

    played = _from_the_storm(day, flights, SEED, said.append)

    plan = plan_storm(flights, seed=SEED)
    first = min(c.announced_at for c in plan.cancelled.values())
    assert played and played[0].emitted_at >= first - STORM_LEAD
    # Every storm cancellation is still played, and the day before it is not.
    assert {e.flight_key for e in played if e.status.value == "cancelled"} >= set(plan.cancelled)
    assert len(played) < len(day) and plan.airport in said[0]
