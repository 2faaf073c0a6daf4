"""The airline's nouns as pydantic models: what the agent and its tools pass around.

Times are always timezone-aware; the database stores them in UTC and the airport's zone
is used only to display them or to build the schedule in local time.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Cabin(StrEnum):
    """Seating class, from cheapest to dearest."""

    ECONOMY = "economy"
    PREMIUM = "premium"
    BUSINESS = "business"


class LoyaltyTier(StrEnum):
    """Frequent-flyer tier; higher tiers are protected first when seats are scarce."""

    NONE = "none"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class ChannelKind(StrEnum):
    """How a passenger can be reached."""

    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"


class FareFamily(StrEnum):
    """What the ticket allows; involuntary re-accommodation is allowed on every fare."""

    BASIC = "basic"
    STANDARD = "standard"
    FLEX = "flex"


class BookingStatus(StrEnum):
    ACTIVE = "active"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


class SegmentStatus(StrEnum):
    ACTIVE = "active"
    REPLACED = "replaced"
    """Taken off the itinerary by a rebooking; its seat went back to inventory."""


class FlightStatus(StrEnum):
    SCHEDULED = "scheduled"
    DELAYED = "delayed"
    CANCELLED = "cancelled"
    DIVERTED = "diverted"
    DEPARTED = "departed"
    ARRIVED = "arrived"
    GATE_CHANGE = "gate_change"


class ReasonCode(StrEnum):
    """Why a flight changed; the policy engine maps these to extraordinary circumstances."""

    WEATHER = "weather"
    ATC = "atc"
    AIRPORT_CLOSURE = "airport_closure"
    SECURITY = "security"
    BIRD_STRIKE = "bird_strike"
    THIRD_PARTY_STRIKE = "third_party_strike"
    TECHNICAL = "technical"
    CREW = "crew"
    OWN_STAFF_STRIKE = "own_staff_strike"
    SCHEDULING = "scheduling"
    KNOCK_ON = "knock_on"
    """The aircraft's previous flight arrived late."""
    OTHER = "other"


def flight_key(carrier: str, number: int, service_date: date) -> str:
    """The one identifier of a flight on a day, e.g. ``XA101/2026-03-01``."""
    return f"{carrier}{number}/{service_date.isoformat()}"


class Airport(BaseModel):
    model_config = ConfigDict(frozen=True)

    iata: str = Field(description="IATA location code, e.g. FRA")
    name: str
    city: str
    country: str = Field(description="ISO 3166-1 alpha-2 country code")
    lat: float
    lon: float
    tz: str = Field(description="IANA time zone, e.g. Europe/Berlin")


class CabinInventory(BaseModel):
    cabin: Cabin
    capacity: int = Field(ge=0)
    sold: int = Field(ge=0)

    @property
    def available(self) -> int:
        return self.capacity - self.sold


class Flight(BaseModel):
    """A scheduled flight on one service date (the static schedule, not its live state)."""

    key: str
    carrier: str = Field(description="two-letter airline designator")
    number: int
    service_date: date = Field(description="local date of scheduled departure")
    origin: str
    destination: str
    sched_dep: datetime
    sched_arr: datetime
    tail: str = Field(description="aircraft registration; the same tail flies a rotation")
    distance_km: int
    cabins: list[CabinInventory] = Field(default_factory=list)

    def inventory(self, cabin: Cabin) -> CabinInventory | None:
        return next((c for c in self.cabins if c.cabin == cabin), None)


class ContactChannel(BaseModel):
    kind: ChannelKind
    address: str
    consent: bool = Field(description="the passenger agreed to be contacted this way")
    priority: int = Field(default=0, description="lower is preferred")


class Customer(BaseModel):
    id: str
    name: str
    language: str = Field(description="BCP 47 primary language, e.g. en, de, fr, es, zh")
    tier: LoyaltyTier = LoyaltyTier.NONE
    channels: list[ContactChannel] = Field(default_factory=list)


class SeatPreference(StrEnum):
    WINDOW = "window"
    AISLE = "aisle"


class Preferences(BaseModel):
    """What a customer has told us (or their history shows) they want, each with its source.

    Derived from customer memory; `sources` maps a field name to the note it came from, so
    an operator can see why the agent believed it.
    """

    channel: ChannelKind | None = Field(default=None, description="the channel they read")
    language: str | None = Field(default=None, description="BCP 47 primary language")
    seat: SeatPreference | None = None
    avoid_overnight: bool = Field(
        default=False, description="no red-eyes: no departure between 22:00 and 05:59 local"
    )
    accessibility: list[str] = Field(
        default_factory=list, description="e.g. wheelchair, reduced mobility, unaccompanied minor"
    )
    avoid_airports: list[str] = Field(
        default_factory=list,
        description="IATA codes of airports the customer asked never to be routed through",
    )
    avoid_cities: list[str] = Field(
        default_factory=list,
        description="cities (airportsdata's names, e.g. Frankfurt am Main) to avoid: every "
        "airport of the city",
    )
    avoid_carriers: list[str] = Field(
        default_factory=list, description="IATA codes of airlines the customer refuses to fly"
    )
    sources: dict[str, str] = Field(
        default_factory=dict, description="field name -> the memory text it was derived from"
    )


# Passengers these codes describe go first when seats are scarce.
PRIORITY_SSR = frozenset({"WCHR", "WCHS", "WCHC", "UMNR", "BLND", "DEAF", "MAAS"})


class Segment(BaseModel):
    seq: int = Field(description="order within the itinerary, from 1")
    flight_key: str
    cabin: Cabin
    status: SegmentStatus = SegmentStatus.ACTIVE


class Booking(BaseModel):
    pnr: str = Field(description="six-character record locator")
    customer_id: str
    fare: FareFamily = FareFamily.STANDARD
    price_cents: int = Field(ge=0)
    currency: str = "EUR"
    status: BookingStatus = BookingStatus.ACTIVE
    segments: list[Segment] = Field(default_factory=list)
    ssr: list[str] = Field(
        default_factory=list,
        description="special service requests, IATA codes: WCHR/WCHS/WCHC (wheelchair), "
        "UMNR (unaccompanied minor), BLND, DEAF, MAAS (meet and assist)",
    )

    @property
    def active_segments(self) -> list[Segment]:
        return sorted(
            (s for s in self.segments if s.status == SegmentStatus.ACTIVE), key=lambda s: s.seq
        )
