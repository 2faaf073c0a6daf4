"""Customer memory in a dict, read by the real preference extractor: for tests that need
what a memory write changes without a Chroma directory and an embedding model."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from memory.base import CustomerProfile, MemoryKind, MemoryRecord, Recalled
from memory.preferences import derive_preferences
from memory.records import make_record


class DictMemory:
    """A `CustomerMemory`: records by id (the same id twice keeps one), preferences by
    `memory.preferences.derive_preferences`."""

    def __init__(self) -> None:
        self.records: dict[str, MemoryRecord] = {}
        self.writes = 0

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
        record = make_record(customer_id, kind, text, at=at, metadata=metadata, id=id)
        self.records[record.id] = record
        self.writes += 1
        return record.id

    def of(self, customer_id: str) -> list[MemoryRecord]:
        mine = [r for r in self.records.values() if r.customer_id == customer_id]
        return sorted(mine, key=lambda r: r.at, reverse=True)

    async def recall(self, customer_id: str, query: str, k: int = 5) -> list[Recalled]:
        return []

    async def forget(self, customer_id: str) -> int:
        mine = [key for key, r in self.records.items() if r.customer_id == customer_id]
        for key in mine:
            del self.records[key]
        return len(mine)

    async def profile(self, customer_id: str, *, history: int = 10) -> CustomerProfile:
        records = self.of(customer_id)
        preferences = await asyncio.to_thread(derive_preferences, records)
        return CustomerProfile(
            customer_id=customer_id, preferences=preferences, history=records[:history]
        )

    async def prune(self, older_than: datetime) -> int:
        old = [key for key, r in self.records.items() if r.at < older_than]
        for key in old:
            del self.records[key]
        return len(old)

    async def close(self) -> None:
        return None
