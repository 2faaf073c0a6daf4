"""The agent's night (EU261 Art 9(1)(b)): a wait at one airport holding at least four of
the five hours from midnight to 05:00 local there (`tools.policy.nights`), read on the
live facts the guard and the reasoner see (`tools.case_facts.rerouted_entitlements`).

Zurich is UTC+1 and New York UTC-5 on 1-2 March 2026.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from airline.airports import load_airports
from airline.board import FlightState, LiveBoard
from airline.models import (
    Booking,
    Cabin,
    Flight,
    FlightStatus,
    LoyaltyTier,
    Segment,
)
from airline.schedule import Schedule
from tests.unit.night_waits import WAITS, utc
from tools.case_facts import rerouted_entitlements
from tools.policy.entitlements import CareItem, Regime
from tools.policy.nights import night_time, stays_the_night

AIRPORTS = load_airports(["FRA", "ZRH", "LHR", "JFK"])
ZRH, JFK = "Europe/Zurich", "America/New_York"


@pytest.mark.parametrize(("ready", "leaves", "night"), WAITS)
def test_a_night_is_four_hours_of_midnight_to_five_local(
    ready: datetime, leaves: datetime, night: bool
) -> None:
    assert stays_the_night(ready, leaves, ZRH) is night


def test_the_wait_is_judged_on_the_clock_of_the_airport_where_it_happens() -> None:
    """The same seven hours are 00:00-07:00 in Zurich (a night) and 18:00-01:00 in New
    York (one hour of it); a wait over two nights sums them."""
    ready, leaves = utc(1, 23), utc(2, 6)
    assert night_time(ready, leaves, ZRH) == timedelta(hours=5)
    assert night_time(ready, leaves, JFK) == timedelta(hours=1)
    assert not stays_the_night(ready, leaves, JFK)
    assert night_time(utc(1, 2), utc(2, 1), ZRH) == timedelta(hours=2 + 2)


def flight(key: str, origin: str, destination: str, dep: datetime, arr: datetime) -> Flight:
    return Flight(
        key=key,
        carrier=key[:2],
        number=int(key[2:].split("/")[0]),
        service_date=dep.date(),
        origin=origin,
        destination=destination,
        sched_dep=dep,
        sched_arr=arr,
        tail="HB-XYZ",
        distance_km=500,
    )


def late(f: Flight, dep: datetime, arr: datetime) -> FlightState:
    return FlightState(
        flight_key=f.key,
        status=FlightStatus.DELAYED,
        est_dep=dep,
        est_arr=arr,
        reason="crew",
        event_id=f"late-{f.key}",
        emitted_at=f.sched_dep - timedelta(hours=2),
    )


def care(
    flights: list[Flight],
    states: list[FlightState],
    disrupted: Flight,
    *,
    replace: list[int] | None = None,
    new: list[str] | None = None,
) -> set[CareItem]:
    """The EU261 care the agent's rules owe the booking of `flights` (one segment each)
    for the disruption of `disrupted`, rebooked from `replace` onto `new` if given."""
    schedule = Schedule(AIRPORTS, flights)
    board = LiveBoard()
    for state in states:
        board._states[state.flight_key] = state  # a board as the stream left it
    booked = [f for f in flights if f.key not in (new or [])]
    booking = Booking(
        pnr="NIGHT1",
        customer_id="C1",
        price_cents=30000,
        segments=[
            Segment(seq=i, flight_key=f.key, cabin=Cabin.ECONOMY) for i, f in enumerate(booked, 1)
        ],
    )
    owed = rerouted_entitlements(
        schedule,
        board,
        booking,
        tier=LoyaltyTier.NONE,
        flight_key=disrupted.key,
        now=disrupted.sched_dep - timedelta(hours=1),
        replace_seqs=replace or [],
        new_flights=new,
        cabin=Cabin.ECONOMY if new else None,
    )
    return owed.care(Regime.EU261)


def test_a_late_inbound_landing_after_midnight_re_routed_the_next_morning_gets_a_hotel() -> None:
    """FRA→ZRH→LHR: the inbound lands at 00:55 local instead of 23:30, the 00:30 connection
    is lost and the re-routing leaves ZRH at 11:30 the same date: the passenger spends the
    night at Zurich (a date comparison saw none)."""
    inbound = flight("XA1/2026-03-01", "FRA", "ZRH", utc(1, 21, 30), utc(1, 22, 30))
    onward = flight("XA4/2026-03-02", "ZRH", "LHR", utc(1, 23, 30), utc(2, 0, 45))
    morning = flight("XA6/2026-03-02", "ZRH", "LHR", utc(2, 10, 30), utc(2, 11, 45))
    items = care(
        [inbound, onward, morning],
        [late(inbound, utc(1, 22, 55), utc(1, 23, 55))],
        inbound,
        replace=[2],
        new=[morning.key],
    )
    assert CareItem.HOTEL in items, items


def test_a_delay_from_ten_at_night_to_half_past_midnight_owes_meals_but_no_hotel() -> None:
    """ZRH→LHR at 22:00 local leaves at 00:30: a later date, but the night is spent on
    board (a date comparison gave a hotel)."""
    evening = flight("XA8/2026-03-01", "ZRH", "LHR", utc(1, 21), utc(1, 22, 15))
    items = care([evening], [late(evening, utc(1, 23, 30), utc(2, 0, 45))], evening)
    assert items == {CareItem.MEALS, CareItem.COMMUNICATION}


@pytest.mark.parametrize(
    ("origin", "hotel"),
    [pytest.param("ZRH", True, id="ZRH 00:00-07:00"), pytest.param("JFK", False, id="JFK 18-01")],
)
def test_a_delay_is_judged_where_the_flight_waits(origin: str, hotel: bool) -> None:
    """The same seven-hour delay (23:00Z to 06:00Z) holds the night at Zurich, not at
    New York, where it runs from 18:00 to 01:00."""
    other = "JFK" if origin == "ZRH" else "ZRH"
    f = flight("XA9/2026-03-01", origin, other, utc(1, 23), utc(2, 7))
    items = care([f], [late(f, utc(2, 6), utc(2, 14))], f)
    assert CareItem.MEALS in items and (CareItem.HOTEL in items) is hotel, items


@pytest.mark.parametrize(
    ("sched", "est", "hotel"),
    [
        pytest.param(utc(1, 19), utc(2, 7), True, id="20:00 to 08:00 next day -> hotel"),
        pytest.param(utc(1, 7), utc(1, 19), False, id="08:00 to 20:00 -> meals only"),
    ],
)
def test_an_overnight_delay_owes_a_hotel_a_daytime_one_does_not(
    sched: datetime, est: datetime, hotel: bool
) -> None:
    f = flight("XA3/2026-03-01", "ZRH", "LHR", sched, sched + timedelta(hours=1, minutes=15))
    items = care([f], [late(f, est, est + timedelta(hours=1, minutes=15))], f)
    assert CareItem.MEALS in items and (CareItem.HOTEL in items) is hotel, items
