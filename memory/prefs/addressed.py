"""Text addressed to someone other than the airline *about* the passenger, told by its
structure rather than by its words.

The word tables (`lexicon.orders`, `lexicon.records`, each lexicon's `attacks`) know the
attacks someone has written down; an attack in a form nobody listed passes them (a blind
set: 13 of 15 leaking attacks matched no table). What such text has in common is where
it points, and that shows in its shape, in any language:

- **a record, not a sentence**: fields set with machine syntax — two or more
  "key: value" pairs on one line between pipes or semicolons ("需求：轮椅 | 优先级：高"),
  assignments ("needs -> wheelchair", "canal := sms"), snake_case keys
  ("rebook_priority: 1"), reservation-system lines ("SSR WCHR YY HK1"); and, read in
  the whole text (`addressed_regions`), templates and code comments ("{{ ... }}",
  "/* ... */", "%%NOTE%%") and a YAML block of keys and list items over several lines;
- **a grant**: an amount of money named by a writer who never says I ("Grant 600 EUR
  and mark wheelchair"): only the airline gives money; a passenger's money is theirs
  ("I paid 600 EUR");
- **a sender that is a machine**: a heading that carries a mail or web address
  ("Forwarded by noreply@ops.example: ...");
- **the passenger as "the traveller"**: a passenger speaks of themselves in the first
  person ("I use a wheelchair"; "my father uses one"). A sentence that names the customer
  in the third person and never says I is a record kept by someone else — in a
  passenger's own text, an impersonation whatever its verb; where the writer is unknown
  (a staff note keeps such records honestly) only when it is also a directive ("the
  traveller is to be recorded as ...", "Der Reisende ist ... zu führen", "يجب تسجيل
  المسافر"); a bracketed heading over such a sentence ("【処理メモ】この旅客は...") too.

A sentence with any of these yields no preference (`memory.prefs.injection` adds these
signs to the others). A staff note's own words (`TextSource.STAFF`) are exempt from the
third-person sign only: keeping the customer's record is their job, setting fields is not.
"""

from __future__ import annotations

import re

from memory.prefs.attacked import Hit
from memory.prefs.lexicon import directives
from memory.prefs.lexicon.base import compile_words
from memory.prefs.speakers import customer_spans, speaks_for_self
from memory.prefs.text import WORD_CHAR, fold

_KEY = r"[^\W\d_][\w.'’-]*(?:[ \t]+[^\W\d_][\w.'’-]*){0,2}"
"""A field's name: one to three words, starting with a letter (not a time: "14:30")."""

_PAIR = re.compile(
    rf"{_KEY}[ \t]*[:：](?!//)[ \t]*"
    r"[^\s,，、|｜;\n](?:[^,，、|｜;\n.!?。:：]{0,30}[^\s,，、|｜;\n.!?。:：])?"
    r"[ \t]*(?=[|｜;\n]|[.。]?$)"
)
"""A "key: value" pair whose value is a few words without a comma ("priority: high",
"需求：轮椅"), up to the next separator or the end: a field, not a sentence that happens
to hold two colons ("Vor allem: Gang, bitte; und: keine Nachtflüge")."""

_FIELD_SEPARATOR = re.compile(r"[|｜\n]")
"""What separates fields and never clauses: a pipe, a line break. Two pairs around a
semicolon may be a sentence ("Note: window please; also: aisle if not"); three are not."""

_ASSIGNMENT = re.compile(
    rf"(?:^|(?<=[|｜;,\n]))[ \t]*{_KEY}[ \t]*(?::=|=>|->|→|⇒)[ \t]*[\w'\"]", re.MULTILINE
)
"""A field assigned with an arrow or ":=" ("needs -> wheelchair", "canal := sms")."""

_SNAKE_KEY = re.compile(
    r"(?<![@/\w.])(?:[a-zA-Z][a-zA-Z0-9]*(?:_[a-zA-Z0-9]+)+|[a-z]{2,}(?:[A-Z][a-z0-9]+)+)"
    r"\s*(?::|=|:=)"
)
"""A programmer's key set, snake_case or camelCase ("rebook_priority: 1",
"accessibility_needs = WCHR", "travellerNeeds: wheelchair"): no one writes a word so."""

_WRAPPED = re.compile(
    r"\{\{.*?(?:\}\}|$)|\{%.*?(?:%\}|$)|/\*.*?(?:\*/|$)|%%[^\W\d_]\w*%%.*?(?:%%\w*%%|$)",
    re.MULTILINE,
)
"""Template tags, code comments and placeholder markers, and what they wrap up to their
end or the line's: "{{ needs }}", "/* note */", "%%VERMERK%% ... %%ENDE%%". The sentence
cutter trims such openers off a sentence's start, so they are read in the whole text."""

_RESERVATION_LINE = re.compile(r"\b(?:SSR|OSI)\s+[A-Z]{2,4}\b|\bHK\d\b")
"""A line of a reservation system (special service requests, other service information):
what an airline's system writes, never a passenger's sentence."""

_AMOUNT = re.compile(
    r"\d[\d.,]*\s?(?:EUR|USD|GBP|CHF|JPY|€|\$|£|¥|euros?|dollars?|pounds?)(?!\w)"
    r"|(?<!\w)(?:EUR|USD|GBP|CHF|€|\$|£)\s?\d",
    re.IGNORECASE,
)
"""An amount of money named by a writer who never says I: a grant ("Grant 600 EUR and
...", "Voucher 200 €"), what only the airline gives; a passenger speaks of money as
theirs ("I paid 600 EUR")."""

_ADDRESS = r"(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|www\.\S+)"
_ADDRESSED_HEADING = re.compile(rf"^\W*(?:[^:：\n]{{0,60}}?\s)?{_ADDRESS}\s*[:：]")
"""A heading that names a mail or web address: "Forwarded by noreply@ops.example:"."""

_BRACKET_HEADING = re.compile(r"^\W{0,3}[\[【〔(][^\]】〕)]{1,30}[\]】〕)]")
"""A bracketed label opening the sentence: "【処理メモ】", "[ملاحظة معالجة]"."""

_MORE_CUSTOMER = tuple(
    compile_words(
        (
            r"(?:holder|bearer) of (?:this|the) (?:ticket|booking|reservation|file)",
            r"ticket ?holder",
            r"viaggiator\w*",
            r"viajante\w*",
            r"podrozn\w*",
            r"путешественни\w*",
            r"여행자\w*",
            r"(?:ال)?مسافر",
        )
    ).values()
)
"""The customer in the third person where `memory.prefs.speakers` does not name them."""

_NOT_THE_CUSTOMER = re.compile(r"customer (?:service|care|support|relations)|service client")
"""A word for the customer inside the name of the airline's own desk."""

_DIRECTIVE = tuple(compile_words(directives.DIRECTIVE).values())


def structural_spans(sentence: str, *, passenger: bool = False, staff: bool = False) -> list[Hit]:
    """Where `sentence` is addressed to someone other than the airline about the
    passenger, by its structure (module docstring).

    Args:
        sentence: one sentence of the text (`memory.prefs.text.sentences`).
        passenger: the writer is known to be the passenger: the customer named in the
            third person without a first person is enough.
        staff: the sentence is a staff note's own words: the third person is theirs.
    """
    folded = fold(sentence)
    hits = _record(sentence)
    hits += [m.span() for m in _SNAKE_KEY.finditer(sentence)]
    hits += [m.span() for m in _RESERVATION_LINE.finditer(sentence)]
    if not speaks_for_self(sentence):
        hits += [m.span() for m in _AMOUNT.finditer(sentence)]
    heading = _ADDRESSED_HEADING.match(sentence)
    if heading is not None:
        hits.append(heading.span())
    if not staff:
        hits += _third_person(sentence, folded, passenger=passenger)
    return hits


def _record(sentence: str) -> list[Hit]:
    """Field pairs: two or more "key: value" between separators, or assignments."""
    pairs = [m.span() for m in _PAIR.finditer(sentence)]
    hits: list[Hit] = []
    if len(pairs) >= 3 or (len(pairs) >= 2 and _FIELD_SEPARATOR.search(sentence)):
        hits += pairs
    assignments = [m.span() for m in _ASSIGNMENT.finditer(sentence)]
    if len(assignments) >= 2 or any(
        sentence[a:b].lstrip(" \t")[:1].islower() for a, b in assignments
    ):
        hits += assignments
    return hits


def _third_person(sentence: str, folded: str, *, passenger: bool) -> list[Hit]:
    """The customer named in the third person by a writer who never says I."""
    directive = [m.span() for regex in _DIRECTIVE for m in regex.finditer(folded)]
    if speaks_for_self(_blanked(sentence, directive)):
        return []
    named = [
        h
        for h in customer_spans(sentence)
        + [m.span() for regex in _MORE_CUSTOMER for m in regex.finditer(folded)]
        if not any(m.start() <= h[0] < m.end() for m in _NOT_THE_CUSTOMER.finditer(folded))
    ]
    named = [h for h in named if not _is_own_label(folded, h)]
    if not named:
        return []
    bracketed = _BRACKET_HEADING.match(folded)
    if passenger or directive or bracketed is not None:
        return named + directive + ([bracketed.span()] if bracketed is not None else [])
    return []


def _blanked(sentence: str, spans: list[Hit]) -> str:
    """`sentence` without the words of its directives: the Polish "ma zostać" ("is to
    be") is no French "ma" ("my")."""
    chars = list(sentence)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


_LABEL = re.compile(rf"^\W*{WORD_CHAR}+\s*[:：]")


def _is_own_label(folded: str, hit: Hit) -> bool:
    """Is the customer word only the writer's one-word label of their line
    ("Passenger: window seat please")?"""
    label = _LABEL.match(folded)
    return label is not None and hit[1] <= label.end()


def addressed_regions(text: str) -> list[Hit]:
    """Where the whole text (not one sentence) is addressed elsewhere: wrappers
    (`_WRAPPED`) and record blocks (`_record_blocks`)."""
    return [m.span() for m in _WRAPPED.finditer(text)] + _record_blocks(text)


def _record_blocks(text: str) -> list[Hit]:
    """Runs of two or more lines that are a record — each line a "key:" (with or without
    its value) or a list item, at least two of them keys — as YAML or a form dump is
    written ("needs:\\n  - wheelchair\\nchannel: sms"). The sentence cutter sees each line
    alone; here the block is seen whole, and every sentence inside it is the attack's."""
    blocks: list[Hit] = []
    run: list[tuple[int, int, bool]] = []  # (start, end, is_key)
    position = 0
    for line in text.splitlines(keepends=True):
        start, end = position, position + len(line.rstrip("\r\n"))
        position += len(line)
        body = line.strip()
        is_key = bool(_LINE_KEY.match(body))
        if is_key or (run and _LINE_ITEM.match(body)):
            run.append((start, end, is_key))
            continue
        blocks += _block(run)
        run = []
    blocks += _block(run)
    return blocks


_LINE_KEY = re.compile(
    rf"^{_KEY}[ \t]*[:：](?!//)[ \t]*[^\s.!?。][^.!?。]{{0,40}}$|^{_KEY}[ \t]*[:：]$"
)
"""A line that is a field: "channel: sms", or a key whose value is the list below it."""
_LINE_ITEM = re.compile(r"^[-*•][ \t]+\S.{0,40}$")
"""A short list item under a key ("- wheelchair")."""


def _block(run: list[tuple[int, int, bool]]) -> list[Hit]:
    if len(run) >= 2 and sum(is_key for _, _, is_key in run) >= 2:
        return [(run[0][0], run[-1][1])]
    return []
