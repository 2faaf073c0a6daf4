"""Scenario memory goes through the memory port and reaches the agent's decisions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from airline.models import ChannelKind, Preferences
from app.eval_cli import EvalHarness
from app.settings import Settings
from evals.runner import ScenarioRunner
from evals.scenario import load_scenario
from evals.suite import run_record
from memory.base import CustomerMemory, CustomerProfile, MemoryKind, MemoryRecord, Recalled

SCENARIOS = Path(__file__).resolve().parents[2] / "evals" / "scenarios"


class KeywordMemory:
    """A stand-in for the real memory: stores records, reads two preferences by keyword."""

    def __init__(self) -> None:
        self.records: list[MemoryRecord] = []

    async def record(
        self,
        customer_id: str,
        kind: MemoryKind,
        text: str,
        *,
        at: datetime,
        metadata: dict[str, Any] | None = None,
        id: str | None = None,
    ) -> str:
        record_id = id or f"m{len(self.records)}"
        self.records.append(
            MemoryRecord(id=record_id, customer_id=customer_id, kind=kind, text=text, at=at)
        )
        return record_id

    async def recall(self, customer_id: str, query: str, k: int = 5) -> list[Recalled]:
        return []

    async def forget(self, customer_id: str) -> int:
        return 0

    async def profile(self, customer_id: str, *, history: int = 10) -> CustomerProfile:
        mine = [r for r in self.records if r.customer_id == customer_id]
        preferences = Preferences()
        for r in mine:
            if "text me" in r.text.lower():
                preferences.channel = ChannelKind.SMS
            if "deutsch" in r.text.lower():
                preferences.language = "de"
        return CustomerProfile(customer_id=customer_id, preferences=preferences, history=mine)

    async def preferences_of(self, customer_ids: Sequence[str]) -> dict[str, Preferences]:
        return {c: (await self.profile(c)).preferences for c in customer_ids}

    async def prune(self, older_than: datetime) -> int:
        return 0

    async def close(self) -> None:
        return None


async def test_memory_entries_are_recorded_and_used(tmp_path: Path) -> None:
    opened: list[KeywordMemory] = []

    @asynccontextmanager
    async def factory(directory: Path) -> AsyncIterator[CustomerMemory]:
        memory = KeywordMemory()
        opened.append(memory)
        yield memory

    runner = ScenarioRunner(EvalHarness(Settings(data_dir=tmp_path)), memory_factory=factory)
    for name in ("memory-preferred-channel", "memory-language"):
        scenario = load_scenario(SCENARIOS / f"{name}.yaml")
        result = await runner.run(scenario)
        record = run_record(result, 1)
        assert record["passed"], record["expectations"]
        memory = opened[-1]
        # The scenario's entry, then what the agent remembered of the case it ran.
        assert [(r.customer_id, r.kind) for r in memory.records] == [
            ("C1", MemoryKind.PREFERENCE),
            ("C1", MemoryKind.OUTCOME),
        ]
        assert memory.records[0].at < result.start  # "-20d": recorded in the past


async def test_without_memory_the_run_says_so(tmp_path: Path) -> None:
    runner = ScenarioRunner(EvalHarness(Settings(data_dir=tmp_path)))
    result = await runner.run(load_scenario(SCENARIOS / "memory-language.yaml"))
    assert result.notes == [
        "1 memory entries not recorded: no customer memory implementation is available"
    ]
