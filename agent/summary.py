"""Figures of a run, read from the database (the ledger is the truth about effects)."""

from __future__ import annotations

from sqlalchemy import func, select

from agent.state import CaseStatus
from airline.db import CaseRow, Database, DisruptionRow, LedgerRow


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
    return {
        "disruptions": disruptions or 0,
        "cases": cases or 0,
        "rebooked": effects.get("rebook", 0),
        "notified": effects.get("notify", 0),
        "awaiting_approval": awaiting or 0,
    }
