"""Figures of a run, read from the database.

The ledger is the truth about effects; "notified" counts messages that reached a
passenger's channel (outbox rows sent), not those replaced by newer news before they
went out, nor those still held for quiet hours.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from agent.state import CaseStatus
from agent.tables import CaseRow, DisruptionRow, ReplyRow
from airline.tables import LedgerRow
from streams.events import TOPIC_NOTIFICATIONS
from tools.tables import OutboxRow, OutboxStatus
from travel_agent.db import Database


async def run_figures(db: Database) -> dict[str, int]:
    async with db.session() as session:
        disruptions = await session.scalar(select(func.count()).select_from(DisruptionRow))
        cases = await session.scalar(select(func.count()).select_from(CaseRow))
        awaiting = await session.scalar(
            select(func.count()).where(CaseRow.status == CaseStatus.AWAITING_APPROVAL)
        )
        rows = await session.execute(
            select(LedgerRow.action, func.count()).group_by(LedgerRow.action)
        )
        effects = {action: count for action, count in rows}
        answers = await session.scalar(select(func.count()).select_from(ReplyRow))
        notified = await session.scalar(
            select(func.count()).where(
                OutboxRow.topic == TOPIC_NOTIFICATIONS, OutboxRow.status == OutboxStatus.SENT
            )
        )
    return {
        "disruptions": disruptions or 0,
        "cases": cases or 0,
        "rebooked": effects.get("rebook", 0),
        "notified": notified or 0,
        "awaiting_approval": awaiting or 0,
        "answers": answers or 0,
    }


async def replay_report(
    db: Database,
    *,
    events_total: int,
    events_done: int,
    interrupted: bool,
    wall_seconds: float,
) -> dict[str, Any]:
    """A replay's figures, complete or marked interrupted, per passenger not per action.

    Time to notify is simulated time from the disruption's detection to the delivery of
    the passenger's first message about it (quiet hours count: a held message reaches
    them later; reminders are not news); "notified" counts passengers, not messages.
    """
    async with db.session() as session:
        cases = (await session.execute(select(CaseRow.status, CaseRow.outcome))).all()
        affected = await session.scalar(select(func.count(func.distinct(CaseRow.pnr))))
        rebooked = await session.scalar(
            select(func.count(func.distinct(LedgerRow.pnr))).where(LedgerRow.action == "rebook")
        )
        refunds = await session.scalar(
            select(func.count(func.distinct(LedgerRow.pnr))).where(
                LedgerRow.action.in_(["refund_offer", "refund"])
            )
        )
        sent = (
            await session.execute(
                select(OutboxRow.key, OutboxRow.created_at, OutboxRow.sent_at, OutboxRow.payload)
                .where(
                    OutboxRow.topic == TOPIC_NOTIFICATIONS, OutboxRow.status == OutboxStatus.SENT
                )
                .order_by(OutboxRow.sent_at)
            )
        ).all()
        detected = (
            await session.execute(
                select(CaseRow.pnr, DisruptionRow.detected_at).join(
                    DisruptionRow, DisruptionRow.id == CaseRow.disruption_id
                )
            )
        ).all()
    deliveries: dict[str, list[tuple[Any, Any]]] = {}
    for pnr, created, delivered, payload in sent:
        if (payload or {}).get("kind") != "reminder" and delivered is not None:
            deliveries.setdefault(pnr, []).append((created, delivered))
    waits = sorted(
        (delivered - at).total_seconds()
        for pnr, at in detected
        for delivered in [next((d for c, d in deliveries.get(pnr, []) if c >= at), None)]
        if delivered is not None
    )
    told = set(deliveries)
    outcomes = [outcome for _status, outcome in cases]
    return {
        "complete": not interrupted and events_done >= events_total,
        "events": events_done,
        "events_total": events_total,
        "passengers_affected": affected or 0,
        "cases": len(cases),
        "rebooked": rebooked or 0,
        "no_alternative": outcomes.count("no_alternative"),
        "refunds_offered": refunds or 0,
        "notified": len(told),
        "failures": sum(1 for status, _ in cases if status == CaseStatus.FAILED),
        "awaiting_approval": sum(1 for s, _ in cases if s == CaseStatus.AWAITING_APPROVAL),
        "wall_seconds": round(wall_seconds, 1),
        "cases_per_second": round(len(cases) / wall_seconds, 1) if wall_seconds > 0 else 0.0,
        "time_to_notify_p50_seconds": _percentile(waits, 0.50),
        "time_to_notify_p95_seconds": _percentile(waits, 0.95),
    }


def _percentile(sorted_values: list[float], share: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values) + 0.5) - 1))
    return round(sorted_values[index], 1)


def report_in_words(report: dict[str, Any]) -> str:
    """The replay's report as an operator reads it."""
    head = (
        "replay complete"
        if report["complete"]
        else f"replay INTERRUPTED after {report['events']} of {report['events_total']} events "
        "(the figures cover only that part)"
    )

    def minutes(seconds: float | None) -> str:
        return "–" if seconds is None else f"{seconds / 60:.1f} min"

    rows = [
        ("passengers affected", f"{report['passengers_affected']:,}"),
        ("rebooked", f"{report['rebooked']:,}"),
        ("no alternative found", f"{report['no_alternative']:,}"),
        ("refunds offered", f"{report['refunds_offered']:,}"),
        ("passengers told", f"{report['notified']:,}"),
        ("waiting for an operator", f"{report['awaiting_approval']:,}"),
        ("cases that failed", f"{report['failures']:,}"),
        (
            "time to notify (p50 / p95)",
            f"{minutes(report['time_to_notify_p50_seconds'])} / "
            f"{minutes(report['time_to_notify_p95_seconds'])} of simulated time",
        ),
        (
            "wall time",
            f"{report['wall_seconds']:.1f} s ({report['cases_per_second']:.1f} cases/s)",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join([f"{head}:", *(f"  {label:<{width}}  {value}" for label, value in rows)])
