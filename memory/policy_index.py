"""The policy texts in a Chroma collection of their own, searched by meaning (and by words).

The passages are the ones `lookup_policy` searches with BM25 (``tools/policy/texts``);
each keeps its citation. Vector search finds "my flight was scrapped because of the
weather" under "Extraordinary circumstances: storms, ..." where no word is shared; BM25
still wins on exact article numbers. The two rankings are fused (reciprocal rank), so
either kind of question finds its passage.

The collection is rebuilt when the texts change (a fingerprint of the passages is kept
in its metadata). It is a `tools.policy.texts.PolicySearch`: inject it into `ToolDeps`.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from memory.embeddings import Embedder
from memory.glossary import gloss
from tools.policy.texts import Hit, Passage, PolicyIndex, load_passages

DEFAULT_COLLECTION = "policy-passages"
RRF_K = 60  # the usual reciprocal-rank-fusion constant: rank 1 and rank 5 differ, gently


def fingerprint(passages: Sequence[Passage], embedder: str) -> str:
    digest = hashlib.sha256(embedder.encode())
    for p in passages:
        digest.update(f"\x1e{p.source}\x1f{p.title}\x1f{p.citation}\x1f{p.text}".encode())
    return digest.hexdigest()[:32]


class ChromaPolicyIndex:
    """Policy passages by meaning and by words. Build with `open_policy_index` or `build`.

    Args:
        collection: the Chroma collection holding one record per passage.
        embedder: the embedder that built it.
        passages: the passages, in the collection's id order (``p0``, ``p1``, ...).
    """

    def __init__(self, collection: Collection, embedder: Embedder, passages: list[Passage]) -> None:
        self._collection = collection
        self._embedder = embedder
        self.passages = passages
        self._bm25 = PolicyIndex(passages)

    @classmethod
    def build(
        cls,
        client: ClientAPI,
        embedder: Embedder,
        *,
        passages: Sequence[Passage] | None = None,
        collection: str = DEFAULT_COLLECTION,
    ) -> ChromaPolicyIndex:
        """Open the collection, (re)indexing the passages if they changed. Blocking."""
        passages = list(passages if passages is not None else load_passages())
        mark = fingerprint(passages, embedder.name)
        found = client.get_or_create_collection(collection, embedding_function=None)
        if (found.metadata or {}).get("fingerprint") != mark or found.count() != len(passages):
            client.delete_collection(collection)
            found = client.create_collection(
                collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"fingerprint": mark, "embedder": embedder.name},
            )
            if passages:
                texts = [gloss(f"{p.title}. {p.text}") for p in passages]
                found.add(
                    ids=[f"p{i}" for i in range(len(passages))],
                    documents=[p.text for p in passages],
                    embeddings=embedder.embed(texts),  # type: ignore[arg-type]
                    metadatas=[
                        {"title": p.title, "citation": p.citation, "source": p.source}
                        for p in passages
                    ],
                )
        return cls(found, embedder, passages)

    async def search(self, query: str, k: int = 3) -> list[Hit]:
        """The `k` passages that best answer `query`, best first; score: fused, higher is better."""
        if k <= 0 or not query.strip() or not self.passages:
            return []
        return await asyncio.to_thread(self._search, query, k)

    def _search(self, query: str, k: int) -> list[Hit]:
        depth = min(len(self.passages), max(2 * k, 10))
        result = self._collection.query(
            query_embeddings=self._embedder.embed([gloss(query)]),  # type: ignore[arg-type]
            n_results=depth,
            include=[],
        )
        by_meaning = [int(i.removeprefix("p")) for i in result["ids"][0]]
        position = {id(p): i for i, p in enumerate(self.passages)}
        by_words = [position[id(hit.passage)] for hit in self._bm25.search(query, depth)]
        fused: dict[int, float] = {}
        for ranking in (by_meaning, by_words):
            for rank, index in enumerate(ranking):
                fused[index] = fused.get(index, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [Hit(self.passages[index], score) for index, score in best]
