"""Addresses written out — an e-mail address, a phone number — as channel targets.

"Drop me a line at anna@example.com", "Escríbeme a lucia@example.es", "You can reach me
on +44 7700 900456": the address says how to reach the writer in any language, so it is
read by its shape, not from a lexicon. An e-mail address is the e-mail channel; a phone
number is the phone as the address (`stance.addresses`: SMS, unless it follows another
channel, of which it only says where it arrives — "WhatsApp, +254 712 000 111", "call me
on +44 ..."). Both ask by themselves, as "text me" does: nobody gives an address they do
not want used. Whether the writer gives their own address (not someone else's, nor one
told of the past) is still decided by the clause around it (`memory.prefs.stance`); an
address in a sentence holding an order is the order's (`lexical.without_ordered_addresses`);
one in a mail header ("From: ...") or a quoted line ("> ...") names a message's parties.
"""

from __future__ import annotations

import re
from typing import NamedTuple

EMAIL_ADDRESS = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_NUMBER = re.compile(
    # International ("+44 7700 900123", "0049 170 1234567") or national with a trunk 0
    # ("06 12 34 56 78"); at least nine digits, so a date ("07.12.2026") or a flight
    # number is none.
    r"(?<![\w+])(?:(?:\+|00)\d(?:[ ./()-]{0,2}\d){7,14}|0\d(?:[ ./-]?\d){8,12})(?![\w])"
)
HEADER_LINE = re.compile(
    r"[ \t]*>|[ \t]*(?:from|to|cc|bcc|sender|reply-to|von|an|de|para|da|à|от|кому)[ \t]*:",
    re.IGNORECASE,
)
"""The start of a quoted line or of a mail header line: what follows on that line is the
message's, not the writer's."""


class Address(NamedTuple):
    """An address in the text: the channel it names ("email", or "number": a phone number,
    the phone as the address) and where."""

    channel: str
    start: int
    end: int


def addresses_in(text: str) -> list[Address]:
    """The e-mail addresses and phone numbers written in `text`, but for those of mail
    headers and quoted lines."""
    found = [Address("email", m.start(), m.end()) for m in EMAIL_ADDRESS.finditer(text)]
    found += [
        Address("number", m.start(), m.end())
        for m in PHONE_NUMBER.finditer(text)
        if not any(m.start() < e.end and e.start < m.end() for e in found)
    ]
    return [a for a in found if not _in_header(text, a.start)]


def _in_header(text: str, at: int) -> bool:
    line_start = text.rfind("\n", 0, at) + 1
    return HEADER_LINE.match(text, line_start) is not None
