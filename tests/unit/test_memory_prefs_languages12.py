"""Malay read with the Indonesian lexicon, Korean "X가 좋아요", Swedish "gör mig
ingenting", Copenhagen's Nordic names, Amharic "ያለ" after a postposition, Yoruba "kọ X
sí mi", Norwegian "over natta", and a wish taken back "anymore" / "längre" / "lenger"."""

from __future__ import annotations

import pytest

from memory.prefs.lexical import LexiconReader

_READER = LexiconReader()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saya lebih suka tempat duduk tepi tingkap.", {("seat", "window")}),
        ("Sila hantar SMS kepada saya.", {("channel", "sms")}),
        ("Saya tak mahu penerbangan waktu malam.", {("avoid_overnight", True)}),
        ("Saya perlukan kerusi roda di lapangan terbang.", {("accessibility", "wheelchair")}),
        ("Penerbangan malam pun tak apa.", {("avoid_overnight", False)}),
        ("통로 쪽 자리가 좋아요.", {("seat", "aisle")}),
        ("창가 자리가 좋습니다.", {("seat", "window")}),
        ("야간 비행도 좋아요.", {("avoid_overnight", False)}),
        ("Nattflyg gör mig ingenting.", {("avoid_overnight", False)}),
        ("Undvik Köpenhamn om det går.", {("avoid_cities", "Copenhagen")}),
        ("Ikke via København, takk.", {("avoid_cities", "Copenhagen")}),
        ("Nak tempat duduk tepi tingkap boleh?", {("seat", "window")}),
        ("እባክዎ በመስኮት አጠገብ ያለ ወንበር ይስጡኝ", {("seat", "window")}),
        ("ያለ መስኮት መቀመጫ ይሻለኛል።", set()),
        ("Ẹ kọ í-meèlì sí mi dípò àtẹ̀jíṣẹ́.", {("channel", "email")}),
        ("Jeg vil helst ikke fly over natta, har med to små barn.", {("avoid_overnight", True)}),
        ("I said I'd avoid Frankfurt but honestly I don't care anymore.", set()),
        ("Jag skrev att jag ville undvika Kastrup men det spelar ingen roll längre.", set()),
        ("Jeg skrev at jeg ville unngå Gardermoen, men det spiller ingen rolle lenger.", set()),
        ("Jag vill inte flyga via Kastrup längre.", {("avoid_airports", "CPH")}),
        ("I don't want night flights anymore.", {("avoid_overnight", True)}),
    ],
)
def test_read(text: str, expected: set[tuple[str, object]]) -> None:
    found = {(f.field, f.value) for f in _READER.understand(text).findings}

    assert found == expected
