"""Desk test helpers: a case parked at an approval, as the graph leaves one, and operators."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from agent.approvals import approval_id
from agent.tables import ApprovalRow, CaseRow, DisruptionRow
from airline.tables import BookingRow, FlightRow, SegmentRow
from travel_agent.db import Database

PASSWORDS = {"vera": "viewer-pass-1", "abe": "approver-pass-1", "ada": "admin-pass-123"}
ROLES = {"vera": "viewer", "abe": "approver", "ada": "admin"}


async def park_case(db: Database, *, now: datetime, n: int = 0) -> ApprovalRow:
    """A booking's case in awaiting_approval with its pending approval (the n-th booking).

    The same rows the graph writes before `interrupt()`: a disruption, the case, the approval
    with a plan, two alternatives, entitlements with citations and a recalled memory.
    """
    async with db.session() as session:
        pnr, customer_id, flight_key, origin, destination = (
            await session.execute(
                select(
                    BookingRow.pnr,
                    BookingRow.customer_id,
                    SegmentRow.flight_key,
                    FlightRow.origin,
                    FlightRow.destination,
                )
                .join(SegmentRow, SegmentRow.pnr == BookingRow.pnr)
                .join(FlightRow, FlightRow.key == SegmentRow.flight_key)
                .where(SegmentRow.seq == 1)
                .order_by(BookingRow.pnr)
                .offset(n)
                .limit(1)
            )
        ).one()
        others = (
            await session.scalars(
                select(FlightRow.key)
                .where(FlightRow.origin == origin, FlightRow.key != flight_key)
                .order_by(FlightRow.sched_dep)
                .limit(2)
            )
        ).all()
    disruption_id = f"{flight_key}@test-{n}"
    case_id = f"case-test-{n}"
    options = [
        {
            "legs": [
                {
                    "flight_key": key,
                    "carrier": key[:2],
                    "origin": origin,
                    "destination": destination,
                    "dep": (now + timedelta(hours=2 + i)).isoformat(),
                    "arr": (now + timedelta(hours=4 + i)).isoformat(),
                }
            ],
            "cabin": "economy",
            "seats": 7 - i,
        }
        for i, key in enumerate(others)
    ]
    row = ApprovalRow(
        id=approval_id(case_id, 1),
        case_id=case_id,
        revision=1,
        pnr=pnr,
        customer_id=customer_id,
        flight_key=flight_key,
        reason="cancelled",
        why=["cost above the autonomy limit (EUR 400)"],
        proposal={
            "actions": [
                {"kind": "rebook", "replace_seqs": [1], "flights": [others[0]], "cabin": "economy"},
                {"kind": "notify", "message": "cancelled_rebooked"},
            ],
            "rationale": "earliest arrival on own metal",
            "reasoner": "rules",
        },
        options=options,
        entitlements=[
            {
                "regime": "eu261",
                "kind": "compensation",
                "citation": "EU261 Art 7(1)(b)",
                "reason": "cancelled less than 14 days before departure",
                "amount_cents": 40000,
                "currency": "EUR",
            }
        ],
        memory=[{"text": "prefers morning flights"}],
        rationale="the next own-metal flight arrives 3 h later; a partner seat costs more",
        cost_cents=45000,
        currency="EUR",
        status="pending",
        created_at=now,
        deadline=now + timedelta(minutes=45 + n),
    )
    async with db.transaction() as session:
        session.add(
            DisruptionRow(
                id=disruption_id,
                flight_key=flight_key,
                event_id=f"test-{n}",
                kind="cancelled",
                detail={},
                detected_at=now,
            )
        )
        await session.flush()
        session.add(
            CaseRow(
                id=case_id,
                disruption_id=disruption_id,
                pnr=pnr,
                reason="cancelled",
                priority=1,
                status="awaiting_approval",
                outcome=None,
                created_at=now,
                updated_at=now,
            )
        )
        session.add(row)
    return row
