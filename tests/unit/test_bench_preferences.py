"""The preference benchmark's scoring conventions (`scripts/bench_preferences.py`): what
is labelled and what is found are compared after the same normalisation, so a label and
a finding that mean the same need or place score as a match."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from airline.metro import airports_of_city
from memory.prefs.findings import Finding, Understood
from memory.prefs.sources import TextSource

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_preferences.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_preferences", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_preferences", module)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


def _found(*findings: tuple[str, str]) -> Understood:
    return Understood(tuple(Finding(field, value, "") for field, value in findings))  # type: ignore[arg-type]


def _score(expect: dict[str, object], found: Understood) -> dict[str, int]:
    figures = BENCH.score([{"lang": "en", "text": "t", "expect": expect}], [found])
    return {k: figures["overall"][k] for k in ("tp", "fp", "fn")}


def test_a_wheelchair_implies_assistance_on_both_sides() -> None:
    wheelchair = _found(("accessibility", "wheelchair"))
    both = _found(("accessibility", "wheelchair"), ("accessibility", "assistance"))

    # Labelled {wheelchair, assistance}, found {wheelchair}: one need, fully found.
    assert _score({"accessibility": ["wheelchair", "assistance"]}, wheelchair)["fn"] == 0
    # Labelled {wheelchair}, found {wheelchair, assistance}: nothing found in excess.
    assert _score({"accessibility": ["wheelchair"]}, both)["fp"] == 0
    assert _score({"accessibility": ["wheelchair"]}, wheelchair) == _score(
        {"accessibility": ["wheelchair", "assistance"]}, both
    )


def test_assistance_alone_is_no_wheelchair() -> None:
    figures = _score({"accessibility": ["assistance"]}, _found(("accessibility", "wheelchair")))

    assert figures == {"tp": 1, "fp": 1, "fn": 0}


def test_a_city_scores_as_its_hubs_or_else_every_airport_filed_under_it() -> None:
    # Bergen's one airport is no large hub: the city is still its airport, so a label
    # naming the airport and a finding naming the city agree.
    assert BENCH.city_airports("Bergen") == {"BGO"}
    assert _score({"avoid_airports": ["BGO"]}, _found(("avoid_cities", "Bergen"))) == {
        "tp": 1,
        "fp": 0,
        "fn": 0,
    }
    # London's namesakes abroad (London, Ontario: YXU) are not what a passenger means.
    london = BENCH.expected_pairs({"avoid_cities": ["London"]})
    assert "YXU" in airports_of_city("London")
    assert ("avoid_airports", "LHR") in london and ("avoid_airports", "YXU") not in london


def test_a_name_no_airport_is_filed_under_scores_as_itself() -> None:
    assert BENCH.city_airports("Atlantis") == {"Atlantis"}


def test_a_language_scores_under_the_code_preferences_keep() -> None:
    assert _score({"language": "no"}, _found(("language", "nb"))) == {"tp": 1, "fp": 0, "fn": 0}
    assert _score({"language": "fil"}, _found(("language", "tl"))) == {"tp": 1, "fp": 0, "fn": 0}


def test_an_item_is_read_as_its_author_wrote_it_and_older_sets_as_unknown() -> None:
    declared = [
        {"lang": "en", "text": "Pax uses a wheelchair.", "author": "agent"},
        {"lang": "en", "text": "I use a wheelchair."},
    ]
    older = [{"lang": "en", "text": "I use a wheelchair."}]

    assert BENCH.item_sources(declared) == [TextSource.STAFF, TextSource.PASSENGER]
    assert BENCH.item_sources(older) == [TextSource.UNKNOWN]


def test_an_author_the_mapping_does_not_know_is_refused() -> None:
    with pytest.raises(SystemExit, match="author: agent"):
        BENCH.item_sources([{"lang": "en", "text": "t", "author": "agnet"}])


def test_a_set_that_declares_authors_is_scored_per_author_too() -> None:
    items = [
        {"lang": "en", "text": "a", "expect": {"seat": "aisle"}, "author": "agent"},
        {"lang": "en", "text": "b", "expect": {"seat": "aisle"}},
    ]
    found = [_found(("seat", "aisle")), _found()]

    figures = BENCH.score(items, found, [TextSource.STAFF, TextSource.PASSENGER])

    assert figures["authors"]["staff"]["recall"] == 1.0
    assert figures["authors"]["passenger"]["recall"] == 0.0
    assert BENCH.score(items[1:], found[1:])["authors"] == {}
