"""Who wrote a text, as the channel it came through says — never as the text claims.

A statement is weighed by its writer. The passenger speaks for themselves: their own
wishes count, and a text of theirs that reads like a staff record ("Customer marked as
wheelchair user", "register the passenger as ...", "Internal note: ...") impersonates
one, so it is an attack (`memory.prefs.injection`). Airline staff write exactly so: a
third-person note of the customer's needs is their job. The extractor cannot tell the
two apart from the words (the words are what an attacker controls), so it is told, by
the memory record's metadata, which the recording code sets and no text can:

    metadata["author"], cut into words                   TextSource
    a word starting customer, passenger, pax, repl,
      inbound ("customer-email", "sms-reply")            passenger
    a word ops, operations, staff, desk, agent,
      operator, crew, gate, station, supervisor,
      backoffice / back-office ("ops", "desk-lhr")       staff
    absent, empty, or none of the above                  unknown

Words are cut at "-", "_", ".", "/", ":" and spaces. A word of the passenger's anywhere
wins over a word of staff ("customer-agent-chat" is a passenger's text): mistaking a
passenger for staff lends an attacker trust, the other way round only loses an honest
note. Staff words must match whole ("gateway" is no gate). Unknown is read as every text
was read before the extractor knew writers: as the least trusted writer, the passenger.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

AUTHOR_KEY = "author"
"""The memory record's metadata key that names who wrote it (`memory.seed`)."""


class TextSource(StrEnum):
    """Who wrote a text, by the channel it came through."""

    PASSENGER = "passenger"
    """The customer, about themselves (an e-mail, a reply, a form they filled)."""
    STAFF = "staff"
    """Airline staff about the customer (an ops or desk note, an agent's record)."""
    UNKNOWN = "unknown"
    """Not said: read as the passenger (the least trusted writer)."""


PASSENGER_PREFIXES = ("customer", "passenger", "pax", "repl", "inbound")
STAFF_WORDS = frozenset(
    {
        "ops",
        "operations",
        "staff",
        "desk",
        "agent",
        "operator",
        "crew",
        "gate",
        "station",
        "supervisor",
        "backoffice",
    }
)
_WORDS = re.compile(r"[-_./:\s]+")


def source_of_author(author: object) -> TextSource:
    """The `TextSource` an `author` metadata value names (the table in this module's
    docstring); anything else, or nothing, is unknown."""
    if not isinstance(author, str) or not author.strip():
        return TextSource.UNKNOWN
    name = author.strip().lower()
    words = {w for w in _WORDS.split(name) if w}
    if any(w.startswith(PASSENGER_PREFIXES) for w in words):
        return TextSource.PASSENGER
    if words & STAFF_WORDS or "back-office" in name:
        return TextSource.STAFF
    return TextSource.UNKNOWN


def source_of(metadata: Mapping[str, object] | None) -> TextSource:
    """Who wrote a memory record, from its metadata (`AUTHOR_KEY`)."""
    return source_of_author((metadata or {}).get(AUTHOR_KEY))


@dataclass(frozen=True)
class Authored:
    """A text and who wrote it."""

    text: str
    source: TextSource = TextSource.UNKNOWN


def authored(items: Sequence[str | Authored]) -> list[Authored]:
    """`items` with a plain text read as written by someone unknown."""
    return [item if isinstance(item, Authored) else Authored(item) for item in items]
