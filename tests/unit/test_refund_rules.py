"""Which journeys a chosen refund covers, how much, and by when the rules want it paid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airline.models import Booking, Cabin, Journey, PaymentMethod, Segment
from tools.policy.refunds import add_business_days, refund_cents, refund_due, refunded_journeys
from tools.policy.results import Regime

SUNDAY = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def _trip(*prices: int | None, total: int = 600) -> Booking:
    return Booking(
        pnr="TRIP01",
        customer_id="C1",
        price_cents=total,
        journeys=[
            Journey(seq=n, origin="AAA", destination="BBB", price_cents=p)
            for n, p in enumerate(prices, start=1)
        ],
        segments=[
            Segment(seq=n, flight_key=f"XA{n}/2026-03-01", cabin=Cabin.ECONOMY, journey=n)
            for n in range(1, len(prices) + 1)
        ],
    )


def test_a_refund_covers_the_disrupted_journey_and_every_later_one() -> None:
    trip = _trip(100, 200, 300)
    assert refunded_journeys(trip, 1) == [1, 2, 3]  # nothing flown: all of it
    assert refunded_journeys(trip, 2) == [2, 3]  # the first journey was made
    assert refunded_journeys(trip, 3) == [3]
    assert refund_cents(trip, [2, 3]) == 500
    assert refund_cents(trip, [1, 2, 3]) == 600  # everything: the price paid


def test_unitemised_journeys_share_what_the_itemised_leave() -> None:
    trip = _trip(100, None, None, total=500)
    assert refund_cents(trip, [2, 3]) == 400
    assert refund_cents(trip, [3]) == 200


def test_each_regime_sets_its_deadline_and_the_earliest_binds() -> None:
    eu = refund_due([Regime.EU261], chosen_at=SUNDAY, payment=PaymentMethod.CARD)
    assert eu is not None and eu.due_by == SUNDAY + timedelta(days=7)
    card = refund_due([Regime.US_DOT], chosen_at=SUNDAY, payment=PaymentMethod.CARD)
    assert card is not None and card.due_by == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    cash = refund_due([Regime.US_DOT], chosen_at=SUNDAY, payment=PaymentMethod.OTHER)
    assert cash is not None and cash.due_by == SUNDAY + timedelta(days=20)
    appr = refund_due([Regime.APPR], chosen_at=SUNDAY, payment=PaymentMethod.CARD)
    assert appr is not None and appr.due_by == SUNDAY + timedelta(days=30)
    both = refund_due([Regime.APPR, Regime.EU261], chosen_at=SUNDAY, payment=PaymentMethod.OTHER)
    assert both is not None and both.citation == "EU261 Art 8(1)(a)"
    assert refund_due([], chosen_at=SUNDAY, payment=PaymentMethod.CARD) is None


def test_business_days_skip_the_weekend() -> None:
    friday = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
    assert add_business_days(friday, 1) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert add_business_days(friday, 5) == datetime(2026, 3, 13, 9, 0, tzinfo=UTC)
