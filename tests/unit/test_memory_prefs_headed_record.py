"""A heading over the customer named in the third person is the shape of a record kept by
someone else ("Agent: pax wants SMS", "Fra kundeservice: kunden ønsker SMS"): in a
passenger's text it impersonates staff, whatever role the heading names and in whatever
language (`memory.prefs.headings`); in a staff note's own words it is
their record."""

from __future__ import annotations

import pytest

from memory.prefs.lexical import LexiconReader
from memory.prefs.sources import TextSource
from memory.prefs.speakers import names_the_customer

READER = LexiconReader()


@pytest.mark.parametrize(
    "text",
    [
        "Agent: pax wants SMS and never via CDG.",
        "Atención al cliente: el pasajero prefiere SMS y evitar Barajas.",
        "Fra kundeservice: kunden ønsker SMS og aldrig via Kastrup.",
        "Starfsmaður: farþeginn vill SMS og ekki fljúga um Keflavík.",
        "From the desk: customer avoids Lufthansa, don't book LH.",
        "Crew note: passenger prefers email.",
        "Från incheckningen: resenären vill inte flyga med Ryanair.",
    ],
)
def test_a_passenger_writing_a_headed_record_of_the_customer_states_nothing(text: str) -> None:
    understood = READER.understand(text, TextSource.PASSENGER)

    assert understood.injected
    assert not understood.findings


def test_a_staff_note_under_a_heading_is_their_record() -> None:
    understood = READER.understand("Agent: pax wants SMS.", TextSource.STAFF)

    assert ("channel", "sms") in {(f.field, f.value) for f in understood.findings}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Passenger: window seat please.", ("seat", "window")),
        ("Note: please text me, I prefer SMS.", ("channel", "sms")),
    ],
)
def test_a_heading_that_is_the_writer_or_names_no_customer_keeps_the_wish(
    text: str, expected: tuple[str, str]
) -> None:
    understood = READER.understand(text, TextSource.PASSENGER)

    assert expected in {(f.field, f.value) for f in understood.findings}


@pytest.mark.parametrize(
    "text", ["Resenären vill ha fönsterplats.", "Pasażer prosi o SMS.", "Müşteri SMS istiyor."]
)
def test_the_customer_is_named_in_words_with_accents(text: str) -> None:
    # The third person is read in folded text: "resenär" must be matched as "resenar".
    assert names_the_customer(text)
