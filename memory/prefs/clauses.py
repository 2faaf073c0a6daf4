"""Sentences cut into the clauses a wish is stated in.

A cue speaks of the targets of its own clause: "Text me, don't email" is two clauses
and the "don't" refuses only the e-mail. Clauses end

- at a sentence's end, where one-word sentences are joined to a neighbour ("Frankfurt?
  Never again." is one thought; "No red-eyes. Ever." too);
- at semicolons, colons, spaced dashes and slashes, brackets ("(no wheelchair needed)");
- before a conjunction that starts a new thought — but, because, so, if, after — in the
  text's language; a concessive one (although, aunque, 虽然) marks its clause as
  conceding, not asking;
- at commas and "and" only between two pieces that each say something (name a target
  or carry a cue of stance): "Our son, aged 9, is flying on his own" stays one clause,
  "Couloir, pas de vol de nuit, et surtout pas via Francfort" is three.

Cut points never fall inside a target or cue ("meet & assist", "if possible").
"""

from __future__ import annotations

from dataclasses import dataclass

from memory.prefs.marks import Mark, Marks
from memory.prefs.text import HARD_BREAK, SOFT_BREAK, TOKEN, Span, is_cjk, sentences

STANCE = frozenset(
    {
        "wish",
        "neg",
        "avoid",
        "accept",
        "indifferent",
        "contrast",
        "contrast_before",
        "except",
        "native",
        "withdraw",
        "request",
        "disclaim",
    }
)
"""Cues that say what the customer does with a target: a piece carrying one stands alone."""


@dataclass(frozen=True)
class Clause:
    """A clause: where it is, which sentence it belongs to, and how it is meant."""

    span: Span
    sentence: int
    concessive: bool = False


def sentence_spans(text: str, marks: Marks) -> list[Span]:
    """Sentences, with one-word sentences joined: "Email? no." reads as one."""
    spans = sentences(text)
    out: list[Span] = []
    pending: Span | None = None  # a one-word question waiting for its answer
    for span in spans:
        if pending is not None:
            span = Span(pending.start, span.end)
            pending = None
        one_word = len(TOKEN.findall(text, span.start, span.end)) <= 1 and not is_cjk(
            span.text(text)
        )
        if one_word and text[span.start : span.end].rstrip().endswith(("?", "？")):
            pending = span
            continue
        named = any(t.inside(span.start, span.end) for t in marks.targets)
        if one_word and not named and out:
            out[-1] = Span(out[-1].start, span.end)
            continue
        out.append(span)
    if pending is not None:
        out.append(pending)
    return out


def clauses(text: str, marks: Marks, sentence_list: list[Span]) -> list[Clause]:
    """The clauses of every sentence, in order."""
    taken = [*marks.targets, *(c for c in marks.cues if c.key in STANCE)]
    out: list[Clause] = []
    for index, sentence in enumerate(sentence_list):
        hard: list[tuple[int, int, bool]] = []  # (cut from, cut to, next is concessive)
        for m in HARD_BREAK.finditer(text, sentence.start, sentence.end):
            if not _inside_any(m.start(), m.end(), taken):
                hard.append((m.start(), m.end(), False))
        for cut in marks.cuts:
            if cut.kind in ("break", "concessive") and cut.inside(sentence.start, sentence.end):
                hard.append((cut.start, cut.start, cut.kind == "concessive"))
        for piece, concessive in _split(text, sentence, hard):
            for span in _soft_split(text, piece, marks):
                out.append(Clause(_trimmed(text, span), index, concessive))
    return out


_EDGE = " \t\n,，、.;；:：!?！？。-–—()（）[]\"'"


def _trimmed(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return Span(start, end)


def _inside_any(start: int, end: int, marks: list[Mark]) -> bool:
    return any(m.start <= start and end <= m.end for m in marks)


def _split(text: str, sentence: Span, cuts: list[tuple[int, int, bool]]) -> list[tuple[Span, bool]]:
    pieces: list[tuple[Span, bool]] = []
    start, concessive = sentence.start, False
    for cut_from, cut_to, next_concessive in sorted(cuts):
        if cut_from > start:
            pieces.append((Span(start, cut_from), concessive))
        start = max(start, cut_to)
        concessive = next_concessive
    if start < sentence.end:
        pieces.append((Span(start, sentence.end), concessive))
    return [(span, c) for span, c in pieces if TOKEN.search(text, span.start, span.end)]


def _soft_split(text: str, piece: Span, marks: Marks) -> list[Span]:
    taken = [*marks.targets, *(c for c in marks.cues if c.key in STANCE)]
    cut_points: list[tuple[int, int]] = []
    for m in SOFT_BREAK.finditer(text, piece.start, piece.end):
        if not _inside_any(m.start(), m.end(), taken):
            cut_points.append((m.start(), m.end()))
    for cut in marks.cuts:
        if cut.kind == "join" and cut.inside(piece.start, piece.end):
            cut_points.append((cut.start, cut.end))
    if not cut_points:
        return [piece]
    bounds: list[Span] = []
    start = piece.start
    for cut_from, cut_to in sorted(cut_points):
        bounds.append(Span(start, cut_from))
        start = cut_to
    bounds.append(Span(start, piece.end))
    bounds = [b for b in bounds if TOKEN.search(text, b.start, b.end)]
    merged: list[Span] = []
    for span in bounds:
        if merged and not (_says(merged[-1], marks) and _says(span, marks)):
            merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    # A first piece that says nothing ("Hallo", "Per favore") belongs to what follows.
    if len(merged) > 1 and not _says(merged[0], marks):
        merged[1] = Span(merged[0].start, merged[1].end)
        merged.pop(0)
    return merged


def _says(span: Span, marks: Marks) -> bool:
    # A piece in the past stands alone too: "Avoid Fiumicino, last time I missed my
    # connection" still avoids Fiumicino.
    targets, cues = marks.within(span.start, span.end)
    return bool(targets) or any(c.key in STANCE or c.key == "past" for c in cues)
