"""Language codes as the airline keeps a customer's language: one code per language.

A language reaches `airline.models.Preferences` from many places — the lexicon reader,
a model's answer, a booking system's locale ("nb_NO.UTF-8"), an operator's note — and
they name one language by several codes: BCP 47 tags carry regions ("pt-BR"), Norwegian
is written "nb" (Bokmål), "nn" (Nynorsk) or "no" (the macrolanguage), and Filipino "fil"
is the standard form of Tagalog "tl". The lexicons and the labelled sets keep one code
each ("no", "tl"); so does `Preferences`, by `language_code`.
"""

from __future__ import annotations

import re

SAME_LANGUAGE = {"nb": "no", "nn": "no", "fil": "tl"}
"""A code -> the code the same language is kept under."""

_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_.@].*)?")


def language_code(tag: str) -> str:
    """The code a language is kept under: the primary subtag of a BCP 47 tag or POSIX
    locale in lower case ("pt-BR" → "pt", "nb_NO.UTF-8" → "no"), Norwegian Bokmål and
    Nynorsk as Norwegian ("no"), Filipino as Tagalog ("tl"). Text that is no tag
    ("Norwegian") is returned stripped, as it came."""
    text = tag.strip()
    match = _TAG.fullmatch(text)
    if match is None:
        return text
    primary = match.group(1).lower()
    return SAME_LANGUAGE.get(primary, primary)
