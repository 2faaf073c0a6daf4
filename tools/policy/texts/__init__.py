"""Policy texts and a small lexical retrieval over them (BM25), for the `lookup_policy` tool.

The passages are short summaries with citations, shipped as package data beside this
module (``*.md``): each starts with ``## title`` and a ``citation:`` line, and runs to the
next heading. The descriptions of `PolicyConfig`'s fields join them, so a question about
a configurable reading finds the setting that encodes it. Until vector memory lands this
is the retrieval: pure Python, no model, deterministic.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from tools.policy.config import PolicyConfig

TEXTS = Path(__file__).resolve().parent

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an and are as at be by can for from has if in into is it its may must no not of on "
    "or than that the then this to under was when which who with".split()
)


@dataclass(frozen=True)
class Passage:
    """One retrievable rule, with the citation that backs it."""

    title: str
    citation: str
    text: str
    source: str
    """The file (or ``PolicyConfig``) it comes from."""


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


def load_passages(root: Path = TEXTS) -> list[Passage]:
    """Every passage of the ``*.md`` files under `root`, then `PolicyConfig`'s settings."""
    passages: list[Passage] = []
    for path in sorted(root.glob("*.md")):
        passages.extend(parse(path.read_text(encoding="utf-8"), source=path.name))
    for name, info in PolicyConfig.model_fields.items():
        if info.description:
            passages.append(
                Passage(
                    title=f"setting {name}",
                    citation=f"PolicyConfig.{name}",
                    text=info.description,
                    source="PolicyConfig",
                )
            )
    return passages


def parse(markdown: str, *, source: str) -> list[Passage]:
    """The ``## title`` / ``citation:`` passages of one file; text before the first is skipped.

    Raises:
        ValueError: a passage has no ``citation:`` line or no text.
    """
    passages = []
    for block in re.split(r"^## ", markdown, flags=re.MULTILINE)[1:]:
        title, _, body = block.partition("\n")
        first, _, rest = body.strip().partition("\n")
        if not first.startswith("citation:") or not rest.strip():
            raise ValueError(f"{source}: passage {title.strip()!r} needs a citation: line and text")
        passages.append(
            Passage(
                title=title.strip(),
                citation=first.removeprefix("citation:").strip(),
                text=" ".join(rest.split()),
                source=source,
            )
        )
    return passages


def tokens(text: str) -> list[str]:
    """Lower-cased words without stop words, crudely stemmed (plurals, -ed, -ing, 6 letters).

    Crude on purpose: "cancelled", "cancellation" and "cancel" meet at "cancel", "storms"
    and "storm" at "storm"; a stemmer that is wrong now and then costs little over a few
    dozen passages.
    """
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOP]


def _stem(word: str) -> str:
    if word.isdigit():
        return word
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    return word[:6]


class PolicyIndex:
    """Okapi BM25 over passages (title, citation and text).

    Args:
        passages: what to search.
        k1: term-frequency saturation.
        b: how much a long passage is penalised.
    """

    def __init__(self, passages: Iterable[Passage], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.passages = list(passages)
        self._k1, self._b = k1, b
        self._tf = [Counter(tokens(f"{p.title} {p.citation} {p.text}")) for p in self.passages]
        self._length = [sum(tf.values()) for tf in self._tf]
        self._avg = sum(self._length) / len(self._length) if self._length else 0.0
        df: Counter[str] = Counter(term for tf in self._tf for term in tf)
        n = len(self.passages)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def search(self, query: str, k: int = 3) -> list[Hit]:
        """The `k` best passages for `query`, best first; passages sharing no word are left out."""
        terms = list(dict.fromkeys(tokens(query)))
        scored = []
        for i, tf in enumerate(self._tf):
            score = sum(self._term(t, tf, self._length[i]) for t in terms if t in tf)
            if score > 0:
                scored.append(Hit(self.passages[i], score))
        scored.sort(key=lambda hit: -hit.score)
        return scored[:k]

    def _term(self, term: str, tf: Counter[str], length: int) -> float:
        f = tf[term]
        norm = self._k1 * (1 - self._b + self._b * length / self._avg)
        return self._idf[term] * f * (self._k1 + 1) / (f + norm)


class PolicySearch(Protocol):
    """Another retrieval over these passages (e.g. by meaning, in `memory.policy_index`).

    `lookup_policy` asks it first when `ToolDeps.policy_search` holds one, and falls back
    to BM25 when it fails or finds nothing. Tools never import its implementation.
    """

    async def search(self, query: str, k: int = 3) -> Sequence[Hit]: ...


@cache
def default_index() -> PolicyIndex:
    """The index of the shipped texts, built once per process."""
    return PolicyIndex(load_passages())


def lookup(query: str, k: int = 3, *, index: PolicyIndex | None = None) -> Sequence[Hit]:
    """The `k` passages that best answer `query`, with their citations."""
    return (index or default_index()).search(query, k)
