"""Structured preferences derived from what customers and operators wrote, with the source.

A customer's PREFERENCE and NOTE memories are read for what they state — language,
channel, seat, red-eyes, accessibility needs, and airports, cities and airlines to avoid
— in whatever words and language they were written (`memory.prefs`: per-language
lexicons and clause rules, or a chat model when one is configured). The newest statement
about a field wins; needs and avoid-lists accumulate. Each field cites, in
`Preferences.sources`, the memory text it came from, and in `Preferences.authors` who
wrote it: the record's `author` metadata (`memory.prefs.sources`) decides how a text is
read — a staff note may keep the customer's record in the third person, a passenger's
text that does so impersonates staff.

Memory texts are data: a sentence that tries to instruct the agent ("ignore previous
instructions ...") is quarantined and yields nothing (`memory.prefs.injection`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from airline.models import Preferences
from memory.base import MemoryRecord
from memory.prefs.reader import STATED, CachedReader, PreferenceReader, derive_with

__all__ = ["STATED", "default_reader", "derive_preferences"]

_default: CachedReader | None = None
_lock = threading.Lock()


def default_reader() -> CachedReader:
    """The lexicon reader, shared by the process."""
    global _default
    with _lock:
        if _default is None:
            from memory.prefs.lexical import LexiconReader

            _default = CachedReader(LexiconReader())
        return _default


def derive_preferences(
    records: Iterable[MemoryRecord], reader: PreferenceReader | None = None
) -> Preferences:
    """The customer's preferences from their memories; the newest statement of each wins.

    Blocking (it may ask the model): run it off the event loop.

    Args:
        records: the customer's memories, in any order; only PREFERENCE and NOTE count.
        reader: how statements are understood (default: `default_reader`).
    """
    return derive_with(reader or default_reader(), records)
