"""The rules reasoner: rebook onto the best alternative and say so, or say there is none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agent.reasoners.rules import RulesReasoner
from agent.state import CaseContext, CaseReason, NotifyAction, RebookAction
from airline.board import FlightState
from airline.models import Booking, Cabin, Customer, FlightStatus, Segment
from tools.flights import Itinerary, Leg
from tools.notifications import MessageKind

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
DISRUPTED = "XA102/2026-03-01"


def leg(key: str, origin: str, destination: str, dep_hour: int) -> Leg:
    dep = datetime(2026, 3, 1, dep_hour, 0, tzinfo=UTC)
    return Leg(
        flight_key=key,
        carrier=key[:2],
        origin=origin,
        destination=destination,
        dep=dep,
        arr=dep + timedelta(hours=1),
    )


BEST = Itinerary(legs=[leg("XA104/2026-03-01", "FRA", "LHR", 13)], cabin=Cabin.BUSINESS, seats=3)
SECOND = Itinerary(
    legs=[leg("XB1045/2026-03-01", "FRA", "AMS", 10), leg("XB1004/2026-03-01", "AMS", "LHR", 15)],
    cabin=Cabin.BUSINESS,
    seats=9,
)


def context(reason: CaseReason, **changes: Any) -> CaseContext:
    """A business passenger BER→FRA→LHR whose second segment broke."""
    fields: dict[str, Any] = {
        "now": NOW,
        "reason": reason,
        "disrupted_flight": DISRUPTED,
        "booking": Booking(
            pnr="ABC123",
            customer_id="C000042",
            price_cents=45_000,
            segments=[
                Segment(seq=1, flight_key="XA161/2026-03-01", cabin=Cabin.BUSINESS),
                Segment(seq=2, flight_key=DISRUPTED, cabin=Cabin.BUSINESS),
            ],
        ),
        "customer": Customer(id="C000042", name="A. Passenger", language="fr"),
        "flights": {
            DISRUPTED: FlightState(
                flight_key=DISRUPTED,
                status=FlightStatus.CANCELLED,
                est_dep=datetime(2026, 3, 1, 8, 20, tzinfo=UTC),
                est_arr=datetime(2026, 3, 1, 9, 35, tzinfo=UTC),
                event_id="ev-1",
                emitted_at=NOW,
            )
        },
        "replace_seqs": [2],
        "origin": "FRA",
        "destination": "LHR",
        "earliest_dep": NOW + timedelta(minutes=45),
        "cabin": Cabin.BUSINESS,
        "alternatives": [BEST, SECOND],
    }
    return CaseContext(**(fields | changes))


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (CaseReason.CANCELLED, MessageKind.CANCELLED_REBOOKED),
        (CaseReason.DIVERTED, MessageKind.DIVERTED_REBOOKED),
        (CaseReason.MISSED_CONNECTION, MessageKind.MISSED_CONNECTION_REBOOKED),
    ],
)
async def test_a_broken_trip_is_rebooked_on_the_first_alternative_and_announced(
    reason: CaseReason, message: MessageKind
) -> None:
    plan = await RulesReasoner().plan(context(reason))
    assert plan.actions == [
        RebookAction(replace_seqs=[2], flights=["XA104/2026-03-01"], cabin=Cabin.BUSINESS),
        NotifyAction(message=message),
    ]
    assert plan.reasoner == "rules"
    assert "XA104/2026-03-01" in plan.rationale


async def test_the_alternative_order_decides_not_the_reasoner() -> None:
    plan = await RulesReasoner().plan(context(CaseReason.CANCELLED, alternatives=[SECOND, BEST]))
    rebook = plan.actions[0]
    assert isinstance(rebook, RebookAction)
    assert rebook.flights == SECOND.flight_keys


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (CaseReason.CANCELLED, MessageKind.CANCELLED_NO_ALTERNATIVE),
        (CaseReason.DIVERTED, MessageKind.DIVERTED_NO_ALTERNATIVE),
        (CaseReason.MISSED_CONNECTION, MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE),
    ],
)
async def test_without_an_alternative_the_passenger_is_told_so(
    reason: CaseReason, message: MessageKind
) -> None:
    plan = await RulesReasoner().plan(context(reason, alternatives=[]))
    assert plan.actions == [NotifyAction(message=message)]


async def test_a_delay_is_announced_without_touching_the_booking() -> None:
    plan = await RulesReasoner().plan(
        context(CaseReason.DELAYED, replace_seqs=[], alternatives=[], cabin=None)
    )
    assert plan.actions == [NotifyAction(message=MessageKind.DELAY)]


async def test_nothing_is_done_when_no_segment_broke() -> None:
    # E.g. the booking was already moved off the disrupted flight, or the delay shrank.
    for reason in (CaseReason.CANCELLED, CaseReason.MISSED_CONNECTION):
        plan = await RulesReasoner().plan(context(reason, replace_seqs=[]))
        assert plan.actions == []
        assert plan.rationale
