"""`ChromaMemory`: the customer-memory port over one Chroma collection.

Every memory is one Chroma record: the text as the document, its vector from our own
embedder (Chroma never embeds, so nothing it ships can download a model), and metadata
``customer_id``, ``kind`` and ``at`` (UTC epoch microseconds; retention filters on it).
Every read and delete is filtered with ``where={"customer_id": ...}`` and the answers
are checked again on our side: no call returns another customer's memory. Recall reads
the customer's memories by that filter and ranks them exactly by cosine distance (a
customer holds a handful; Chroma's filtered HNSW search is the fallback for thousands).
Texts are embedded with a short glossary of travel jargon appended (`memory.glossary`).
A bulk load may leave the embedding to recall (``record_many(..., embed_now=False)``):
its memories are stored with a zero vector, and the first recall of a customer embeds
that customer's and stores the vectors. Nothing but recall reads vectors (the agent reads
a customer's profile and history by metadata), so a seeded history that is never
recalled is never embedded; a zero vector is never a real one (MiniLM's are unit length).

Chroma's client is synchronous; each call runs in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx
import numpy as np
import numpy.typing as npt
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Where

from airline.models import Preferences
from memory.base import CustomerProfile, MemoryKind, MemoryRecord, Recalled
from memory.chroma import close_client
from memory.embeddings import Embedder
from memory.errors import MemoryStoreError, MemoryUnavailableError
from memory.glossary import gloss
from memory.prefs.reader import STATED, CachedReader, PreferenceReader, derive_with
from memory.records import (
    chroma_metadata,
    epoch_us,
    from_chroma,
    make_record,
)
from travel_agent.errors import ConfigError, TravelAgentError
from travel_agent.redact import passenger

if TYPE_CHECKING:
    from memory.policy_index import ChromaPolicyIndex

log = logging.getLogger(__name__)
T = TypeVar("T")
Array = npt.NDArray[np.float32]

DEFAULT_COLLECTION = "customer-memory"
# Up to this many memories of one customer are ranked exactly, in process (see `_recall`).
EXACT_LIMIT = 2000
# Customers per filtered read of many (`preferences_of`): a storm wave's thousands are
# read in a few requests, each filter of a size any Chroma server takes.
IN_LIMIT = 500


class ChromaMemory:
    """Customer memory in one Chroma collection, persistent or on a server.

    Build it with `memory.open_memory`; the constructor blocks (it creates the collection).

    Args:
        client: a Chroma client (persistent or HTTP).
        embedder: turns texts into vectors; the collection remembers which one built it.
        collection: the collection's name.
        on_close: called once by `close` (releases the directory lock).
        reader: how stated preferences are understood (default: the lexicon reader,
            `memory.prefs.lexical`).
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
            from memory.prefs.lexical import LexiconReader

            reader = CachedReader(LexiconReader())
        self._reader = reader
        self._on_close = on_close
        self._closed = False
        self._dimension: int | None = None
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

    async def record_many(self, records: Sequence[MemoryRecord], *, embed_now: bool = True) -> int:
        """Store many memories in batches, embedding each distinct text once — or, with
        `embed_now=False`, at the first recall of each customer (module docstring)."""
        return await self._run("record memories", self._upsert, list(records), embed_now)

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

    async def preferences_of(self, customer_ids: Sequence[str]) -> dict[str, Preferences]:
        """Many customers' preferences, as `profile` derives each, from one filtered read of
        their stated memories (a disruption wave's customers: one read, not one a customer)."""
        wanted = sorted(set(customer_ids))
        if not wanted:
            return {}
        return await self._run("understand preferences", self._preferences_of, wanted)

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

    def _upsert(self, records: list[MemoryRecord], embed_now: bool = True) -> int:
        unique = list({r.id: r for r in records}.values())  # one id twice: the last wins
        for start in range(0, len(unique), self._max_batch):
            batch = unique[start : start + self._max_batch]
            if embed_now:
                texts = list(dict.fromkeys(r.text for r in batch))
                embedded = self._embedder.embed([gloss(t) for t in texts])
                vectors = dict(zip(texts, embedded, strict=True))
                embeddings = [vectors[r.text] for r in batch]
            else:
                embeddings = [self._unembedded()] * len(batch)
            self._collection.upsert(
                ids=[r.id for r in batch],
                documents=[r.text for r in batch],
                embeddings=embeddings,  # type: ignore[arg-type]
                metadatas=[chroma_metadata(r) for r in batch],
            )
        return len(unique)

    def _unembedded(self) -> list[float]:
        """The zero vector that marks a memory to embed at its first recall."""
        if self._dimension is None:
            # The embedder's width; an OpenAI-compatible endpoint's is learnt from one text.
            known = getattr(self._embedder, "dimension", None)
            self._dimension = known or len(self._embedder.embed([gloss("width")])[0])
        return [0.0] * self._dimension

    def _embed_unembedded(self, ids: list[str], documents: list[Any], matrix: Array) -> Array:
        """`matrix` (the vectors of `ids`) with its zero rows embedded from their documents,
        and those vectors stored, so a customer's seeded history is embedded once."""
        waiting = np.flatnonzero(~matrix.any(axis=1))
        if waiting.size == 0:
            return matrix
        texts = [str(documents[i] or "") for i in waiting]
        distinct = list(dict.fromkeys(texts))
        embedded = dict(
            zip(distinct, self._embedder.embed([gloss(t) for t in distinct]), strict=True)
        )
        filled = matrix.copy()
        for row, text in zip(waiting, texts, strict=True):
            filled[row] = embedded[text]
        for start in range(0, waiting.size, self._max_batch):
            rows = waiting[start : start + self._max_batch]
            # A memory forgotten meanwhile is not brought back: update ignores unknown ids.
            self._collection.update(ids=[ids[i] for i in rows], embeddings=filled[rows])
        return filled

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
            matrix = self._embed_unembedded(
                ids, documents, np.asarray(got["embeddings"], dtype=np.float32)
            )
            norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(vector) or 1.0)
            distances = 1.0 - (matrix @ vector) / np.where(norms == 0, 1.0, norms)
            order = np.argsort(distances, kind="stable")[:k]
            picked = [(ids[i], documents[i], metadatas[i], float(distances[i])) for i in order]
        else:
            every = self._collection.get(where=where, include=["embeddings", "documents"])
            self._embed_unembedded(
                every["ids"],
                every["documents"] or [],
                np.asarray(every["embeddings"], dtype=np.float32),
            )
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
            Recalled(record=from_chroma(i, doc, meta), distance=float(dist))
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
            from_chroma(i, doc, meta)
            for i, doc, meta in zip(
                result["ids"], result["documents"] or [], result["metadatas"] or [], strict=True
            )
        ]
        records = [r for r in records if r.customer_id == customer_id]
        return sorted(records, key=lambda r: (r.at, r.id), reverse=True)

    def _preferences_of(self, customer_ids: list[str]) -> dict[str, Preferences]:
        stated: dict[str, list[MemoryRecord]] = {c: [] for c in customer_ids}
        kinds: list[str] = sorted(k.value for k in STATED)
        for start in range(0, len(customer_ids), IN_LIMIT):
            chunk = customer_ids[start : start + IN_LIMIT]
            where = cast(
                Where, {"$and": [{"customer_id": {"$in": chunk}}, {"kind": {"$in": kinds}}]}
            )
            result = self._collection.get(where=where, include=["documents", "metadatas"])
            for i, doc, meta in zip(
                result["ids"], result["documents"] or [], result["metadatas"] or [], strict=True
            ):
                record = from_chroma(i, doc, meta)
                # Checked on our side too: nobody gets another customer's memory.
                if record.customer_id in stated:
                    stated[record.customer_id].append(record)
        return {c: derive_with(self._reader, records) for c, records in stated.items()}

    def _forget(self, customer_id: str) -> int:
        where: Where = {"customer_id": customer_id}
        gone = self._delete_where(where)
        left = self._collection.get(where=where, include=[], limit=1)["ids"]
        if left:
            raise MemoryStoreError(
                f"forgetting customer {customer_id} left memories behind; run it again"
            )
        log.info("forgot customer %s: %d memories erased", passenger(customer_id), gone)
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
