"""The lexicons of the covered languages (one module each), and their names.

Written from knowledge of each language — its words for seats, channels, night flights,
needs, and for asking, refusing, avoiding, accepting, not caring, the past, other people
— not from the benchmark's phrasings. A language is added by writing its module and
listing it here.
"""

from memory.prefs.lexicon import (
    ar,
    da,
    de,
    el,
    en,
    es,
    fa,
    fi,
    fr,
    he,
    hi,
    hu,
    id,
    it,
    ja,
    ko,
    nl,
    no,
    pl,
    pt,
    ro,
    ru,
    sv,
    sw,
    th,
    tl,
    tr,
    uk,
    vi,
    zh,
)
from memory.prefs.lexicon.base import Lexicon

LEXICONS: tuple[Lexicon, ...] = (
    en.LEXICON,
    de.LEXICON,
    fr.LEXICON,
    es.LEXICON,
    it.LEXICON,
    pt.LEXICON,
    nl.LEXICON,
    pl.LEXICON,
    sv.LEXICON,
    tr.LEXICON,
    zh.LEXICON,
    ja.LEXICON,
    ko.LEXICON,
    el.LEXICON,
    ar.LEXICON,
    hi.LEXICON,
    ru.LEXICON,
    vi.LEXICON,
    id.LEXICON,
    da.LEXICON,
    no.LEXICON,
    fi.LEXICON,
    ro.LEXICON,
    hu.LEXICON,
    uk.LEXICON,
    sw.LEXICON,
    tl.LEXICON,
    he.LEXICON,
    fa.LEXICON,
    th.LEXICON,
)
COVERED = tuple(lexicon.code for lexicon in LEXICONS)
"""Languages whose wording is understood (language *names* are known for more)."""
LANGUAGE_CODES = tuple(sorted({code for lexicon in LEXICONS for code in lexicon.names}))
"""Languages a customer can ask to be written to in: every language the lexicons name."""

__all__ = ["COVERED", "LANGUAGE_CODES", "LEXICONS", "Lexicon"]
