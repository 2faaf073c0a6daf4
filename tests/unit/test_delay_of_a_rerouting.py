"""A delay of a flight an earlier case re-routed the passenger onto is that flight's own.

found-deadline-s1-w21-fam: BOS→ORD→ATL; XU119 BOS→ORD ran 195 min late, so the
connection was re-routed onto XU121 BOS 13:00 → ORD, keeping XU104 ORD 16:45 → ATL. Then
XU104 was delayed 35 min. `disruption_facts` read the delay's departure as the
re-routing's first flight (13:00 from Boston) against XU104's schedule (16:45 from
Chicago): "leaves 3 h 45 early". So 14 CFR 259.8 owed nothing (the notice waited for the
morning) and Part 260 saw a significant change (a refund offered for a 35 min delay).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airline.airports import load_airports
from airline.board import FlightState, LiveBoard
from airline.models import Booking, Cabin, Flight, FlightStatus, LoyaltyTier, Segment
from airline.schedule import Schedule
from tests.unit.test_rerouted_departure import flight
from tools.case_facts import disruption_facts
from tools.policy.entitlements import BookingFacts, EntitlementKind, entitlements

AIRPORTS = load_airports(["BOS", "ORD", "ATL"])


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 1, hour, minute, tzinfo=UTC)


LATE_INBOUND = flight("XU119/2026-06-01", "BOS", "ORD", at(11, 15), at(13, 25))
NEW_INBOUND = flight("XU121/2026-06-01", "BOS", "ORD", at(13, 0), at(15, 10))
ONWARD = flight("XU104/2026-06-01", "ORD", "ATL", at(16, 45), at(18, 25))


def state(f: Flight, late: timedelta, told: datetime, event: str) -> FlightState:
    return FlightState(
        flight_key=f.key,
        status=FlightStatus.DELAYED,
        est_dep=f.sched_dep + late,
        est_arr=f.sched_arr + late,
        reason="scheduling",
        event_id=event,
        emitted_at=told,
    )


def test_a_delay_of_a_flight_still_flown_after_a_re_routing_is_its_own() -> None:
    schedule = Schedule(AIRPORTS, [LATE_INBOUND, NEW_INBOUND, ONWARD])
    board = LiveBoard()
    board._states[LATE_INBOUND.key] = state(LATE_INBOUND, timedelta(minutes=195), at(6, 25), "e1")
    board._states[ONWARD.key] = state(ONWARD, timedelta(minutes=35), at(8, 55), "e2")
    replaced = {"status": "replaced"}
    booking = Booking(  # as the missed connection's case left it: XU119 and XU104 replaced
        pnr="G02A92",
        customer_id="C2",
        price_cents=75000,
        currency="USD",
        segments=[
            Segment(seq=1, flight_key=LATE_INBOUND.key, cabin=Cabin.ECONOMY, **replaced),
            Segment(seq=2, flight_key=ONWARD.key, cabin=Cabin.ECONOMY, **replaced),
            Segment(seq=3, flight_key=NEW_INBOUND.key, cabin=Cabin.ECONOMY),
            Segment(seq=4, flight_key=ONWARD.key, cabin=Cabin.ECONOMY),
        ],
    )
    d = disruption_facts(schedule, board, booking, ONWARD.key, now=at(8, 55))
    assert d.departure_delay == timedelta(minutes=35)
    facts = BookingFacts.from_booking(
        booking, tier=LoyaltyTier.NONE, flight_key=ONWARD.key, flights=schedule.flights
    )
    owed = entitlements(facts, d, airports=schedule.airports)
    duties = owed.of(kind=EntitlementKind.NOTIFICATION_DUTY)
    assert [(i.citation, i.due_by) for i in duties] == [("14 CFR 259.8", at(9, 25))]
    assert not owed.of(kind=EntitlementKind.REFUND_OPTION)
