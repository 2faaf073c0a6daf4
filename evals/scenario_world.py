"""A scenario's world: flights, inventory, customers, bookings and journeys, memories — and
the small parsers every part of a scenario shares (durations, flight codes, times).

The timeline and expectations are in `evals.scenario`, which composes a `Scenario` from
these parts.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from airline.models import (
    Cabin,
    ChannelKind,
    FareFamily,
    LoyaltyTier,
    PassengerType,
    PaymentMethod,
)
from travel_agent.errors import ConfigError

_DURATION = re.compile(r"^([+-])?\s*((?:\d+(?:\.\d+)?\s*[dhms]\s*)+)$")
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])")
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}


class ScenarioError(ConfigError):
    """A scenario file cannot be used; the message names the file and the path in it."""


def parse_duration(text: str | int | float) -> timedelta:
    """``"90s"``, ``"2m"``, ``"+4h"``, ``"-10m"``, ``"1h30m"``, ``"2d"`` → timedelta.

    A bare number is minutes.
    """
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a duration")
    if isinstance(text, int | float):
        return timedelta(minutes=text)
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90s, 2m, +4h, -10m or 1h30m")
    seconds = sum(float(n) * _UNIT[unit] for n, unit in _PART.findall(match.group(2)))
    return timedelta(seconds=-seconds if match.group(1) == "-" else seconds)


def duration_field(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(value)


def split_flight(code: str) -> tuple[str, int]:
    """``"XA101"`` → ``("XA", 101)``."""
    match = re.fullmatch(r"([A-Z0-9]{2})(\d{1,4})", code)
    if not match:
        raise ValueError(f"{code!r} is not a flight like XA101 (carrier + number)")
    return match.group(1), int(match.group(2))


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the world --------------------------------------------------------------------------


class FlightSpec(SpecModel):
    """A flight of the world. Times are UTC: ``"08:00"`` on `date`, or a full ISO time."""

    flight: str = Field(description="carrier and number, e.g. XA101")
    date: dt.date | None = Field(default=None, description="service date; default: world date")
    origin: str = Field(alias="from", pattern=r"^[A-Z]{3}$")
    destination: str = Field(alias="to", pattern=r"^[A-Z]{3}$")
    dep: str = Field(description='UTC "HH:MM" on the date, or ISO datetime with offset')
    arr: str = Field(description='UTC "HH:MM" (next day if before dep), or ISO datetime')
    cabins: dict[Cabin, int] | None = Field(
        default=None, description="capacity per cabin; default by distance"
    )
    tail: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("flight")
    @classmethod
    def _flight(cls, value: str) -> str:
        split_flight(value)
        return value

    @field_validator("dep", "arr")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_time(value, date(2026, 1, 1))
        return value


def parse_time(value: str, day: date) -> datetime:
    from datetime import UTC

    text = str(value).strip()
    if re.fullmatch(r"\d{1,2}:\d{2}", text):
        return datetime.combine(day, time.fromisoformat(text.zfill(5)), tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is neither HH:MM nor an ISO datetime") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} needs a time zone offset (or use HH:MM for UTC)")
    return parsed.astimezone(UTC)


class InventorySpec(SpecModel):
    """Seats already sold to people the scenario does not model."""

    flight: str
    date: dt.date | None = None
    cabin: Cabin = Cabin.ECONOMY
    seats_left: int = Field(ge=0, description="free seats once the scenario's bookings are in")


class ChannelSpec(SpecModel):
    kind: ChannelKind
    address: str | None = Field(default=None, description="default: a fictional address")
    consent: bool = True
    priority: int = 0


class CustomerSpec(SpecModel):
    id: str = Field(min_length=1, max_length=16)
    name: str = "Test Passenger"
    language: str = "en"
    tier: LoyaltyTier = LoyaltyTier.NONE
    channels: list[ChannelSpec] = Field(
        default_factory=lambda: [ChannelSpec(kind=ChannelKind.EMAIL)]
    )


class SegmentSpec(SpecModel):
    flight: str
    date: dt.date | None = None
    cabin: Cabin = Cabin.ECONOMY


class PassengerSpec(SpecModel):
    """A traveller of the booking; the first is the contact's own traveller by default."""

    name: str | None = Field(default=None, description="default: the customer's, else 'Guest N'")
    type: PassengerType = PassengerType.ADULT
    ssr: list[str] = Field(default_factory=list, description="IATA codes: WCHR, UMNR, ...")
    on_lap_of: int | None = Field(
        default=None, ge=1, description="an infant's adult (passenger number); default 1"
    )
    language: str | None = None
    contact: list[ChannelSpec] = Field(
        default_factory=list, description="their own channels; default: the booking's contact"
    )

    @model_validator(mode="after")
    def _lap(self) -> PassengerSpec:
        if self.on_lap_of is not None and self.type is not PassengerType.INFANT:
            raise ValueError("only an infant travels on a lap (on_lap_of)")
        return self


class JourneySpec(SpecModel):
    """One origin-to-destination trip of a booking: its flights, in order."""

    segments: list[SegmentSpec] = Field(min_length=1)
    price: float | None = Field(default=None, ge=0, description="its part of the price")


class BookingSpec(SpecModel):
    """A booking: one journey (`segments`) or several (`journeys`: a return, an open-jaw,
    a multi-city trip), and its passengers (default: one adult, the customer)."""

    pnr: str = Field(pattern=r"^[A-Z0-9]{6}$", description="six-character record locator")
    customer: str
    fare: FareFamily = FareFamily.STANDARD
    price: float = Field(
        default=250.0, ge=0, description="what the booking cost, all passengers, major units"
    )
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    payment: PaymentMethod = Field(
        default=PaymentMethod.CARD, description="card, or other (cash, transfer)"
    )
    segments: list[SegmentSpec] = Field(default_factory=list, description="a one-way booking")
    journeys: list[JourneySpec] = Field(default_factory=list, description="or its journeys")
    passengers: list[PassengerSpec] = Field(default_factory=list)
    ssr: list[str] = Field(
        default_factory=list,
        description="special service requests of the first passenger, IATA codes (WCHR, ...)",
    )

    @model_validator(mode="after")
    def _shape(self) -> BookingSpec:
        if bool(self.segments) == bool(self.journeys):
            raise ValueError("give either segments (one journey) or journeys, not both")
        seats = [i for i, p in enumerate(self.passengers, start=1) if p.type != "infant"]
        for i, p in enumerate(self.passengers, start=1):
            if p.type == "infant":
                lap = p.on_lap_of or 1
                if lap not in seats or self.passengers[lap - 1].type != "adult":
                    raise ValueError(
                        f"passengers[{i - 1}]: an infant travels on an adult's lap; "
                        f"passenger {lap} is not an adult"
                    )
        if self.passengers and not seats:
            raise ValueError("a booking needs a passenger who takes a seat")
        return self

    @property
    def journey_specs(self) -> list[JourneySpec]:
        """Its journeys, a one-way booking's segments as one."""
        return self.journeys or [JourneySpec(segments=self.segments)]

    @property
    def seats(self) -> int:
        """Seats the party takes on each flight (infants on a lap take none)."""
        return sum(p.type != "infant" for p in self.passengers) or 1


class MemorySpec(SpecModel):
    customer: str
    kind: Literal["preference", "note", "outcome", "message"] = "preference"
    text: str = Field(min_length=1)
    at: str = Field(default="-30d", description="relative to the scenario start")
    metadata: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        parse_duration(value)
        return value


class WorldSpec(SpecModel):
    seed: str = Field(default="small", description="a named seed: small or empty")
    date: dt.date = Field(default=dt.date(2026, 3, 1), description="the service date")
    start: str = Field(default="05:00", description='scenario time 0: UTC "HH:MM" on `date`')
    flights: list[FlightSpec] = Field(default_factory=list)
    inventory: list[InventorySpec] = Field(default_factory=list)
    customers: list[CustomerSpec] = Field(default_factory=list)
    bookings: list[BookingSpec] = Field(default_factory=list)
    memory: list[MemorySpec] = Field(default_factory=list)

    @property
    def start_at(self) -> datetime:
        return parse_time(self.start, self.date)

    @model_validator(mode="after")
    def _consistent(self) -> WorldSpec:
        customers = {c.id for c in self.customers}
        for i, booking in enumerate(self.bookings):
            if booking.customer not in customers:
                raise ValueError(
                    f"bookings[{i}] ({booking.pnr}) names customer {booking.customer!r}, "
                    f"which is not among the world's customers {sorted(customers)}"
                )
        pnrs = [b.pnr for b in self.bookings]
        if len(set(pnrs)) != len(pnrs):
            raise ValueError("two bookings share a PNR")
        for i, memory in enumerate(self.memory):
            if memory.customer not in customers:
                raise ValueError(f"memory[{i}] names unknown customer {memory.customer!r}")
        return self
