"""`ChromaMemory`: the customer-memory port over one Chroma collection.

Every memory is one Chroma record: the text as the document, its vector from our own
embedder (Chroma never embeds, so nothing it ships can download a model), and metadata
``customer_id``, ``kind`` and ``at`` (UTC epoch microseconds; retention filters on it).
Every read and delete is filtered with ``where={"customer_id": ...}`` and the answers
are checked again on our side: no call returns another customer's memory. Recall reads
the customer's memories by that filter and ranks them exactly by cosine distance (a
customer holds a handful; Chroma's filtered HNSW search is the fallback for thousands).
Texts are embedded with a short glossary of travel jargon appended (`memory.glossary`).

Chroma's client is synchronous; each call runs in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Where

from memory.base import CustomerProfile, MemoryKind, MemoryRecord, Recalled
from memory.chroma import close_client
from memory.embeddings import Embedder
from memory.errors import MemoryStoreError, MemoryUnavailableError
from memory.glossary import gloss
from memory.prefs.reader import CachedReader, PreferenceReader, derive_with
from travel_agent.errors import ConfigError, TravelAgentError

if TYPE_CHECKING:
    from memory.policy_index import ChromaPolicyIndex

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_COLLECTION = "customer-memory"
RESERVED = frozenset({"customer_id", "kind", "at"})
# Up to this many memories of one customer are ranked exactly, in process (see `_recall`).
EXACT_LIMIT = 2000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Scalar = str | int | float | bool


def epoch_us(at: datetime) -> int:
    """`at` as integer microseconds since the epoch: exact, and comparable in a `where`."""
    if at.tzinfo is None:
        raise ValueError(f"memory times must be timezone-aware, got {at!r}")
    return (at - _EPOCH) // timedelta(microseconds=1)


def from_epoch_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def memory_id(customer_id: str, kind: MemoryKind, text: str, at: datetime) -> str:
    """A stable id: recording the same memory twice keeps one."""
    key = f"{customer_id}\x1f{kind.value}\x1f{epoch_us(at)}\x1f{text}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def make_record(
    customer_id: str,
    kind: MemoryKind,
    text: str,
    *,
    at: datetime,
    metadata: Mapping[str, Any] | None = None,
    id: str | None = None,
) -> MemoryRecord:
    """A validated record, as `ChromaMemory.record` would store it.

    Raises:
        ValueError: an empty customer id or text, a naive `at`, or metadata that uses a
            reserved key (customer_id, kind, at).
    """
    if not customer_id.strip():
        raise ValueError("a memory needs a customer id")
    if not text.strip():
        raise ValueError("a memory needs a text")
    clash = RESERVED.intersection(metadata or {})
    if clash:
        raise ValueError(f"metadata keys {sorted(clash)} are reserved")
    clean: dict[str, Scalar] = {}
    for key, value in (metadata or {}).items():
        if value is None:
            continue
        clean[str(key)] = value if isinstance(value, str | int | float | bool) else str(value)
    kind = MemoryKind(kind)
    return MemoryRecord(
        id=id or memory_id(customer_id, kind, text, at),
        customer_id=customer_id,
        kind=kind,
        text=text.strip(),
        at=at.astimezone(UTC),
        metadata=clean,
    )


class ChromaMemory:
    """Customer memory in one Chroma collection, persistent or on a server.

    Build it with `memory.open_memory`; the constructor blocks (it creates the collection).

    Args:
        client: a Chroma client (persistent or HTTP).
        embedder: turns texts into vectors; the collection remembers which one built it.
        collection: the collection's name.
        on_close: called once by `close` (releases the directory lock).
        reader: how stated preferences are understood (default: `embedder` against the
            packaged catalogue, `memory.prefs.embedding`).
    """

    def __init__(
        self,
        client: ClientAPI,
        embedder: Embedder,
        *,
        collection: str = DEFAULT_COLLECTION,
        on_close: Callable[[], None] | None = None,
        reader: PreferenceReader | None = None,
    ) -> None:
        self._client = client
        self._embedder = embedder
        if reader is None:
            from memory.prefs.embedding import EmbeddingReader

            reader = CachedReader(EmbeddingReader(embedder))
        self._reader = reader
        self._on_close = on_close
        self._closed = False
        with _translated("open its collection"):
            self._collection = open_collection(client, collection, embedder.name)
            self._max_batch = max(1, client.get_max_batch_size())

    # -- the port ---------------------------------------------------------------------------

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
        """Store one memory; the same `id` (by default derived from it) stores it once."""
        record = make_record(customer_id, kind, text, at=at, metadata=metadata, id=id)
        await self._run("record a memory", self._upsert, [record])
        return record.id

    async def record_many(self, records: Sequence[MemoryRecord]) -> int:
        """Store many memories in batches, embedding each distinct text once."""
        return await self._run("record memories", self._upsert, list(records))

    async def recall(self, customer_id: str, query: str, k: int = 5) -> list[Recalled]:
        """The customer's `k` memories closest in meaning to `query`, closest first."""
        if k <= 0 or not query.strip():
            return []
        return await self._run("recall", self._recall, customer_id, query, k)

    async def forget(self, customer_id: str) -> int:
        """Erase every memory of the customer, then check that none is left."""
        return await self._run("forget a customer", self._forget, customer_id)

    async def profile(self, customer_id: str, *, history: int = 10) -> CustomerProfile:
        """Preferences (with their sources) and the `history` most recent memories."""
        records = await self.history(customer_id)
        preferences = await self._run("understand preferences", derive_with, self._reader, records)
        return CustomerProfile(
            customer_id=customer_id,
            preferences=preferences,
            history=records[: max(0, history)],
        )

    async def history(self, customer_id: str) -> list[MemoryRecord]:
        """Every memory of the customer, most recent first."""
        return await self._run("read a customer's history", self._history, customer_id)

    async def prune(self, older_than: datetime) -> int:
        """Retention: erase every memory recorded before `older_than`."""
        where = cast(Where, {"at": {"$lt": epoch_us(older_than)}})
        return await self._run("prune", self._delete_where, where)

    @property
    def collection(self) -> Any:
        """The Chroma collection underneath (for measuring Chroma's own search beside ours)."""
        return self._collection

    async def count(self) -> int:
        """How many memories the collection holds, over all customers."""
        return await self._run("count", self._collection.count)

    async def policy_index(self, *, collection: str = "policy-passages") -> ChromaPolicyIndex:
        """The policy texts, indexed beside the memories in a collection of their own."""
        from memory.policy_index import ChromaPolicyIndex

        def build() -> ChromaPolicyIndex:
            return ChromaPolicyIndex.build(self._client, self._embedder, collection=collection)

        return await self._run("index the policy texts", build)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await asyncio.to_thread(self._close)

    # -- blocking halves, run in a worker thread -----------------------------------------------

    async def _run(self, action: str, work: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise MemoryStoreError(f"customer memory is closed: cannot {action}")

        def guarded() -> T:
            with _translated(action):
                return work(*args)

        return await asyncio.to_thread(guarded)

    def _upsert(self, records: list[MemoryRecord]) -> int:
        unique = list({r.id: r for r in records}.values())  # one id twice: the last wins
        for start in range(0, len(unique), self._max_batch):
            batch = unique[start : start + self._max_batch]
            texts = list(dict.fromkeys(r.text for r in batch))
            embedded = self._embedder.embed([gloss(t) for t in texts])
            vectors = dict(zip(texts, embedded, strict=True))
            self._collection.upsert(
                ids=[r.id for r in batch],
                documents=[r.text for r in batch],
                embeddings=[vectors[r.text] for r in batch],  # type: ignore[arg-type]
                metadatas=[_metadata(r) for r in batch],
            )
        return len(unique)

    def _recall(self, customer_id: str, query: str, k: int) -> list[Recalled]:
        vector = np.asarray(self._embedder.embed([gloss(query)])[0], dtype=np.float32)
        where: Where = {"customer_id": customer_id}
        # One customer holds a handful of memories: reading them by the metadata filter and
        # ranking them exactly here takes a few ms, where Chroma's filtered HNSW search
        # over 100 000 memories takes ~100. A customer with very many falls back to it.
        got = self._collection.get(
            where=where, include=["embeddings", "documents", "metadatas"], limit=EXACT_LIMIT
        )
        if len(got["ids"]) < EXACT_LIMIT:
            ids, documents, metadatas = got["ids"], got["documents"] or [], got["metadatas"] or []
            if not ids:
                return []
            matrix = np.asarray(got["embeddings"], dtype=np.float32)
            norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(vector) or 1.0)
            distances = 1.0 - (matrix @ vector) / np.where(norms == 0, 1.0, norms)
            order = np.argsort(distances, kind="stable")[:k]
            picked = [(ids[i], documents[i], metadatas[i], float(distances[i])) for i in order]
        else:
            result = self._collection.query(
                query_embeddings=[vector.tolist()],
                n_results=k,
                where=where,
                include=["documents", "metadatas", "distances"],
            )
            picked = list(
                zip(
                    result["ids"][0],
                    (result["documents"] or [[]])[0],
                    (result["metadatas"] or [[]])[0],
                    (result["distances"] or [[]])[0],
                    strict=True,
                )
            )
        recalled = [
            Recalled(record=_record(i, doc, meta), distance=float(dist))
            for i, doc, meta, dist in picked
        ]
        # Belt and braces: the where filter is the guarantee, this is the check.
        foreign = [r for r in recalled if r.record.customer_id != customer_id]
        if foreign:
            raise MemoryStoreError(
                f"the store answered {len(foreign)} memories of other customers to a recall "
                "filtered to one; refusing them"
            )
        return sorted(recalled, key=lambda r: r.distance)

    def _history(self, customer_id: str) -> list[MemoryRecord]:
        result = self._collection.get(
            where={"customer_id": customer_id}, include=["documents", "metadatas"]
        )
        records = [
            _record(i, doc, meta)
            for i, doc, meta in zip(
                result["ids"], result["documents"] or [], result["metadatas"] or [], strict=True
            )
        ]
        records = [r for r in records if r.customer_id == customer_id]
        return sorted(records, key=lambda r: (r.at, r.id), reverse=True)

    def _forget(self, customer_id: str) -> int:
        where: Where = {"customer_id": customer_id}
        gone = self._delete_where(where)
        left = self._collection.get(where=where, include=[], limit=1)["ids"]
        if left:
            raise MemoryStoreError(
                f"forgetting customer {customer_id} left memories behind; run it again"
            )
        log.info("forgot customer %s: %d memories erased", customer_id, gone)
        return gone

    def _delete_where(self, where: Where) -> int:
        ids = self._collection.get(where=where, include=[])["ids"]
        for start in range(0, len(ids), self._max_batch):
            self._collection.delete(ids=ids[start : start + self._max_batch])
        # Anything recorded between the read and the deletes goes too.
        self._collection.delete(where=where)
        return len(ids)

    def _close(self) -> None:
        try:
            self._embedder.close()
            close_client(self._client)
        finally:
            if self._on_close is not None:
                self._on_close()


def open_collection(client: ClientAPI, name: str, embedder: str) -> Collection:
    """The named cosine collection, refusing one that another embedder's vectors fill."""
    collection = client.get_or_create_collection(
        name,
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine"}},
        metadata={"embedder": embedder},
    )
    built = (collection.metadata or {}).get("embedder")
    if built != embedder:
        raise ConfigError(
            f"the Chroma collection {name!r} holds vectors of {built!r}, not of {embedder!r}: "
            "the two do not compare. Use the embeddings it was built with "
            "(TRAVEL_AGENT_MEMORY__EMBEDDINGS) or a new collection "
            "(TRAVEL_AGENT_MEMORY__COLLECTION)"
        )
    return collection


def _metadata(record: MemoryRecord) -> dict[str, Scalar]:
    return {
        **record.metadata,
        "customer_id": record.customer_id,
        "kind": record.kind.value,
        "at": epoch_us(record.at),
    }


def _record(id: str, document: str | None, metadata: Mapping[str, Any] | None) -> MemoryRecord:
    meta = dict(metadata or {})
    try:
        return MemoryRecord(
            id=id,
            customer_id=str(meta.pop("customer_id")),
            kind=MemoryKind(meta.pop("kind")),
            at=from_epoch_us(int(meta.pop("at"))),
            text=document or "",
            metadata={k: v for k, v in meta.items() if isinstance(v, str | int | float | bool)},
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise MemoryStoreError(f"memory {id} is not one of ours: {exc}") from exc


@contextlib.contextmanager
def _translated(action: str) -> Iterator[None]:
    """Chroma's and httpx's errors as ours, at the border (as httpx maps httpcore's)."""
    try:
        yield
    except TravelAgentError:
        raise
    except (httpx.TransportError, ConnectionError, TimeoutError) as exc:
        raise MemoryUnavailableError(f"customer memory could not {action}: {exc}") from exc
    except Exception as exc:  # chromadb raises plain Exceptions from its Rust core
        raise MemoryStoreError(f"customer memory could not {action}: {exc}") from exc
