"""What a passenger is owed is computed once per case's inputs, shared by the context node
and the guard (`tools.policy.owed_memo`), and computed afresh when an input changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import tools.policy.validate as validate_module
from agent.runtime import Daemon
from airline.clock import SimulatedClock
from airline.models import Cabin, LoyaltyTier
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource
from tests.unit.test_case_graph import CANCELLED, NOW, cancel_and_open, passenger
from tools.policy.owed_memo import OwedMemo
from tools.policy.results import Entitlements


@pytest.fixture
async def agent(world_path: Path, tmp_path: Path) -> AsyncIterator[Agent]:
    async with open_agent(Settings(data_dir=tmp_path), SimulatedClock(NOW, speed=0)) as opened:
        yield opened


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Each computation of what is owed: the option it was for (flights, cabin)."""
    calls: list[tuple[Any, ...]] = []
    real = validate_module.rerouted_entitlements

    def counting(*args: Any, **kwargs: Any) -> Entitlements:
        calls.append((tuple(kwargs["new_flights"] or ()), kwargs["cabin"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(validate_module, "rerouted_entitlements", counting)
    return calls


async def test_a_rebooked_case_computes_what_is_owed_once(
    agent: Agent, computed: list[tuple[Any, ...]]
) -> None:
    booking = await passenger(agent, connecting=False)
    case = await cancel_and_open(agent, booking.pnr)
    runner = Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker(), follow=False))
    await runner.run_cases([case])
    assert dict(runner.stats.outcomes) == {"rebooked": 1}
    # The context node asked for the option it put first; the guard checked the plan's
    # money for the same option against that same answer, without asking again.
    assert len(computed) == 1, computed
    assert computed[0][1] == Cabin.ECONOMY and computed[0][0]


async def test_the_memo_answers_again_only_for_the_same_inputs(agent: Agent) -> None:
    booking = await passenger(agent, connecting=False)
    deps, memo = agent.deps, OwedMemo()
    answers = iter(range(100))

    def ask(flights: list[str] | None = None, **changed: Any) -> object:
        inputs: dict[str, Any] = {
            "booking": booking,
            "tier": LoyaltyTier.NONE,
            "flight_key": CANCELLED,
            "now": NOW,
            "replace_seqs": [1],
            "flights": flights,
            "cabin": Cabin.ECONOMY,
            "policy": None,
        } | changed
        the_booking = inputs.pop("booking")
        return memo.owed(
            deps.schedule,
            deps.board,
            the_booking,
            compute=lambda: next(answers),  # type: ignore[arg-type,return-value]
            **inputs,
        )

    first = ask()
    assert ask() == first and memo.computed == 1
    assert ask(["XA100/2026-03-01"]) != first  # another option
    assert ask(cabin=Cabin.BUSINESS) != first
    assert ask(now=NOW.replace(hour=6)) != first
    assert ask(booking=booking.model_copy()) != first  # the booking read again
    # News about a flight the rules look at replaces its board state: asked afresh.
    state = deps.board.get(CANCELLED)
    assert state is not None
    before = memo.computed
    deps.board.apply_in_memory(state.restated("ev-news", NOW + timedelta(minutes=1)))
    assert ask() != first and memo.computed == before + 1
