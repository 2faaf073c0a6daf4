"""EU261 Art 5(1)(c) measures the notice of a cancellation on the journey's departure.

A connection DUB→FCO→CPH whose second flight (20:45 from Rome) is cancelled, the
passenger told 13 days 22 h before the journey leaves Dublin (14:30), which is 14 days
4 h before the cancelled flight: not "at least two weeks before the scheduled time of
departure" of the journey they set off on. With no re-routing offered yet, the
compensation stays owed (Art 5(1)(c)(ii) spares it only for a re-routing close to the
schedule); measured on the cancelled flight, point (i) would have dropped it. The same
sentence judges the re-routing's departure on the journey (`test_rerouted_departure`),
and so does the oracle (`evals/oracle/owed.py`: `first.sched_dep`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airline.board import FlightState, LiveBoard
from airline.models import Booking, Cabin, FlightStatus, LoyaltyTier, Segment
from airline.schedule import Schedule
from tests.unit.test_rerouted_departure import AIRPORTS, FIRST, SECOND
from tools.case_facts import disruption_facts
from tools.policy.entitlements import BookingFacts, Regime, entitlements


def owed_cents(told: datetime, segments: list[Segment]) -> int | None:
    """EU261 compensation owed when SECOND is cancelled (technical) and the passenger
    of `segments` is told at `told`, nothing offered yet."""
    schedule = Schedule(AIRPORTS, [FIRST, SECOND])
    board = LiveBoard()
    board._states[SECOND.key] = FlightState(  # a board as the stream left it
        flight_key=SECOND.key,
        status=FlightStatus.CANCELLED,
        est_dep=SECOND.sched_dep,
        est_arr=SECOND.sched_arr,
        reason="technical",
        event_id="cancel-xb120",
        emitted_at=told,
    )
    booking = Booking(pnr="G01P67", customer_id="C1", price_cents=71000, segments=segments)
    facts = BookingFacts.from_booking(
        booking, tier=LoyaltyTier.NONE, flight_key=SECOND.key, flights=schedule.flights
    )
    disruption = disruption_facts(schedule, board, booking, SECOND.key, now=told)
    found = entitlements(facts, disruption, airports=schedule.airports).compensation(Regime.EU261)
    return None if found is None else found.amount_cents


CONNECTING = [
    Segment(seq=1, flight_key=FIRST.key, cabin=Cabin.ECONOMY),
    Segment(seq=2, flight_key=SECOND.key, cabin=Cabin.ECONOMY),
]
ALONE = [Segment(seq=1, flight_key=SECOND.key, cabin=Cabin.ECONOMY)]


@pytest.mark.parametrize(
    ("told", "segments", "cents"),
    [
        pytest.param(
            FIRST.sched_dep - timedelta(days=14) + timedelta(hours=2),
            CONNECTING,
            25000,
            id="13 d 22 h before the journey leaves: owed",
        ),
        pytest.param(
            FIRST.sched_dep - timedelta(days=14),
            CONNECTING,
            None,
            id="two weeks before the journey leaves: exempt (i)",
        ),
        pytest.param(
            FIRST.sched_dep - timedelta(days=14) + timedelta(hours=2),
            ALONE,
            None,
            id="the same instant, 14 d 4 h before the flight flown alone: exempt (i)",
        ),
    ],
)
def test_the_notice_is_measured_on_the_journeys_departure(
    told: datetime, segments: list[Segment], cents: int | None
) -> None:
    assert told.tzinfo is UTC
    assert owed_cents(told, segments) == cents
