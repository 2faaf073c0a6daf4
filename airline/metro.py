"""Cities as travellers mean them: a metropolitan area and every airport that serves it.

airportsdata files an airport under the town it stands in: Newark Liberty under Newark,
Toronto Pearson under Mississauga, Ezeiza under Ezeiza, Ciampino under "Roma". A customer
who says "never via New York" means Newark too; one who says "not Toronto" means Pearson.
IATA groups such airports under a metropolitan area code (NYC, LON, TYO, ...); this is
that grouping, for the areas with more than one passenger airport or whose main airport
airportsdata files under another town. The planner's avoid-list matching
(`tools.ranking.avoided_by`) and the preference extractor's gazetteer
(`memory.prefs.entities`) both read it, so "avoid New York" means the same airports to
the one who understands it and the one who routes.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from airline.airports import airport_names, canonical_city

METRO_AREAS: dict[str, tuple[str, ...]] = {
    # IATA metropolitan area codes, with their passenger airports (name: airports).
    "New York": ("JFK", "LGA", "EWR"),  # NYC
    "London": ("LHR", "LGW", "STN", "LTN", "LCY", "SEN"),  # LON
    "Paris": ("CDG", "ORY", "BVA"),  # PAR
    "Milan": ("MXP", "LIN", "BGY"),  # MIL
    "Rome": ("FCO", "CIA"),  # ROM
    "Stockholm": ("ARN", "BMA", "NYO"),  # STO
    "Moscow": ("SVO", "DME", "VKO"),  # MOW
    "Istanbul": ("IST", "SAW"),  # IST
    "Tokyo": ("HND", "NRT"),  # TYO
    "Osaka": ("KIX", "ITM", "UKB"),  # OSA
    "Seoul": ("ICN", "GMP"),  # SEL
    "Beijing": ("PEK", "PKX"),  # BJS
    "Shanghai": ("PVG", "SHA"),  # SHA
    "Taipei": ("TPE", "TSA"),  # TPE
    "Bangkok": ("BKK", "DMK"),  # BKK
    "Jakarta": ("CGK", "HLP"),  # JKT
    "Dubai": ("DXB", "DWC"),  # DXB
    "Chicago": ("ORD", "MDW"),  # CHI
    "Washington": ("IAD", "DCA", "BWI"),  # WAS
    "Dallas": ("DFW", "DAL"),  # DFW
    "Houston": ("IAH", "HOU"),  # HOU
    "Toronto": ("YYZ", "YTZ"),  # YTO
    "Buenos Aires": ("EZE", "AEP"),  # BUE
    "Sao Paulo": ("GRU", "CGH", "VCP"),  # SAO
    "Rio De Janeiro": ("GIG", "SDU"),  # RIO
}
"""Metropolitan area -> its airports. The name is the one airportsdata gives the area's
main city (`canonical_city`), so a city named by either reads the same."""

_AREA_OF = {code: area for area, codes in METRO_AREAS.items() for code in codes}


def city_of(code: str, city: str) -> str:
    """The city an airport serves as travellers name it: its metropolitan area where it
    belongs to one (EWR: New York), else its own town (`canonical_city`)."""
    return _AREA_OF.get(code, canonical_city(city))


def cities_of(code: str, city: str) -> frozenset[str]:
    """Every name an avoid-list may give the airport's city: its town and its area
    ("avoid Newark" and "avoid New York" both avoid EWR)."""
    return frozenset({canonical_city(city), city_of(code, city)})


def is_in_avoided_city(code: str, city: str, avoided: Iterable[str]) -> bool:
    """Does an avoid-list of cities cover the airport `code` (in airportsdata's `city`)?"""
    return not cities_of(code, city).isdisjoint(avoided)


@cache
def _airports_by_city() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for code, (_, city, _) in airport_names().items():
        for name in cities_of(code, city):
            out.setdefault(name, set()).add(code)
    return {name: frozenset(codes) for name, codes in out.items()}


def airports_of_city(city: str) -> frozenset[str]:
    """Every airport an avoid-list entry `city` covers (its town's and its area's)."""
    return _airports_by_city().get(city, frozenset())
