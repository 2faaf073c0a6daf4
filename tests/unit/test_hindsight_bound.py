"""The storm day's seat-aware hindsight bound (evals.hindsight)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from evals.hindsight import Flown, Stranded, hindsight_with_seats

T0 = datetime(2013, 2, 8, 12, tzinfo=UTC)


def booking(pnr: str, passengers: int = 1, got_h: float = 30.0) -> Stranded:
    return Stranded(
        pnr,
        passengers,
        "JFK",
        "BOS",
        T0 - timedelta(hours=1),
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=1 + got_h),
    )


def flight(key: str, after_h: float, seats: int, origin: str = "JFK") -> Flown:
    departure = T0 + timedelta(hours=after_h)
    return Flown(key, origin, "BOS", departure, departure + timedelta(hours=1), seats)


def test_seats_decide_who_flies_early() -> None:
    # One seat early (2 h late), two on a flight 10 h late: three passengers cannot all
    # arrive 2 h late, as the bound without seats would say.
    hours = hindsight_with_seats(
        [booking("A"), booking("B", passengers=2)],
        [flight("EARLY", 2, seats=1), flight("LATE", 10, seats=5)],
    )
    per_passenger = hours["A"] + 2 * hours["B"]
    assert per_passenger == pytest.approx(2 + 10 + 10)


def test_a_flight_of_another_route_or_gone_before_the_booking_is_not_eligible() -> None:
    hours = hindsight_with_seats(
        [booking("A", got_h=12)],
        [flight("LGA", 2, seats=9, origin="LGA"), flight("BEFORE", -3, seats=9)],
    )
    assert hours["A"] == pytest.approx(12)  # only its own itinerary is left


def test_the_bound_is_never_worse_than_what_the_agent_gave() -> None:
    hours = hindsight_with_seats([booking("A", got_h=4)], [flight("LATE", 20, seats=9)])
    assert hours["A"] == pytest.approx(4)
