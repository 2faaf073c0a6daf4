"""The numpy MiniLM gives the vectors sentence-transformers gave, without torch.

`tests/fixtures/embeddings/minilm_reference.json` holds what sentence-transformers 6.3
(torch, CPU) computed for these texts with the same packaged weights: English, German,
French, Spanish, Chinese, jargon, an empty string and a text past the 256-token limit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from memory.embeddings import MINILM_DIMENSION, MiniLmEmbedder

REFERENCE = Path(__file__).parents[1] / "fixtures" / "embeddings" / "minilm_reference.json"


def test_numpy_minilm_matches_sentence_transformers(minilm: MiniLmEmbedder) -> None:
    reference = json.loads(REFERENCE.read_text())
    texts: list[str] = reference["texts"]

    ours = np.array(minilm.embed(texts))
    theirs = np.array(reference["vectors"])

    assert ours.shape == (len(texts), MINILM_DIMENSION)
    cosines = (ours * theirs).sum(axis=1) / (
        np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1)
    )
    worst = int(cosines.argmin())
    assert cosines[worst] >= 0.999, f"{texts[worst][:60]!r}: cosine {cosines[worst]:.6f}"


def test_batching_does_not_change_a_vector(minilm: MiniLmEmbedder) -> None:
    texts = ["short", "a much longer sentence about a cancelled flight and a hotel night", "mid"]

    together = np.array(minilm.embed(texts))
    alone = np.array([minilm.embed([t])[0] for t in texts])

    assert np.allclose(together, alone, atol=1e-5)


def test_a_repeated_text_is_embedded_once_and_returned_in_place(
    minilm: MiniLmEmbedder,
) -> None:
    texts = ["aisle seat please", "a hotel night in Frankfurt", "aisle seat please", "mid"]

    vectors = np.array(minilm.embed(texts))

    assert vectors.shape == (4, 384)
    assert np.array_equal(vectors[0], vectors[2])
    assert np.allclose(vectors, np.array([minilm.embed([t])[0] for t in texts]), atol=1e-5)
    assert minilm.embed([]) == []


def test_embedding_imports_neither_torch_nor_sentence_transformers() -> None:
    probe = (
        "import sys\n"
        "from memory.embeddings import MiniLmEmbedder\n"
        "MiniLmEmbedder().embed(['hello'])\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') "
        "if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_encoding_holds_blas_to_one_thread_and_gives_it_back() -> None:
    from threadpoolctl import ThreadpoolController

    from memory.embeddings import minilm_model
    from memory.minilm import BLAS_THREADS

    model = minilm_model()
    blas = ThreadpoolController().select(user_api="blas")
    before = [lib.num_threads for lib in blas.lib_controllers]
    with model._one_blas_thread():
        # Two threads encoding at once: the second one out must not undo the first's limit.
        with model._one_blas_thread():
            pass
        inside = [
            c.num_threads for c in ThreadpoolController().select(user_api="blas").lib_controllers
        ]
        assert inside and set(inside) == {BLAS_THREADS}
    after = [c.num_threads for c in ThreadpoolController().select(user_api="blas").lib_controllers]
    assert after == before
