"""Policy texts indexed in Chroma for `lookup_policy`: by meaning, with BM25 beside it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from memory import ChromaMemory, MemorySettings, MemoryStoreError, open_chroma_memory
from memory.policy_index import ChromaPolicyIndex
from tools.agent_tools import LookupPolicyArgs, _lookup_policy
from tools.effects import ToolDeps, ToolStatus
from tools.policy.texts import Hit, Passage, PolicySearch, load_passages, lookup


@pytest.fixture
async def memory(tmp_path: Path, minilm: object) -> AsyncIterator[ChromaMemory]:
    async with open_chroma_memory(MemorySettings(path=tmp_path / "memory")) as opened:
        yield opened


async def test_every_passage_is_indexed_with_its_citation(memory: ChromaMemory) -> None:
    index = await memory.policy_index()

    assert len(index.passages) == len(load_passages())
    hits = await index.search("storm cancellation compensation", k=3)
    assert hits[0].passage.citation.startswith("EU261 Art 5(3)")


async def test_a_question_sharing_no_word_finds_its_rule(memory: ChromaMemory) -> None:
    index = await memory.policy_index()
    question = "kid travelling alone"

    hits = await index.search(question, k=3)

    # "Priority for reduced mobility and unaccompanied children": no word in common.
    assert "EU261 Art 11(1)" in [h.passage.citation for h in hits]
    assert "EU261 Art 11(1)" not in [h.passage.citation for h in lookup(question, 3)]


async def test_the_index_is_rebuilt_when_the_texts_change(memory: ChromaMemory) -> None:
    client, embedder = memory._client, memory._embedder
    one = [Passage("Snow", "R1", "Snow closes airports.", "x.md")]
    two = [*one, Passage("Refunds", "R2", "Refunds go back to the card.", "x.md")]

    first = ChromaPolicyIndex.build(client, embedder, passages=one, collection="policy-test")
    assert [h.passage.citation for h in await first.search("blizzard", 5)] == ["R1"]
    second = ChromaPolicyIndex.build(client, embedder, passages=two, collection="policy-test")
    again = ChromaPolicyIndex.build(client, embedder, passages=two, collection="policy-test")

    hits = await second.search("money back on my credit card", 1)
    assert [h.passage.citation for h in hits] == ["R2"]
    assert again._collection.id == second._collection.id  # unchanged texts: not rebuilt


class _Broken:
    async def search(self, query: str, k: int = 3) -> Sequence[Hit]:
        raise MemoryStoreError("the store is down")


async def test_lookup_policy_uses_the_injected_search_and_falls_back_to_bm25(
    memory: ChromaMemory,
) -> None:
    index: PolicySearch = await memory.policy_index()
    args = LookupPolicyArgs(query="kid travelling alone", k=3)

    found = await _lookup_policy(cast(ToolDeps, SimpleNamespace(policy_search=index)), args)
    fallback = await _lookup_policy(cast(ToolDeps, SimpleNamespace(policy_search=_Broken())), args)

    assert found.status is fallback.status is ToolStatus.OK
    assert "EU261 Art 11(1)" in [p["citation"] for p in found.detail["passages"]]
    assert [p["citation"] for p in fallback.detail["passages"]] == [
        h.passage.citation for h in lookup("kid travelling alone", 3)
    ]
