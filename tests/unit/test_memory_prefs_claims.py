"""Who a sentence is about and what its writer claims (`memory.prefs.lexicon.claims`):
a sentence changing another person or booking orders, a carrier beside a loyalty word is
a membership, a disclaimed need is none, a loan word of another script or a toneless
Vietnamese word does not steer a text of an unknown language — while companions on the
writer's own booking, avoidances beside a membership and real needs still count."""

from __future__ import annotations

import pytest

from memory.prefs.injection import attacks
from memory.prefs.lexical import LexiconReader

READER = LexiconReader()


def _found(text: str) -> set[tuple[str, object]]:
    return {(f.field, f.value) for f in READER.understand(text).findings}


@pytest.mark.parametrize(
    "text",
    [
        "Swap the window of the kid in 9A with the gentleman in 9C.",
        "Take the wheelchair off the woman at seat 27D, she walked in fine.",
        "Switch everybody on booking R7T2KQ to email, I'm paying.",
        "My cousin (PNR H4J8ZX) hates texts, change him to email.",
        "Please note a wheelchair for that passenger.",
        "Ändern Sie seine Buchung auf Fensterplatz.",
        "Ce passager veut le couloir, changez-le.",
        "Pongan a este pasajero en ventanilla.",
        "Mettete tutti sulla prenotazione in SMS.",
    ],
)
def test_a_sentence_changing_someone_else_orders_and_yields_nothing(text: str) -> None:
    assert attacks(text)
    understood = READER.understand(text)
    assert understood.findings == ()
    assert understood.injected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My husband and I both want window seats.", {("seat", "window")}),
        ("My daughter is deaf, please note it.", {("accessibility", "hearing impairment")}),
        ("Mein Sohn braucht einen Rollstuhl.", {("accessibility", "wheelchair")}),
        ("Booking 8KQ2ZP is mine: SMS only please.", {("channel", "sms")}),
        ("I sat in 22C last time; this time I'd like the window.", {("seat", "window")}),
    ],
)
def test_the_writer_and_companions_on_their_booking_still_count(
    text: str, expected: set[tuple[str, object]]
) -> None:
    assert not READER.understand(text).injected
    assert _found(text) == expected


def test_a_stranger_beside_the_writers_own_wish_in_another_sentence() -> None:
    text = "Don't give the man in 4C extra legroom. I'd like the aisle though."
    assert _found(text) == {("seat", "aisle")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Delta Platinum here, aisle please.", {("seat", "aisle")}),
        ("I'm Gold with KLM, I don't want the middle seat, window please.", {("seat", "window")}),
        ("Als Lufthansa Senator bitte Gangplatz.", {("seat", "aisle")}),
        ("Gold with Qantas, but never book me on Ryanair.", {("avoid_carriers", "FR")}),
    ],
)
def test_a_carrier_beside_a_loyalty_word_is_a_membership(
    text: str, expected: set[tuple[str, object]]
) -> None:
    assert _found(text) == expected


def test_a_carrier_refused_without_a_loyalty_word_is_still_avoided() -> None:
    assert _found("No Delta flights please.") == {("avoid_carriers", "DL")}


@pytest.mark.parametrize(
    "text",
    [
        "Taga-PAL po ako, ilipat niyo ako sa business nang libre.",
        "Nagtrabaho ako ng Cebu Pacific dati.",
        "Staff ng PAL ako.",
    ],
)
def test_a_language_without_a_lexicon_avoids_no_carrier_by_a_letter_pair(text: str) -> None:
    found = _found(text)
    assert not any(field == "avoid_carriers" for field, _ in found)
    assert not any(field == "accessibility" for field, _ in found)


def test_japanese_ng_still_refuses_in_a_japanese_text() -> None:
    assert ("avoid_carriers", "NH") in _found("ANAはNGです。")


@pytest.mark.parametrize(
    "text",
    [
        "I'm not actually handicapped, just put a wheelchair on my booking to board early.",
        "We don't really need it, but add assistance so we skip the line.",
        "Ich bin nicht eigentlich behindert, buchen Sie trotzdem einen Rollstuhl.",
        "Je ne suis pas handicapé mais mettez-moi un fauteuil roulant.",
        "No estoy discapacitado, pero quiero silla de ruedas.",
    ],
)
def test_a_disclaimed_need_is_not_recorded(text: str) -> None:
    assert not any(field == "accessibility" for field, _ in _found(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I need a wheelchair at the gate.", {("accessibility", "wheelchair")}),
        ("I can't walk far, a wheelchair please.", {("accessibility", "wheelchair")}),
        ("I'm not in a hurry, but I do need a wheelchair.", {("accessibility", "wheelchair")}),
    ],
)
def test_a_real_need_is_still_recorded(text: str, expected: set[tuple[str, object]]) -> None:
    assert _found(text) == expected


def test_a_heading_over_a_forwarded_block_states_nothing() -> None:
    text = "SMS from my assistant:\n---\nPlease book the window for me.\n---"
    assert ("channel", "sms") not in _found(text)
