"""open_agent builds the configured reasoner; a model reasoner needs an endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.settings import LlmSettings
from airline.clock import SimulatedClock
from app.settings import Settings
from app.wiring import open_agent
from tests.unit.test_case_graph import NOW
from travel_agent.errors import ConfigError


def test_a_model_reasoner_without_an_endpoint_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRAVEL_AGENT_LLM__BASE_URL", raising=False)
    with pytest.raises((ConfigError, ValueError), match="TRAVEL_AGENT_LLM__BASE_URL"):
        Settings(reasoner="llm")


@pytest.mark.parametrize("reasoner", ["rules", "llm", "hybrid"])
async def test_the_configured_reasoner_is_the_one_that_plans(
    world_path: Path, reasoner: str
) -> None:
    settings = Settings(
        data_dir=world_path.parent,
        reasoner=reasoner,  # type: ignore[arg-type]
        llm=LlmSettings(base_url="http://127.0.0.1:9/v1"),  # never called here
    )
    async with open_agent(settings, SimulatedClock(NOW, speed=0)) as agent:
        assert agent.deps.reasoner.name == reasoner
