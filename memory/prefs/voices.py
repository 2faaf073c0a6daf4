"""Whose words each sentence of a note is: its writer's own, or what the note quotes.

A staff note is trusted to keep the customer's record in the third person
(`memory.prefs.sources`), but only in the staff's own words. A note often carries the
passenger's words too — an e-mail pasted below a heading and a rule, a message quoted —
and those are the passenger's, with the passenger's limits: a fake heading or "register
the passenger as ..." inside them impersonates staff as it would anywhere. So the staff's
own words end where the note starts to report another's:

- at a separator (a rule, a blank line) that sets a block off: a forwarded text below it;
- at a sentence that introduces, after a colon, what the customer wrote or said
  ("Customer wrote: ...", "Kunde schreibt: ...", "Email from pax: ...", "乘客来信：...":
  a head naming the customer with a word of reporting, `lexicon.records.REPORTED`);

and everything after is read as the passenger's. Quoted speech inside the staff's own
sentences is the passenger's too (`memory.prefs.injection` keeps every sign inside quotes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from memory.prefs.lexicon import records
from memory.prefs.lexicon.base import compile_words
from memory.prefs.sources import TextSource
from memory.prefs.speakers import names_the_customer
from memory.prefs.text import Span, fold

_REPORTED = tuple(compile_words(records.REPORTED).values())
_COLON = re.compile(r"[:：]")
SEPARATOR = re.compile(r"-{3,}|_{3,}|={3,}|\*{3,}|\n\s*\n")
"""A rule or a blank line between two sentences: what follows is another block."""


def reports(sentence: str) -> bool:
    """Does the sentence introduce, after a colon, what the customer wrote or said?"""
    colon = _COLON.search(sentence)
    if colon is None:
        return False
    head = sentence[: colon.start()]
    folded = fold(head)
    return names_the_customer(head) and any(r.search(folded) for r in _REPORTED)


def own_words(text: str, spans: Sequence[Span], source: TextSource) -> list[bool]:
    """For each sentence of `text`: is it the writer's own words, written as staff? Only a
    staff note has any; they end at the first separator or report (module docstring)."""
    if source is not TextSource.STAFF:
        return [False] * len(spans)
    out: list[bool] = []
    own = True
    for i, span in enumerate(spans):
        if i and SEPARATOR.search(text, spans[i - 1].end, span.start):
            own = False
        out.append(own)
        if own and reports(span.text(text)):
            # The sentence's head is the staff's, what its colon introduces is not:
            # judged as the passenger's, as everything after it.
            out[-1] = own = False
    return out
