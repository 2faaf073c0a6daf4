"""Whose need a statement states, and whether it still holds.

A need named in a statement is the booking's, a companion's on it included ("Dad, on
this PNR, uses oxygen"), except

- when the person it belongs to travels apart: named (my husband, 母) with a word of
  travelling separately (own booking, reist nicht mit, 同行しません) in one sentence;
- when the sentence takes it back ("used a wheelchair, healed, 不用了").

- when the writer disclaims it ("I'm not actually disabled but tick the wheelchair",
  "don't need it but", `lexicon.claims.DISCLAIMED`): a need asked for another end (to
  board first) is none of the trip's.

A child named with being alone in one sentence is an unaccompanied minor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from memory.prefs.clauses import Clause
from memory.prefs.lexicon import claims
from memory.prefs.lexicon.base import compile_words
from memory.prefs.marks import Marks
from memory.prefs.text import fold

if TYPE_CHECKING:
    from memory.prefs.stance import Reading


def someone_elses_trip(marks: Marks, clause_list: Sequence[Clause]) -> set[int]:
    """Sentences about someone who does not travel on this booking ("my husband uses a
    wheelchair, but he has his own reservation", "母は耳が不自由ですが、今回は同行しません"):
    a need said there is theirs, not this trip's. A person named and a word of travelling
    apart in one sentence; a companion on the booking ("Dad, on this PNR, uses oxygen")
    keeps their need, as the agent re-books them too."""
    out = set()
    for sentence in {c.sentence for c in clause_list}:
        spans = [c.span for c in clause_list if c.sentence == sentence]
        _, cues = marks.within(min(s.start for s in spans), max(s.end for s in spans))
        keys = {c.key for c in cues}
        if "apart" in keys and keys & {"other", "child"}:
            out.add(sentence)
    return out


def withdrawn_needs(reading: Reading, marks: Marks, clause_list: Sequence[Clause]) -> None:
    """A withdrawal in a sentence ("used a wheelchair, healed, 不用了") takes back its needs."""
    for sentence in {c.sentence for c in clause_list}:
        spans = [c.span for c in clause_list if c.sentence == sentence]
        targets, cues = marks.within(min(s.start for s in spans), max(s.end for s in spans))
        if any(c.key == "withdraw" for c in cues):
            reading.needs_refused |= {t.value for t in targets if t.family == "need"}


def children_alone(
    reading: Reading,
    text: str,
    marks: Marks,
    clause_list: Sequence[Clause],
    questions: set[int],
    quarantined: set[int],
) -> None:
    """A child travelling alone, said in one sentence, is an unaccompanied minor — unless
    the sentence says the service is no longer needed."""
    if "unaccompanied minor" in reading.needs_refused:
        return
    for sentence in sorted({c.sentence for c in clause_list} - questions - quarantined):
        spans = [c.span for c in clause_list if c.sentence == sentence]
        start, end = min(s.start for s in spans), max(s.end for s in spans)
        _, cues = marks.within(start, end)
        keys = {c.key for c in cues}
        if {"child", "alone"} <= keys and not keys & {"neg", "past", "withdraw"}:
            reading.needs.setdefault("unaccompanied minor", text[start:end])


_DISCLAIMED = tuple(compile_words(claims.DISCLAIMED).values())


def disclaimed_needs(
    reading: Reading, text: str, marks: Marks, clause_list: Sequence[Clause]
) -> None:
    """A sentence in which the writer disclaims a need ("I'm not disabled but tick the
    wheelchair box so I board first", "ich brauche ihn eigentlich nicht") takes back its
    needs; one that asks for the need all the same marks the reading `gamed`."""
    for sentence in {c.sentence for c in clause_list}:
        spans = [c.span for c in clause_list if c.sentence == sentence]
        start, end = min(s.start for s in spans), max(s.end for s in spans)
        folded = fold(text[start:end])
        if any(regex.search(folded) for regex in _DISCLAIMED):
            targets, cues = marks.within(start, end)
            needs = {t.value for t in targets if t.family == "need"}
            reading.needs_refused |= needs
            # A need disclaimed and asked for all the same ("not disabled, but book me a
            # wheelchair") games the service: the note is set aside as an order would
            # be. "I don't need it any more" asks for nothing and only withdraws.
            # A need of someone else's ("I'm not disabled, but my mother is") is no game.
            keys = {c.key for c in cues}
            reading.gamed |= bool(needs and keys & {"wish", "request"} and "other" not in keys)
