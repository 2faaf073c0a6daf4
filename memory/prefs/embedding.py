"""Preferences understood by meaning: each clause is compared with a labelled catalogue.

For every clause of a statement (`findings.clauses`):

1. the places and airlines it names are found (`entities.Gazetteer`) and written as the
   catalogue writes them ("Frankfurt", "Lufthansa"), and the English meaning of its travel
   words is appended (`lexicon.gloss`), so that a German or Chinese clause lands near
   the catalogue's phrasings;
2. it is embedded (any `memory.embeddings.Embedder`; the packaged MiniLM by default) and
   scored against every class of the catalogue (`catalogue.yaml`): the mean cosine
   similarity of its `k` nearest examples of that class;
3. the best class decides what the clause does — wants a channel, avoids a place, says
   red-eyes are fine, only mentions something (`none`), or instructs the agent
   (`injection`) — when it is close enough (`threshold`) and clearly ahead of `none`;
4. the value comes from what the clause names: the place or airline, the language or
   channel word that no negation refuses (`lexicon`), or the class itself for needs.

A text the injection markers or the `injection` class flag yields nothing at all.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from memory.embeddings import Embedder
from memory.prefs import lexicon
from memory.prefs.entities import Entity, Gazetteer, default_gazetteer
from memory.prefs.findings import Finding, Understood, clauses
from memory.prefs.injection import looks_injected
from memory.prefs.language_id import written_in

PLACE, AIRLINE = "Frankfurt", "Lufthansa"
"""How the catalogue writes any place and any airline."""

THRESHOLD = 0.42
"""A clause closer than this (mean cosine of its nearest examples) to a class may be it."""
MARGIN = 0.02
"""... and only when it is at least this much closer to it than to `none`."""
QUARANTINE = 0.6
"""A clause this close to the `injection` class quarantines its whole text; less close,
it only yields nothing itself."""

_NEGATION = re.compile(
    r"(?:\b(?:no|not|never|don'?t|do not|doesn'?t|won'?t|stop|nicht|kein\w*|nie|niemals"
    r"|pas|jamais|nunca|nada|sin|ni|non|niente|mai|nem|geen|niet|rather than|instead of"
    r"|statt|anstatt|plut[ôo]t que|en lugar de|en vez de|invece di|piuttosto che)\b"
    r"|不要|别|不|而不是)"
    r"\W*(?:[\w'-]+\W+){0,3}$",
    re.IGNORECASE,
)
_NEEDS = {
    "need_wheelchair": "wheelchair",
    "need_mobility": "reduced mobility",
    "need_minor": "unaccompanied minor",
    "need_visual": "visual impairment",
    "need_hearing": "hearing impairment",
    "need_animal": "service animal",
    "need_assistance": "assistance",
}


@dataclass(frozen=True)
class Catalogue:
    """The labelled examples: one class name per text."""

    labels: tuple[str, ...]
    texts: tuple[str, ...]

    @property
    def classes(self) -> list[str]:
        return list(dict.fromkeys(self.labels))


@cache
def load_catalogue() -> Catalogue:
    """The packaged catalogue (`memory/prefs/catalogue.yaml`)."""
    raw: dict[str, list[str]] = yaml.safe_load(
        resources.files("memory.prefs").joinpath("catalogue.yaml").read_text(encoding="utf-8")
    )
    pairs = [(label, str(text)) for label, texts in raw.items() for text in texts]
    return Catalogue(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))


# A question of three words or more ("Is Heathrow T5 being renovated?"); "Frankfurt?"
# alone is an exclamation, joined to what follows by `clauses`.
_QUESTION = re.compile(r"^(?:\S+\s+){2,}\S*[?？]\s*$")

# German and Dutch refuse after the word: "E-Mails lese ich unterwegs nicht".
_NEGATION_AFTER = re.compile(r"^\W*(?:[\w'-]+\W+){0,4}(?:nicht|niet)\b", re.IGNORECASE)


def negated(text: str, start: int, end: int | None = None) -> bool:
    """Is the word at `start` (to `end`) refused by a negation close to it in its clause?"""
    if _NEGATION.search(text[max(0, start - 40) : start]) is not None:
        return True
    return end is not None and _NEGATION_AFTER.search(text[end : end + 50]) is not None


def _placeholdered(clause: str, entities: Sequence[Entity]) -> str:
    out, last = [], 0
    for entity in entities:
        out.append(clause[last : entity.start])
        out.append(AIRLINE if entity.kind == "carrier" else PLACE)
        last = entity.end
    out.append(clause[last:])
    return "".join(out)


class EmbeddingReader:
    """Understands statements by embedding similarity to the catalogue.

    Args:
        embedder: the memory's embedder (blocking).
        gazetteer: places and airlines to recognise (default: large hubs, known airlines).
        catalogue: the labelled examples (default: the packaged one).
        k: how many nearest examples of a class are averaged.
    """

    def __init__(
        self,
        embedder: Embedder,
        gazetteer: Gazetteer | None = None,
        *,
        catalogue: Catalogue | None = None,
        k: int = 3,
        threshold: float = THRESHOLD,
        margin: float = MARGIN,
    ) -> None:
        self._embedder = embedder
        self._gazetteer = gazetteer or default_gazetteer()
        self._catalogue = catalogue or load_catalogue()
        self._k = k
        self._threshold = threshold
        self._margin = margin
        self._vectors: Any = None
        self._lock = threading.Lock()

    def _catalogue_vectors(self) -> Any:
        with self._lock:
            if self._vectors is None:
                texts = [lexicon.gloss(t) for t in self._catalogue.texts]
                self._vectors = np.asarray(self._embedder.embed(texts), dtype=np.float32)
            return self._vectors

    def understand_many(self, texts: Sequence[str]) -> list[Understood]:
        """What each text says; clauses of all texts are embedded in one batch."""
        plans: list[list[tuple[str, list[Entity]]] | None] = []
        batch: list[str] = []
        for text in texts:
            if looks_injected(text):
                plans.append(None)
                continue
            plan = []
            for clause in clauses(text, self._standalone):
                entities = self._gazetteer.find(clause)
                plan.append((clause, entities))
                batch.append(lexicon.gloss(_placeholdered(clause, entities)))
            plans.append(plan)
        scores = self._scores(batch)
        results: list[Understood] = []
        row = 0
        for text, planned in zip(texts, plans, strict=True):
            if planned is None:
                results.append(Understood(injected=True, source="embedding"))
                continue
            plan = planned
            mine = scores[row : row + len(plan)]
            row += len(plan)
            if any(s["injection"] >= QUARANTINE for s in mine):
                results.append(Understood(injected=True, source="embedding"))
                continue
            findings: list[Finding] = []
            named: list[Entity] = []
            for (clause, entities), clause_scores in zip(plan, mine, strict=True):
                # "Not a fan of Schiphol - please avoid": the place is in the clause before.
                findings.extend(
                    self._fill(self._decide(clause_scores, clause), clause, entities or named, text)
                )
                named = entities or named
            unique = {(f.field, f.value): f for f in reversed(findings)}  # first clause cited
            results.append(Understood(tuple(reversed(unique.values())), source="embedding"))
        return results

    def _standalone(self, piece: str) -> bool:
        """A piece that names a topic, or a place or airline beside at least one more word."""
        if lexicon.names_a_topic(piece):
            return True
        return len(piece.split()) > 1 and bool(self._gazetteer.find(piece))

    def understand(self, text: str) -> Understood:
        return self.understand_many([text])[0]

    def _scores(self, batch: list[str]) -> list[dict[str, float]]:
        if not batch:
            return []
        catalogue = self._catalogue_vectors()
        vectors = np.asarray(self._embedder.embed(batch), dtype=np.float32)
        sims = vectors @ catalogue.T
        labels = np.asarray(self._catalogue.labels)
        out = []
        for row in sims:
            per_class = {}
            for label in self._catalogue.classes:
                mine = np.sort(row[labels == label])[::-1][: self._k]
                per_class[label] = float(mine.mean())
            out.append(per_class)
        return out

    def _decide(self, scores: dict[str, float], clause: str = "") -> str:
        if _QUESTION.search(clause):
            return "none"  # "Do you still have window seats?" asks, it does not wish
        label = max(scores, key=lambda c: scores[c])
        if label in ("none", "injection") or scores[label] < self._threshold:
            return "none"
        if scores[label] - scores["none"] < self._margin:
            return "none"
        return label

    def _fill(self, label: str, clause: str, entities: list[Entity], text: str) -> list[Finding]:
        accepts = lexicon.ACCEPTANCE.search(clause) is not None
        if label in ("avoid_place", "avoid_carrier"):
            if accepts:
                return []
            fields = {
                "airport": "avoid_airports",
                "city": "avoid_cities",
                "carrier": "avoid_carriers",
            }
            return [Finding(fields[e.kind], e.code, clause) for e in entities]  # type: ignore[arg-type]
        if label in ("overnight_avoid", "overnight_ok"):
            return [Finding("avoid_overnight", not accepts, clause)]
        if label in _NEEDS:
            if lexicon.WITHDRAWN.search(clause):
                return []
            return [Finding("accessibility", _NEEDS[label], clause)]
        if label.startswith(("channel_", "seat_")) and accepts:
            return []  # "window or aisle, whatever"; "SMS or email, I don't care"
        if label.startswith("channel_"):
            value = _chosen(lexicon.CHANNEL_WORDS, clause, label.removeprefix("channel_"))
            return [Finding("channel", value, clause)] if value else []
        if label.startswith("seat_"):
            value = _chosen(lexicon.SEAT_WORDS, clause, label.removeprefix("seat_"))
            return [Finding("seat", value, clause)] if value else []
        if label in ("language_wanted", "language_refused"):
            value = _language(label, clause, text)
            return [Finding("language", value, clause)] if value else []
        return []


def _chosen(table: dict[str, re.Pattern[str]], clause: str, guess: str) -> str | None:
    """The one value the clause names without refusing it; else the other one of two that
    it refuses ("don't email me" → sms); else the classifier's guess."""
    found = lexicon.mentions(table, clause)
    wanted = {m.value for m in found if not negated(clause, m.start, m.end)}
    if len(wanted) == 1:
        return wanted.pop()
    if wanted:
        return guess if guess in wanted else None
    refused = {m.value for m in found}
    if refused:
        others = set(table) - refused
        if guess in others:
            return guess
        return others.pop() if len(others) == 1 else None
    return guess


def _language(label: str, clause: str, text: str) -> str | None:
    found = lexicon.mentions(lexicon.LANGUAGE_NAMES, clause)
    wanted = [m.value for m in found if not negated(clause, m.start)]
    if label == "language_wanted" and wanted:
        return wanted[0] if wanted[0] != "ru" else None
    refused = (
        {m.value for m in found} - set(wanted)
        if label == "language_wanted"
        else {m.value for m in found}
    )
    if not refused and label == "language_wanted":
        return None
    own = written_in(text)
    return own if own is not None and own not in refused else None
