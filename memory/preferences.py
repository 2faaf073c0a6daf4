"""Structured preferences derived from what customers and operators wrote, with the source.

A customer's PREFERENCE and NOTE memories are read for what they state — language,
channel, seat, red-eyes, accessibility needs, and airports, cities and airlines to avoid
— in whatever words and language they were written (`memory.prefs`: embedding similarity
to a labelled catalogue with the packaged MiniLM, or a chat model when one is
configured). The newest statement about a field wins; needs and avoid-lists accumulate.
Each field cites, in `Preferences.sources`, the memory text it came from.

Memory texts are data: a note that tries to instruct the agent ("ignore previous
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
    """The packaged MiniLM against the packaged catalogue, shared by the process."""
    global _default
    with _lock:
        if _default is None:
            from memory.embeddings import MiniLmEmbedder
            from memory.prefs.embedding import EmbeddingReader

            _default = CachedReader(EmbeddingReader(MiniLmEmbedder()))
        return _default


def derive_preferences(
    records: Iterable[MemoryRecord], reader: PreferenceReader | None = None
) -> Preferences:
    """The customer's preferences from their memories; the newest statement of each wins.

    Blocking (it embeds, or asks the model): run it off the event loop.

    Args:
        records: the customer's memories, in any order; only PREFERENCE and NOTE count.
        reader: how statements are understood (default: `default_reader`).
    """
    return derive_with(reader or default_reader(), records)
