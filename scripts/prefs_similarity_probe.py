"""A prototype, outside the agent's reader: MiniLM similarity as a second opinion on
places and airlines to avoid, beside the lexicon reader (issue 18's "embedding
similarity to a small labelled catalogue").

    PYTHONPATH=. .venv/bin/python scripts/prefs_similarity_probe.py cv
    PYTHONPATH=. .venv/bin/python scripts/prefs_similarity_probe.py blind \\
        --threshold T --min-similarity S --set evals/preferences/blind13.yaml ...

What it does: the lexicon reader reads the statement first. Then, for every airline
(avoid_carriers) or airport/city (avoid_airports) that the gazetteer finds in the
statement's clean part (`injection.clean_part`: sentences that instruct the machine are
never read) and that the reader did not already find, the statement is embedded with that
name masked as "X" (other names as "Y") and compared with a catalogue of statements
masked the same way: each name of each development statement, labelled positive when the
statement's labels avoid it, negative otherwise. The `k` nearest neighbours vote,
weighted by similarity; the name is added as avoided when the positive share is at least
``--threshold`` and the nearest positive neighbour is at least ``--min-similarity``
similar. The value always comes from the gazetteer, never from the catalogue, and
nothing is added to a statement the reader found injected.

The catalogue is built only from the development sets (``labelled*.yaml``,
``heldout.yaml``); ``cv`` chooses the thresholds on them by leave-one-set-out and
leave-one-language-out, ``blind`` measures once with thresholds fixed beforehand and
prints counts only (never a blind item's text).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from memory.embeddings import minilm_model
from memory.prefs.entities import Entity, default_gazetteer
from memory.prefs.findings import Finding, Understood
from memory.prefs.injection import clean_part
from memory.prefs.lexical import LexiconReader
from memory.prefs.sources import Authored, TextSource

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench", REPO / "scripts" / "bench_preferences.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

FAMILIES = {"carrier": ("carrier",), "place": ("airport", "city")}
K = 5


def dev_sets() -> list[Path]:
    base = REPO / "evals" / "preferences"
    return [*sorted(base.glob("labelled*.yaml")), base / "heldout.yaml"]


def entity_pairs(entity: Entity) -> set[tuple[str, str]]:
    """The scored pairs avoiding `entity` (a city: its airports, as the bench scores it)."""
    if entity.kind == "carrier":
        return {("avoid_carriers", entity.code)}
    if entity.kind == "airport":
        return {("avoid_airports", entity.code)}
    return {("avoid_airports", code) for code in bench.city_airports(entity.code)}


def entity_finding(entity: Entity, clause: str) -> Finding:
    field = {"carrier": "avoid_carriers", "airport": "avoid_airports", "city": "avoid_cities"}
    return Finding(field[entity.kind], entity.code, clause)  # type: ignore[arg-type]


def masked(text: str, entities: list[Entity], target: Entity) -> str:
    out, last = [], 0
    for e in entities:
        out += [text[last : e.start], "X" if e == target else "Y"]
        last = e.end
    return "".join([*out, text[last:]])


@dataclass
class Mention:
    """One name in one statement: its masked text, family, and (for development items)
    whether the statement's labels avoid it."""

    item: int
    family: str
    entity: Entity
    clause: str
    text: str
    positive: bool


def mentions(
    texts: list[str], sources: list[TextSource], expected: list[set[tuple[str, str]]] | None
) -> list[Mention]:
    gazetteer = default_gazetteer()
    out = []
    for i, (text, source) in enumerate(zip(texts, sources, strict=True)):
        clean, _ = clean_part(text, source)
        entities = gazetteer.find(clean)
        for e in entities:
            family = next(f for f, kinds in FAMILIES.items() if e.kind in kinds)
            pos = bool(expected and entity_pairs(e) & expected[i])
            out.append(Mention(i, family, e, clean, masked(clean, entities, e), pos))
    return out


class Catalogue:
    def __init__(self, vectors: np.ndarray, labels: np.ndarray, families: np.ndarray) -> None:
        self.vectors, self.labels, self.families = vectors, labels, families

    def vote(self, vector: np.ndarray, family: str) -> tuple[float, float]:
        """(positive share of the k nearest, weighted by similarity; nearest positive)."""
        rows = np.flatnonzero(self.families == family)
        if not len(rows):
            return 0.0, 0.0
        sims = self.vectors[rows] @ vector
        top = np.argsort(-sims)[:K]
        weights = np.clip(sims[top], 0, None)
        labels = self.labels[rows][top]
        share = float(weights[labels].sum() / weights.sum()) if weights.sum() else 0.0
        best = float(sims[top][labels].max()) if labels.any() else 0.0
        return share, best


def second_opinion(
    understood: list[Understood],
    found: list[Mention],
    vectors: np.ndarray,
    catalogue: Catalogue,
    threshold: float,
    min_similarity: float,
) -> list[Understood]:
    out = list(understood)
    for m, v in zip(found, vectors, strict=True):
        u = out[m.item]
        if u.injected or entity_pairs(m.entity) & bench.found_pairs(u):
            continue
        share, best = catalogue.vote(v, m.family)
        if share >= threshold and best >= min_similarity:
            out[m.item] = replace(u, findings=(*u.findings, entity_finding(m.entity, m.clause)))
    return out


def load_set(path: Path, limit: int | None = None) -> dict[str, Any]:
    items = bench.load(path, limit)
    sources = bench.item_sources(items)
    return {"name": path.stem, "items": items, "sources": sources}


def read(sets: list[dict[str, Any]]) -> None:
    reader = LexiconReader()
    model = minilm_model()
    for s in sets:
        texts = [str(i["text"]) for i in s["items"]]
        began = time.process_time()
        s["rules"] = reader.understand_many(
            [Authored(t, src) for t, src in zip(texts, s["sources"], strict=True)]
        )
        s["rules_cpu"] = time.process_time() - began
        expected = [bench.expected_pairs(i.get("expect") or {}) for i in s["items"]]
        s["mentions"] = mentions(texts, s["sources"], expected)
        began = time.process_time()
        s["vectors"] = (
            model.encode([m.text for m in s["mentions"]]) if s["mentions"] else np.zeros((0, 384))
        )
        s["embed_cpu"] = time.process_time() - began


def fold_of(s: dict[str, Any], m: Mention, scheme: str) -> str:
    """The fold a mention belongs to: its set's name, or its statement's language."""
    return str(s["name"] if scheme == "set" else s["items"][m.item]["lang"])


def catalogue_of(sets: list[dict[str, Any]], left_out: tuple[str, str] | None = None) -> Catalogue:
    """The catalogue of `sets`' mentions, without those of fold `left_out` (scheme, fold)."""
    rows = [
        (v, m.positive, m.family)
        for s in sets
        for m, v in zip(s["mentions"], s["vectors"], strict=True)
        if left_out is None or fold_of(s, m, left_out[0]) != left_out[1]
    ]
    return Catalogue(
        np.array([r[0] for r in rows], dtype=np.float32),
        np.array([r[1] for r in rows], dtype=bool),
        np.array([r[2] for r in rows]),
    )


GRID = [(t, s) for t in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0) for s in (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)]


def cv(args: argparse.Namespace) -> int:
    sets = [load_set(p) for p in dev_sets()]
    read(sets)
    # Folds: by set (each set's own writer), and by language across all sets.
    languages = sorted({str(i["lang"]) for s in sets for i in s["items"]})
    results: dict[str, dict[tuple[float, float], list[int]]] = {"set": {}, "language": {}}
    for t, smin in GRID:
        for scheme in ("set", "language"):
            added_tp = added_fp = injected = 0
            folds = [s["name"] for s in sets] if scheme == "set" else languages
            for fold in folds:
                cat = catalogue_of(sets, (scheme, fold))
                for s in sets:
                    if scheme == "set" and s["name"] != fold:
                        continue
                    idx = [j for j, m in enumerate(s["mentions"]) if fold_of(s, m, scheme) == fold]
                    ms = [s["mentions"][j] for j in idx]
                    after = second_opinion(s["rules"], ms, s["vectors"][idx], cat, t, smin)
                    for item, u0, u1 in zip(s["items"], s["rules"], after, strict=True):
                        new = bench.found_pairs(u1) - bench.found_pairs(u0)
                        if not new:
                            continue
                        exp = bench.expected_pairs(item.get("expect") or {})
                        added_tp += len(new & exp)
                        added_fp += len(new - exp)
                        if item.get("injection"):
                            injected += len(new - exp)
            results[scheme][(t, smin)] = [added_tp, added_fp, injected]
    print("threshold min_sim | by set: +tp +fp inj | by language: +tp +fp inj")
    for key in GRID:
        a, b = results["set"][key], results["language"][key]
        print(f"{key[0]:9} {key[1]:7} | {a[0]:4} {a[1]:4} {a[2]:3} | {b[0]:4} {b[1]:4} {b[2]:3}")
    # What rules already miss on the development sets, per kind (the room left there).
    misses: dict[str, int] = defaultdict(int)
    for s in sets:
        for item, u in zip(s["items"], s["rules"], strict=True):
            for field, _ in bench.expected_pairs(item.get("expect") or {}) - bench.found_pairs(u):
                misses[field] += 1
    print("rules' misses on the development sets:", dict(misses))
    # The classifier alone, cross-validated by set: how well does the vote tell an
    # avoided name from a mentioned one, before the rules filter anything?
    for t in (0.5, 0.7, 0.9):
        tp = fp = fn = 0
        for s in sets:
            cat = catalogue_of(sets, ("set", s["name"]))
            for m, v in zip(s["mentions"], s["vectors"], strict=True):
                share, _ = cat.vote(v, m.family)
                said = share >= t
                tp += said and m.positive
                fp += said and not m.positive
                fn += (not said) and m.positive
        print(
            f"vote alone, threshold {t}: precision {tp / max(1, tp + fp):.3f} "
            f"recall {tp / max(1, tp + fn):.3f} (tp {tp} fp {fp} fn {fn})"
        )
    cpu = sum(s["embed_cpu"] for s in sets)
    n = sum(len(s["mentions"]) for s in sets)
    rules_cpu = sum(s["rules_cpu"] for s in sets) / sum(len(s["items"]) for s in sets)
    print(
        f"mentions embedded: {n}, {1000 * cpu / max(1, n):.1f} ms CPU each; "
        f"rules {1000 * rules_cpu:.1f} ms CPU per item"
    )
    return 0


def blind(args: argparse.Namespace) -> int:
    catalogue_sets = [load_set(p) for p in dev_sets()]
    measured = [load_set(p) for p in args.sets]
    read(catalogue_sets + measured)
    cat = catalogue_of(catalogue_sets)
    for s in measured:
        after = second_opinion(
            s["rules"], s["mentions"], s["vectors"], cat, args.threshold, args.min_similarity
        )
        for title, results in (("rules", s["rules"]), ("rules + similarity", after)):
            figures = bench.score(s["items"], results, s["sources"])
            bench.print_table(f"{s['name']} {title}", {**figures, "misses": []})
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("cv")
    b = sub.add_parser("blind")
    b.add_argument("--set", type=Path, action="append", dest="sets", required=True)
    b.add_argument("--threshold", type=float, required=True)
    b.add_argument("--min-similarity", type=float, required=True)
    args = parser.parse_args(argv)
    return cv(args) if args.command == "cv" else blind(args)


if __name__ == "__main__":
    sys.exit(main())
