"""What the desk's pages show, read from the airline database (never written here).

Each function answers one page; they return plain dicts and pydantic models for the
templates and the JSON API. The desk writes only its own tables and, through
`agent.approvals.ApprovalDesk`, decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from agent.approvals import Approval, ApprovalStatus, to_approval
from agent.tables import (
    ApprovalRow,
    CaseRow,
    DisruptionRow,
    OfferRow,
    PassengerChoiceRow,
    ReplyRow,
)
from airline.tables import (
    AirportRow,
    BoardRow,
    BookingRow,
    ChannelRow,
    CustomerRow,
    FlightRow,
    LedgerRow,
    SegmentRow,
)
from dashboard.tables import AuditRow
from tools.tables import OutboxRow, OutboxStatus
from travel_agent.db import Database

OPEN_CASES = ("pending", "awaiting_approval")
CASE_STATES = ("pending", "awaiting_approval", "done", "failed")
NOTIFICATIONS = "notifications.outbound"


class Places:
    """Airport time zones and flight endpoints: static, loaded once."""

    def __init__(self) -> None:
        self.tz: dict[str, str] = {}
        self.flights: dict[str, tuple[str, str]] = {}

    async def load(self, db: Database) -> None:
        async with db.session() as session:
            self.tz = dict((await session.execute(select(AirportRow.iata, AirportRow.tz))).all())
            rows = await session.execute(
                select(FlightRow.key, FlightRow.origin, FlightRow.destination)
            )
            self.flights = {key: (origin, dest) for key, origin, dest in rows}

    def origin_tz(self, flight_key: str) -> str | None:
        ends = self.flights.get(flight_key)
        return self.tz.get(ends[0]) if ends else None

    def dest_tz(self, flight_key: str) -> str | None:
        ends = self.flights.get(flight_key)
        return self.tz.get(ends[1]) if ends else None


@dataclass
class Overview:
    cases: dict[str, int]
    disruptions_total: int
    disruptions_active: int
    approvals_pending: int
    nearest: Approval | None
    flights_not_normal: dict[str, int]
    recent: list[dict[str, Any]] = field(default_factory=list)
    outbox_retrying: int = 0
    """Messages and events whose delivery failed and is tried again (with backoff)."""
    outbox_failed: int = 0
    """Messages given up: the passenger's channels said never, or kept failing."""


async def overview(db: Database) -> Overview:
    async with db.session() as session:
        cases = dict(
            (
                await session.execute(select(CaseRow.status, func.count()).group_by(CaseRow.status))
            ).all()
        )
        total = await session.scalar(select(func.count()).select_from(DisruptionRow)) or 0
        active = (
            await session.scalar(
                select(func.count(func.distinct(CaseRow.disruption_id))).where(
                    CaseRow.status.in_(OPEN_CASES)
                )
            )
            or 0
        )
        pending = (
            await session.scalar(
                select(func.count()).where(ApprovalRow.status == ApprovalStatus.PENDING.value)
            )
            or 0
        )
        nearest_row = await session.scalar(
            select(ApprovalRow)
            .where(ApprovalRow.status == ApprovalStatus.PENDING.value)
            .order_by(ApprovalRow.deadline)
            .limit(1)
        )
        outbox = dict(
            (
                await session.execute(
                    select(OutboxRow.status, func.count())
                    .where(
                        (OutboxRow.status == OutboxStatus.FAILED)
                        | ((OutboxRow.status == OutboxStatus.PENDING) & (OutboxRow.attempts > 0))
                    )
                    .group_by(OutboxRow.status)
                )
            ).all()
        )
        board = dict(
            (
                await session.execute(
                    select(BoardRow.status, func.count())
                    .where(BoardRow.status.in_(("delayed", "cancelled", "diverted")))
                    .group_by(BoardRow.status)
                )
            ).all()
        )
    return Overview(
        cases={state: cases.get(state, 0) for state in CASE_STATES},
        disruptions_total=total,
        disruptions_active=active,
        approvals_pending=pending,
        nearest=to_approval(nearest_row) if nearest_row else None,
        flights_not_normal=board,
        recent=await disruptions(db, limit=8),
        outbox_retrying=outbox.get(OutboxStatus.PENDING, 0),
        outbox_failed=outbox.get(OutboxStatus.FAILED, 0),
    )


async def customers_of(db: Database, ids: set[str]) -> dict[str, CustomerRow]:
    if not ids:
        return {}
    async with db.session() as session:
        rows = await session.scalars(select(CustomerRow).where(CustomerRow.id.in_(ids)))
        return {row.id: row for row in rows}


async def board_states(db: Database, keys: set[str]) -> dict[str, BoardRow]:
    if not keys:
        return {}
    async with db.session() as session:
        rows = await session.scalars(select(BoardRow).where(BoardRow.flight_key.in_(keys)))
        return {row.flight_key: row for row in rows}


async def disruptions(db: Database, *, limit: int = 300) -> list[dict[str, Any]]:
    """Latest first, each with its cases counted by state."""
    async with db.session() as session:
        rows = (
            await session.scalars(
                select(DisruptionRow).order_by(DisruptionRow.detected_at.desc()).limit(limit)
            )
        ).all()
        counts = await session.execute(
            select(CaseRow.disruption_id, CaseRow.status, func.count())
            .where(CaseRow.disruption_id.in_([r.id for r in rows]))
            .group_by(CaseRow.disruption_id, CaseRow.status)
        )
    by_id: dict[str, dict[str, int]] = {}
    for disruption_id, status, count in counts:
        by_id.setdefault(disruption_id, {})[status] = count
    return [
        {
            "id": r.id,
            "flight_key": r.flight_key,
            "kind": r.kind,
            "detail": r.detail,
            "detected_at": r.detected_at,
            "cases": by_id.get(r.id, {}),
            "total": sum(by_id.get(r.id, {}).values()),
        }
        for r in rows
    ]


async def disruption(db: Database, disruption_id: str) -> dict[str, Any] | None:
    """One disruption with each affected passenger's case."""
    async with db.session() as session:
        row = await session.get(DisruptionRow, disruption_id)
        if row is None:
            return None
        cases = await session.execute(
            select(CaseRow, CustomerRow)
            .join(BookingRow, BookingRow.pnr == CaseRow.pnr)
            .join(CustomerRow, CustomerRow.id == BookingRow.customer_id)
            .where(CaseRow.disruption_id == disruption_id)
            .order_by(CaseRow.priority.desc(), CaseRow.pnr)
        )
        approvals = await session.execute(
            select(ApprovalRow.case_id, ApprovalRow.id, ApprovalRow.status).where(
                ApprovalRow.case_id.in_(select(CaseRow.id).where(CaseRow.disruption_id == row.id))
            )
        )
    approval_of = {case_id: (aid, status) for case_id, aid, status in approvals}
    return {
        "id": row.id,
        "flight_key": row.flight_key,
        "kind": row.kind,
        "detail": row.detail,
        "detected_at": row.detected_at,
        "cases": [
            {"case": case, "customer": customer, "approval": approval_of.get(case.id)}
            for case, customer in cases
        ],
    }


async def board(db: Database, *, airport: str | None = None) -> list[tuple[FlightRow, BoardRow]]:
    """The live board, by scheduled departure; optionally one airport's departures/arrivals."""
    query = (
        select(FlightRow, BoardRow)
        .join(BoardRow, BoardRow.flight_key == FlightRow.key)
        .order_by(FlightRow.sched_dep, FlightRow.key)
    )
    if airport:
        query = query.where((FlightRow.origin == airport) | (FlightRow.destination == airport))
    async with db.session() as session:
        return list((await session.execute(query)).all())


async def airports(db: Database) -> list[str]:
    async with db.session() as session:
        return list(await session.scalars(select(AirportRow.iata).order_by(AirportRow.iata)))


async def customer(db: Database, customer_id: str) -> dict[str, Any] | None:
    """A customer's bookings and segments, cases, the agent's actions and messages sent."""
    async with db.session() as session:
        row = await session.get(CustomerRow, customer_id)
        if row is None:
            return None
        channels = (
            await session.scalars(
                select(ChannelRow)
                .where(ChannelRow.customer_id == customer_id)
                .order_by(ChannelRow.priority)
            )
        ).all()
        bookings = (
            await session.scalars(select(BookingRow).where(BookingRow.customer_id == customer_id))
        ).all()
        pnrs = [b.pnr for b in bookings]
        segments = (
            await session.scalars(
                select(SegmentRow).where(SegmentRow.pnr.in_(pnrs)).order_by(SegmentRow.seq)
            )
        ).all()
        cases = (
            await session.scalars(
                select(CaseRow).where(CaseRow.pnr.in_(pnrs)).order_by(CaseRow.created_at)
            )
        ).all()
        ledger = (
            await session.scalars(
                select(LedgerRow).where(LedgerRow.pnr.in_(pnrs)).order_by(LedgerRow.id)
            )
        ).all()
        flight_of = dict(
            (
                await session.execute(
                    select(CaseRow.id, DisruptionRow.flight_key)
                    .join(DisruptionRow, DisruptionRow.id == CaseRow.disruption_id)
                    .where(CaseRow.pnr.in_(pnrs))
                )
            ).all()
        )
        messages = (
            await session.scalars(
                select(OutboxRow)
                .where(OutboxRow.customer_id == customer_id, OutboxRow.topic == NOTIFICATIONS)
                .order_by(OutboxRow.id)
            )
        ).all()
        approvals = (
            await session.scalars(
                select(ApprovalRow)
                .where(ApprovalRow.customer_id == customer_id)
                .order_by(ApprovalRow.created_at)
            )
        ).all()
        choices = (
            await session.scalars(
                select(PassengerChoiceRow)
                .where(PassengerChoiceRow.pnr.in_(pnrs))
                .order_by(PassengerChoiceRow.id)
            )
        ).all()
        # The conversation: what we offered and what they answered, as data.
        offers = (
            await session.scalars(
                select(OfferRow).where(OfferRow.pnr.in_(pnrs)).order_by(OfferRow.created_at)
            )
        ).all()
        answers = (
            await session.scalars(
                select(ReplyRow).where(ReplyRow.pnr.in_(pnrs)).order_by(ReplyRow.received_at)
            )
        ).all()
    return {
        "choices": choices,
        "customer": row,
        "channels": channels,
        "bookings": [
            {"booking": b, "segments": [s for s in segments if s.pnr == b.pnr]} for b in bookings
        ],
        "cases": cases,
        "flight_of": flight_of,
        "ledger": ledger,
        "messages": messages,
        "approvals": [to_approval(a) for a in approvals],
        "offers": offers,
        "answers": answers,
    }


@dataclass
class AuditEntry:
    approval: Approval
    case: CaseRow | None
    effects: list[LedgerRow]
    messages: list[OutboxRow]


async def decisions(db: Database, *, limit: int = 200) -> list[AuditEntry]:
    """Decided approvals, latest first, each with what followed: the case, effects, messages."""
    async with db.session() as session:
        rows = (
            await session.scalars(
                select(ApprovalRow)
                .where(ApprovalRow.decided_by.is_not(None))
                .order_by(ApprovalRow.decided_at.desc())
                .limit(limit)
            )
        ).all()
        case_ids = [r.case_id for r in rows]
        cases = {
            c.id: c for c in await session.scalars(select(CaseRow).where(CaseRow.id.in_(case_ids)))
        }
        ledger = (
            await session.scalars(
                select(LedgerRow).where(LedgerRow.case_id.in_(case_ids)).order_by(LedgerRow.id)
            )
        ).all()
        outbox = (
            await session.scalars(
                select(OutboxRow)
                .where(OutboxRow.key.in_([r.pnr for r in rows]), OutboxRow.topic == NOTIFICATIONS)
                .order_by(OutboxRow.id)
            )
        ).all()
    entries = []
    for row in rows:
        since = row.decided_at or row.created_at
        entries.append(
            AuditEntry(
                approval=to_approval(row),
                case=cases.get(row.case_id),
                effects=[e for e in ledger if e.case_id == row.case_id and e.created_at >= since],
                messages=[m for m in outbox if m.key == row.pnr and m.created_at >= since],
            )
        )
    return entries


async def recently_decided(db: Database, *, limit: int = 5) -> list[Approval]:
    """The latest decisions, newest first: the queue shows them under what is pending."""
    async with db.session() as session:
        rows = await session.scalars(
            select(ApprovalRow)
            .where(ApprovalRow.decided_at.is_not(None))
            .order_by(ApprovalRow.decided_at.desc(), ApprovalRow.id)
            .limit(limit)
        )
        return [to_approval(row) for row in rows]


async def desk_activity(db: Database, *, limit: int = 200) -> list[AuditRow]:
    async with db.session() as session:
        return list(
            (
                await session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit))
            ).all()
        )
