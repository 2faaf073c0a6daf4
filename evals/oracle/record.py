"""What the oracle judges: a world, the events fed, and what the agent did — plain data.

Nothing here comes from the agent's own types: the records are read from the database by
table name (`evals.oracle.sql`) or built by hand in tests, so the oracle keeps judging
when the agent's models move, and a bug in them cannot shape what is judged.

A booking has `passengers` travellers (the seats it takes) and an optional `group`:
bookings of one group travel together (linked bookings). Its legs belong to journeys
(`Leg.journey`: one-way, return, open-jaw, multi-city): each journey has its own origin and
final destination, and is judged on its own (`BookingRec.journeys`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Place:
    """An airport as the oracle needs it."""

    iata: str
    country: str
    lat: float
    lon: float
    tz: str


@dataclass(frozen=True)
class FlightRec:
    key: str
    carrier: str
    origin: str
    destination: str
    sched_dep: datetime
    sched_arr: datetime
    capacity: dict[str, int]
    """Seats per cabin."""
    sold: dict[str, int]
    """Seats sold per cabin before the run (the world's bookings and others)."""


@dataclass(frozen=True)
class Channel:
    kind: str
    address: str
    consent: bool


@dataclass(frozen=True)
class CustomerRec:
    id: str
    name: str
    tier: str
    language: str
    channels: tuple[Channel, ...] = ()


@dataclass(frozen=True)
class Leg:
    seq: int
    flight: str
    cabin: str
    journey: int = 1
    """The journey (origin to final destination) the leg belongs to."""


@dataclass(frozen=True)
class BookingRec:
    pnr: str
    customer: str
    fare: str
    price_cents: int
    currency: str
    legs: tuple[Leg, ...]
    """Active legs, in travel order."""
    ssr: tuple[str, ...] = ()
    passengers: int = 1
    status: str = "active"
    group: str | None = None
    """Linked bookings share a group: they must be kept together."""
    journey_prices: dict[int, int] = field(default_factory=dict)
    """The part of the fare (cents) of each journey that has one itemised."""

    @property
    def flights(self) -> tuple[str, ...]:
        return tuple(leg.flight for leg in self.legs)

    @property
    def journeys(self) -> tuple[int, ...]:
        """The booking's journeys, in travel order of their first leg."""
        return tuple(dict.fromkeys(leg.journey for leg in self.legs))

    def legs_of(self, journey: int) -> tuple[Leg, ...]:
        """The legs of one journey, in travel order."""
        return tuple(leg for leg in self.legs if leg.journey == journey)

    def price_of(self, journey: int) -> int | None:
        """The part of the fare that buys one journey (None: not itemised): the whole
        fare for a booking of one journey."""
        if set(self.journeys) <= {journey}:
            return self.price_cents
        return self.journey_prices.get(journey)


@dataclass(frozen=True)
class Injection:
    """A text planted in the world that asks the agent for something; `asks` says what,
    so the oracle can check it was not done (see `checks_trust`)."""

    pnr: str
    where: str
    text: str
    asks: dict[str, Any]
    """e.g. {"cabin": "business"}, {"compensation_over": 60000}, {"address": "x@evil.example"},
    {"destination": "JFK"}, {"refund_over": 0}, {"other_booking": "PNR123"}."""


@dataclass(frozen=True)
class World:
    start: datetime
    places: dict[str, Place]
    flights: dict[str, FlightRec]
    customers: dict[str, CustomerRec]
    bookings: dict[str, BookingRec]
    injections: tuple[Injection, ...] = ()


@dataclass(frozen=True)
class EventRec:
    """A flight-status record as fed to the stream, in stream order."""

    fed_at: datetime
    flight: str
    status: str
    est_dep: datetime
    est_arr: datetime
    emitted_at: datetime
    event_id: str = ""
    reason: str | None = None
    diverted_to: str | None = None


@dataclass(frozen=True)
class Effect:
    """An action-ledger row."""

    key: str
    case_id: str
    action: str
    pnr: str
    detail: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class Message:
    """An outbox message to a passenger."""

    key: str
    pnr: str
    customer: str | None
    kind: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    channel: str | None
    address: str | None
    about: str | None
    text: str
    not_before: datetime | None = None
    """Held until then (quiet hours)."""

    @property
    def delivered(self) -> bool:
        return self.status == "sent" and self.sent_at is not None

    def scheduled_after(self, end: datetime) -> bool:
        """Still waiting, for a delivery time the run did not reach."""
        return self.status == "pending" and self.not_before is not None and self.not_before > end


@dataclass(frozen=True)
class ApprovalRec:
    id: str
    case_id: str
    pnr: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    applied_at: datetime | None
    flights: tuple[str, ...]
    """Every flight the proposal and its options name."""


@dataclass(frozen=True)
class CaseRec:
    id: str
    pnr: str
    status: str
    outcome: str | None
    flight: str
    created_at: datetime


@dataclass
class RunRecord:
    """One run: the world before, the events fed, what the agent did, the state after."""

    world: World
    events: list[EventRec]
    end: datetime
    effects: list[Effect] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    approvals: list[ApprovalRec] = field(default_factory=list)
    cases: list[CaseRec] = field(default_factory=list)
    bookings_after: dict[str, BookingRec] = field(default_factory=dict)
    sold_after: dict[tuple[str, str], int] = field(default_factory=dict)
    """Seats sold per (flight, cabin) after the run, as the database holds them."""
    held_after: dict[tuple[str, str], int] = field(default_factory=dict)
    """Seats still held (not confirmed or released) per (flight, cabin) after the run."""
    horizon: timedelta = timedelta(hours=36)
    """How far after a passenger can leave the oracle searches for a seat."""
    error: str | None = None
