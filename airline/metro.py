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

A city name carries no country: airportsdata files London, Ontario's YXU under
"London" and Paris, Texas's PRX under "Paris". `city_airports` is what a city to avoid
means, for the planner and the preference benchmark alike: its metropolitan area where it
is one, else the large hubs filed under the name where there are any, else every airport
filed under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from airline.airports import airport_names, canonical_city

MAJOR_AIRPORTS = frozenset(
    "FRA LHR LGW STN LTN LCY CDG ORY MUC BER HAM DUS CGN STR AMS MAD BCN PMI AGP FCO MXP LIN "
    "BGY VCE NAP BLQ FLR PSA VIE ZRH GVA BSL CPH WAW BRU ARN OSL HEL PRG BUD LIS OPO DUB ATH "
    "IST SAW AYT NCE LYS MRS TLS MAN EDI GLA BHX KEF RIX TLL VNO SOF OTP BEG ZAG SVO DME LED "
    "KBP JFK EWR LGA ORD BOS IAD ATL LAX SFO DFW DEN MIA SEA LAS MCO IAH PHX PHL MSP DTW YYZ "
    "YUL YVR YYC DXB DOH AUH JED RUH HKG SIN NRT HND KIX ITM PEK PKX PVG CAN ICN TPE BKK KUL "
    "MNL CGK SGN HAN DEL BOM BLR SYD MEL AKL GRU GIG EZE SCL BOG LIM MEX JNB CAI TLV CMN "
    "NBO ADD".split()
)
"""Large airports known without a schedule: customers name them whatever they fly today
(the gazetteer, `memory.prefs.entities`), and a city with one of them is what its name
means (`city_airports`)."""

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
    """Does an avoid-list of cities cover the airport `code` (filed under `city`)? Each
    entry covers its `city_airports`; an airport airportsdata does not know (a made-up
    world's) is covered by the names of the city it is filed under."""
    if code not in _airports_by_code():
        return not cities_of(code, city).isdisjoint(avoided)
    return any(code in city_airports(name) for name in avoided)


@cache
def _airports_by_city() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for code, (_, city, _) in airport_names().items():
        for name in cities_of(code, city):
            out.setdefault(name, set()).add(code)
    return {name: frozenset(codes) for name, codes in out.items()}


@cache
def _airports_by_code() -> frozenset[str]:
    return frozenset(airport_names())


def airports_of_city(city: str) -> frozenset[str]:
    """Every airport filed under the name `city`, in any country (its town's and its
    area's), namesakes abroad included: what `city_airports` chooses from."""
    return _airports_by_city().get(city, frozenset())


@cache
def city_airports(city: str) -> frozenset[str]:
    """The airports a traveller means by `city` (an avoid-list entry): its metropolitan
    area's where it is one ("Chicago" is ORD and MDW, "London" LHR, LGW, STN, LTN, LCY
    and SEN); else the large hubs filed under the name where there are any ("Frankfurt"
    is FRA); else every airport filed under it ("Bergen" is BGO, no hub). The name alone
    carries no country: a namesake abroad that is no hub of the name (London, Ontario's
    YXU; Paris, Texas's PRX) is not what a passenger avoiding the city means. Empty: no
    airport is filed under the name."""
    if city in METRO_AREAS:
        return frozenset(METRO_AREAS[city])
    every = airports_of_city(city)
    return (every & MAJOR_AIRPORTS) or every
