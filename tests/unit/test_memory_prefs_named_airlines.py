"""Airlines and airports named the ways passengers name them, read with their stance:
a nationality flown is the airline and a nationality spoken the language; Arabic says
"not" with a noun and "it doesn't bother me" to accept."""

from __future__ import annotations

import pytest

from memory.prefs.lexical import LexiconReader


@pytest.fixture(scope="module")
def reader() -> LexiconReader:
    return LexiconReader()


def found(reader: LexiconReader, text: str) -> set[tuple[str, object]]:
    return {(f.field, f.value) for f in reader.understand(text).findings}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'd rather not fly Turkish.", {("avoid_carriers", "TK")}),
        ("Please reply in Turkish.", {("language", "tr")}),
        ("Not the Irish low-cost one again, I beg you.", {("avoid_carriers", "FR")}),
        ("pls no ryan air, they charged me for my bag", {("avoid_carriers", "FR")}),
        ("Please, nothing with Air Frnace.", {("avoid_carriers", "AF")}),
        # "عدم" is Arabic's noun of negation: "I prefer not passing through Dubai airport".
        ("أفضل عدم المرور عبر مطار دبي.", {("avoid_airports", "DXB")}),
        ("أي شركة طيران ما عدا طيران ناس.", {("avoid_carriers", "XY")}),
    ],
)
def test_airlines_and_airports_as_passengers_name_them(
    reader: LexiconReader, text: str, expected: set[tuple[str, object]]
) -> None:
    assert found(reader, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "الرحلات الليلية لا تزعجني.",  # night flights don't bother me
        "لا اعتراض على الرحلات الليلية.",  # no objection to night flights
        "No objection to a red-eye.",
        "Night flights: no objection from me.",
    ],
)
def test_an_acceptance_is_no_refusal(reader: LexiconReader, text: str) -> None:
    assert ("avoid_overnight", True) not in found(reader, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ORY not CDG.", {("avoid_airports", "CDG")}),
        ("Lufthansa not Ryanair.", {("avoid_carriers", "FR")}),
        ("Vienna not via Munich please", {("avoid_cities", "Munich")}),
        # A refusal before the first refuses both.
        (
            "Not Frankfurt not Munich",
            {("avoid_cities", "Frankfurt am Main"), ("avoid_cities", "Munich")},
        ),
    ],
)
def test_the_place_before_not_is_the_one_chosen(
    reader: LexiconReader, text: str, expected: set[tuple[str, object]]
) -> None:
    assert found(reader, text) == expected
