"""Child process of test_approval_restart: park one case at its approval, then wait to be killed.

python tests/integration/park_and_wait.py DATA_DIR
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agent.runtime import Daemon
from airline.clock import SimulatedClock
from app.settings import Settings
from app.wiring import open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource
from tests.unit.test_case_graph import NOW, cancel_and_open, passenger


async def main(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, agent={"approvals": {"all_rebookings": True}})
    async with open_agent(settings, SimulatedClock(NOW, speed=0)) as agent:
        booking = await passenger(agent, connecting=False)
        case = await cancel_and_open(agent, booking.pnr)
        daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker(), follow=False))
        await daemon.run_cases([case])
        print("PARKED", booking.pnr, case.id, dict(daemon.stats.outcomes), flush=True)
        await asyncio.sleep(3600)  # until SIGKILL


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
