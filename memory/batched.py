"""Memory writes off the critical path: records are queued and stored in batches.

Recording one memory costs an embedding and an index write (about 90 ms on two cores);
batched, the index is written once per batch and nothing is embedded on the write: like a
bulk load (`ChromaMemory.record_many(..., embed_now=False)`), the texts are embedded at the
first recall of their customer, which most outcomes never see (the agent reads profiles
and histories by metadata). A case's outcome is history, not an effect: it may reach
memory a second later.
Reads go straight through, but a profile read of a customer with writes still queued
stores the queue first: a passenger who says "text me from now on" in an answer that
also takes the refund is told of the refund by text (`agent.offers`), not as before.
Closing flushes what is queued; a batch that fails stays queued and is tried again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from airline.models import Preferences
from memory.base import CustomerProfile, MemoryKind, Recalled
from memory.history import ChromaMemory
from memory.records import make_record

log = logging.getLogger(__name__)

# Flush when this many are queued, or after this long, whichever comes first.
BATCH = 128
EVERY_SECONDS = 1.0
# Beyond this many queued (the store is down for long), the oldest are dropped, counted.
MAX_QUEUED = 50_000


class BatchedMemory:
    """A `CustomerMemory` whose `record` queues; use `async with` to run its flusher."""

    def __init__(self, memory: ChromaMemory) -> None:
        self.memory = memory
        self._queue: list[Any] = []
        self._wake = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self.dropped = 0

    async def __aenter__(self) -> BatchedMemory:
        self._flusher = asyncio.create_task(self._flush_periodically(), name="memory-writer")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self.flush()

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
        self._queue.append(record)
        if len(self._queue) > MAX_QUEUED:
            excess = len(self._queue) - MAX_QUEUED
            del self._queue[:excess]
            self.dropped += excess
            log.error("customer memory is not keeping up: %d memories dropped", self.dropped)
        if len(self._queue) >= BATCH:
            self._wake.set()
        return record.id

    async def flush(self) -> int:
        """Store everything queued now; returns how many."""
        batch, self._queue = self._queue, []
        if not batch:
            return 0
        try:
            await self.memory.record_many(batch, embed_now=False)
        except Exception:
            log.exception("storing %d memories failed; trying again", len(batch))
            self._queue[:0] = batch
            return 0
        return len(batch)

    async def _flush_periodically(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), EVERY_SECONDS)
            except TimeoutError:
                pass
            self._wake.clear()
            await self.flush()

    async def recall(self, customer_id: str, query: str, k: int = 5) -> list[Recalled]:
        return await self.memory.recall(customer_id, query, k)

    async def forget(self, customer_id: str) -> int:
        self._queue = [r for r in self._queue if r.customer_id != customer_id]
        return await self.memory.forget(customer_id)

    async def profile(self, customer_id: str, *, history: int = 10) -> CustomerProfile:
        if any(r.customer_id == customer_id for r in self._queue):
            await self.flush()  # read what was said, not what was stored
        return await self.memory.profile(customer_id, history=history)

    async def preferences_of(self, customer_ids: Sequence[str]) -> dict[str, Preferences]:
        return await self.memory.preferences_of(customer_ids)

    async def prune(self, older_than: datetime) -> int:
        return await self.memory.prune(older_than)

    async def close(self) -> None:
        await self.flush()

    def __getattr__(self, name: str) -> Any:  # count, history, policy_index, ...
        return getattr(self.memory, name)
