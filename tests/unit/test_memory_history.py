"""ChromaMemory on a real persistent Chroma directory: recall, isolation, erasure, retention,
idempotence, and one owner per directory."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from memory import (
    ChromaMemory,
    MemoryKind,
    MemoryLockedError,
    MemorySettings,
    MemoryUnavailableError,
    open_chroma_memory,
    open_memory,
)
from memory.chroma import LOCK_FILE
from travel_agent.errors import ConfigError, TravelAgentError

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
OVERNIGHT = "never put me on an overnight flight"


@pytest.fixture
async def memory(tmp_path: Path, minilm: object) -> AsyncIterator[ChromaMemory]:
    async with open_chroma_memory(MemorySettings(path=tmp_path / "memory")) as opened:
        yield opened


async def test_a_paraphrased_preference_is_recalled(memory: ChromaMemory) -> None:
    await memory.record("C1", MemoryKind.PREFERENCE, "Aisle seat, please.", at=NOW)
    await memory.record("C1", MemoryKind.PREFERENCE, OVERNIGHT, at=NOW)
    await memory.record("C1", MemoryKind.OUTCOME, "Rebooked via MUC after a strike.", at=NOW)
    await memory.record("C1", MemoryKind.NOTE, "Lost luggage in Madrid, resolved.", at=NOW)

    hits = await memory.recall("C1", "red-eye departures", k=2)

    assert hits[0].record.text == OVERNIGHT


async def test_recall_is_filtered_to_the_customer(memory: ChromaMemory) -> None:
    await memory.record("C1", MemoryKind.PREFERENCE, OVERNIGHT, at=NOW)
    for n in range(20):
        await memory.record(f"X{n}", MemoryKind.PREFERENCE, f"No red-eyes ({n}).", at=NOW)

    hits = await memory.recall("C1", "red-eye departures", k=10)

    assert [h.record.customer_id for h in hits] == ["C1"]


async def test_nothing_is_found_after_forget(memory: ChromaMemory) -> None:
    await memory.record("C1", MemoryKind.PREFERENCE, OVERNIGHT, at=NOW)
    await memory.record("C1", MemoryKind.NOTE, "Wheelchair to the gate.", at=NOW)

    assert await memory.forget("C1") == 2
    assert await memory.recall("C1", "red-eye departures") == []
    assert await memory.recall("C1", "wheelchair") == []
    assert await memory.history("C1") == []


async def test_prune_removes_memories_by_age(memory: ChromaMemory) -> None:
    old = await memory.record("C1", MemoryKind.OUTCOME, "Refunded.", at=NOW - timedelta(days=800))
    await memory.record("C1", MemoryKind.OUTCOME, "Rebooked.", at=NOW - timedelta(days=5))
    cutoff = MemorySettings(retention_days=730).retention_cutoff(NOW)
    assert cutoff is not None

    assert await memory.prune(cutoff) == 1
    assert old not in {r.id for r in await memory.history("C1")}
    assert await memory.count() == 1


async def test_record_is_idempotent_by_id(memory: ChromaMemory) -> None:
    for _ in range(3):
        await memory.record("C1", MemoryKind.OUTCOME, "Rebooked.", at=NOW, id="case-1:outcome")

    assert await memory.count() == 1


async def test_memories_outlive_the_process_that_wrote_them(tmp_path: Path, minilm: object) -> None:
    settings = MemorySettings(path=tmp_path / "memory")
    async with open_chroma_memory(settings) as memory:
        await memory.record("C1", MemoryKind.PREFERENCE, OVERNIGHT, at=NOW)

    async with open_memory(settings) as reopened:
        hits = await reopened.recall("C1", "red-eye departures")

    assert [h.record.text for h in hits] == [OVERNIGHT]
    assert hits[0].record.at == NOW


async def test_bad_records_are_refused(memory: ChromaMemory) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await memory.record("C1", MemoryKind.NOTE, "x", at=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="text"):
        await memory.record("C1", MemoryKind.NOTE, "  ", at=NOW)
    with pytest.raises(ValueError, match="reserved"):
        await memory.record("C1", MemoryKind.NOTE, "x", at=NOW, metadata={"customer_id": "C2"})


async def test_a_second_owner_of_the_directory_gets_a_clear_error(
    memory: ChromaMemory, tmp_path: Path
) -> None:
    with pytest.raises(MemoryLockedError) as caught:
        async with open_memory(MemorySettings(path=tmp_path / "memory")):
            pass

    assert isinstance(caught.value, TravelAgentError)
    assert caught.value.holder == os.getpid()
    assert str(tmp_path / "memory") in str(caught.value)
    assert f"process {os.getpid()}" in str(caught.value)
    # The first owner is untouched.
    await memory.record("C1", MemoryKind.NOTE, "still mine", at=NOW)
    assert await memory.count() == 1


SECOND_PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from memory import MemoryLockedError, MemorySettings, open_memory

    async def main():
        async with open_memory(MemorySettings(path=Path(sys.argv[1]))):
            pass

    try:
        asyncio.run(main())
    except MemoryLockedError as exc:
        print(f"locked by {exc.holder}: {exc}")
        sys.exit(3)
    """
)


async def test_another_process_cannot_open_an_owned_directory(
    memory: ChromaMemory, tmp_path: Path
) -> None:
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", SECOND_PROCESS, str(tmp_path / "memory")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 3, result.stderr[-2000:]
    assert result.stdout.startswith(f"locked by {os.getpid()}: customer memory at ")
    assert "TRAVEL_AGENT_MEMORY__URL" in result.stdout


async def test_the_directory_is_free_again_after_close(tmp_path: Path, minilm: object) -> None:
    settings = MemorySettings(path=tmp_path / "memory")
    async with open_memory(settings):
        pass
    async with open_memory(settings) as again:
        assert await again.recall("C1", "anything") == []
    assert (tmp_path / "memory" / LOCK_FILE).exists()


async def test_a_collection_built_by_another_embedder_is_refused(
    tmp_path: Path, minilm: object
) -> None:
    from memory.chroma import close_client, persistent_client
    from memory.history import open_collection

    client = persistent_client(tmp_path / "memory")
    open_collection(client, "customer-memory", "openai:text-embedding-3-small")
    close_client(client)

    with pytest.raises(ConfigError, match="openai:text-embedding-3-small"):
        async with open_memory(MemorySettings(path=tmp_path / "memory")):
            pass


async def test_an_unreachable_server_is_reported_as_unavailable(minilm: object) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused

        with pytest.raises(MemoryUnavailableError, match=f"127.0.0.1:{port}") as caught:
            async with open_memory(MemorySettings(url=f"http://127.0.0.1:{port}")):
                pass

    assert caught.value.retriable


async def test_a_customer_with_very_many_memories_is_recalled_through_chroma(
    memory: ChromaMemory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from memory import history as history_module

    await memory.record("C1", MemoryKind.PREFERENCE, "Aisle seat, please.", at=NOW)
    await memory.record("C1", MemoryKind.PREFERENCE, OVERNIGHT, at=NOW)
    await memory.record("C1", MemoryKind.NOTE, "Lost luggage in Madrid.", at=NOW)
    await memory.record("C2", MemoryKind.PREFERENCE, "No red-eyes.", at=NOW)
    exact = await memory.recall("C1", "red-eye departures", k=2)

    monkeypatch.setattr(history_module, "EXACT_LIMIT", 2)
    through_hnsw = await memory.recall("C1", "red-eye departures", k=2)

    assert [h.record.id for h in through_hnsw] == [h.record.id for h in exact]
    assert [h.distance for h in through_hnsw] == pytest.approx(
        [h.distance for h in exact], abs=1e-4
    )


async def test_memories_stored_for_embedding_at_recall_are_recalled_as_if_embedded_at_once(
    tmp_path: Path, minilm: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    import numpy as np

    from memory import history as history_module
    from memory.seed import history_for

    rng = random.Random(3)
    flights = [("XA", 100 + n, "FRA", "JFK") for n in range(20)]
    records = [
        record
        for customer in ("C1", "C2", "C3")
        for _ in range(4)
        for record in history_for(customer, "de", rng, flights, NOW)
    ]
    queries = ["red-eye departures", "how do they want to be contacted", "compensation paid"]
    async with (
        open_chroma_memory(MemorySettings(path=tmp_path / "now")) as now,
        open_chroma_memory(MemorySettings(path=tmp_path / "later")) as later,
    ):
        await now.record_many(records)
        await later.record_many(records, embed_now=False)

        def vectors(memory: ChromaMemory, customer: str) -> dict[str, np.ndarray]:
            got = memory.collection.get(where={"customer_id": customer}, include=["embeddings"])
            return dict(zip(got["ids"], np.asarray(got["embeddings"]), strict=True))

        assert not any(v.any() for v in vectors(later, "C1").values())  # nothing embedded yet
        for customer in ("C1", "C2"):
            for query in queries:
                expected = await now.recall(customer, query, k=3)
                got = await later.recall(customer, query, k=3)
                assert [h.record for h in got] == [h.record for h in expected]
                assert [h.distance for h in got] == pytest.approx(
                    [h.distance for h in expected], abs=1e-5
                )
        # The first recall stored the customer's vectors; another customer's wait.
        stored, reference = vectors(later, "C1"), vectors(now, "C1")
        assert {i: float(stored[i] @ reference[i]) for i in stored} == pytest.approx(
            dict.fromkeys(reference, 1.0), abs=1e-3
        )
        assert not any(v.any() for v in vectors(later, "C3").values())
        # Chroma's own search (a customer with very many memories) embeds them first, too.
        monkeypatch.setattr(history_module, "EXACT_LIMIT", 2)
        through_hnsw = await later.recall("C3", queries[0], k=3)
        monkeypatch.undo()
        expected = await now.recall("C3", queries[0], k=3)
        assert [h.record.id for h in through_hnsw] == [h.record.id for h in expected]
        assert all(v.any() for v in vectors(later, "C3").values())


async def test_many_customers_preferences_are_read_at_once_as_each_profile_reads_them(
    memory: ChromaMemory,
) -> None:
    """A disruption wave reads its customers' preferences in one call
    (`agent.runtime.wave_preferences`): each as that customer's profile derives them,
    nobody given another's, and a customer with no memory present with none."""
    await memory.record("C1", MemoryKind.PREFERENCE, "Please never route me via Frankfurt.", at=NOW)
    await memory.record("C1", MemoryKind.OUTCOME, "rebooked onto XA101", at=NOW)
    await memory.record("C2", MemoryKind.PREFERENCE, OVERNIGHT, at=NOW)
    await memory.record("C3", MemoryKind.PREFERENCE, "Never connect in Paris.", at=NOW)

    found = await memory.preferences_of(["C2", "C1", "C9", "C1"])

    assert sorted(found) == ["C1", "C2", "C9"]
    for customer in ("C1", "C2"):
        assert found[customer] == (await memory.profile(customer)).preferences
    assert "FRA" in found["C1"].avoid_airports or "Frankfurt" in " ".join(found["C1"].avoid_cities)
    assert found["C2"].avoid_overnight and not found["C2"].avoid_cities
    assert found["C9"] == (await memory.profile("C9")).preferences
    assert await memory.preferences_of([]) == {}
