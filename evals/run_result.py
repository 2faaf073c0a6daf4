"""What one scenario run leaves behind, read back from its database and checkpoints.

The scorers, metrics and the oracle's record read a `RunResult`; `collect` fills it after
the run from the tables and each case's last checkpoint (nothing here decides anything).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from agent.runtime import Daemon
from agent.tables import ApprovalRow, CaseRow, DisruptionRow
from airline.models import Airport, Booking, Flight
from airline.reservations import load_booking
from airline.tables import InventoryRow, LedgerRow, SeatHoldRow
from evals.oracle import RunRecord, Verdict
from evals.oracle.record import EventRec, Injection
from evals.oracle.record import World as OracleWorld
from evals.replies import OfferEntry, ReplyEntry
from evals.replies import collect as collect_replies
from evals.scenario import Scenario
from streams.events import FlightStatusEvent
from tools.tables import OutboxRow
from travel_agent.db import Database

# --- what a run leaves behind ---------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    key: str
    case_id: str
    action: str
    pnr: str
    detail: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class OutboxEntry:
    key: str
    topic: str
    pnr: str
    customer_id: str | None
    channel: str | None
    payload: dict[str, Any]
    status: str
    created_at: datetime
    sent_at: datetime | None

    @property
    def kind(self) -> str:
        return str(self.payload.get("kind", ""))

    @property
    def text(self) -> str:
        return f"{self.payload.get('subject', '')}\n{self.payload.get('body', '')}"


@dataclass(frozen=True)
class ApprovalEntry:
    id: str
    case_id: str
    pnr: str
    status: str
    why: list[str]
    created_at: datetime
    deadline: datetime
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class CaseEntry:
    id: str
    pnr: str
    reason: str
    status: str
    outcome: str | None
    flight_key: str
    disruption_kind: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PlanEntry:
    case_id: str
    reasoner: str
    rationale: str
    actions: list[dict[str, Any]]
    guard_violations: list[str]
    usage: dict[str, int]
    guard_repairs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FedEvent:
    """A record the runner published: when, and the event (None for raw bytes)."""

    at: datetime
    event: FlightStatusEvent | None


@dataclass
class RunResult:
    """Everything the scorers and metrics read about one run of one scenario."""

    scenario: Scenario
    start: datetime
    end: datetime
    flights: dict[str, Flight]
    airports: dict[str, Airport]
    original: dict[str, Booking]
    bookings: dict[str, Booking] = field(default_factory=dict)
    customers: dict[str, str] = field(default_factory=dict)
    """PNR → customer id."""
    ledger: list[LedgerEntry] = field(default_factory=list)
    outbox: list[OutboxEntry] = field(default_factory=list)
    approvals: list[ApprovalEntry] = field(default_factory=list)
    cases: list[CaseEntry] = field(default_factory=list)
    plans: dict[str, PlanEntry] = field(default_factory=dict)
    fed: list[FedEvent] = field(default_factory=list)
    dead_letters: list[dict[str, str]] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    """What became of each scripted operator decision."""
    inventory_before: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """(flight key, cabin) → (capacity, sold) as the world was written."""
    inventory_after: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """The same at the end of the run."""
    held_seats: dict[tuple[str, str], int] = field(default_factory=dict)
    """Seats still held (not confirmed, released or expired) at the end, per flight and cabin."""
    answers: list[str] = field(default_factory=list)
    """What became of each scripted passenger answer."""
    offers: list[OfferEntry] = field(default_factory=list)
    replies: list[ReplyEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    directory: Path | None = None
    """Where the run's world was (gone afterwards unless the runner keeps it)."""
    oracle_world: OracleWorld | None = None
    """The world as the independent oracle read it from the database before the run."""
    verdict: Verdict | None = None
    """What the independent oracle (`evals.oracle`) found."""
    oracle_record: RunRecord | None = None

    def notifications(self) -> list[OutboxEntry]:
        return [o for o in self.outbox if o.topic == "notifications.outbound"]


async def collect(db: Database, daemon: Daemon, result: RunResult) -> None:
    """Read what the run left in its database and checkpoints into `result`."""
    async with db.session() as session:
        result.ledger = [
            LedgerEntry(r.idempotency_key, r.case_id, r.action, r.pnr, dict(r.detail), r.created_at)
            for r in (await session.scalars(select(LedgerRow).order_by(LedgerRow.id))).all()
        ]
        result.outbox = [
            OutboxEntry(
                r.idempotency_key,
                r.topic,
                r.key,
                r.customer_id,
                r.channel,
                dict(r.payload),
                r.status,
                r.created_at,
                r.sent_at,
            )
            for r in (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
        ]
        result.offers, result.replies = await collect_replies(session)
        result.approvals = [
            ApprovalEntry(
                r.id,
                r.case_id,
                r.pnr,
                r.status,
                list(r.why),
                r.created_at,
                r.deadline,
                r.decided_by,
                r.decided_at,
            )
            for r in (
                await session.scalars(select(ApprovalRow).order_by(ApprovalRow.created_at))
            ).all()
        ]
        rows = await session.execute(
            select(CaseRow, DisruptionRow.flight_key, DisruptionRow.kind)
            .join(DisruptionRow, DisruptionRow.id == CaseRow.disruption_id)
            .order_by(CaseRow.created_at, CaseRow.id)
        )
        result.cases = [
            CaseEntry(
                c.id,
                c.pnr,
                c.reason,
                c.status,
                c.outcome,
                flight_key,
                kind,
                c.created_at,
                c.updated_at,
            )
            for c, flight_key, kind in rows
        ]
        for pnr in result.original:
            result.bookings[pnr] = await load_booking(session, pnr)
        result.inventory_after = {
            (r.flight_key, r.cabin): (r.capacity, r.sold)
            for r in (await session.scalars(select(InventoryRow))).all()
        }
        for hold in (
            await session.scalars(select(SeatHoldRow).where(SeatHoldRow.status == "held"))
        ).all():
            for key in hold.flights:
                result.held_seats[key, hold.cabin] = (
                    result.held_seats.get((key, hold.cabin), 0) + hold.party
                )
    for case in result.cases:
        entry = await _plan_of(daemon, case.id)
        if entry is not None:
            result.plans[case.id] = entry


async def _plan_of(daemon: Daemon, case_id: str) -> PlanEntry | None:
    snapshot = await daemon.graph.aget_state({"configurable": {"thread_id": case_id}})
    values = snapshot.values or {}
    plan = _as_dict(values.get("plan"))
    if not plan:
        return None
    verdict = _as_dict(values.get("verdict"))
    return PlanEntry(
        case_id=case_id,
        reasoner=str(plan.get("reasoner", "")),
        rationale=str(plan.get("rationale", "")),
        actions=list(plan.get("actions") or []),
        guard_violations=[str(v) for v in verdict.get("violations") or []],
        usage={k: int(v) for k, v in (plan.get("usage") or {}).items()},
        guard_repairs=[str(r) for r in verdict.get("repairs") or []],
    )


def _as_dict(value: object) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return dict(value) if isinstance(value, dict) else {}


def oracle_event(at: datetime, event: FlightStatusEvent) -> EventRec:
    return EventRec(
        fed_at=at,
        flight=event.flight_key,
        status=event.status.value,
        est_dep=event.est_dep,
        est_arr=event.est_arr,
        emitted_at=event.emitted_at,
        event_id=event.event_id,
        reason=event.reason.value if event.reason else None,
        diverted_to=event.diverted_to,
    )


def with_oracle_spec(world: OracleWorld, scenario: Scenario) -> OracleWorld:
    """The oracle's world with the scenario's planted texts and linked bookings."""
    import dataclasses

    groups = {pnr: f"g{i}" for i, group in enumerate(scenario.oracle.groups) for pnr in group}
    bookings = {
        pnr: dataclasses.replace(b, group=groups.get(pnr, b.group))
        for pnr, b in world.bookings.items()
    }
    injections = tuple(
        Injection(i.booking, i.where, i.text, dict(i.asks)) for i in scenario.oracle.injections
    )
    return dataclasses.replace(world, bookings=bookings, injections=injections)
