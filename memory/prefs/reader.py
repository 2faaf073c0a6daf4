"""The reader port, a cache in front of it, and the fold of findings into `Preferences`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Protocol

from airline.models import Preferences, SetAsideNote
from memory.base import MemoryKind, MemoryRecord
from memory.prefs.findings import ACCEPTANCE, LIST_FIELDS, Understood
from memory.prefs.sources import Authored, authored, source_of

STATED = frozenset({MemoryKind.PREFERENCE, MemoryKind.NOTE})
"""Kinds that carry what the customer wants; outcomes and our own messages do not."""


class PreferenceReader(Protocol):
    """Understands statements; blocking (callers run it off the event loop).

    A statement is a plain text (its writer unknown) or an `Authored` text: who wrote it,
    as the memory record's channel says (`memory.prefs.sources`), decides what it may say
    (a staff note may keep the customer's record in the third person; a passenger's text
    that does so impersonates staff)."""

    def understand_many(self, texts: Sequence[str | Authored]) -> list[Understood]: ...


class CachedReader:
    """Remembers what each text was understood to say (a text by the same writer means the
    same each time); the newest `size` texts are kept."""

    def __init__(self, reader: PreferenceReader, *, size: int = 20_000) -> None:
        self._reader = reader
        self._size = size
        self._seen: OrderedDict[Authored, Understood] = OrderedDict()
        self._lock = threading.Lock()

    def understand_many(self, texts: Sequence[str | Authored]) -> list[Understood]:
        keys = authored(texts)
        with self._lock:
            missing = list(dict.fromkeys(k for k in keys if k not in self._seen))
        if missing:
            fresh = self._reader.understand_many(missing)
            with self._lock:
                for key, understood in zip(missing, fresh, strict=True):
                    self._seen[key] = understood
                while len(self._seen) > self._size:
                    self._seen.popitem(last=False)
        with self._lock:
            out = []
            for key in keys:
                self._seen.move_to_end(key)
                out.append(self._seen[key])
            return out


def fold_preferences(statements: Iterable[tuple[str | Authored, Understood]]) -> Preferences:
    """`Preferences` from statements oldest first: a newer value of a field replaces an older
    one; avoid-lists and needs accumulate. A channel refused and one asked for resolve the
    same way, the newest statement winning: a later wish for a channel lifts an earlier
    refusal of it, and so does a later acceptance ("Email is fine." — which chooses
    nothing), a later refusal drops an earlier wish for it. Each field cites
    the texts it came from (`sources`) and who wrote them (`authors`, in the same order).

    A statement that tried to instruct the agent (`Understood.injected`) is listed in
    `set_aside` (who wrote it, which fields its writer's own words still gave): the agent
    and the operator desk say that the note was treated as data. A field it gave cites
    only the clause it was read from, never the whole note, so the instruction is not
    repeated as the source of a preference (`memory.prefs.set_aside`)."""
    values: dict[str, object] = {}
    sources: dict[str, list[Authored]] = {}
    refusals: dict[str, Authored] = {}  # refused channel -> the text that refused it
    set_aside: list[SetAsideNote] = []
    for statement, understood in statements:
        (whole,) = authored([statement])
        if understood.injected:
            kept = sorted({f.field for f in understood.findings if f.field != ACCEPTANCE})
            set_aside.append(SetAsideNote(author=whole.source.value, kept=kept))
        for finding in understood.findings:
            item = Authored(finding.clause, whole.source) if understood.injected else whole
            value = str(finding.value)
            if finding.field == ACCEPTANCE:
                # "Email is fine" after "no e-mails": the refusal is lifted, nothing chosen.
                refusals.pop(value, None)
            elif finding.field == "refused_channels":
                refusals.pop(value, None)  # moved to the end: the newest refusal
                refusals[value] = item
                if values.get("channel") == value:
                    del values["channel"], sources["channel"]
            elif finding.field in LIST_FIELDS:
                items = values.setdefault(finding.field, [])
                assert isinstance(items, list)
                if finding.value not in items:
                    items.append(finding.value)
                cited = sources.setdefault(finding.field, [])
                if item not in cited:
                    cited.append(item)
            else:
                if finding.field == "channel":
                    refusals.pop(value, None)
                values[finding.field] = finding.value
                sources[finding.field] = [item]
    if refusals:
        values["refused_channels"] = list(refusals)
        sources["refused_channels"] = list(dict.fromkeys(refusals.values()))
    return Preferences.model_validate(
        {
            **values,
            "set_aside": set_aside,
            "sources": {
                field: " | ".join(i.text for i in reversed(items))
                for field, items in sources.items()
            },
            "authors": {
                field: " | ".join(i.source.value for i in reversed(items))
                for field, items in sources.items()
            },
        }
    )


def derive_with(reader: PreferenceReader, records: Iterable[MemoryRecord]) -> Preferences:
    """The customer's preferences from their memories; only PREFERENCE and NOTE count, each
    read as written by whom its metadata says (`memory.prefs.sources.source_of`)."""
    stated = sorted((r for r in records if r.kind in STATED), key=lambda r: (r.at, r.id))
    statements = [Authored(r.text, source_of(r.metadata)) for r in stated]
    understood = reader.understand_many(statements)
    return fold_preferences(zip(statements, understood, strict=True))
