"""Passengers' answers the operator desk must read, newest first, on the overview.

An answer that the offers desk could not carry out — words of the passenger's own, an
answer to a closed or missing offer, too late, an option that cannot be booked, a refund
that failed (`agent.tables.ReplyDisposition.to_desk`) — "goes to the operator desk". The
customer page shows it in its conversation, but an operator only opens a customer they
already know about: this list is how they learn that someone wrote. The words are shown
as written and escaped, as data, never as instructions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from agent.tables import ReplyDisposition, ReplyRow
from airline.tables import BookingRow
from travel_agent.db import Database

FOR_THE_DESK = tuple(d.value for d in ReplyDisposition if d.to_desk)


@dataclass(frozen=True)
class DeskAnswer:
    """One answer for the operator, with whose booking it is about."""

    reply_id: str
    customer_id: str
    pnr: str
    channel: str
    received_at: datetime
    choice: str
    option: int | None
    text: str
    result: str


async def answers_for_the_desk(db: Database, *, limit: int = 10) -> tuple[int, list[DeskAnswer]]:
    """How many answers went to the desk, and the newest `limit` of them."""
    wanted = ReplyRow.disposition.in_(FOR_THE_DESK)
    async with db.session() as session:
        total = await session.scalar(select(func.count()).select_from(ReplyRow).where(wanted))
        rows = (
            await session.execute(
                select(ReplyRow, BookingRow.customer_id)
                .join(BookingRow, BookingRow.pnr == ReplyRow.pnr)
                .where(wanted)
                .order_by(ReplyRow.received_at.desc(), ReplyRow.reply_id)
                .limit(limit)
            )
        ).all()
    return int(total or 0), [
        DeskAnswer(
            reply_id=row.reply_id,
            customer_id=customer_id,
            pnr=row.pnr,
            channel=row.channel,
            received_at=row.received_at,
            choice=row.choice,
            option=row.option,
            text=row.text,
            result=row.result,
        )
        for row, customer_id in rows
    ]
