"""Where a text names something a wish can be about, and the words around it.

`Matcher.marks` runs every lexicon over a text (all languages at once: customers mix
them, "Hi! je préfère le hublot, thanks") and the gazetteer over it, and returns
`Marks`: targets (a seat, a channel, a language, a night flight, a need, a place or
airline) and cues (please, not, avoid, fine, whatever, last time, my wife, ...), each
with its offsets. Where marks of one sort overlap, the longest wins ("no problem" is
acceptance, not a "no"; "aisle chair" is a wheelchair, not a seat). A cue inside a
target is part of the target ("can't walk" is a need, not a negation).

Only the words that cut clauses (but, because, and) and a few short function words
(`LOCAL_CUES`) are taken from the text's own language (and English): they are short and
mean other things elsewhere (French "mais" is "but", Portuguese "mais" is "more").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from memory.prefs.contacts import addresses_in
from memory.prefs.entities import Gazetteer
from memory.prefs.lexicon import LEXICONS, claims
from memory.prefs.lexicon.base import Lexicon, Pattern, compile_words, patterns
from memory.prefs.text import fold, mask_cjk, one_slip

STRUCTURAL = frozenset({"break", "concessive", "join"})
LAYERED = frozenset({"other", "child", "alone", "state", "filler", "condition", "proviso"})
LOCAL_CUES = frozenset({"child", "alone", "state", "filler"})
"""Short words read only in the text's own language: German "Kind" is English "kind",
German "war" is English "war", Spanish "solo" is "only" in Italian."""
OWN_SCRIPT = frozenset({"ja", "zh", "ko", "el", "ar", "ru", "uk", "he", "fa", "th"})
"""Languages written in a script of their own: a Latin word in their lexicon (Japanese
"NG", no good) is a loan read only in a text of theirs; elsewhere it is a letter pair of
another language (Tagalog "ng", of: "staff ng PAL" avoids nothing)."""
TONED = frozenset({"vi"})
"""Languages whose every word carries its marks: a word of theirs written bare ("nang" for
"nạng", a crutch) is read only in a text of theirs, where bare typing is a habit; in
another language's text it is a word of that language (Tagalog "nang")."""
PAIRED = "paired"
"""The value of a contrast cue that ends a comparison ("prefer A to B", "plutôt A que B")."""
_LATIN_WORD = re.compile(r"[\x00-\u024f]+")
_MEMBERSHIP = tuple(compile_words(claims.MEMBERSHIP).items())
MEMBERSHIP_REACH = 12
"""A loyalty word at most this many characters from a carrier's name makes it a programme
("Delta Diamond", "Gold with BA", "Platinum Medallion on Delta")."""


@dataclass(frozen=True)
class Mark:
    """A word or phrase of the text and what it is.

    ``kind`` is "target" or "cue" (or "break", "concessive", "join"); for a target,
    ``key`` is its field family (seat, channel, language, night, need, airport, city,
    carrier, place) and ``value`` what it names (window, sms, de, day, wheelchair, FRA,
    Paris, LH); for a cue, ``key`` is one of `memory.prefs.lexicon.base.CUE_KEYS`.
    """

    kind: str
    key: str
    value: str
    start: int
    end: int
    asks: bool = False
    """The mention asks by itself ("text me", "email me")."""

    @property
    def family(self) -> str:
        return "entity" if self.key in ("airport", "city", "carrier", "place") else self.key

    def overlaps(self, other: Mark) -> bool:
        return self.start < other.end and other.start < self.end

    def inside(self, start: int, end: int) -> bool:
        return start <= self.start and self.end <= end


@dataclass
class Marks:
    """Everything found in one text, sorted by position."""

    targets: list[Mark] = field(default_factory=list)
    cues: list[Mark] = field(default_factory=list)
    cuts: list[Mark] = field(default_factory=list)
    """Conjunctions that may cut a clause: "break", "concessive" and "join" marks."""

    def within(self, start: int, end: int) -> tuple[list[Mark], list[Mark]]:
        """(targets, cues) inside the span."""
        return (
            [m for m in self.targets if m.inside(start, end)],
            [m for m in self.cues if m.inside(start, end)],
        )


class Matcher:
    """Finds marks with the given lexicons and gazetteer (compiled once)."""

    def __init__(self, gazetteer: Gazetteer, lexicons: Sequence[Lexicon] = LEXICONS) -> None:
        self._gazetteer = gazetteer
        self._patterns: list[Pattern] = [p for lexicon in lexicons for p in patterns(lexicon)]
        self._spellings = [
            (fold(word), key)
            for lexicon in lexicons
            for key, words in lexicon.spellings.items()
            for word in words
        ]

    def marks(self, text: str, languages: Iterable[str] | None = None) -> Marks:
        """The marks of `text` (normalised); conjunctions only of `languages` (all if None)."""
        allowed = None if languages is None else set(languages)
        forms = {"folded": fold(text), "cased": fold(text, lower=False), "accented": text.lower()}
        if len(forms["accented"]) != len(text):  # a letter whose lower case is longer
            forms["accented"] = forms["folded"]
        masked = {key: mask_cjk(form) for key, form in forms.items()}
        targets: list[Mark] = []
        cues: list[Mark] = []
        foreign: list[Mark] = []  # cues of languages other than the text's
        foreign_targets: list[Mark] = []
        cuts: list[Mark] = []
        for pattern in self._patterns:
            if pattern.kind == "attack":
                continue
            local = (
                pattern.local
                or pattern.kind in STRUCTURAL
                or (pattern.kind == "cue" and pattern.key in LOCAL_CUES)
            )
            if local and allowed is not None and pattern.language not in allowed:
                continue
            source = (forms if pattern.cjk else masked)[pattern.source]
            narrowed = "cue" in pattern.regex.groupindex
            for m in pattern.regex.finditer(source):
                start, end = m.span("cue") if narrowed else m.span()
                if start == end:
                    continue
                ours = allowed is None or pattern.language in allowed
                if pattern.kind == "target":
                    if theirs_only(pattern, allowed, TONED) and text[start:end].isascii():
                        continue
                    family, _, value = pattern.key.rstrip("!").partition(":")
                    (targets if ours else foreign_targets).append(
                        Mark("target", family, value, start, end, pattern.key.endswith("!"))
                    )
                elif pattern.kind == "name":
                    targets.append(Mark("target", "language", pattern.key, start, end))
                elif pattern.kind == "cue":
                    if theirs_only(pattern, allowed, OWN_SCRIPT) and _LATIN_WORD.fullmatch(
                        source[start:end]
                    ):
                        continue
                    # A narrowed contrast is the second half of a comparison ("prefer
                    # ... to", "lieber ... als"): `stance` wants its first half named.
                    paired = narrowed and pattern.key == "contrast"
                    cue = Mark("cue", pattern.key, PAIRED if paired else "", start, end)
                    (cues if ours else foreign).append(cue)
                else:
                    cuts.append(Mark(pattern.kind, pattern.kind, "", start, end))
        # A word that is a cue of the text's own language is that cue, not another
        # language's name: Tagalog "hindi" (not) in a Tagalog text is no Hindi.
        if allowed is not None:
            own_cues = {(c.start, c.end) for c in cues}
            targets = [
                t for t in targets if t.key != "language" or (t.start, t.end) not in own_cues
            ]
        # Another language's cue counts where the text's own languages have none: Indonesian
        # "mau" (want) is not Portuguese "mau" (bad) in an Indonesian text.
        # Likewise a word of another language's is no target inside the text's own phrase
        # (Danish "denne gang", this time, holds no Dutch "gang", aisle).
        targets += [t for t in foreign_targets if not any(t.inside(c.start, c.end) for c in cues)]
        cues += [c for c in foreign if not any(c.overlaps(o) for o in cues)]
        for entity in self._gazetteer.find(text):
            if entity.kind == "carrier" and _membership(forms, entity.start, entity.end):
                continue
            mark = Mark("target", entity.kind, entity.code, entity.start, entity.end)
            if entity.kind == "carrier":  # "fly Turkish": the airline, not the language
                targets = [t for t in targets if t.key != "language" or not t.overlaps(mark)]
            targets.append(mark)
        # An address written out names its channel in any language.
        targets += [
            Mark("target", "channel", a.channel, a.start, a.end, asks=True)
            for a in addresses_in(text)
        ]
        kept_targets = _longest_first(targets)
        kept_targets = sorted(
            [*kept_targets, *self._misspelt(forms["folded"], kept_targets, cues)],
            key=lambda m: m.start,
        )
        # Cues of stance compete with each other ("no problem" is not a "no"); who is
        # meant (my daughter), a child, being alone are separate layers of the same words.
        layers: dict[str, list[Mark]] = {}
        for cue in cues:
            layers.setdefault(cue.key if cue.key in LAYERED else "stance", []).append(cue)
        kept_cues = sorted(
            (
                c
                for layer in layers.values()
                for c in _longest_first(layer)
                if not any(c.inside(t.start, t.end) for t in kept_targets)
            ),
            key=lambda m: m.start,
        )
        # A conjunction inside a target or a cue of stance ("meet & assist", "if possible")
        # cuts nothing; inside a filler it still does ("y" is "and" either way).
        taken = [
            *kept_targets,
            *(c for c in kept_cues if c.key not in LAYERED and c.key != "fallback"),
        ]
        kept_cuts = [c for c in _longest_first(cuts) if not any(c.overlaps(t) for t in taken)]
        return Marks(kept_targets, kept_cues, kept_cuts)

    def _misspelt(self, folded: str, targets: list[Mark], cues: list[Mark]) -> list[Mark]:
        """Targets typed with one slip ("windw seat", "aisel", "wheelchiar")."""
        out = []
        for token in re.finditer(r"[a-z]{4,}", folded):
            start, end = token.span()
            if any(m.start < end and start < m.end for m in (*targets, *cues)):
                continue
            for word, key in self._spellings:
                if token.group() != word and one_slip(token.group(), word):
                    family, _, value = key.partition(":")
                    out.append(Mark("target", family, value, start, end))
                    break
        return out


def theirs_only(pattern: Pattern, allowed: set[str] | None, languages: frozenset[str]) -> bool:
    """Is the pattern of one of `languages` read in a text not known to be written in it (an
    unsure language too: Tagalog is told apart from none)?"""
    return pattern.language in languages and (allowed is None or pattern.language not in allowed)


def _membership(forms: dict[str, str], start: int, end: int) -> bool:
    """Is a loyalty word next to the carrier named at start..end ("Delta Diamond", "Gold
    with BA")? Then the name is the programme the writer belongs to, not a wish."""
    for (source, _), regex in _MEMBERSHIP:
        form = forms["cased" if source == "cased" else "folded"]
        for m in regex.finditer(form):
            if m.end() <= start:
                between = form[m.end() : start]
            elif m.start() >= end:
                between = form[end : m.start()]
            else:
                continue
            if len(between) <= MEMBERSHIP_REACH and not re.search(r"[.,;:!?()]", between):
                return True
    return False


def _longest_first(marks: list[Mark]) -> list[Mark]:
    kept: list[Mark] = []
    for mark in sorted(marks, key=lambda m: (-(m.end - m.start), m.start, m.asks is False)):
        if not any(mark.overlaps(k) for k in kept):
            kept.append(mark)
    return sorted(kept, key=lambda m: m.start)
