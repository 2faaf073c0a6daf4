"""Places named in Cyrillic or Greek letters, found by how they sound in Latin ones.

The gazetteer's names are Latin (airportsdata's) plus exonyms listed by hand
(`places.CITY_NAMES`: Лондон, Αθήνα). A list never has every airport: "Через Шереметьево
больше никогда", "не через Внуково", "όχι μέσω Βενιζέλος" name airports no one listed. Their
Latin names are transcriptions of the same sounds, so a word of these scripts is
transliterated (anyascii) and compared with the Latin names by a *sound key* that
forgets the spelling differences transcriptions make (w/v, kh/h, y/i, ck/k, double
letters): "Шереметьево" → "sheremetevo" ≈ "Sheremetyevo", "Гатвик" → "gatvik" =
"Gatwick". A case ending ("Франкфурте", "Модлина") may follow the name; one more slip is
allowed in a long name. Exonyms that sound different (Москва / Moscow, Мюнхен / Munich)
still need their entry in `places`; Arabic, Devanagari and Hangul write sounds too
loosely (no vowels; English "th" as "थ") for this to be safe, so they are not read here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from anyascii import anyascii

from memory.prefs.text import one_slip

_SCRIPT_WORD = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0400-\u04ff]{4,}")
"""A word of four letters or more in Greek or Cyrillic."""
_SOUNDS = (
    ("kh", "h"),
    ("ck", "k"),
    ("ph", "f"),
    ("th", "t"),
    ("zh", "z"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("c", "k"),
    ("q", "k"),
    ("x", "ks"),
)
MIN_NAME = 5
"""Names shorter than this are not matched by sound (too many short words sound alike)."""
SLIP_NAME = 7
"""Names at least this long may be matched with one slip of sound."""
ENDING = 3
"""A case ending of at most this many letters may follow a name."""


def sound_key(latin: str) -> str:
    """The sound of a Latin word, spelling differences forgotten."""
    key = re.sub(r"[^a-z]", "", latin.lower())
    for written, sound in _SOUNDS:
        key = key.replace(written, sound)
    return re.sub(r"(.)\1+", r"\1", key)


class SoundIndex:
    """Latin names (one word or several) by sound key, for words of other scripts."""

    def __init__(self, names: Iterable[tuple[str, object]]) -> None:
        self._by_key: dict[str, object] = {}
        for name, entity in names:
            key = sound_key(name)
            if len(key) >= MIN_NAME:
                self._by_key.setdefault(key, entity)

    def find(self, text: str) -> list[tuple[int, int, object]]:
        """(start, end, entity) of each Greek or Cyrillic word that sounds like a name."""
        out = []
        for m in _SCRIPT_WORD.finditer(text):
            entity = self.lookup(sound_key(anyascii(m.group())))
            if entity is not None:
                out.append((m.start(), m.end(), entity))
        return out

    def lookup(self, key: str) -> object | None:
        for cut in range(ENDING + 1):
            stem = key[: len(key) - cut] if cut else key
            if len(stem) < MIN_NAME:
                break
            if stem in self._by_key:
                return self._by_key[stem]
        for name, entity in self._by_key.items():
            if len(name) < SLIP_NAME:
                continue
            for cut in range(ENDING + 1):
                stem = key[: len(key) - cut] if cut else key
                if one_slip(stem, name):
                    return entity
        return None
