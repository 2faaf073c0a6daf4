"""Embeddings: the packaged MiniLM loads offline, once per process; OpenAI over plain HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import httpx
import pytest

from memory.config import MemorySettings
from memory.embeddings import (
    MINILM_DIMENSION,
    MiniLmEmbedder,
    OpenAiEmbedder,
    minilm_model,
    open_embedder,
)
from memory.errors import MemoryStoreError, MemoryUnavailableError
from memory.glossary import gloss
from travel_agent.errors import ConfigError

# Run in a fresh interpreter: every socket refused, an empty Hugging Face cache. Loading
# and embedding must still work, so nothing can have been downloaded.
OFFLINE_PROBE = textwrap.dedent(
    """
    import json, os, socket, sys

    def refuse(*args, **kwargs):
        raise OSError("network used while loading the model")

    socket.socket.connect = refuse
    socket.create_connection = refuse
    import asyncio
    from datetime import UTC, datetime
    from pathlib import Path

    from memory import MemoryKind, MemorySettings, open_memory
    from memory.embeddings import MiniLmEmbedder

    vector = MiniLmEmbedder().embed(["never put me on an overnight flight"])[0]

    async def remember():  # and a whole round trip through persistent Chroma
        async with open_memory(MemorySettings(path=Path(sys.argv[1]))) as memory:
            await memory.record("C1", MemoryKind.PREFERENCE, "No red-eyes.", at=datetime.now(UTC))
            return [h.record.text for h in await memory.recall("C1", "overnight flights")]

    print(json.dumps({"dim": len(vector), "offline": os.environ.get("HF_HUB_OFFLINE"),
                      "norm": sum(x * x for x in vector), "recalled": asyncio.run(remember())}))
    """
)


def test_memory_works_with_the_network_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", OFFLINE_PROBE, str(tmp_path / "memory")],
        capture_output=True,
        text=True,
        timeout=300,
        env={"HF_HOME": str(tmp_path / "hf"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["dim"] == MINILM_DIMENSION
    assert probe["offline"] == "1"
    assert probe["norm"] == pytest.approx(1.0, abs=1e-4)
    assert probe["recalled"] == ["No red-eyes."]
    assert not (tmp_path / "hf" / "hub").exists()


def test_minilm_is_loaded_once_per_process(minilm: MiniLmEmbedder) -> None:
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(minilm_model())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(seen) == 4
    assert all(model is seen[0] for model in seen)
    assert isinstance(open_embedder(MemorySettings()), MiniLmEmbedder)


def test_minilm_places_a_paraphrase_nearest(minilm: MiniLmEmbedder) -> None:
    texts = [
        "I prefer an aisle seat.",
        "Never put me on an overnight flight.",
        "Please only text me.",
    ]
    vectors = minilm.embed([gloss(t) for t in texts])
    query = minilm.embed([gloss("red-eye departures")])[0]

    scores = [sum(a * b for a, b in zip(query, v, strict=True)) for v in vectors]

    assert max(range(3), key=scores.__getitem__) == 1


def _endpoint(handler: httpx.MockTransport) -> OpenAiEmbedder:
    return OpenAiEmbedder(
        "https://llm.example/v1", model="text-embedding-3-small", api_key="sk-test",
        transport=handler, batch_size=2,
    )  # fmt: skip


def test_openai_embedder_posts_batches_to_the_embeddings_endpoint() -> None:
    calls: list[dict[str, object]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        calls.append({"url": str(request.url), "auth": request.headers["authorization"], **body})
        data = [
            {"index": i, "embedding": [float(len(text)), 1.0]}
            for i, text in reversed(list(enumerate(body["input"])))
        ]
        return httpx.Response(200, json={"data": data})

    embedder = _endpoint(httpx.MockTransport(answer))

    vectors = embedder.embed(["a", "bb", "ccc"])

    assert vectors == [[1.0, 1.0], [2.0, 1.0], [3.0, 1.0]]
    assert [c["input"] for c in calls] == [["a", "bb"], ["ccc"]]
    assert calls[0]["url"] == "https://llm.example/v1/embeddings"
    assert calls[0]["auth"] == "Bearer sk-test"
    assert calls[0]["model"] == "text-embedding-3-small"
    assert embedder.name == "openai:text-embedding-3-small"
    embedder.close()


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, MemoryUnavailableError), (429, MemoryUnavailableError), (401, MemoryStoreError)],
)
def test_openai_embedder_errors_become_ours(status: int, error: type[Exception]) -> None:
    embedder = _endpoint(httpx.MockTransport(lambda _: httpx.Response(status, text="no")))

    with pytest.raises(error, match=str(status)):
        embedder.embed(["a"])
    embedder.close()


def test_openai_embedder_refuses_an_answer_that_is_not_embeddings() -> None:
    embedder = _endpoint(httpx.MockTransport(lambda _: httpx.Response(200, json={"data": []})))

    with pytest.raises(MemoryStoreError, match="0 vectors for 1"):
        embedder.embed(["a"])
    embedder.close()


def test_openai_embeddings_need_an_endpoint_and_a_real_key() -> None:
    with pytest.raises(ConfigError, match="OPENAI_BASE_URL"):
        MemorySettings(embeddings="openai")
    with pytest.raises(ConfigError, match="placeholder"):
        MemorySettings(
            embeddings="openai", openai_base_url="https://x/v1", openai_api_key="changeme"
        )
    with pytest.raises(ConfigError, match="not a Chroma server URL"):
        MemorySettings(url="chroma:8000")
    configured = MemorySettings(embeddings="openai", openai_base_url="https://x/v1")
    embedder = open_embedder(configured)
    assert isinstance(embedder, OpenAiEmbedder)
    embedder.close()


def test_the_glossary_explains_jargon_and_other_languages() -> None:
    assert gloss("No red-eyes please") == "No red-eyes please (overnight flight departing at night)"
    assert "wheelchair" in gloss("WCHR to the gate")
    assert "aisle seat" in gloss("Ich hätte gern einen Gangplatz.")
    assert gloss("Rebooked onto the next flight.") == "Rebooked onto the next flight."


def test_memory_is_configured_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.settings import Settings

    monkeypatch.setenv("TRAVEL_AGENT_DATA_DIR", "/srv/travel")
    monkeypatch.setenv("TRAVEL_AGENT_MEMORY__URL", "https://chroma.internal:8443")
    monkeypatch.setenv("TRAVEL_AGENT_MEMORY__RETENTION_DAYS", "365")

    settings = Settings()

    assert settings.memory.url == "https://chroma.internal:8443"
    assert settings.memory.retention_days == 365
    assert settings.memory.directory(settings.data_dir) == Path("/srv/travel/memory")
    assert Settings(memory=MemorySettings(path=Path("/m"))).memory.directory(Path("x")) == Path(
        "/m"
    )
