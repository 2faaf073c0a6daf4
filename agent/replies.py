"""The daemon's side of `passenger.replies`: each answer to its offer, once.

Records are consumed in order, handed to `agent.offers.OfferDesk` (which records each
answer once by its id, so a record read again after a crash changes nothing), and
committed after. A record that is not a reply is logged with its reason and skipped (on
Kafka it is parked on the dead-letter topic first): bad input loses nothing and stops
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from agent.offers import OfferDesk
from streams.base import Position, Received
from streams.kafka import KafkaSource
from streams.replies import ReplyError, decode_reply
from travel_agent.errors import DecodeError

log = logging.getLogger(__name__)


class ReplySource(Protocol):
    """Reply records, at least once: (where it sits, its bytes)."""

    def records(self) -> AsyncIterator[tuple[Position, bytes | None]]: ...

    async def commit(self, position: Position) -> None: ...


class KafkaReplies:
    """`passenger.replies` on Kafka, through the project's consumer (`KafkaSource`), whose
    flight-status decoding is not used here: each record's raw bytes are decoded as a
    reply. Unusable records go to the source's dead-letter topic."""

    def __init__(self, source: KafkaSource) -> None:
        self.source = source
        self._held: dict[Position, Received] = {}

    async def records(self) -> AsyncIterator[tuple[Position, bytes | None]]:
        async for received in self.source.records():
            self._held = {received.position: received}
            yield received.position, received.raw

    async def commit(self, position: Position) -> None:
        await self.source.commit(position)

    async def dead_letter(self, position: Position, reason: str) -> None:
        received = self._held.get(position)
        if received is not None:
            await self.source.dead_letter(
                received._replace(error=DecodeError("not a passenger reply", reason))
            )


async def route_replies(source: ReplySource, desk: OfferDesk, stop: asyncio.Event) -> int:
    """Consume replies until `stop`; returns how many were handled."""
    handled = 0
    records = source.records().__aiter__()
    while not stop.is_set():
        nxt = asyncio.ensure_future(records.__anext__())
        nxt.add_done_callback(lambda f: f.cancelled() or f.exception())  # as the pump's read
        stopping = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({nxt, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if nxt not in done:
            nxt.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await nxt
            break
        try:
            position, raw = nxt.result()
        except StopAsyncIteration:
            break
        try:
            reply = decode_reply(raw)
        except ReplyError as exc:
            log.warning("passenger.replies %s: skipped, %s", position, exc)
            dead_letter = getattr(source, "dead_letter", None)
            if dead_letter is not None:
                await dead_letter(position, str(exc))
        else:
            await desk.answer(reply)
            handled += 1
        await source.commit(position)
    return handled
