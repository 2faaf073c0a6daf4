"""Whose need it is, what is imagined, what is taken back, and the languages written in
scripts of their own (Korean, Greek, Arabic). Phrasings written for these tests, in
several languages each: a mechanism, not a sentence, is what they check."""

from __future__ import annotations

import pytest

from memory.prefs.language_id import written_in
from memory.prefs.lexical import LexiconReader

READER = LexiconReader()


def found(text: str) -> set[tuple[str, object]]:
    return {(f.field, f.value) for f in READER.understand(text).findings}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Someone on another booking: their need is not this trip's.
        ("My sister is deaf but she has her own booking.", set()),
        ("Meine Mutter sitzt im Rollstuhl, sie fliegt aber nicht mit.", set()),
        ("Ma fille est malvoyante, mais elle prend un autre vol.", set()),
        ("Mi padre usa silla de ruedas, pero no viaja conmigo.", set()),
        ("我妈妈坐轮椅，不过她不和我一起走。", set()),
        # On this booking, or no word of travelling apart: the booking's need.
        ("My sister is deaf and flies with me.", {("accessibility", "hearing impairment")}),
        ("Meine Mutter sitzt im Rollstuhl.", {("accessibility", "wheelchair")}),
        # The customer's own need beside a companion who travels apart.
        (
            "My husband has his own reservation. I use a wheelchair.",
            {("accessibility", "wheelchair")},
        ),
    ],
)
def test_a_need_belongs_to_who_travels(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Travels with medical oxygen on board.", {("accessibility", "oxygen")}),
        ("Mein Vater braucht Sauerstoff während des Fluges.", {("accessibility", "oxygen")}),
        ("Pasajera con concentrador de oxígeno.", {("accessibility", "oxygen")}),
        ("旅客需要在飞机上吸氧。", {("accessibility", "oxygen")}),
        ("No oxygen needed anymore, remove it from the profile.", set()),
    ],
)
def test_oxygen_is_a_need(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A condition set against this trip: the wish belongs to the other case.
        ("If my wife came along I'd take the aisle, but this time I fly alone.", set()),
        ("Si je voyageais avec mon chien, je prendrais le hublot, mais cette fois non.", set()),
        ("Als mijn zoon meereist wil ik het gangpad, maar deze keer reis ik alleen.", set()),
        ("如果带孩子我要靠窗，但这次我一个人。", set()),
        # "If possible" is a wish, not a condition.
        ("If possible, an aisle seat this time.", {("seat", "aisle")}),
        ("Si possible, un hublot.", {("seat", "window")}),
    ],
)
def test_a_wish_for_another_case_is_imagined(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Taken back by name, or by not minding any more.
        ("Please avoid Lufthansa and KLM. Actually scratch KLM.", {("avoid_carriers", "LH")}),
        ("Früher mied ich Frankfurt, jetzt ist es mir egal.", set()),
        ("Antes evitaba Ryanair, pero ahora me da igual.", set()),
        ("以前不坐汉莎，现在无所谓了。", set()),
        # "Never again" reaches the airline of the sentence before.
        (
            "We flew Wizz Air last spring, the seats were awful. Never again!",
            {("avoid_carriers", "W6")},
        ),
        (
            "Sat six hours in Frankfurt last year. Nie wieder.",
            {("avoid_cities", "Frankfurt am Main")},
        ),
        # Which one, the airline or the city? Nothing rather than a guess.
        ("We flew Wizz Air to Rome last spring. Never again!", set()),
        ("We flew Wizz Air last spring. Never had a problem.", set()),
        # A polite tail continues the refusal; a description does not.
        ("Avoid Ryanair and easyJet please.", {("avoid_carriers", "FR"), ("avoid_carriers", "U2")}),
        (
            "Not via Heathrow or Gatwick, London is always chaos.",
            {("avoid_airports", "LHR"), ("avoid_airports", "LGW")},
        ),
        # Naming a channel we do not have: no inference from the refused one.
        ("Signal or a phone call is best, I don't read email.", set()),
        ("I don't read email.", {("refused_channels", "email")}),
    ],
)
def test_entities_taken_back_and_continued(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("통로 쪽 자리로 부탁드려요.", "ko", {("seat", "aisle")}),
        ("야간 비행은 싫어요.", "ko", {("avoid_overnight", True)}),
        ("이메일로 연락 주세요.", "ko", {("channel", "email")}),
        ("저는 휠체어가 필요합니다.", "ko", {("accessibility", "wheelchair")}),
        ("Προτιμώ θέση στο παράθυρο.", "el", {("seat", "window")}),
        ("Δεν θέλω νυχτερινές πτήσεις.", "el", {("avoid_overnight", True)}),
        ("Παρακαλώ επικοινωνήστε μαζί μου στα αγγλικά.", "el", {("language", "en")}),
        ("Ο άντρας μου είναι τυφλός, αλλά έχει άλλη κράτηση.", "el", set()),
        ("أفضل الممر من فضلك.", "ar", {("seat", "aisle")}),
        ("أرجو إرسال الإشعارات عبر البريد الإلكتروني.", "ar", {("channel", "email")}),
        # "Dubai airport": its one hub, DXB (not Jebel Ali too; `entities`).
        ("تجنب مطار دبي من فضلك.", "ar", {("avoid_airports", "DXB")}),
        ("أحتاج كرسي متحرك في المطار.", "ar", {("accessibility", "wheelchair")}),
    ],
)
def test_korean_greek_and_arabic(
    text: str, language: str, expected: set[tuple[str, object]]
) -> None:
    assert written_in(text) == language
    assert found(text) == expected
