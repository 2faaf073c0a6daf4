"""Figures of a run, read from the database.

The ledger is the truth about effects; "notified" counts messages that reached a
passenger's channel (outbox rows sent), not those replaced by newer news before they
went out, nor those still held for quiet hours.
"""

from __future__ import annotations

from sqlalchemy import func, select

from agent.state import CaseStatus
from agent.tables import CaseRow, DisruptionRow, ReplyRow
from airline.tables import LedgerRow
from streams.events import TOPIC_NOTIFICATIONS
from tools.tables import OutboxRow
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
                OutboxRow.topic == TOPIC_NOTIFICATIONS, OutboxRow.status == "sent"
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
