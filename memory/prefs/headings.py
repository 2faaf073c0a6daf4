"""A heading over the customer named in the third person: the shape of a record kept by
someone who speaks *of* the customer ("Agent: pax wants SMS", "Fra kundeservice: kunden
ønsker SMS", "Nota del agente: ...", "Starfsmaður: farþeginn vill ...").

Blind set 11 found passengers' texts of this shape accepted in English, Spanish, Danish
and Icelandic: the staff roles they named ("agent", "atención al cliente", "kundeservice",
"starfsmaður") are in no list of fake headings (`lexicon.records.NOTE`), and such a list
is never complete. The shape is: whatever role the heading names, the sentence under it
speaks of the customer in the third person, as no customer speaks of themselves. The
quarantine (`memory.prefs.injection`) reads it as an order in a passenger's text; in a
staff note's own words the customer named is not counted, so there it is their record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from memory.prefs.attacked import Hit
from memory.prefs.text import WORD_CHAR

_HEADING = re.compile(rf"^\W*(?:[^\W\d_](?:{WORD_CHAR}|['’.-])*[ \t]*){{1,4}}[:：](?![/\d])")
"""A sentence's heading: up to four words and a colon ("Agent:", "Fra kundeservice:",
"Nota del agente:", "Starfsmaður:"), not a time or an address."""


def headed_record(folded: str, customer: Sequence[Hit]) -> list[Hit]:
    """A heading over the customer named in the third person ("Agent: pax wants SMS",
    "Atención al cliente: el pasajero prefiere ...", "Crew note: passenger prefers email"):
    the shape of a record kept by someone who speaks *of* the customer — whatever role the
    heading names, in any language. In a passenger's text it impersonates staff; in a staff
    note's own words (`customer` then holds only what the note quotes) it is their record.
    A heading that is only the customer ("Passenger: window please") keeps no one's
    record."""
    heading = _HEADING.match(folded)
    if heading is None:
        return []
    after = [h for h in customer if h[0] >= heading.end()]
    if not after or _is_the_customer(folded, heading.span(), customer):
        return []
    return [heading.span(), *after]


def _is_the_customer(folded: str, heading: Hit, customer: Sequence[Hit]) -> bool:
    """Is the heading only a word for the customer ("Passenger:", "Pax:") — the writer
    labelling their own line — rather than a role that speaks of them ("Customer
    service:", "Atención al cliente:")?"""
    words = _WORD.findall(folded, heading[0], heading[1])
    inside = [h for h in customer if heading[0] <= h[0] and h[1] <= heading[1]]
    return len(words) == 1 and bool(inside)


_WORD = re.compile(rf"{WORD_CHAR}+")
