"""Serbian in Cyrillic: the Croatian/Serbian Latin words (`hr`) letter for letter ("до
прозора", "ноћни лет", "молим"), and the short words read only in a text of the language
(conjunctions, fillers, a child, alone), in both alphabets: a Serbian text in Latin
letters is told as Serbian too."""

import re

from memory.prefs.lexicon import hr
from memory.prefs.lexicon.base import Lexicon

_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ"}
_LETTERS = dict(zip("abcčćdđefghijklmnoprsštuvzž", "абцчћдђефгхијклмнопрсштувзж", strict=True))
_WORD = re.compile(r"(?<!\\)[a-zčćđšž]+")


def cyrillic(pattern: str) -> str:
    """A Latin entry in Cyrillic; escapes ("\\w") and the service code "=UM" are kept."""
    if pattern.startswith("="):
        return pattern

    def letters(m: re.Match[str]) -> str:
        word = m.group()
        for latin, cyr in _DIGRAPHS.items():
            word = word.replace(latin, cyr)
        return "".join(_LETTERS.get(ch, ch) for ch in word)

    # An escape's letter ("\w") is not a word: only letters after it are.
    head = re.match(r"\\[a-zA-Z]", pattern)
    return _WORD.sub(letters, pattern) if head is None else pattern[:2] + cyrillic(pattern[2:])


def _both(words: tuple[str, ...]) -> tuple[str, ...]:
    return (*words, *(w for w in map(cyrillic, words) if w not in words))


def _cyrillic_only(group: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    out = {}
    for key, words in group.items():
        converted = tuple(w for w in map(cyrillic, words) if w not in words)
        if converted:
            out[key] = converted
    return out


_LOCAL = ("filler", "child", "alone", "state")

LEXICON = Lexicon(
    code="sr",
    names=_cyrillic_only(hr.NAMES),
    targets=_cyrillic_only(hr.TARGETS),
    cues={
        **_cyrillic_only({k: v for k, v in hr.CUES.items() if k not in _LOCAL}),
        **{key: _both(hr.CUES[key]) for key in _LOCAL},
    },
    breaks=_both(hr.BREAKS),
    concessive=_both(hr.CONCESSIVE),
    joins=_both(hr.JOINS),
    local={key: _both(words) for key, words in hr.LOCAL.items()},
)
