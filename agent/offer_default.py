"""An offer nobody answered by its deadline: the re-routing stands (the default the
regulations allow), and the offer closes as ``defaulted`` (`agent.offers`). Written in
the caller's transaction: one reply deadline (`OfferDesk.deadline_passed`), or the
deadlines of one moment together (`agent.followup_batches`)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from agent.tables import OfferRow, OfferStatus

log = logging.getLogger(__name__)


async def default_unanswered(session: AsyncSession, offer_id: str, now: datetime) -> bool:
    """Close the offer as defaulted at `now` if it is still open; whether it was."""
    result = await session.execute(
        update(OfferRow)
        .where(OfferRow.id == offer_id, OfferRow.status == OfferStatus.OPEN)
        .values(
            status=OfferStatus.DEFAULTED.value,
            answered_at=now,
            outcome={"choice": "default", "reason": "no answer by the deadline"},
        )
    )
    if result.rowcount:  # type: ignore[attr-defined]
        log.debug("offer %s: no answer in time; the re-routing stands", offer_id)
        return True
    return False
