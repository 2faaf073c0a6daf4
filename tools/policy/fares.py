"""Fare rules and rebooking priority as small pure functions.

Sources (DOMAIN.md, "Fares" and "Re-accommodation practice"): basic economy allows no
voluntary change, but involuntary re-accommodation is always allowed; a disruption waiver
waives the fare difference within its window for the same origin, destination and cabin;
a downgrade refunds part of the fare (EU261/UK261 Art 10(2)); reduced mobility and
unaccompanied minors come first (Art 11), elite and premium passengers before the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from airline.models import Cabin, FareFamily, LoyaltyTier

from .eu261 import Band

DOWNGRADE_REFUND_PERCENT: Mapping[Band, int] = {Band.SHORT: 30, Band.MEDIUM: 50, Band.LONG: 75}
"""EU261 Art 10(2)(a)–(c): share of the price of the downgraded flight refunded, by band.
The price is that of the flight, not the whole ticket (CJEU Mennens, C-255/15)."""

TIER_RANK: Mapping[LoyaltyTier, int] = {
    LoyaltyTier.PLATINUM: 0,
    LoyaltyTier.GOLD: 1,
    LoyaltyTier.SILVER: 2,
    LoyaltyTier.NONE: 3,
}
FARE_RANK: Mapping[FareFamily, int] = {
    FareFamily.FLEX: 0,
    FareFamily.STANDARD: 1,
    FareFamily.BASIC: 2,
}
"""Lower ranks are served first."""


def change_allowed(fare: FareFamily, *, involuntary: bool) -> bool:
    """Whether the ticket may be changed.

    Basic economy allows no voluntary change; an involuntary re-accommodation (the airline
    disrupted the trip) is allowed on every fare (DOMAIN.md, "Fares").

    Args:
        fare: the booking's fare family.
        involuntary: the change is the airline's doing, not the passenger's wish.
    """
    return involuntary or fare is not FareFamily.BASIC


class Waiver(BaseModel):
    """A disruption waiver: changes within its window and scope pay no fare difference."""

    model_config = ConfigDict(frozen=True)

    travel_from: AwareDatetime = Field(description="new flights may depart from this time")
    travel_until: AwareDatetime = Field(description="... until this time (inclusive)")
    airports: frozenset[str] = Field(
        default=frozenset(), description="the disrupted airports; empty: any journey"
    )


def fare_difference_waived(
    waiver: Waiver,
    *,
    origin: str,
    destination: str,
    cabin: Cabin,
    new_origin: str,
    new_destination: str,
    new_cabin: Cabin,
    new_dep: datetime,
) -> bool:
    """Whether a change under `waiver` is free of any fare difference.

    Only within the waiver's window, for the same origin, destination and cabin (DOMAIN.md,
    "Fares"); a journey touching none of the waiver's airports is not covered.

    Args:
        origin: the booked journey's first origin.
        destination: its final destination.
        cabin: the booked cabin.
        new_origin: the new journey's origin.
        new_destination: its destination.
        new_cabin: its cabin.
        new_dep: its departure.
    """
    if waiver.airports and not waiver.airports & {origin, destination}:
        return False
    return (new_origin, new_destination, new_cabin) == (
        origin,
        destination,
        cabin,
    ) and waiver.travel_from <= new_dep <= waiver.travel_until


def downgrade_refund_percent(band: Band) -> int:
    """EU261/UK261 Art 10(2): the share of the flight's price refunded on a downgrade."""
    return DOWNGRADE_REFUND_PERCENT[band]


def downgrade_refund_cents(flight_price_cents: int, band: Band) -> int:
    """The Art 10(2) refund for a flight of this price, rounded down to the cent."""
    return flight_price_cents * DOWNGRADE_REFUND_PERCENT[band] // 100
