"""When a refund the passenger chose is due, and how much of the ticket it covers.

Each regime that gives the refund sets its own deadline, counted from the passenger's
choice; the earliest binds:

- EU261/UK261 Art 8(1)(a): reimbursement "within seven days, by the means provided for in
  Article 7(3)" of the full cost of the ticket for the parts of the journey not made,
  and for the parts already made if the flight no longer serves any purpose in relation
  to the passenger's original travel plan.
- US DOT, 14 CFR Part 260 (from 28 Oct 2024): to the original form of payment within 7
  business days for a card, 20 calendar days otherwise (DOMAIN.md; secondary sources
  quote the rule the same way). Business days are Monday to Friday; federal holidays
  are not modelled (a holiday makes the true deadline later, never earlier).
- APPR s.17: a refund to the original form of payment within 30 days (CTA guidance;
  secondary, configurable as `PolicyConfig.appr_refund_days`).

Which journeys a refund covers: a booking's journeys depend on one another (the return
serves no purpose without the outbound), so declining the disrupted journey refunds it
and every later journey; journeys before it, already made or under way, are kept
(Art 8(1)(a): "for the part or parts of the journey not made").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from airline.models import Booking, PaymentMethod

from .config import PolicyConfig
from .results import Regime

EU_REFUND_WITHIN = timedelta(days=7)
"""EU261/UK261 Art 8(1)(a): within seven days."""
DOT_CARD_BUSINESS_DAYS = 7
DOT_OTHER_WITHIN = timedelta(days=20)
"""14 CFR Part 260: 7 business days to a card, 20 days for other forms of payment."""


@dataclass(frozen=True)
class RefundDue:
    """When a chosen refund must be paid back, and which rule says so."""

    due_by: datetime
    citation: str


def add_business_days(start: datetime, days: int) -> datetime:
    """`start` plus `days` working days (Monday to Friday), at the same time of day."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def refund_due(
    regimes: tuple[Regime, ...] | list[Regime],
    *,
    chosen_at: datetime,
    payment: PaymentMethod,
    config: PolicyConfig | None = None,
) -> RefundDue | None:
    """The earliest deadline any of `regimes` (those giving the refund) sets; None if none
    of them sets one."""
    config = config or PolicyConfig()
    found: list[RefundDue] = []
    for regime in regimes:
        if regime in (Regime.EU261, Regime.UK261):
            prefix = "EU261" if regime is Regime.EU261 else "UK261"
            found.append(RefundDue(chosen_at + EU_REFUND_WITHIN, f"{prefix} Art 8(1)(a)"))
        elif regime is Regime.US_DOT:
            if payment is PaymentMethod.CARD:
                due = add_business_days(chosen_at, DOT_CARD_BUSINESS_DAYS)
                found.append(RefundDue(due, "14 CFR Part 260 (card: 7 business days)"))
            else:
                found.append(
                    RefundDue(chosen_at + DOT_OTHER_WITHIN, "14 CFR Part 260 (other: 20 days)")
                )
        elif regime is Regime.APPR:
            due = chosen_at + timedelta(days=config.appr_refund_days)
            found.append(RefundDue(due, f"APPR s.17 ({config.appr_refund_days} days)"))
    return min(found, key=lambda d: d.due_by) if found else None


def refunded_journeys(booking: Booking, journey: int) -> list[int]:
    """The journeys a refund of `journey` covers: it and every later one (see above)."""
    numbers = sorted({j.seq for j in booking.journeys} | {s.journey for s in booking.segments})
    return [n for n in numbers if n >= journey]


def refund_cents(booking: Booking, journeys: list[int]) -> int:
    """What `journeys` cost: their itemised prices; an unitemised journey gets an equal
    share of what the itemised ones leave of the booking's price."""
    numbers = sorted({j.seq for j in booking.journeys} | {s.journey for s in booking.segments})
    if set(numbers) <= set(journeys):
        return booking.price_cents
    priced = {j.seq: j.price_cents for j in booking.journeys if j.price_cents is not None}
    rest = [n for n in numbers if n not in priced]
    share = (booking.price_cents - sum(priced.values())) // len(rest) if rest else 0
    total = sum(priced.get(n, share) for n in journeys)
    return max(0, min(total, booking.price_cents))
