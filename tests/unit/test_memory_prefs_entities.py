"""Places and airlines resolved to codes, whatever language names them."""

from __future__ import annotations

import pytest

from memory.prefs.entities import Gazetteer, default_gazetteer
from memory.prefs.lexical import LexiconReader


def named(text: str) -> list[tuple[str, str]]:
    """What `text` names, each once ("Roissy-Charles-de-Gaulle" names CDG twice)."""
    return list(dict.fromkeys((e.kind, e.code) for e in default_gazetteer().find(text)))


@pytest.mark.parametrize(
    "text",
    [
        "Frankfurt",
        "Francfort",
        "Fráncfort",
        "Francoforte",
        "法兰克福",
        "フランクフルト",
        "frankfurt",  # typed in lower case
    ],
)
def test_exonyms_name_the_same_city(text: str) -> None:
    assert named(text) == [("city", "Frankfurt am Main")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("niente scali a Monaco di Baviera", [("city", "Munich")]),
        ("Nie chcę przesiadki w Londynie", [("city", "London")]),  # declined
        ("Nie lecę Wizz Airem", [("carrier", "W6")]),
        ("成田経由は避けてください", [("airport", "NRT")]),
        ("别让我在戴高乐机场转机", [("airport", "CDG")]),
        ("Évitez Roissy-Charles-de-Gaulle", [("airport", "CDG")]),
        # An airport named after its city is the airport, not the whole city.
        ("through Istanbul Airport", [("airport", "IST")]),
        ("via London Heathrow", [("airport", "LHR")]),
        ("Chicago O'Hare", [("airport", "ORD")]),
        # A city and an airport side by side are both named.
        ("Madrid, Barajas es enorme", [("city", "Madrid"), ("airport", "MAD")]),
        # A Latin name inside Chinese text.
        ("不要在Frankfurt转机", [("city", "Frankfurt am Main")]),
        ("全日空以外でお願いします", [("carrier", "NH")]),
    ],
)
def test_places_and_airlines_in_several_languages(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert named(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Notre fils voyage seul.",  # French "seul", not Seoul ("Seul" in Polish)
        "the tap in the toilet",  # TAP only in capitals
        "we were united",  # United only as written
        "PAX CAN'T WALK FAR",  # CAN the code, not the word
        "nice weather",  # Nice only capitalised
        "flight LH400 was late",  # a flight number, not the airline
    ],
)
def test_ordinary_words_are_not_places(text: str) -> None:
    assert named(text) == []


def test_the_schedules_airports_and_carriers_are_known() -> None:
    gazetteer = Gazetteer(airports=["PDL"], carriers={"S4": ("Azores Airlines",)})
    reader = LexiconReader(gazetteer)

    found = {(f.field, f.value) for f in reader.understand("Never via PDL, no S4 please.").findings}

    assert found == {("avoid_airports", "PDL"), ("avoid_carriers", "S4")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pls no ryan air", [("carrier", "FR")]),  # written apart
        ("Bitte nicht mit Ryan-Air", [("carrier", "FR")]),
        ("anything but Easy Jet", [("carrier", "U2")]),
        ("nie Wizzairem", [("carrier", "W6")]),  # run together, declined
        ("don't rebook me on Luftansa", [("carrier", "LH")]),  # one letter dropped
        ("nothing with Air Frnace", [("carrier", "AF")]),  # two letters swapped
        ("no Turkish Airline please", [("carrier", "TK")]),
    ],
)
def test_airlines_are_found_written_apart_or_with_one_slip(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert named(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the fueling stop took an hour",  # one slip from Vueling, but not its first letter
        "a Siberian winter",  # Iberia is too short a name to stretch
        "Air, France and Spain",  # a name is not written across punctuation
    ],
)
def test_ordinary_words_near_an_airline_name_are_no_airline(text: str) -> None:
    assert not [kind for kind, _ in named(text) if kind == "carrier"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("please not Dubai airport", [("airport", "DXB")]),  # not Jebel Ali (DWC) too
        ("أفضل عدم المرور عبر مطار دبي", [("airport", "DXB")]),
        ("Flughafen Rom", [("airport", "FCO")]),
        ("aeropuerto de Dubái", [("airport", "DXB")]),
        ("Paris airport", [("city", "Paris")]),  # two hubs: which one is not said
        ("avoid Dubai", [("city", "Dubai")]),
    ],
)
def test_a_city_beside_the_word_airport_is_its_only_hub(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert named(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not the Irish low-cost one again", [("carrier", "FR")]),
        ("The Hungarian low-cost airline", [("carrier", "W6")]),
        ("nicht mit der irischen Billigairline", [("carrier", "FR")]),
        ("la compagnie low-cost irlandaise", [("carrier", "FR")]),
        ("węgierskie tanie linie", [("carrier", "W6")]),
        ("the German flag carrier", [("carrier", "LH")]),
        ("الناقل الوطني التركي", [("carrier", "TK")]),
        ("I am German and fly budget airlines", []),  # the adjective is the writer's
        ("a British low-cost airline", []),  # Britain has two: easyJet and Jet2
        ("الدرجة الاقتصادية", []),  # economy class, not a budget airline
    ],
)
def test_an_airline_described_by_country_and_kind(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert named(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'd rather not fly Turkish", [("carrier", "TK")]),
        ("no flights with Norwegian", [("carrier", "DY")]),
        ("Please reply in Turkish", []),  # the language
        ("لا أريد السفر على طيران رايان إير", [("carrier", "FR")]),
        ("أي شركة طيران ما عدا طيران ناس", [("carrier", "XY")]),
        ("لا أريد لوفتهانزا", [("carrier", "LH")]),
    ],
)
def test_airlines_by_nationality_or_by_arabic_name(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert [n for n in named(text) if n[0] == "carrier"] == expected


def test_a_country_with_two_budget_airlines_names_neither() -> None:
    assert named("the Turkish low-cost one") == []  # Pegasus or AJet
