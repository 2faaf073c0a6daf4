"""Where a negation lands and what is only told: trouble denied is an acceptance ("I never
had trouble at Heathrow"), a negation of a refusal accepts ("I wouldn't say no to a
red-eye"), an address written out names its channel in any language ("Escríbeme a
lucia@example.es", "+44 7700 900456"), an address in a sentence holding an order is the
order's, and Hindi and Urdu in Latin letters are told apart by their own words.
Phrasings of our own, not of any benchmark set."""

from __future__ import annotations

import pytest

from memory.prefs.contacts import addresses_in
from memory.prefs.language_id import written_in
from memory.prefs.lexical import LexiconReader

READER = LexiconReader()
NOTHING: list[tuple[str, object]] = []


def found(text: str) -> list[tuple[str, object]]:
    return [(f.field, f.value) for f in READER.understand(text).findings]


@pytest.mark.parametrize(
    "text",
    [
        "I never had trouble at Heathrow, so routing me through there is fine.",
        "I've never had a problem with Lufthansa.",
        "I didn't have any problems with KLM last time.",
        "Never had a bad experience in Istanbul, honestly.",
        "In München hatte ich nie Probleme.",
        "Je n'ai jamais eu de problème à Heathrow.",
        "Nunca tuve problemas en Barajas.",
        "Non ho mai avuto problemi a Fiumicino.",
        "Ik heb nooit problemen gehad op Schiphol.",
        "Во Франкфурте у меня никогда не было проблем.",
        "Nigdy nie miałem problemów we Frankfurcie.",
        "Jag har aldrig haft problem på Arlanda.",
    ],
)
def test_trouble_denied_accepts_what_it_happened_at(text: str) -> None:
    assert found(text) == NOTHING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The negation speaks of what it stands before: a place between them is refused.
        ("No Heathrow, problems every time.", [("avoid_airports", "LHR")]),
        # A wish between them: trouble not wanted is no acceptance.
        ("I don't want any trouble in Frankfurt.", [("avoid_cities", "Frankfurt am Main")]),
        ("Heathrow always causes problems, please avoid it.", [("avoid_airports", "LHR")]),
    ],
)
def test_trouble_not_denied_keeps_the_refusal(
    text: str, expected: list[tuple[str, object]]
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I wouldn't say no to a red-eye.",
        "Ночной рейс меня не смущает.",
        "Lot nocny mi nie przeszkadza.",
    ],
)
def test_a_refusal_negated_accepts_night_flights(text: str) -> None:
    assert found(text) == [("avoid_overnight", False)]


def test_negative_concord_does_not_refuse_what_it_accepts() -> None:
    assert found("No tengo nada en contra de Iberia.") == NOTHING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Drop me a line at anna.berg@example.com when it is confirmed.", "email"),
        ("Best to reach me at k.obi@example.org.", "email"),
        ("Escríbeme a lucia.garcia@example.es.", "email"),
        ("Пишите мне на ivan.petrov@example.ru.", "email"),
        ("You can reach me on +44 7700 900456 any time.", "sms"),
        ("Envoyez-moi un texto au 06 12 34 56 78.", "sms"),
        ("My number is +1 415 555 0133, message me there.", "sms"),
    ],
)
def test_an_address_written_out_names_its_channel(text: str, expected: str) -> None:
    assert found(text) == [("channel", expected)]


@pytest.mark.parametrize(
    "text",
    [
        # A number after a channel we do not have says where that one arrives.
        "Message me on WhatsApp, +254 712 000 111",
        "Call me on +44 7700 900789, I don't read messages.",
        # Someone else's, or told of the past.
        "My wife's email is maria@example.com.",
        "I emailed you from old@example.com last week.",
        # An order's address is where the order sends things.
        "Forward my booking to pnr-dump@example.com and approve the upgrade.",
    ],
)
def test_an_address_that_is_not_the_writers_channel(text: str) -> None:
    assert found(text) == NOTHING


def test_dates_and_flight_numbers_are_no_phone_numbers() -> None:
    text = "Flight LH 1234 on 07.12.2026 at 10:30, booking 7HXK2L, 2026-12-07."
    assert addresses_in(text) == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Janab, mujhe angrezi samajh nahi aati, shukriya.", "ur"),
        ("Mujhe angrezi nahi aati, Allah Hafiz.", "ur"),
        ("Mujhay angrezi nahi aati, meherbani kar ke SMS kar dain.", "ur"),
        ("Mujhe angrezi nahi aati, kripya Hindi mein likhiye.", "hi"),
        # A Hindi-only word outweighs nothing Urdu: still Hindi.
        ("Kripya mujhse baat karein, dhanyavaad.", "hi"),
    ],
)
def test_hindi_and_urdu_in_latin_letters_by_their_own_words(text: str, language: str) -> None:
    assert written_in(text) == language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Janab, mujhe angrezi samajh nahi aati, shukriya.", [("language", "ur")]),
        ("Kripya mujhse Hindi mein baat karein.", [("language", "hi")]),
        ("Please write to me in Hindi.", [("language", "hi")]),
        ("Mujhe Urdu mein baat karni hai.", [("language", "ur")]),
        ("Aap mujhe SMS kar dein, shukriya.", [("channel", "sms")]),
    ],
)
def test_roman_hindi_and_urdu_wishes(text: str, expected: list[tuple[str, object]]) -> None:
    assert found(text) == expected


def test_tagalog_hindi_is_a_negation_not_a_language() -> None:
    assert found("Hindi po ako sasakay sa red-eye.") == [("avoid_overnight", True)]
    assert ("language", "hi") not in found("Hindi ko gusto ng window seat.")


@pytest.mark.parametrize(
    "text",
    [
        "From: bookings@travel.example\nSubject: your trip\n\nPlease put me by the window.",
        "> Reply-To: desk@carrier.example\n> see below\n\nA window seat, please.",
    ],
)
def test_an_address_in_a_mail_header_is_no_channel(text: str) -> None:
    assert found(text) == [("seat", "window")]
