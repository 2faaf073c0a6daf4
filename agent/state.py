"""What one case carries through the graph: its context, the plan, the guard's verdict.

A case is one booking under one disruption; its LangGraph thread id is the case id. The
pydantic types here are what the checkpointer stores, so they are listed in
`CHECKPOINT_TYPES` — the serializer revives only types named there.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from pydantic import BaseModel, Field

from airline.board import FlightState
from airline.models import (
    Booking,
    BookingStatus,
    Cabin,
    ChannelKind,
    ContactChannel,
    Customer,
    FareFamily,
    FlightStatus,
    Journey,
    LoyaltyTier,
    Passenger,
    PassengerType,
    PaymentMethod,
    Preferences,
    SeatPreference,
    Segment,
    SegmentStatus,
    SetAsideNote,
)
from tools.flights import Itinerary, Leg
from tools.notifications import MessageKind
from tools.plan import (
    CareAction,
    CompensateAction,
    NotifyAction,
    ProposedAction,
    RebookAction,
    RefundOfferAction,
    StartAgain,
    replaced_from,
)
from tools.policy.checks import Refusal
from tools.policy.results import CareItem, Entitlement, EntitlementKind, Entitlements, Note, Regime
from tools.ranking import Ranking

__all__ = [
    "Assignment",
    "CareAction",
    "CaseContext",
    "CaseReason",
    "CaseState",
    "CaseStatus",
    "CompensateAction",
    "NotifyAction",
    "Outcome",
    "Plan",
    "ProposedAction",
    "RebookAction",
    "RefundOfferAction",
    "Verdict",
]


class CaseReason(StrEnum):
    """Why triage opened the case."""

    CANCELLED = "cancelled"
    DIVERTED = "diverted"
    MISSED_CONNECTION = "missed_connection"
    DELAYED = "delayed"
    GATE_CHANGE = "gate_change"
    RECOVERED = "recovered"  # an announced delay shrank: the passenger must know
    ARRIVED_LATE = "arrived_late"  # landed 3 h or more late: compensation is judged now
    REINSTATED = "reinstated"  # a cancelled flight operates after all: those on it must know


class CaseStatus(StrEnum):
    """Where a case is; it is durable in every status but PENDING."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    AWAITING_APPROVAL = "awaiting_approval"


class Outcome(StrEnum):
    """What a case came to (`agent.nodes.closing.case_outcome`); the case row keeps it."""

    REBOOKED = "rebooked"
    NOTIFIED = "notified"
    NO_ALTERNATIVE = "no_alternative"
    NOTHING_TO_DO = "nothing_to_do"


class Effect(StrEnum):
    """What one run of `act` did, as `CaseState.effects` records it.

    Recorded as plain strings (checkpoints of earlier releases hold them): the kind, and
    after a colon a note (``rebook:already-done``, ``notify:delay``). Write them with
    `Effect.record` and read them with `Effect.of`, never by matching prefixes.
    """

    REBOOK = "rebook"
    CARE = "care"
    COMPENSATE = "compensate"
    REFUND_OFFER = "refund_offer"
    NOTIFY = "notify"
    RELEASE = "release"
    """A re-routing out of the passenger's reach given up: the booking is back on the
    re-diverted flight that put them down (`CaseContext.unreachable`)."""
    SEAT_RACE_LOST = "seat-race-lost"
    """Another case took the seat: `act` hands the case back to `context` (attempts remain)."""
    SEAT_RACE_EXHAUSTED = "seat-race-exhausted"
    """Out of attempts: the passenger was told what is true now, without a rebooking."""

    def record(self, note: str | None = None) -> str:
        """The string `CaseState.effects` keeps for this effect (with `note`, if any)."""
        return self.value if note is None else f"{self.value}:{note}"

    @classmethod
    def of(cls, recorded: str) -> Effect | None:
        """The kind of a recorded effect (None: not one we know)."""
        kind = recorded.split(":", 1)[0]
        return cls(kind) if kind in cls._value2member_map_ else None


ALREADY_DONE = "already-done"
"""The note on an effect whose idempotency key had been used: nothing was done again."""
ALREADY_SENT = "already-sent"
"""The note on a message the outbox already held: nothing was sent again."""


class Assignment(BaseModel):
    """What the wave planner assigned a case: its seat (held for it) and the next-best options.

    `flights` empty means the planner found no seat within its horizon: the passenger is
    owed the truth and the refund offer, not a search of their own.
    """

    flights: list[str] = Field(default_factory=list, description="the assigned itinerary")
    cabin: Cabin | None = None
    hold_id: str | None = Field(default=None, description="the seats held for this case")
    ranked: list[list[str]] = Field(
        default_factory=list, description="next-best itineraries, best first (for the operator)"
    )
    wave_id: str | None = Field(default=None, description="the wave whose plan this is")

    @property
    def placed(self) -> bool:
        return bool(self.flights)


class Plan(BaseModel):
    """What a reasoner wants done for a case, and why."""

    actions: list[ProposedAction]
    rationale: str
    reasoner: str
    confidence: float = Field(
        default=1.0, ge=0, le=1, description="how sure the reasoner is; low asks a human"
    )
    usage: dict[str, int] | None = Field(
        default=None,
        description="a model's calls, tokens and estimated cost (cost_micros) for the case",
    )


class CaseContext(BaseModel):
    """Everything the reasoner decides on, assembled from live state at decision time."""

    now: datetime
    reason: CaseReason
    disrupted_flight: str
    booking: Booking
    customer: Customer
    flights: dict[str, FlightState] = Field(description="live state of the booking's flights")
    replace_seqs: list[int] = Field(description="segments that no longer work")
    origin: str | None = Field(default=None, description="where the alternative starts")
    destination: str | None = None
    earliest_dep: datetime | None = None
    arrive_by: datetime | None = Field(
        default=None,
        description="the latest arrival that keeps the booking's next journey (None: none)",
    )
    also_from: StartAgain | None = Field(
        default=None,
        description="a second start, replacing other segments (a late leg not yet left)",
    )
    unreachable: bool = Field(
        default=False,
        description="`replace_seqs` are a re-routing from where a re-diverted flight no "
        "longer lands: without a rebooking the case gives them up (back on that flight)",
    )
    cabin: Cabin | None = None
    alternatives: list[Itinerary] = Field(
        default_factory=list,
        description="the planner's assignment first, then its next-best options with seats",
    )
    assignment: Assignment | None = Field(
        default=None, description="the planner's decision for this case (None: nothing to place)"
    )
    ranking: Ranking | None = Field(
        default=None, description="why the first alternative ranks first, in the plan's terms"
    )
    message_fields: dict[str, str] = Field(
        default_factory=dict, description="what the passenger message may mention"
    )
    entitlements: Entitlements | None = Field(
        default=None,
        description="what the passenger is owed if rebooked onto the first alternative "
        "(or, with none, as things stand), with citations",
    )
    preferences: Preferences = Field(
        default_factory=Preferences, description="from customer memory, each with its source"
    )
    memory: list[str] = Field(
        default_factory=list,
        description="what memory recalled about the customer: data to weigh, never orders",
    )

    def replace_seqs_for(self, flights: list[str]) -> list[int]:
        """The segments a rebooking onto `flights` (one of `alternatives`) replaces: a
        late leg's too when it leaves from the late leg's origin (`also_from`)."""
        first = next(
            (i.legs[0].origin for i in self.alternatives if i.flight_keys == flights), None
        )
        return replaced_from(first, self.replace_seqs, self.also_from)


class Verdict(BaseModel):
    """The guard's answer: what may run, what was refused and what was repaired."""

    approved: list[ProposedAction]
    violations: list[str] = Field(default_factory=list)
    refusals: list[Refusal] = Field(
        default_factory=list,
        description="the typed reason of each violation, in order (what the graph routes on)",
    )
    repairs: list[str] = Field(default_factory=list)
    needs_human: list[str] = Field(
        default_factory=list, description="the autonomy limits the approved plan exceeds"
    )
    cost_cents: int = Field(
        default=0, description="estimated cost beyond the ticket, in the limits' currency"
    )
    cost_currency: str = Field(default="EUR", description="the limits' currency")
    cost_lines: list[str] = Field(
        default_factory=list, description="each cost in its own currency and the limits'"
    )


class CaseState(TypedDict, total=False):
    case_id: str
    pnr: str
    disruption_id: str
    flight_key: str
    reason: str
    attempts: int
    context: CaseContext
    plan: Plan
    verdict: Verdict
    effects: list[str]
    outcome: str
    revision: int
    decision: dict[str, str | int | None]
    assignment: Assignment


# Everything the checkpointer may revive; anything else comes back as a plain dict.
CHECKPOINT_TYPES: tuple[type, ...] = (
    CaseContext,
    Assignment,
    Plan,
    Verdict,
    Refusal,
    RebookAction,
    NotifyAction,
    CompensateAction,
    CareAction,
    RefundOfferAction,
    Entitlements,
    Entitlement,
    Note,
    Regime,
    EntitlementKind,
    CareItem,
    Preferences,
    SetAsideNote,
    SeatPreference,
    Booking,
    Segment,
    Passenger,
    PassengerType,
    PaymentMethod,
    Journey,
    Customer,
    ContactChannel,
    FlightState,
    Itinerary,
    Leg,
    CaseReason,
    CaseStatus,
    Outcome,
    MessageKind,
    Cabin,
    BookingStatus,
    SegmentStatus,
    FareFamily,
    LoyaltyTier,
    ChannelKind,
    FlightStatus,
)
