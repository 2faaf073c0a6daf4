"""Passengers' answers as records: the `passenger.replies` topic, its codec, and an
embedded stream for the demo and fast tests.

A reply is what a passenger answered to an offer, already authenticated by whoever
received it (the signed webhook, the SMS provider's or the mail server's inbound hook,
`app.replies_server`): which booking it is about, what they chose — keep the offered
flight (``accept``), another offered option (``option``, 1-based as the message numbers
them), their money back (``decline``), or words of their own (``text``) — and the text
they wrote, which is data for the operator desk and never an instruction.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from streams.base import Position

TOPIC_PASSENGER_REPLIES = "passenger.replies"

Choice = Literal["accept", "option", "decline", "text"]


class PassengerReply(BaseModel):
    """One answer from a passenger, as the inbound adapters publish it."""

    reply_id: str = Field(
        min_length=1,
        max_length=128,
        description="unique per answer (the webhook's Idempotency-Key, the provider's message "
        "id): the same answer delivered twice is handled once",
    )
    pnr: str = Field(min_length=6, max_length=6, description="the booking the answer is about")
    offer_id: str | None = Field(default=None, description="the offer answered, when known")
    channel: Literal["webhook", "sms", "email", "desk"]
    sender: str = Field(default="", max_length=320, description="address it came from")
    choice: Choice
    option: int | None = Field(default=None, ge=1, le=20, description="option: 1-based")
    text: str = Field(default="", max_length=4000, description="what they wrote, as written")
    received_at: datetime

    @model_validator(mode="after")
    def _complete(self) -> PassengerReply:
        if self.choice == "option" and self.option is None:
            raise ValueError("choosing an option names it (option=N)")
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")
        return self


class ReplyError(ValueError):
    """A record on the replies topic that is not a reply; it is skipped with this reason."""


def encode_reply(reply: PassengerReply) -> bytes:
    return reply.model_dump_json().encode()


def decode_reply(raw: bytes | None) -> PassengerReply:
    """The reply in `raw`; `ReplyError` with the reason for anything else."""
    if not raw:
        raise ReplyError("empty record")
    try:
        return PassengerReply.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        raise ReplyError(f"not a passenger reply: {str(exc)[:300]}") from exc


class EmbeddedReplies:
    """`passenger.replies` in one process: a sink the inbound adapters publish to and a
    source the daemon consumes, in order, each record once (offsets counted in memory)."""

    def __init__(self) -> None:
        self._records: list[bytes] = []
        self._arrived = asyncio.Condition()
        self._closed = False
        self.committed = -1

    async def send(
        self, topic: str, key: str, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        async with self._arrived:
            self._records.append(value)
            self._arrived.notify_all()

    async def records(self) -> AsyncIterator[tuple[Position, bytes]]:
        offset = self.committed + 1
        while True:
            wanted = offset
            async with self._arrived:
                await self._arrived.wait_for(
                    lambda: self._closed or wanted < len(self._records)  # noqa: B023
                )
                if offset >= len(self._records):
                    return
                raw = self._records[offset]
            yield Position(TOPIC_PASSENGER_REPLIES, 0, offset), raw
            offset += 1

    async def commit(self, position: Position) -> None:
        self.committed = max(self.committed, position.offset)

    async def close(self) -> None:
        async with self._arrived:
            self._closed = True
            self._arrived.notify_all()
