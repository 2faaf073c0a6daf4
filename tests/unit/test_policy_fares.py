"""Fare rules and rebooking priority (DOMAIN.md "Fares"; EU261 Art 10(2) and Art 11)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airline.airports import great_circle_km, load_airports
from airline.models import Cabin, FareFamily
from tools.policy.config import EU261_COUNTRIES
from tools.policy.eu261 import band
from tools.policy.fares import (
    Waiver,
    change_allowed,
    downgrade_refund_cents,
    downgrade_refund_percent,
    fare_difference_waived,
)

T0 = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
AIRPORTS = {a.iata: a for a in load_airports(["FRA", "LHR", "LIS", "ARN", "HEL", "LPA", "JFK"])}


@pytest.mark.parametrize(
    ("fare", "involuntary", "allowed"),
    [
        pytest.param(FareFamily.BASIC, False, False, id="basic economy: no voluntary change"),
        pytest.param(FareFamily.BASIC, True, True, id="basic economy: involuntary always allowed"),
        pytest.param(FareFamily.STANDARD, False, True, id="standard: voluntary change allowed"),
        pytest.param(FareFamily.FLEX, False, True, id="flex: voluntary change allowed"),
    ],
)
def test_change_allowed(fare: FareFamily, involuntary: bool, allowed: bool) -> None:
    assert change_allowed(fare, involuntary=involuntary) is allowed


WAIVER = Waiver(travel_from=T0, travel_until=T0 + timedelta(days=3), airports=frozenset({"FRA"}))


@pytest.mark.parametrize(
    ("new_destination", "new_cabin", "new_dep", "waived"),
    [
        pytest.param(
            "JFK", Cabin.ECONOMY, T0 + timedelta(days=1), True, id="inside window: waived"
        ),
        pytest.param("JFK", Cabin.ECONOMY, T0, True, id="window start is inside"),
        pytest.param("JFK", Cabin.ECONOMY, T0 + timedelta(days=3), True, id="window end is inside"),
        pytest.param(
            "JFK", Cabin.ECONOMY, T0 + timedelta(days=3, minutes=1), False, id="after the window"
        ),
        pytest.param("JFK", Cabin.ECONOMY, T0 - timedelta(minutes=1), False, id="before window"),
        pytest.param("BOS", Cabin.ECONOMY, T0 + timedelta(days=1), False, id="other destination"),
        pytest.param("JFK", Cabin.BUSINESS, T0 + timedelta(days=1), False, id="other cabin"),
    ],
)
def test_disruption_waiver(
    new_destination: str, new_cabin: Cabin, new_dep: datetime, waived: bool
) -> None:
    assert (
        fare_difference_waived(
            WAIVER,
            origin="FRA",
            destination="JFK",
            cabin=Cabin.ECONOMY,
            new_origin="FRA",
            new_destination=new_destination,
            new_cabin=new_cabin,
            new_dep=new_dep,
        )
        is waived
    )


def test_waiver_covers_only_its_airports() -> None:
    assert not fare_difference_waived(
        WAIVER,
        origin="LIS",
        destination="ARN",
        cabin=Cabin.ECONOMY,
        new_origin="LIS",
        new_destination="ARN",
        new_cabin=Cabin.ECONOMY,
        new_dep=T0,
    )


@pytest.mark.parametrize(
    ("origin", "destination", "percent"),
    [
        pytest.param("FRA", "LHR", 30, id="Art10(2)(a): FRA-LHR 653 km -> 30 %"),
        pytest.param("LIS", "ARN", 50, id="Art10(2)(b): intra-EU LIS-ARN 2998 km -> 50 %"),
        pytest.param("HEL", "LPA", 50, id="Art10(2)(b): intra-EU HEL-LPA 4696 km -> 50 %"),
        pytest.param("FRA", "JFK", 75, id="Art10(2)(c): FRA-JFK 6188 km -> 75 %"),
    ],
)
def test_downgrade_percent(origin: str, destination: str, percent: int) -> None:
    a, b = AIRPORTS[origin], AIRPORTS[destination]
    flight_band = band(
        great_circle_km(a, b), intra=a.country in EU261_COUNTRIES and b.country in EU261_COUNTRIES
    )
    assert downgrade_refund_percent(flight_band) == percent
    assert downgrade_refund_cents(1234_56, flight_band) == 1234_56 * percent // 100
