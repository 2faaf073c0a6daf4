"""Airline names as customers type them: written apart or run together ("Ryan Air",
"Easy Jet", "Wizzair"), or with one typing slip in a name of seven letters or more
("Luftansa", "Air Frnace"). Customers type brands as they hear them.

One to three Latin words, run together, are compared with each carrier's names run
together. The first letter must stand, so "fueling" is no "Vueling"; names kept as
written ("=Wizz") never stretch; a run-together form two carriers share names neither,
and a slip that fits two carriers names neither.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from memory.prefs.text import fold, one_slip

_SLIP_LENGTH = 7
"""An airline's name is recognised with a typing slip only from this many letters on."""
_SHORTEST = 5
"""Shorter names are matched only as written (by `entities`): "Iberia" is not "Siberia"."""
_WORDS = 3
"""A carrier name written apart spans at most this many words ("Delta Air Lines")."""
_LATIN_WORD = re.compile(r"[a-z0-9]+")


class CarrierSpellings:
    """Finds carriers typed apart, together or with one slip, in folded text."""

    def __init__(self, carriers: Mapping[str, Sequence[str]]) -> None:
        spellings: dict[str, str] = {}
        shared: set[str] = set()
        for code, names in carriers.items():
            for name in names:
                if name.startswith("=") or not name.isascii():
                    continue
                key = "".join(_LATIN_WORD.findall(fold(name)))
                if len(key) < _SHORTEST:
                    continue
                if spellings.get(key, code) != code:
                    shared.add(key)
                spellings[key] = code
        self._spellings = {k: v for k, v in spellings.items() if k not in shared}

    def find(self, folded: str, taken: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
        """(start, end, carrier code) of the carriers `folded` types apart, together or
        with one slip, outside the spans already `taken` by names found as written."""
        words = list(_LATIN_WORD.finditer(folded))
        spans = list(taken)
        out: list[tuple[int, int, str]] = []
        for i in range(len(words)):
            for j in range(i, min(i + _WORDS, len(words))):
                start, end = words[i].start(), words[j].end()
                if j > i and re.search(r"[^\s-]", folded[words[j - 1].end() : words[j].start()]):
                    break  # a name is not written across punctuation
                if any(a < end and start < b for a, b in spans):
                    continue
                typed = "".join(w.group() for w in words[i : j + 1])
                code = self._spellings.get(typed) or self._slipped(typed)
                if code:
                    out.append((start, end, code))
                    spans.append((start, end))
        return out

    def _slipped(self, typed: str) -> str:
        if len(typed) < _SLIP_LENGTH - 1 or typed.isdigit():
            return ""
        codes = {
            code
            for key, code in self._spellings.items()
            if len(key) >= _SLIP_LENGTH and key[0] == typed[0] and one_slip(typed, key)
        }
        return codes.pop() if len(codes) == 1 else ""
