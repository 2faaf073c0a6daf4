"""EU261 Art 5(1)(c)(iii) judges a re-routed connection by when the journey leaves.

A connection DUB→FCO→CPH whose second flight is cancelled a few hours ahead and which
is re-routed from Dublin on a direct flight: whether the passenger leaves "no more than
one hour before the scheduled time of departure" is Dublin against Dublin (the journey,
Folkerts C-11/11), not the direct flight's 13:30 from Dublin against the cancelled
flight's 20:45 from Rome (found-compensation-s193-w15: 125 EUR paid where nothing was
owed).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airline.airports import load_airports
from airline.board import FlightState, LiveBoard
from airline.models import Booking, Cabin, Flight, FlightStatus, LoyaltyTier, Segment
from airline.schedule import Schedule
from tools.case_facts import rerouted_entitlements
from tools.policy.entitlements import Regime

AIRPORTS = load_airports(["DUB", "FCO", "CPH"])


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 8, 1, hour, minute, tzinfo=UTC)


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
        tail="EI-XYZ",
        distance_km=1000,
    )


FIRST = flight("XA109/2026-08-01", "DUB", "FCO", at(14, 30), at(17, 20))
SECOND = flight("XB120/2026-08-01", "FCO", "CPH", at(20, 45), at(23, 10))


def compensation_cents(direct: Flight) -> int | None:
    """EU261 compensation owed when SECOND is cancelled at 11:20 and both legs are
    re-routed onto `direct` (DUB→CPH)."""
    schedule = Schedule(AIRPORTS, [FIRST, SECOND, direct])
    board = LiveBoard()
    board._states[SECOND.key] = FlightState(  # a board as the stream left it
        flight_key=SECOND.key,
        status=FlightStatus.CANCELLED,
        est_dep=SECOND.sched_dep,
        est_arr=SECOND.sched_arr,
        reason="technical",
        event_id="cancel-xb120",
        emitted_at=at(11, 20),
    )
    booking = Booking(
        pnr="G01P67",
        customer_id="C1",
        price_cents=71000,
        segments=[
            Segment(seq=1, flight_key=FIRST.key, cabin=Cabin.ECONOMY),
            Segment(seq=2, flight_key=SECOND.key, cabin=Cabin.ECONOMY),
        ],
    )
    owed = rerouted_entitlements(
        schedule,
        board,
        booking,
        tier=LoyaltyTier.NONE,
        flight_key=SECOND.key,
        now=at(11, 20),
        replace_seqs=[1, 2],
        new_flights=[direct.key],
        cabin=Cabin.ECONOMY,
    )
    found = owed.compensation(Regime.EU261)
    return None if found is None else found.amount_cents


@pytest.mark.parametrize(
    ("dep", "cents"),
    [
        pytest.param(at(13, 30), None, id="leaves Dublin 1 h before the journey: exempt"),
        pytest.param(at(19, 15), None, id="leaves Dublin later, lands early: exempt"),
        pytest.param(at(13, 0), 12500, id="leaves Dublin 1 h 30 early: owed, halved"),
    ],
)
def test_a_re_routed_connection_leaves_when_its_journey_does(
    dep: datetime, cents: int | None
) -> None:
    direct = flight("XA143/2026-08-01", "DUB", "CPH", dep, dep + timedelta(hours=2))
    assert compensation_cents(direct) == cents
