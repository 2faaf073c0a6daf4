"""Places written in other scripts and forms, needs said indirectly, channels by contrast,
and Norwegian: the mechanisms of session 7, each tested on phrasings of its own."""

from __future__ import annotations

import pytest

from memory.prefs.lexical import LexiconReader
from memory.prefs.text import fold
from memory.prefs.transliterated import sound_key

READER = LexiconReader()


def _found(text: str) -> set[tuple[str, object]]:
    return {(f.field, f.value) for f in READER.understand(text).findings}


def test_sound_keys_forget_transcription_spelling() -> None:
    assert sound_key("Gatvik") == sound_key("Gatwick")
    assert sound_key("Khel'sinki") == sound_key("Helsinki")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Airports nobody listed in Cyrillic, read by sound; case endings after the name.
        ("Через Шереметьево больше никогда.", {("avoid_airports", "SVO")}),
        ("Только не через Пулково, пожалуйста.", {("avoid_airports", "LED")}),
        ("Только не через Гатвик.", {("avoid_airports", "LGW")}),
        ("Избегайте Москвы, пожалуйста.", {("avoid_cities", "Moscow")}),
        ("Не хочу лететь через Варшаву.", {("avoid_cities", "Warsaw")}),
        ("Όχι ανταπόκριση στο Μιλάνο, παρακαλώ.", {("avoid_cities", "Milan")}),
        # The other airports of a hub's town, inflected in Polish.
        ("Nie chcę lądować w Modlinie.", {("avoid_airports", "WMI")}),
        # Airlines by their home names.
        ("Не летаю Победой.", {("avoid_carriers", "DP")}),
        ("لا أريد السفر مع فلاي دبي.", {("avoid_carriers", "FZ")}),
        # A wish said before a place prefers it; the refusal before it still stands.
        ("Evitem Orly, prefiro Roissy.", {("avoid_airports", "ORY")}),
        # "Does not suit me" refuses.
        ("Пересадка в Гатвике меня не устраивает.", {("avoid_airports", "LGW")}),
        ("Против пересадки во Франкфурте ничего не имею.", set()),
    ],
)
def test_places_in_other_scripts_and_forms(text: str, expected: set[object]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My knees are bad, so I can't do the stairs.", {("accessibility", "reduced mobility")}),
        ("She can only walk short distances.", {("accessibility", "reduced mobility")}),
        ("Necesito ayuda para hacer la conexión.", {("accessibility", "assistance")}),
        ("Potrzebuję pomocy przy przesiadce.", {("accessibility", "assistance")}),
        ("Ho bisogno di aiuto all'imbarco.", {("accessibility", "assistance")}),
        ("मैं देख नहीं सकता।", {("accessibility", "visual impairment")}),
        ("धन्यवाद, आपकी टीम ने बहुत मदद की।", set()),
        # The escort of a child alone is the minor service itself.
        (
            "Ma fille de 10 ans voyage seule, merci de prévoir l'accompagnement.",
            {("accessibility", "unaccompanied minor")},
        ),
    ],
)
def test_needs_said_indirectly(text: str, expected: set[object]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Notices go to our webhook, not to the travellers by SMS.",
            {("channel", "webhook"), ("refused_channels", "sms")},
        ),
        ("I'd rather email than SMS.", {("channel", "email")}),
        ("text me dont email", {("channel", "sms")}),
        ("scrivetemi per email, che il telefono non lo guardo", {("channel", "email")}),
        ("schreibt mir ne SMS", {("channel", "sms")}),
        ("Nhắn tin SMS giúp tôi, tôi ít khi xem email.", {("channel", "sms")}),
        ("gui email cho minh nha", {("channel", "email")}),
        ("SMS jarang saya baca, kirim lewat email saja.", {("channel", "email")}),
        ("أرسلوا لي رسالة نصية، لا أفتح البريد الإلكتروني.", {("channel", "sms")}),
    ],
)
def test_channels_by_contrast_and_by_the_nearest_negation(text: str, expected: set[object]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jeg vil helst ha vindusplass.", {("seat", "window")}),
        ("Send meg en SMS, e-post leser jeg sjelden.", {("channel", "sms")}),
        ("Ingen nattfly, er du snill.", {("avoid_overnight", True)}),
        ("Unngå Gardermoen om mulig.", {("avoid_airports", "OSL")}),
        ("Har ikke noe imot å bytte fly i København.", set()),
        ("Jeg snakker ikke engelsk, skriv på norsk.", {("language", "no")}),
        ("Datteren min på 9 år reiser alene.", {("accessibility", "unaccompanied minor")}),
    ],
)
def test_norwegian(text: str, expected: set[object]) -> None:
    assert _found(text) == expected


def test_stroked_letters_fold_to_the_plain_ones_at_the_same_length() -> None:
    assert fold("Łódź đêm kapı") == "lodz dem kapi"
    assert len(fold("Łódź")) == len("Łódź")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "pls dont put me thru heathrow again i beg u. gatwick is fine",
            {("avoid_airports", "LHR")},
        ),
        ("Nada de Iberia, que la última vez me perdieron la maleta.", {("avoid_carriers", "IB")}),
        ("Honestly I avoided Ryanair for years but they've been fine lately.", set()),
        ("Back in 2019 I avoided Gatwick, that's long over.", set()),
        ("Mon père ne parle qu'italien, écrivez-lui en italien.", {("language", "it")}),
        ("Nothing overnight please.", {("avoid_overnight", True)}),
    ],
)
def test_time_and_sentence_forms(text: str, expected: set[object]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Haluaisin käytäväpaikan, kiitos.", {("seat", "aisle")}),
        ("Älkää lähettäkö tekstiviestejä, sähköposti on parempi.", {("channel", "email")}),
        ("Ei yölentoja, kiitos.", {("avoid_overnight", True)}),
        ("Kirjoittakaa minulle suomeksi, en puhu englantia.", {("language", "fi")}),
        # Finnish "ei", "en", "et" negate only in Finnish: Portuguese "Ei" is "hey",
        # French "en" is "in".
        ("Ei, quero janela.", {("seat", "window")}),
        ("Écrivez-moi en français s'il vous plaît.", {("language", "fr")}),
        # Folded Finnish words are English ones: "happi" (oxygen) is no "happily".
        ("Happily, the aisle is fine with me; please apply it.", set()),
    ],
)
def test_finnish(text: str, expected: set[object]) -> None:
    assert _found(text) == expected
