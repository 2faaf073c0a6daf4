"""Hindi (Devanagari and Latin letters), Russian, Vietnamese and Indonesian: the same
preferences, refusals and other people's wishes as in the other covered languages."""

from __future__ import annotations

import pytest

from memory.prefs.language_id import written_in
from memory.prefs.lexical import LexiconReader
from memory.prefs.text import TOKEN

READER = LexiconReader()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("मुझे गलियारे वाली सीट पसंद है।", {("seat", "aisle")}),
        ("रात की फ्लाइट मत दीजिए।", {("avoid_overnight", True)}),
        ("रात की उड़ान भी चलेगी।", {("avoid_overnight", False)}),
        ("मुझसे हिंदी में बात कीजिए।", {("language", "hi")}),
        ("मेरे पति को व्हीलचेयर चाहिए, पर वह इस बार साथ नहीं जा रहे।", set()),
        (
            "mujhe aisle seat chahiye aur sms mat bhejna, email karo",
            {
                ("seat", "aisle"),
                ("channel", "email"),
            },
        ),
        ("Посадите меня, пожалуйста, у окна.", {("seat", "window")}),
        ("Ночные рейсы не предлагайте.", {("avoid_overnight", True)}),
        ("Ночной рейс меня устраивает.", {("avoid_overnight", False)}),
        ("Пишите мне по-английски.", {("language", "en")}),
        ("Никогда больше через Стамбул.", {("avoid_cities", "Istanbul")}),
        ("Tôi thích ghế cạnh lối đi.", {("seat", "aisle")}),
        ("Xin đừng xếp tôi vào chuyến bay đêm.", {("avoid_overnight", True)}),
        ("Vui lòng liên hệ qua email.", {("channel", "email")}),
        ("Saya mau kursi dekat jendela.", {("seat", "window")}),
        ("Tolong jangan penerbangan malam.", {("avoid_overnight", True)}),
        ("Penerbangan malam tidak apa-apa.", {("avoid_overnight", False)}),
        ("Hubungi saya lewat SMS saja.", {("channel", "sms")}),
    ],
)
def test_new_languages_state_what_they_say(text: str, expected: set[tuple[str, object]]) -> None:
    found = {(f.field, f.value) for f in READER.understand(text).findings}

    assert found == expected


def test_a_devanagari_word_is_one_token_with_its_vowel_signs() -> None:
    assert TOKEN.findall("खिड़की वाली सीट") == ["खिड़की", "वाली", "सीट"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("मुझे खिड़की चाहिए", "hi"),
        ("bhai window seat de dena, night flight nahi", "hi"),
        ("Место у прохода", "ru"),
        ("Tôi muốn ngồi cạnh cửa sổ", "vi"),
        ("Saya ingin duduk di dekat jendela", "id"),
        ("Hai ragione, vorrei il corridoio", "it"),
    ],
)
def test_the_language_is_told_by_script_function_words_or_langid(text: str, language: str) -> None:
    assert written_in(text) == language
