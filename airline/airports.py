"""Real airports and the facts about them the airline needs: distance and connection time.

Airport data comes from the `airportsdata` package (offline, no network at run time); this
is the only module that imports it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta
from functools import cache, lru_cache

import airportsdata

from airline.models import Airport
from travel_agent.errors import NotFoundError

EARTH_RADIUS_KM = 6371.0
"""Mean Earth radius; the usual choice for the haversine formula."""

DEFAULT_MCT_DOMESTIC = timedelta(minutes=45)
DEFAULT_MCT_INTERNATIONAL = timedelta(minutes=60)
"""Defaults where the table below has no value: the middle of the typical ranges in
DOMAIN.md ("30–45 min domestic, 60–90 min international")."""

# Minimum connection times as (domestic, international); None falls back to the default.
# We do not model terminals or the Schengen area: "international" is whatever the caller
# says, so where an airport publishes Schengen / non-Schengen values we use them as
# domestic / international, which is conservative for intra-Schengen connections.
_MCT: dict[str, tuple[timedelta | None, timedelta | None]] = {
    # DOMAIN.md, "Re-accommodation practice": ATL domestic 35 min.
    "ATL": (timedelta(minutes=35), None),
    # DOMAIN.md: FRA Schengen 45 / non-Schengen 60.
    "FRA": (timedelta(minutes=45), timedelta(minutes=60)),
    # DOMAIN.md: LHR 60 same terminal (75–90 between terminals, which we do not model).
    "LHR": (timedelta(minutes=60), timedelta(minutes=60)),
    # Secondary source (travel press quoting KLM / Schiphol): Schengen 40 / non-Schengen 50.
    "AMS": (timedelta(minutes=40), timedelta(minutes=50)),
    # Copenhagen Airport (https://www.cph.dk/en/practical/transfer/Connection-Times/):
    # airlines other than SAS 40 min domestic or Schengen, 45 intercontinental (SAS: 30
    # Schengen, 40 to or from non-Schengen, 45 intercontinental). The oracle holds the
    # lowest of them (evals.oracle.rules.MCT); the agent sells the other airlines' values.
    "CPH": (timedelta(minutes=40), timedelta(minutes=45)),
}


@cache
def _iata_table() -> dict[str, airportsdata.Airport]:
    # Loading parses a few thousand rows; do it once per process.
    return airportsdata.load("IATA")


def airport_names() -> dict[str, tuple[str, str, str]]:
    """Every IATA airport airportsdata knows: code -> (name, city, ISO country).

    The city is `canonical_city`'s: the one name a customer's "avoid London" is matched by.
    """
    return {
        code: (row["name"], canonical_city(row["city"]), row["country"])
        for code, row in _iata_table().items()
    }


def canonical_city(city: str) -> str:
    """The city as avoid-lists name it: airportsdata's "Arnavutköy, Istanbul" is Istanbul."""
    return city.rpartition(",")[2].strip()


def load_airports(codes: Iterable[str]) -> list[Airport]:
    """The airports with these IATA codes, in the order given.

    Args:
        codes: three-letter IATA location codes, e.g. ``["FRA", "LHR"]``.

    Returns:
        One `Airport` per code, with its real name, city, country, position and time zone.

    Raises:
        NotFoundError: a code is not a known IATA airport code; the message lists them all.
    """
    table = _iata_table()
    wanted = [code.strip().upper() for code in codes]
    unknown = [code for code in wanted if code not in table]
    if unknown:
        raise NotFoundError(
            f"unknown IATA airport code(s): {', '.join(unknown)}; "
            "use three-letter codes of airports listed in the airportsdata package"
        )
    airports = []
    for code in wanted:
        row = table[code]
        airports.append(
            Airport(
                iata=code,
                name=row["name"],
                city=row["city"],
                country=row["country"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                tz=row["tz"],
            )
        )
    return airports


def great_circle_km(a: Airport, b: Airport) -> int:
    """The great-circle distance between two airports in whole kilometres (haversine).

    This is the distance EU261 bands are measured in (DOMAIN.md).

    Args:
        a: one airport.
        b: the other airport.
    """
    return _haversine_km(a.lat, a.lon, b.lat, b.lon)


@lru_cache(maxsize=8192)
def _haversine_km(*degrees: float) -> int:
    """Whole kilometres between two points given in degrees (lat, lon, lat, lon): kept
    per pair, as the rules ask it for every passenger of a flight, twice."""
    lat1, lon1, lat2, lon2 = map(math.radians, degrees)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return round(2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h)))


def minimum_connection_time(airport: Airport, *, international: bool) -> timedelta:
    """The shortest sellable connection at `airport`.

    Args:
        airport: where the passenger changes flights.
        international: whether the connection is international: the two flights' other
            ends are in different countries. Callers may also count an end abroad from
            `airport` as international (the seed and the alternatives search do), which can
            only lengthen the connection.

    Returns:
        The airport's published value where we know it, else 45 min domestic / 60 min
        international.
    """
    domestic_mct, international_mct = _MCT.get(airport.iata, (None, None))
    if international:
        return international_mct or DEFAULT_MCT_INTERNATIONAL
    return domestic_mct or DEFAULT_MCT_DOMESTIC
