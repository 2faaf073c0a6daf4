"""The airline's nouns as pydantic models: what the agent and its tools pass around.

Times are always timezone-aware; the database stores them in UTC and the airport's zone
is used only to display them or to build the schedule in local time.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from airline.languages import language_code


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


class PaymentMethod(StrEnum):
    """How the booking was paid: a refund goes back the same way, and US DOT sets its
    deadline by it (14 CFR 260: 7 business days to a card, 20 days otherwise)."""

    CARD = "card"
    OTHER = "other"
    """Cash, cheque, bank transfer, a debit not processed as a card."""


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


_WRITERS = {"passenger": "this passenger", "staff": "staff", "unknown": "an unknown writer"}


class SetAsideNote(BaseModel):
    """A note of the customer's that tried to instruct the agent: its instruction was read
    as data and ignored (`memory.prefs.set_aside`). The note's words are not kept here, so
    nothing that shows or reasons on preferences repeats the instruction."""

    author: str = Field(description="who wrote the note: passenger, staff or unknown")
    kept: list[str] = Field(
        default_factory=list,
        description="fields still read from the writer's own words beside the instruction",
    )


class Preferences(BaseModel):
    """What a customer has told us (or their history shows) they want, each with its source.

    Derived from customer memory; `sources` maps a field name to the note it came from, and
    `authors` to who wrote it, so an operator can see why the agent believed it.
    """

    channel: ChannelKind | None = Field(default=None, description="the channel they read")
    refused_channels: list[ChannelKind] = Field(
        default_factory=list,
        description="channels they said not to use (e.g. don't text me): tried after every "
        "other consented channel, never instead of reaching them",
    )
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
    authors: dict[str, str] = Field(
        default_factory=dict,
        description="field name -> who wrote the texts in `sources`, in the same order "
        "(passenger, staff or unknown): the channel each came through, never what it claims",
    )
    set_aside: list[SetAsideNote] = Field(
        default_factory=list,
        description="notes that tried to instruct the agent: treated as data, their "
        "instructions ignored (oldest first)",
    )

    @property
    def instruction_notice(self) -> str | None:
        """What an operator is told when notes tried to instruct the agent (None: none
        did), in words that quote none of them."""
        if not self.set_aside:
            return None
        count = len(self.set_aside)
        who = dict.fromkeys(_WRITERS.get(note.author, note.author) for note in self.set_aside)
        writers = " and ".join(who)
        said = (
            f"a note from {writers} contained an instruction to the agent"
            if count == 1
            else f"{count} notes from {writers} contained instructions to the agent"
        )
        kept = sorted({field for note in self.set_aside for field in note.kept})
        also = f" (their own wishes beside it still count: {', '.join(kept)})" if kept else ""
        return f"{said}: treated as data and ignored{also}"

    @field_validator("language")
    @classmethod
    def _one_code_per_language(cls, value: str | None) -> str | None:
        # Every reader and note enters here: "nb", "nn" and "fil" are kept as "no" and
        # "tl", the codes the lexicons and the labelled sets use (`language_code`).
        return None if value is None else language_code(value)


REDUCED_MOBILITY_SSR = frozenset({"WCHR", "WCHS", "WCHC", "BLND", "DEAF", "DPNA", "MAAS"})
"""SSR codes of a person with reduced mobility in the sense of EU261 Art 2(i) and Art 11
(and of Reg 1107/2006 Art 2(a), which names intellectual impairment as well as physical:
DPNA, a disabled passenger needing assistance, is one)."""

PRIORITY_SSR = REDUCED_MOBILITY_SSR | {"UMNR"}
"""Passengers these codes describe go first when seats are scarce (EU261 Art 11: reduced
mobility, and unaccompanied children)."""


class PassengerType(StrEnum):
    """Who travels on a booking, as IATA's passenger type codes group them."""

    ADULT = "adult"
    """12 or older (ADT)."""
    CHILD = "child"
    """2 to 11, on a seat of their own (CHD)."""
    INFANT = "infant"
    """Under 2, on an adult's lap: no seat of their own (INF)."""


class Passenger(BaseModel):
    """One traveller on a booking. The booking's contact is its customer; a passenger with
    a consented `contact` of their own hears from us directly as well."""

    seq: int = Field(ge=1, description="the passenger's number within the booking, from 1")
    name: str = ""
    type: PassengerType = PassengerType.ADULT
    ssr: list[str] = Field(
        default_factory=list,
        description="this passenger's special service requests, IATA codes: WCHR/WCHS/WCHC "
        "(wheelchair), UMNR (unaccompanied minor), BLND, DEAF, MAAS (meet and assist), OXYG "
        "(medical oxygen on board), SVAN (service animal)",
    )
    on_lap_of: int | None = Field(
        default=None, description="an infant's: the `seq` of the adult they travel with"
    )
    language: str | None = Field(
        default=None, description="their own language, for messages to their own contact"
    )
    contact: list[ContactChannel] = Field(
        default_factory=list, description="their own channels; empty: the booking's contact"
    )

    @property
    def needs_seat(self) -> bool:
        """Every passenger but an infant on a lap takes a seat."""
        return self.type is not PassengerType.INFANT

    @property
    def own_contact(self) -> bool:
        """Reached directly (a consented channel of their own), not only through the booking."""
        return any(c.consent for c in self.contact)


class Journey(BaseModel):
    """One origin-to-destination trip of a booking: a one-way booking has one, a return or
    an open-jaw two, a multi-city trip more. Its segments carry its `seq`; EU261/UK261
    judge distance and arrival delay per journey (CJEU Bossen, C-559/16; Folkerts,
    C-11/11)."""

    seq: int = Field(ge=1, description="order within the booking, from 1")
    origin: str = Field(description="where the journey begins (IATA)")
    destination: str = Field(description="its final destination (IATA)")
    price_cents: int | None = Field(
        default=None, ge=0, description="this journey's part of the fare, when itemised"
    )


class Segment(BaseModel):
    seq: int = Field(description="order within the itinerary, from 1")
    flight_key: str
    cabin: Cabin
    status: SegmentStatus = SegmentStatus.ACTIVE
    journey: int = Field(default=1, ge=1, description="the `Journey.seq` it belongs to")


class Booking(BaseModel):
    """A reservation: its contact (the customer), its passengers, its journeys and their
    segments. A booking written without passengers is one adult; one written without
    journeys is one journey over all its segments (see `airline.journeys`)."""

    pnr: str = Field(description="six-character record locator")
    customer_id: str = Field(description="the booking's contact")
    fare: FareFamily = FareFamily.STANDARD
    price_cents: int = Field(ge=0, description="what the booking cost, every passenger together")
    currency: str = "EUR"
    payment: PaymentMethod = PaymentMethod.CARD
    status: BookingStatus = BookingStatus.ACTIVE
    passengers: list[Passenger] = Field(default_factory=list)
    journeys: list[Journey] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)
    ssr: list[str] = Field(
        default_factory=list,
        description="every special service request of its passengers (written on a booking "
        "without passengers, they are the one passenger's)",
    )

    @model_validator(mode="after")
    def _one_passenger_at_least(self) -> Booking:
        if not self.passengers:
            self.passengers = [Passenger(seq=1, ssr=list(self.ssr))]
        self.ssr = list(dict.fromkeys(code for p in self.passengers for code in p.ssr))
        return self

    @property
    def active_segments(self) -> list[Segment]:
        return sorted(
            (s for s in self.segments if s.status == SegmentStatus.ACTIVE), key=lambda s: s.seq
        )

    @property
    def seats_needed(self) -> int:
        """Seats the whole party takes on every flight (infants on a lap take none)."""
        return sum(p.needs_seat for p in self.passengers)

    @property
    def infants(self) -> int:
        return sum(p.type is PassengerType.INFANT for p in self.passengers)

    def journey_of(self, segment: Segment | int) -> Journey | None:
        """The journey a segment (or a segment's `seq`) belongs to, if the booking says."""
        if isinstance(segment, int):
            found = next((s for s in self.segments if s.seq == segment), None)
            if found is None:
                return None
            segment = found
        return next((j for j in self.journeys if j.seq == segment.journey), None)

    def journey_segments(self, journey: int, *, active_only: bool = True) -> list[Segment]:
        """The segments of one journey, in `seq` order."""
        chosen = self.active_segments if active_only else sorted(self.segments, key=lambda s: s.seq)
        return [s for s in chosen if s.journey == journey]
