"""Long-term customer memory: ChromaDB with offline embeddings. The only importer of chromadb.

    async with open_memory(settings.memory, data_dir=settings.data_dir) as memory:
        await memory.record(customer_id, MemoryKind.PREFERENCE, "only text me", at=now)
        profile = await memory.profile(customer_id)   # preferences + recent history
        hits = await memory.recall(customer_id, "how do they want to be contacted?")
        await memory.forget(customer_id)

A persistent directory (default ``<data dir>/memory``) is owned by one process; with
``url`` set, memory lives on a Chroma server that several processes share.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memory.base import CustomerMemory, CustomerProfile, MemoryKind, MemoryRecord, Recalled
from memory.config import MemorySettings
from memory.errors import (
    MemoryLockedError,
    MemoryStoreError,
    MemoryUnavailableError,
)

if TYPE_CHECKING:
    from memory.history import ChromaMemory
    from memory.prefs.model import ModelEndpoint

__all__ = [
    "ChromaMemory",
    "CustomerMemory",
    "CustomerProfile",
    "MemoryKind",
    "MemoryLockedError",
    "MemoryRecord",
    "MemorySettings",
    "MemoryStoreError",
    "MemoryUnavailableError",
    "Recalled",
    "open_chroma_memory",
    "open_memory",
]


@asynccontextmanager
async def open_memory(
    settings: MemorySettings,
    *,
    data_dir: Path = Path("data"),
    preference_model: ModelEndpoint | None = None,
) -> AsyncIterator[CustomerMemory]:
    """Customer memory as configured: a Chroma server when ``url`` is set, else the directory.

    Args:
        settings: ``Settings.memory``.
        data_dir: ``Settings.data_dir``; the directory defaults to ``<data_dir>/memory``.
        preference_model: a chat model that reads stated preferences (falling back to the
            embedding reader); None: the embedding reader alone.

    Raises:
        MemoryLockedError: another process owns the directory.
        MemoryUnavailableError: the Chroma server does not answer.
    """
    async with open_chroma_memory(
        settings, data_dir=data_dir, preference_model=preference_model
    ) as memory:
        yield memory


@asynccontextmanager
async def open_chroma_memory(
    settings: MemorySettings,
    *,
    data_dir: Path = Path("data"),
    preference_model: ModelEndpoint | None = None,
) -> AsyncIterator[ChromaMemory]:
    """`open_memory` typed as the adapter, for seeding, benchmarks and the CLI (`record_many`)."""
    memory = await asyncio.to_thread(_open, settings, data_dir, preference_model)
    try:
        yield memory
    finally:
        await memory.close()


def _open(
    settings: MemorySettings, data_dir: Path, preference_model: ModelEndpoint | None
) -> ChromaMemory:
    from memory.chroma import DirectoryLock, http_client, persistent_client
    from memory.embeddings import open_embedder
    from memory.history import ChromaMemory
    from memory.prefs.embedding import EmbeddingReader
    from memory.prefs.model import ModelReader
    from memory.prefs.reader import CachedReader, PreferenceReader

    embedder = open_embedder(settings)
    reader: PreferenceReader = EmbeddingReader(embedder)
    if preference_model is not None:
        reader = ModelReader(preference_model, fallback=CachedReader(reader))
    reader = CachedReader(reader)
    if settings.url is not None:
        try:
            client = http_client(settings)
            return ChromaMemory(client, embedder, collection=settings.collection, reader=reader)
        except BaseException:
            embedder.close()
            raise
    lock = DirectoryLock(settings.directory(data_dir))
    lock.acquire()
    try:
        client = persistent_client(lock.directory)
        return ChromaMemory(
            client,
            embedder,
            collection=settings.collection,
            on_close=lock.release,
            reader=reader,
        )
    except BaseException:
        lock.release()
        embedder.close()
        raise


def __getattr__(name: str) -> Any:
    # chromadb and torch load only when memory is opened, not when the port's types are used.
    if name == "ChromaMemory":
        from memory.history import ChromaMemory

        return ChromaMemory
    raise AttributeError(f"module 'memory' has no attribute {name!r}")
