"""The agent's own tables: disruptions, cases, approvals, scheduled jobs, and the claims
daemons hold on cases and outbox rows (which daemon works on what, under a lease)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

import airline.tables  # noqa: F401  (the airline tables these rows refer to, on the same metadata)
from travel_agent.db import Base


class DisruptionRow(Base):
    """A material change to one flight, and the cases it opened (written together)."""

    __tablename__ = "disruptions"

    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    flight_key: Mapped[str] = mapped_column(ForeignKey("flights.key"), index=True)
    event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]]
    detected_at: Mapped[datetime]
    emitted_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the event that made the change was emitted (the event clock): time-to-notify
    is measured from it."""
    wave_id: Mapped[str | None] = mapped_column(String(40), index=True, default=None)


class CaseRow(Base):
    """One passenger (booking) x one disruption. Its graph thread id is `id`."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    disruption_id: Mapped[str] = mapped_column(ForeignKey("disruptions.id"), index=True)
    pnr: Mapped[str] = mapped_column(ForeignKey("bookings.pnr"), index=True)
    reason: Mapped[str] = mapped_column(String(24))
    priority: Mapped[int]
    status: Mapped[str] = mapped_column(String(24), index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    checkpoint_pruned_at: Mapped[datetime | None] = mapped_column(
        doc="when retention deleted the finished case's LangGraph thread (`agent.retention`)"
    )
    wave_id: Mapped[str | None] = mapped_column(String(40), index=True, default=None)
    assignment: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """The planner's assignment for the case (`agent.state.Assignment`), recorded with the
    wave before any effect: a restarted daemon resumes it rather than planning again."""
    decided_wall_at: Mapped[datetime | None] = mapped_column(default=None)
    """Wall time (UTC) at which the case closed: with the event's `emitted_at`, what
    makes time-to-decision auditable."""

    __table_args__ = (
        UniqueConstraint("disruption_id", "pnr"),
        Index("ix_cases_status_updated", "status", "updated_at"),
    )


class WaveRow(Base):
    """One disruption wave: its records, the digest of the planner's inputs and its result.

    Written in the transaction that opens the wave's cases and holds their seats, before
    any effect. The assignment itself is on each case (`CaseRow.assignment`).
    """

    __tablename__ = "waves"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    first_record: Mapped[str] = mapped_column(String(200))
    """topic/partition/offset of the wave's first material record."""
    last_record: Mapped[str] = mapped_column(String(200))
    records: Mapped[int]
    changes: Mapped[list[str]] = mapped_column(JSON)
    """The disruptions (flight@event) the wave holds, in record order."""
    digest: Mapped[str] = mapped_column(String(64))
    solver: Mapped[str] = mapped_column(String(16))
    objective: Mapped[float]
    lower_bound: Mapped[float]
    parties: Mapped[int]
    placed: Mapped[int]
    first_emitted_at: Mapped[datetime]
    first_read_wall_at: Mapped[datetime | None] = mapped_column(default=None)
    """Wall time (UTC) at which the daemon took the wave's first material record: with
    each case's `decided_wall_at` and its messages' `sent_wall_at`, the wall time from
    the event's arrival to the passenger's message, triage and planning included (waves
    recorded before this column have none: their start is `planned_wall_at` minus
    `plan_seconds`)."""
    preferences_missing: Mapped[bool] = mapped_column(default=False)
    """Customer memory did not answer before the wave's transaction: the plan ignored its
    customers' hard preferences, and each case's own check re-planned an assignment that
    broke one (`agent.runtime.wave_preferences`). False, too, where no memory is kept."""
    planned_at: Mapped[datetime]
    """Event time of the plan."""
    planned_wall_at: Mapped[datetime]
    plan_seconds: Mapped[float]


class ApprovalRow(Base):
    """A decision the agent handed to a human: what it proposes, why it asks, the outcome.

    One row per (case, revision): a stale approval is re-planned under the next revision.
    The graph parks the case at `interrupt()`; an operator's decision is written here by
    `agent.approvals.ApprovalDesk`, and the daemon resumes the case from it
    (`applied_at` set once the case ran on).
    """

    __tablename__ = "approvals"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(40), index=True)
    revision: Mapped[int]
    pnr: Mapped[str] = mapped_column(String(6), index=True)
    customer_id: Mapped[str] = mapped_column(String(16), index=True)
    flight_key: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(String(24))
    why: Mapped[list[str]] = mapped_column(JSON)
    proposal: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    entitlements: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    memory: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rationale: Mapped[str] = mapped_column(String(2000))
    cost_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime]
    deadline: Mapped[datetime] = mapped_column(index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    applied_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("case_id", "revision", name="uq_approvals_case_rev"),)


class JobStatus(StrEnum):
    """Where a scheduled job is (`JobRow.status`); DONE, FAILED and CANCELLED are final."""

    DUE = "due"
    """Waiting for its time, or claimed and running (a claim is not a status)."""
    DONE = "done"
    FAILED = "failed"
    """Its handler failed as many times as it may."""
    CANCELLED = "cancelled"


class JobRow(Base):
    """Scheduled work (approval deadlines, reminders, re-checks), claimed by one daemon.

    `key` makes scheduling idempotent; a due job is claimed (`claimed_by`, `claimed_until`)
    before it runs, so it fires once however many daemons share the database.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    done_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_jobs_status_due", "status", "due_at"),)


class PassengerChoiceRow(Base):
    """A passenger's choice, recorded by whoever heard it (the desk, the CLI, a reply), for
    the daemon to carry out once (`agent.choices`): taking the refund for a flight
    (`flight_key`), or an answer to an offer (`offer_id`), carried out by the offers desk."""

    __tablename__ = "passenger_choices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pnr: Mapped[str] = mapped_column(String(6), index=True)
    flight_key: Mapped[str | None] = mapped_column(String(32))
    """The disrupted flight whose journey a refund is taken for; NULL for an answer to an
    offer, which names its offer instead."""
    offer_id: Mapped[str | None] = mapped_column(String(40), default=None)
    """The offer an answer recorded for the passenger answers (`OfferRow.id`; its
    `choice` is ``offer:<option>`` or ``offer:refund``); NULL for a refund of a flight."""
    choice: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    chosen_by: Mapped[str] = mapped_column(String(64))
    chosen_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), index=True)
    """recorded → done | refused (the reason in `result`)."""
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    applied_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("pnr", "flight_key", "choice", name="uq_choice_once"),
        UniqueConstraint("offer_id", "choice", name="uq_offer_answer_once"),
    )


class OfferStatus(StrEnum):
    """Where an offer is (`OfferRow.status`); every status but OPEN is final."""

    OPEN = "open"
    ACCEPTED = "accepted"
    """The passenger kept the flights booked for them."""
    CHANGED = "changed"
    """The passenger took another option; the booking moved onto it."""
    DECLINED = "declined"
    """The passenger took the refund instead."""
    DEFAULTED = "defaulted"
    """No answer by the deadline: the re-routing stands."""
    SUPERSEDED = "superseded"
    """A later change of the booking (another case's rebooking or release, anything that
    took the offered flights off it) replaced what the offer was made about: keeping or
    switching can no longer be answered (`agent.offers`); a refund still can."""


class OfferRow(Base):
    """What a passenger was offered after a disruption, and how they answered.

    Opened with the rebooking (same transaction): the flights booked for them (option 1)
    and the other options they may choose instead, until `deadline`; then the default
    runs (`agent.offers`). `status` is an `OfferStatus`.
    """

    __tablename__ = "offers"
    # A booking's open offers are read by (pnr, status) at every rebooking
    # (`supersede_offers`) and answer: one index on both. With one index on each, SQLite
    # (no statistics) searched by status, every open offer of the day for each case.
    __table_args__ = (Index("ix_offers_pnr_status", "pnr", "status"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(40), index=True)
    pnr: Mapped[str] = mapped_column(String(6))
    disruption_flight: Mapped[str] = mapped_column(String(64))
    booked: Mapped[list[str]] = mapped_column(JSON)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    cabin: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    deadline: Mapped[datetime]
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ReplyDisposition(StrEnum):
    """What became of a passenger's answer (`ReplyRow.disposition`): the first three
    carried it out; every other sent it to the operator desk, for the reason it names."""

    KEPT = "kept"
    """They kept the flights booked for them (the offer is ACCEPTED)."""
    CHANGED = "changed"
    """They took another option; the booking moved onto it."""
    REFUNDED = "refunded"
    """They declined; the refund was made."""
    WROTE = "wrote"
    """Words of their own: the desk reads them (as data, never as instructions)."""
    NO_OFFER = "no_offer"
    OFFER_CLOSED = "offer_closed"
    """The offer was answered or defaulted already (the first answer wins)."""
    LATE = "late"
    """Answered after the offer's deadline."""
    NO_SUCH_OPTION = "no_such_option"
    OPTION_UNAVAILABLE = "option_unavailable"
    """The option they chose cannot be booked any more."""
    REFUND_FAILED = "refund_failed"
    OFFER_REPLACED = "offer_replaced"
    """The offer answered no longer matches the booking (a later change superseded it):
    nothing was booked; the passenger was told what they hold now."""

    @property
    def to_desk(self) -> bool:
        return self not in (
            ReplyDisposition.KEPT,
            ReplyDisposition.CHANGED,
            ReplyDisposition.REFUNDED,
        )


class ReplyRow(Base):
    """The conversation: every answer received, in order, and what became of it:
    `disposition` (a `ReplyDisposition`) for code, `result` in words for people."""

    __tablename__ = "replies"

    reply_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    pnr: Mapped[str] = mapped_column(String(6), index=True)
    offer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    sender: Mapped[str] = mapped_column(String(320))
    choice: Mapped[str] = mapped_column(String(16))
    option: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(4000))
    received_at: Mapped[datetime]
    handled_at: Mapped[datetime]
    result: Mapped[str] = mapped_column(String(400))
    disposition: Mapped[str | None] = mapped_column(String(24), default=None)
    """None only on an answer recorded before revision 0008 whose words it did not know."""


class ReplyReceiptRow(Base):
    """Inbound requests accepted, by idempotency key: a replayed request is refused."""

    __tablename__ = "reply_receipts"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime]


case_claims = Table(
    "case_claims",
    Base.metadata,
    Column("case_id", String(40), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("expires_at", Float, nullable=False, doc="wall-clock epoch seconds"),
)
"""Which daemon runs a pending case (`agent.claims`); a row outlives the transaction that
wrote it, so a case stays `pending` until its graph closes it."""

outbox_claims = Table(
    "outbox_claims",
    Base.metadata,
    Column("outbox_id", Integer, primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("expires_at", Float, nullable=False, doc="wall-clock epoch seconds"),
)
"""Which relay delivers an outbox row (`agent.relay`), under a lease it renews."""
