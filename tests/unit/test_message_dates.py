"""A time in a passenger message carries its date whenever that is not the original
flight's day, written as the passenger's language writes dates, at the airport's zone: a
rebooking onto tomorrow's flight with the same number and time must not read as
"nothing changed"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from agent.nodes.common import day_label, describe_itinerary, local_time
from airline.models import Airport, Cabin
from airline.schedule import Schedule
from tools.flights import Itinerary, Leg

ORD = Airport(
    iata="ORD", name="OHare", city="Chicago", country="US", lat=41.98, lon=-87.9,
    tz="America/Chicago",
)  # fmt: skip
BOS = Airport(
    iata="BOS", name="Logan", city="Boston", country="US", lat=42.36, lon=-71.0,
    tz="America/New_York",
)  # fmt: skip
SCHEDULE = Schedule([ORD, BOS], [])
ORIGINAL_DAY = date(2026, 3, 1)


def tomorrow_same_flight() -> Itinerary:
    # XU501 ORD 14:00 → BOS 17:30 local, the day after the cancelled one.
    leg = Leg(
        flight_key="XU501/2026-03-02",
        carrier="XU",
        origin="ORD",
        destination="BOS",
        dep=datetime(2026, 3, 2, 20, 0, tzinfo=UTC),
        arr=datetime(2026, 3, 2, 22, 30, tzinfo=UTC),
    )
    return Itinerary(legs=[leg], cabin=Cabin.ECONOMY, seats=4)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "XU501 ORD 2 Mar 14:00 → BOS 2 Mar 17:30"),
        ("de", "XU501 ORD 2.3. 14:00 → BOS 2.3. 17:30"),
        ("fr", "XU501 ORD 02/03 14:00 → BOS 02/03 17:30"),
        ("zh", "XU501 ORD 3月2日 14:00 → BOS 3月2日 17:30"),
    ],
)
def test_a_next_day_rebooking_says_its_date(language: str, said: str) -> None:
    itinerary = tomorrow_same_flight()

    text = describe_itinerary(
        SCHEDULE, itinerary, itinerary.flight_keys, reference=ORIGINAL_DAY, language=language
    )

    assert text == said


def test_a_same_day_time_stays_short_and_zones_decide_the_day() -> None:
    # 05:30 UTC on 2 March is still 1 March in Chicago (23:30): the same day, no date.
    late = datetime(2026, 3, 2, 5, 30, tzinfo=UTC)

    assert local_time(SCHEDULE, "ORD", late, reference=ORIGINAL_DAY) == "23:30"
    assert local_time(SCHEDULE, "BOS", late, reference=ORIGINAL_DAY) == "2 Mar 00:30"
    assert day_label(date(2026, 12, 24), "es") == "24/12"
