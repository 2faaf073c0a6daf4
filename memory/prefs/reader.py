"""The reader port, a cache in front of it, and the fold of findings into `Preferences`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Protocol

from airline.models import Preferences
from memory.base import MemoryKind, MemoryRecord
from memory.prefs.findings import LIST_FIELDS, Understood

STATED = frozenset({MemoryKind.PREFERENCE, MemoryKind.NOTE})
"""Kinds that carry what the customer wants; outcomes and our own messages do not."""


class PreferenceReader(Protocol):
    """Understands statements; blocking (callers run it off the event loop)."""

    def understand_many(self, texts: Sequence[str]) -> list[Understood]: ...


class CachedReader:
    """Remembers what each text was understood to say (a text means the same each time);
    the newest `size` texts are kept."""

    def __init__(self, reader: PreferenceReader, *, size: int = 20_000) -> None:
        self._reader = reader
        self._size = size
        self._seen: OrderedDict[str, Understood] = OrderedDict()
        self._lock = threading.Lock()

    def understand_many(self, texts: Sequence[str]) -> list[Understood]:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if missing:
            fresh = self._reader.understand_many(missing)
            with self._lock:
                for text, understood in zip(missing, fresh, strict=True):
                    self._seen[text] = understood
                while len(self._seen) > self._size:
                    self._seen.popitem(last=False)
        with self._lock:
            out = []
            for text in texts:
                self._seen.move_to_end(text)
                out.append(self._seen[text])
            return out


def fold_preferences(statements: Iterable[tuple[str, Understood]]) -> Preferences:
    """`Preferences` from statements oldest first: a newer value of a field replaces an older
    one; avoid-lists and needs accumulate. Each field cites the texts it came from."""
    values: dict[str, object] = {}
    sources: dict[str, list[str]] = {}
    for text, understood in statements:
        for finding in understood.findings:
            if finding.field in LIST_FIELDS:
                items = values.setdefault(finding.field, [])
                assert isinstance(items, list)
                if finding.value not in items:
                    items.append(finding.value)
                cited = sources.setdefault(finding.field, [])
                if text not in cited:
                    cited.append(text)
            else:
                values[finding.field] = finding.value
                sources[finding.field] = [text]
    return Preferences.model_validate(
        {
            **values,
            "sources": {field: " | ".join(reversed(texts)) for field, texts in sources.items()},
        }
    )


def derive_with(reader: PreferenceReader, records: Iterable[MemoryRecord]) -> Preferences:
    """The customer's preferences from their memories; only PREFERENCE and NOTE count."""
    stated = sorted((r for r in records if r.kind in STATED), key=lambda r: (r.at, r.id))
    understood = reader.understand_many([r.text for r in stated])
    return fold_preferences(zip((r.text for r in stated), understood, strict=True))
