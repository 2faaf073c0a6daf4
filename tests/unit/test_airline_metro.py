"""Cities as travellers mean them: one table the planner and the extractor both read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from airline.airports import airport_names, load_airports
from airline.metro import (
    METRO_AREAS,
    airports_of_city,
    city_airports,
    city_of,
    is_in_avoided_city,
)
from airline.models import Cabin, Preferences
from airline.schedule import Schedule
from memory.prefs.entities import default_gazetteer
from memory.prefs.lexical import LexiconReader
from tools.flights import Itinerary, Leg
from tools.ranking import avoided_by


def test_every_metro_airport_is_a_real_airport_in_one_area() -> None:
    names = airport_names()
    seen: set[str] = set()
    for area, codes in METRO_AREAS.items():
        assert set(codes) <= set(names), area
        assert not seen & set(codes), f"{area} shares an airport with another area"
        seen |= set(codes)
        # The area is named as airportsdata names its main city, the gazetteer's name.
        assert any(names[c][1] == area for c in codes), area


@pytest.mark.parametrize(
    ("city", "airports"),
    [
        ("New York", {"JFK", "LGA", "EWR"}),
        ("Toronto", {"YYZ", "YTZ"}),  # airportsdata files Pearson under Mississauga
        ("Rome", {"FCO", "CIA"}),  # and Ciampino under "Roma"
        ("Newark", {"EWR"}),  # the town still names its own airport
    ],
)
def test_a_city_covers_its_metropolitan_areas_airports(city: str, airports: set[str]) -> None:
    assert airports <= airports_of_city(city)


def test_an_airport_is_in_its_town_and_its_area() -> None:
    assert city_of("EWR", "Newark") == "New York"
    assert city_of("FRA", "Frankfurt am Main") == "Frankfurt am Main"
    assert is_in_avoided_city("EWR", "Newark", ["New York"])
    assert is_in_avoided_city("EWR", "Newark", ["Newark"])
    assert not is_in_avoided_city("BOS", "Boston", ["New York"])


def test_a_city_to_avoid_is_its_area_not_a_namesake_abroad() -> None:
    # airportsdata files London, Ontario (YXU) under "London" and Paris, Texas (PRX)
    # under "Paris": the name carries no country, the metropolitan area does.
    assert {"YXU"} <= airports_of_city("London") and {"PRX"} <= airports_of_city("Paris")
    assert city_airports("London") == {"LHR", "LGW", "STN", "LTN", "LCY", "SEN"}
    assert city_airports("Chicago") == {"ORD", "MDW"}  # Midway is no large hub, still Chicago
    for code, city in (("LHR", "London"), ("SEN", "Southend"), ("LCY", "London")):
        assert is_in_avoided_city(code, city, ["London"]), code
    assert not is_in_avoided_city("YXU", "London", ["London"])
    assert not is_in_avoided_city("PRX", "Paris", ["Paris"])


def test_a_city_with_no_hub_still_avoids_the_airports_filed_under_it() -> None:
    assert city_airports("Bergen") == {"BGO"}
    assert is_in_avoided_city("BGO", "Bergen", ["Bergen"])
    # A name that is a hub's town but no area: the hub, not its namesakes.
    assert city_airports("Frankfurt am Main") == {"FRA"}


def test_an_airport_unknown_to_airportsdata_is_in_the_city_it_is_filed_under() -> None:
    assert is_in_avoided_city("ZZ1", "Atlantis", ["Atlantis"])
    assert not is_in_avoided_city("ZZ1", "Atlantis", ["London"])


def test_the_planner_avoids_london_but_not_london_ontario() -> None:
    schedule = Schedule(load_airports(["BOS", "LHR", "YXU", "LIS"]), [])
    preferences = Preferences(avoid_cities=["London"])
    assert avoided_by(_via("LHR"), preferences, schedule) == ["LHR (London)"]
    assert avoided_by(_via("YXU"), preferences, schedule) == []


def _via(hub: str) -> Itinerary:
    at = datetime(2026, 12, 6, 12, tzinfo=UTC)
    legs = [
        Leg(flight_key="A", carrier="XA", origin="BOS", destination=hub, dep=at, arr=at),
        Leg(flight_key="B", carrier="XA", origin=hub, destination="LIS", dep=at, arr=at),
    ]
    return Itinerary(legs=legs, cabin=Cabin("economy"), seats=1)


def test_the_planner_and_the_extractor_mean_the_same_new_york() -> None:
    """ "Never via New York" read by the extractor keeps the planner out of Newark too."""
    schedule = Schedule(load_airports(["BOS", "EWR", "JFK", "LIS", "PHL"]), [])
    (finding,) = LexiconReader().understand("Never connect me via New York.").findings
    preferences = Preferences(avoid_cities=[str(finding.value)])
    assert preferences.avoid_cities == ["New York"]
    for hub in ("EWR", "JFK"):
        assert avoided_by(_via(hub), preferences, schedule), hub
    assert not avoided_by(_via("PHL"), preferences, schedule)


def test_the_gazetteer_knows_an_areas_second_airport_but_not_by_a_common_word() -> None:
    found = {(e.kind, e.code) for e in default_gazetteer().find("not Hongqiao, not 虹桥")}
    assert found == {("airport", "SHA")}
    # "Dallas Love Field" is not named by "love", nor "Paris Beauvais" by "Paris".
    assert default_gazetteer().find("I'd love a window") == []
    assert {e.code for e in default_gazetteer().find("Paris")} == {"Paris"}
