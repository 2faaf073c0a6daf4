"""The seeded history: deterministic, varied, in customers' languages, with injected notes."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from airline.tables import CustomerRow
from memory import MemoryKind, MemorySettings, open_chroma_memory
from memory.base import MemoryRecord
from memory.preferences import derive_preferences
from memory.seed import INJECTIONS, history_for, seed_memory
from travel_agent.db import Database

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
FLIGHTS = [("LH", 400, "FRA", "JFK"), ("BA", 117, "LHR", "JFK"), ("AF", 1234, "CDG", "MAD")]


def _histories(n: int, seed: str = "s") -> dict[str, list[MemoryRecord]]:
    rng = random.Random(seed)
    languages = ["en", "de", "fr", "es", "zh", "it"]
    return {
        f"C{i:06d}": history_for(f"C{i:06d}", languages[i % 6], rng, FLIGHTS, AS_OF)
        for i in range(n)
    }


def test_history_is_deterministic_and_before_the_seeded_day() -> None:
    first, again = _histories(300), _histories(300)

    assert first == again
    records = [r for rs in first.values() for r in rs]
    assert all(r.at < AS_OF for r in records)
    assert all(r.metadata["source"] == "seed" for r in records)


def test_history_is_varied_and_yields_preferences() -> None:
    histories = _histories(600)
    records = [r for rs in histories.values() for r in rs]
    kinds = Counter(r.kind for r in records)
    profiles = {c: derive_preferences(rs) for c, rs in histories.items()}

    assert set(kinds) == set(MemoryKind)
    assert all(any(r.kind is MemoryKind.OUTCOME for r in rs) for rs in histories.values())
    assert sum(p.language is not None for p in profiles.values()) > 30
    assert sum(p.avoid_overnight for p in profiles.values()) > 20
    assert sum(bool(p.accessibility) for p in profiles.values()) > 10
    assert {p.language for p in profiles.values()} >= {"de", "fr", "es", "zh"}
    # Some notes try to steer the agent; they are stored as the data they are.
    injected = [r for r in records if any(r.text[:25] in i for i in INJECTIONS)]
    assert injected and all(r.kind is MemoryKind.NOTE for r in injected)
    # Every preference a customer stated derives to something.
    stated = [r for r in records if r.kind is MemoryKind.PREFERENCE]
    assert all(derive_preferences([r]).sources for r in stated)


async def test_seed_memory_gives_a_share_of_customers_a_history_once(
    world_path: Path, tmp_path: Path, minilm: object
) -> None:
    async with (
        Database(f"sqlite+aiosqlite:///{world_path}") as db,
        open_chroma_memory(MemorySettings(path=tmp_path / "memory")) as memory,
    ):
        async with db.session() as session:
            population = await session.scalar(select(func.count()).select_from(CustomerRow))
        recorded = await seed_memory(memory, db, share=0.01, seed=7)
        again = await seed_memory(memory, db, share=0.01, seed=7)
        total = await memory.count()
        metadatas = memory._collection.get(include=["metadatas"])["metadatas"] or []
        remembered = {str(m["customer_id"]) for m in metadatas}
        profile = await memory.profile(min(remembered))
        # Seeding embeds nothing (zero vectors); a customer's first recall embeds theirs.
        seeded = memory.collection.get(include=["embeddings"])["embeddings"]
        recalled = await memory.recall(min(remembered), "how to contact them", k=2)
        after = memory.collection.get(
            where={"customer_id": min(remembered)}, include=["embeddings"]
        )["embeddings"]

    assert recorded == again == total  # recorded twice, stored once
    assert population
    assert 0.005 * population < len(remembered) < 0.02 * population
    assert profile.history and profile.history[0].at < AS_OF
    assert seeded is not None and not seeded.any()
    assert recalled and after is not None and (abs(after).sum(axis=1) > 0).all()
