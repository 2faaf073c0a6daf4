"""Passengers who answer, in the demo: a few answer their offers, through the same path.

The demo has no real passengers, so some of the offers the agent makes are answered by
script — deterministically, by a hash of the offer — and published to the in-process
`passenger.replies` stream the daemon's router consumes, exactly as the inbound webhook
would: about one in eight takes another option, one in sixteen asks for a refund, one in
sixteen writes words of their own (for the desk), one in eight accepts; the rest stay
silent until their deadline.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from sqlalchemy import select

from agent.tables import OfferRow, OfferStatus
from airline.clock import Clock
from streams.replies import (
    TOPIC_PASSENGER_REPLIES,
    Choice,
    EmbeddedReplies,
    PassengerReply,
    encode_reply,
)
from travel_agent.db import Database

log = logging.getLogger(__name__)

WORDS = "Could you seat me next to my son? He is on another booking."


def scripted_answer(offer_id: str, options: int) -> tuple[Choice, int | None] | None:
    """What the demo passenger of `offer_id` answers, if anything (deterministic)."""
    n = hashlib.blake2b(offer_id.encode(), digest_size=2).digest()[0] % 16
    if n < 2 and options > 1:
        return "option", 2
    if n == 2:
        return "decline", None
    if n == 3:
        return "text", None
    if n in (4, 5):
        return "accept", None
    return None


async def answer_offers(
    db: Database, replies: EmbeddedReplies, clock: Clock, *, every: float = 1.0
) -> None:
    """Answer the open offers a scripted passenger would answer, each once, until cancelled."""
    answered: set[str] = set()
    while True:
        await answer_open_offers(db, replies, clock, answered)
        await asyncio.sleep(every)


async def answer_open_offers(
    db: Database, replies: EmbeddedReplies, clock: Clock, answered: set[str]
) -> int:
    """One round: publish the scripted answers of open offers not yet in `answered`."""
    async with db.session() as session:
        rows = (
            await session.execute(
                select(OfferRow.id, OfferRow.pnr, OfferRow.options).where(
                    OfferRow.status == OfferStatus.OPEN
                )
            )
        ).all()
    sent = 0
    for offer_id, pnr, options in rows:
        if offer_id in answered:
            continue
        answered.add(offer_id)
        answer = scripted_answer(offer_id, len(options))
        if answer is None:
            continue
        choice, option = answer
        reply = PassengerReply(
            reply_id=f"demo:{offer_id}",
            pnr=pnr,
            offer_id=offer_id,
            channel="sms",
            sender="demo-passenger",
            choice=choice,
            option=option,
            text=WORDS if choice == "text" else "",
            received_at=clock.now(),
        )
        await replies.send(TOPIC_PASSENGER_REPLIES, pnr, encode_reply(reply))
        sent += 1
    return sent
