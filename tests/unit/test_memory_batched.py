"""Queued memory writes: stored in batches, nothing lost on close, a failed batch retried."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from memory import open_chroma_memory
from memory.base import MemoryKind
from memory.batched import BatchedMemory
from memory.config import MemorySettings

AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


async def test_queued_outcomes_reach_memory_by_the_close_at_the_latest(
    tmp_path: Path, minilm: object
) -> None:
    async with open_chroma_memory(MemorySettings(path=tmp_path / "memory")) as store:
        async with BatchedMemory(store) as memory:
            for n in range(5):
                await memory.record(
                    "C1", MemoryKind.OUTCOME, f"XA10{n} cancelled; rebooked", at=AT, id=f"c{n}"
                )
            assert memory.dropped == 0
        # Closed: everything queued was stored, once each.
        assert await store.count() == 5
        assert [r.text for r in (await store.profile("C1", history=1)).history] == [
            "XA104 cancelled; rebooked"
        ]


async def test_a_failed_batch_stays_queued_and_is_stored_next_time(
    tmp_path: Path, minilm: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_chroma_memory(MemorySettings(path=tmp_path / "memory")) as store:
        memory = BatchedMemory(store)
        await memory.record("C1", MemoryKind.NOTE, "prefers aisle seats", at=AT, id="n1")
        real = store.record_many

        async def down(records: object, **options: object) -> int:
            raise ConnectionError("memory store away")

        monkeypatch.setattr(store, "record_many", down)
        assert await memory.flush() == 0  # failed: kept
        monkeypatch.setattr(store, "record_many", real)
        assert await memory.flush() == 1
        assert await store.count() == 1


async def test_batched_writes_leave_the_embedding_to_the_first_recall(
    tmp_path: Path, minilm: object
) -> None:
    async with open_chroma_memory(MemorySettings(path=tmp_path / "memory")) as store:
        async with BatchedMemory(store) as memory:
            await memory.record("C1", MemoryKind.NOTE, "prefers aisle seats", at=AT, id="n1")
            await memory.record("C1", MemoryKind.OUTCOME, "XA100 cancelled", at=AT, id="o1")
        stored = store.collection.get(ids=["n1", "o1"], include=["embeddings"])
        assert not any(any(vector) for vector in stored["embeddings"])  # not embedded yet

        recalled = await store.recall("C1", "aisle seat", k=1)

        assert [r.record.id for r in recalled] == ["n1"]
        stored = store.collection.get(ids=["n1", "o1"], include=["embeddings"])
        assert all(any(vector) for vector in stored["embeddings"])  # embedded once, kept


async def test_a_profile_reads_what_its_customer_said_even_if_still_queued(
    tmp_path: Path, minilm: object
) -> None:
    async with open_chroma_memory(MemorySettings(path=tmp_path / "memory")) as store:
        async with BatchedMemory(store) as memory:
            await memory.record(
                "C1",
                MemoryKind.PREFERENCE,
                "Text me from now on, please.",
                at=AT,
                metadata={"author": "sms-reply"},
                id="r1",
            )
            await memory.record("C2", MemoryKind.OUTCOME, "XA100 cancelled", at=AT, id="o2")

            profile = await memory.profile("C1")

        assert profile.preferences.channel == "sms"
        assert [r.id for r in profile.history] == ["r1"]
