"""What the policy engine reads: the disruption, the booking, and the trip's airports.

Everything here is plain data, so the rules stay pure functions that tests can feed by
hand. `tools.policy.entitlements` re-exports these names; import them from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from airline.airports import great_circle_km
from airline.journeys import JourneyView, journey_of_flight
from airline.models import (
    REDUCED_MOBILITY_SSR,
    Airport,
    Booking,
    Cabin,
    FareFamily,
    Flight,
    LoyaltyTier,
    ReasonCode,
)
from tools.policy.nights import stays_the_night
from travel_agent.errors import NotFoundError

CABIN_RANK = {Cabin.ECONOMY: 0, Cabin.PREMIUM: 1, Cabin.BUSINESS: 2}


class DisruptionKind(StrEnum):
    CANCELLED = "cancelled"
    DELAYED = "delayed"
    DIVERTED = "diverted"
    MISSED_CONNECTION = "missed_connection"


class PassengerChoice(StrEnum):
    """What the passenger did with the alternative the carrier offered."""

    UNDECIDED = "undecided"
    TRAVEL = "travel"
    """Accepted the re-routing, or flies on the delayed flight."""
    REFUND = "refund"
    """Declined to travel and asked for the refund."""


class BookingFacts(BaseModel):
    """What the rules need to know about the passengers and the ticket."""

    model_config = ConfigDict(frozen=True)

    fare: FareFamily = FareFamily.STANDARD
    price_cents: int | None = Field(default=None, ge=0, description="ticket price, if known")
    flight_price_cents: int | None = Field(
        default=None, ge=0, description="price of the disrupted flight alone, if itemised"
    )
    journey_price_cents: int | None = Field(
        default=None, ge=0, description="price of the disrupted journey, if itemised"
    )
    currency: str = "EUR"
    tier: LoyaltyTier = LoyaltyTier.NONE
    passengers: int = Field(default=1, ge=1, description="travellers on the booking")
    infants: int = Field(default=0, ge=0, description="of them, infants on a lap")
    reduced_mobility: bool = False
    accompanies_reduced_mobility: bool = False
    unaccompanied_minor: bool = False

    @classmethod
    def from_booking(
        cls,
        booking: Booking,
        *,
        tier: LoyaltyTier = LoyaltyTier.NONE,
        flight_key: str | None = None,
        flights: Mapping[str, Flight] | None = None,
        journey: JourneyView | None = None,
    ) -> BookingFacts:
        """The facts of a stored booking; `tier` comes from its customer. With the disrupted
        `flight_key` (and the schedule's `flights`), the price of its journey, and of the
        flight alone when the journey is that one flight (`journey`: that flight's
        `journey_of_flight`, when the caller has it)."""
        if journey is None and flight_key is not None and flights is not None:
            journey = journey_of_flight(booking, flight_key, flights)
        segments = booking.active_segments
        flight_price = booking.price_cents if len(segments) == 1 else None
        journey_price = booking.price_cents if len(booking.journeys) <= 1 else None
        if journey is not None and journey.journey.price_cents is not None:
            journey_price = journey.journey.price_cents
            if len(journey.ticketed) == 1:
                flight_price = journey_price
        codes = set(booking.ssr)
        reduced = bool(codes & REDUCED_MOBILITY_SSR)
        return cls(
            fare=booking.fare,
            price_cents=booking.price_cents,
            flight_price_cents=flight_price,
            journey_price_cents=journey_price,
            currency=booking.currency,
            tier=tier,
            passengers=len(booking.passengers),
            infants=booking.infants,
            reduced_mobility=reduced,
            accompanies_reduced_mobility=reduced and len(booking.passengers) > 1,
            unaccompanied_minor="UMNR" in codes,
        )

    def compensated(self, *, infants: bool) -> int:
        """How many travellers are each owed compensation: all, or all but lap infants."""
        return self.passengers if infants else max(1, self.passengers - self.infants)


class Disruption(BaseModel):
    """One disruption of one passenger's journey, with the times the rules compare.

    "Journey" is the booking from its first origin to its final destination; "the disrupted
    flight" is the cancelled, delayed or diverted flight, or for a missed connection the
    onward flight that was missed.
    """

    model_config = ConfigDict(frozen=True)

    kind: DisruptionKind
    reason: ReasonCode
    originating_reason: ReasonCode | None = Field(
        default=None, description="for a knock-on delay: the cause of the delay that began it"
    )
    carrier: str = Field(description="operating carrier of the disrupted flight, e.g. XA")
    origin: str = Field(description="first origin of the original journey (IATA)")
    destination: str = Field(description="final destination of the original journey (IATA)")
    flight_origin: str | None = Field(default=None, description="defaults to `origin`")
    flight_destination: str | None = Field(default=None, description="defaults to `destination`")
    sched_dep: AwareDatetime = Field(description="scheduled departure of the disrupted flight")
    sched_arr: AwareDatetime = Field(description="scheduled arrival at the final destination")
    actual_dep: AwareDatetime | None = Field(
        default=None,
        description="actual or expected departure of what the passenger flies instead: the "
        "delayed flight or the offered re-routing (Art 5(1)(c) and 7(2) judge the offer, "
        "even if declined); None if nothing was offered",
    )
    journey_departs_earlier_by: timedelta | None = Field(
        default=None,
        description="for a re-routed connection: how much earlier than the journey's booked "
        "first departure the re-routed journey leaves its first airport (negative when "
        "later); Art 5(1)(c) then judges the journey, not the replaced flight against the "
        "cancelled one (Folkerts C-11/11); None: sched_dep against actual_dep",
    )
    actual_arr: AwareDatetime | None = Field(
        default=None,
        description="actual (door-open) or expected arrival at the final destination; None "
        "when the passenger does not travel",
    )
    journey_sched_dep: AwareDatetime | None = Field(
        default=None,
        description="scheduled departure of the journey's first flight, as ticketed; the "
        "notice is measured on it (see `notice`); None: `sched_dep` (a journey of one flight)",
    )
    notice_at: AwareDatetime | None = Field(
        default=None, description="when the passenger was told; None means at the airport"
    )
    carrier_aware_at: AwareDatetime | None = Field(
        default=None, description="when the carrier learned of the change (14 CFR 259.8)"
    )
    cabin_booked: Cabin = Cabin.ECONOMY
    cabin_flown: Cabin | None = Field(default=None, description="None: the booked cabin")
    connections_booked: int = Field(default=0, ge=0)
    connections_offered: int | None = Field(
        default=None, ge=0, description="connections on the alternative; None: as booked"
    )
    alt_origin: str | None = Field(default=None, description="alternative's origin, if moved")
    alt_destination: str | None = Field(
        default=None, description="alternative's destination, if moved"
    )
    alternative_offered: bool = True
    choice: PassengerChoice = PassengerChoice.UNDECIDED
    overnight: bool | None = Field(
        default=None,
        description="a stay of a night is needed; None: derived from the wait between "
        "scheduled and actual departure at the disrupted flight's origin (tools.policy.nights)",
    )
    less_accessible: bool = Field(
        default=False, description="the alternative is less accessible for a disabled passenger"
    )

    @property
    def arrival_delay(self) -> timedelta | None:
        """How late the passenger reaches the final destination (negative when early)."""
        return None if self.actual_arr is None else self.actual_arr - self.sched_arr

    @property
    def departure_delay(self) -> timedelta | None:
        """How much later than scheduled the passenger departs (negative when earlier)."""
        return None if self.actual_dep is None else self.actual_dep - self.sched_dep

    @property
    def notice(self) -> timedelta:
        """How long before the journey's scheduled departure the passenger was told (0 at
        the airport).

        The journey's, not the cancelled flight's: EU261 Art 5(1)(c)(ii)/(iii) name "the
        scheduled time of departure" once for the notice and once for how early the
        re-routing may leave, in one sentence, and the re-routing is judged on the
        journey's first departure (`journey_departs_earlier_by`; connecting flights of
        one booking are one whole for compensation: Folkerts C-11/11, Wegener C-537/17),
        so the notice is too. It is also the narrower reading of an exception to the
        passenger's right, read strictly (Wallentin-Hermann C-549/07, para 17-20): a
        passenger told 13 days before setting off was not told two weeks ahead because
        their second flight leaves a day later. APPR reads the same instant: the
        departure time "indicated on the original ticket" (SOR/2019-150 s.12, s.14)."""
        if self.notice_at is None:
            return timedelta(0)
        departs = self.journey_sched_dep or self.sched_dep
        return max(departs - self.notice_at, timedelta(0))

    @property
    def downgraded(self) -> bool:
        flown = self.cabin_flown or self.cabin_booked
        return CABIN_RANK[flown] < CABIN_RANK[self.cabin_booked]


@dataclass(frozen=True)
class Trip:
    """The airports of a disruption, resolved, and the distances measured between them."""

    origin: Airport
    destination: Airport
    flight_origin: Airport
    flight_destination: Airport
    alt_origin: Airport
    alt_destination: Airport
    distance_km: int
    """Journey distance: first origin to final destination (CJEU Bossen, C-559/16)."""
    flight_distance_km: int
    """Distance of the disrupted flight alone (Art 6(1) care and Art 10(2) downgrade)."""

    @classmethod
    def resolve(cls, disruption: Disruption, airports: Mapping[str, Airport]) -> Trip:
        """Look up every airport the disruption names.

        Raises:
            NotFoundError: an airport is missing from `airports`; the message names it.
        """
        d = disruption

        def get(code: str) -> Airport:
            try:
                return airports[code]
            except KeyError:
                raise NotFoundError(
                    f"airport {code} is not among the airports given to the policy engine; "
                    "pass the schedule's airports (or airline.airports.load_airports)"
                ) from None

        origin, destination = get(d.origin), get(d.destination)
        flight_origin = get(d.flight_origin or d.origin)
        flight_destination = get(d.flight_destination or d.destination)
        return cls(
            origin=origin,
            destination=destination,
            flight_origin=flight_origin,
            flight_destination=flight_destination,
            alt_origin=get(d.alt_origin or d.origin),
            alt_destination=get(d.alt_destination or d.destination),
            distance_km=great_circle_km(origin, destination),
            flight_distance_km=great_circle_km(flight_origin, flight_destination),
        )

    def countries(self) -> set[str]:
        """Every country the journey or the disrupted flight touches."""
        return {
            a.country
            for a in (self.origin, self.destination, self.flight_origin, self.flight_destination)
        }


def overnight(d: Disruption, trip: Trip) -> bool:
    """Whether the passenger must stay a night: the wait from the planned departure to the
    new one, at the disrupted flight's origin, holds the night `tools.policy.nights`
    defines (EU261 Art 5(1)(b), 6(1)(ii), 9(1)(b)), unless the disruption says so itself."""
    if d.overnight is not None:
        return d.overnight
    if d.actual_dep is None:
        return False
    return stays_the_night(d.sched_dep, d.actual_dep, trip.flight_origin.tz)


def hours_text(delta: timedelta) -> str:
    """A delay as people read it, e.g. ``3 h 05 min`` or ``-0 h 30 min``."""
    minutes = int(abs(delta.total_seconds()) // 60)
    sign = "-" if delta < timedelta(0) else ""
    return f"{sign}{minutes // 60} h {minutes % 60:02d} min"
