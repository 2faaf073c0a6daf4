"""The outbox relay: delivers what the agent's transactions put in the outbox.

Effects and their messages are written to the outbox in the same transaction, so a crash
between the effect and its delivery loses nothing: the relay finds the pending row on
its next pass. Notifications go through the passenger's channel, then every row is
published to its topic (`notifications.outbound`, `agent.actions`) keyed by booking.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping

from sqlalchemy import select, update

from airline.clock import Clock
from airline.db import Database, OutboxRow
from airline.errors import TravelAgentError
from streams.base import Sink
from streams.events import TOPIC_NOTIFICATIONS
from tools.channels.base import Channel, OutboundMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class OutboxRelay:
    """Drains pending outbox rows in id order, a batch at a time."""

    def __init__(
        self,
        db: Database,
        sink: Sink,
        channels: Mapping[str, Channel],
        fallback: Channel,
        clock: Clock,
        *,
        batch: int = 500,
        topic_prefix: str = "",
    ) -> None:
        self.db = db
        self.sink = sink
        self.channels = channels
        self.fallback = fallback
        self.clock = clock
        self.batch = batch
        self.topic_prefix = topic_prefix
        self.delivered = 0

    async def run(self, stop: asyncio.Event, *, idle: float = 0.2) -> None:
        """Drain until `stop` is set, then once more so nothing written before it waits."""
        while not stop.is_set():
            if await self.drain_once() == 0:
                try:
                    await asyncio.wait_for(stop.wait(), idle)
                except TimeoutError:
                    pass
        await self.drain()

    async def drain(self) -> int:
        """Deliver everything pending now; returns how many rows were delivered."""
        total = 0
        while (count := await self.drain_once()) > 0:
            total += count
        return total

    async def drain_once(self) -> int:
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(OutboxRow)
                    .where(OutboxRow.status == "pending")
                    .order_by(OutboxRow.id)
                    .limit(self.batch)
                )
            ).all()
        sent: list[int] = []
        failed: dict[int, str] = {}
        for row in rows:
            try:
                await self._deliver(row)
            except TravelAgentError as exc:
                log.warning(
                    "outbox row %d not delivered (try %d): %s", row.id, row.attempts + 1, exc
                )
                failed[row.id] = str(exc)[:500]
            else:
                sent.append(row.id)
        await self._mark(sent, failed, {row.id: row.attempts for row in rows})
        self.delivered += len(sent)
        return len(sent)

    async def _deliver(self, row: OutboxRow) -> None:
        if row.topic == TOPIC_NOTIFICATIONS:
            message = OutboundMessage.model_validate(row.payload)
            channel = self.channels.get(message.channel, self.fallback)
            await channel.deliver(message)
        await self.sink.send(
            self.topic_prefix + row.topic,
            row.key,
            json.dumps(row.payload, sort_keys=True).encode(),
            {"idempotency_key": row.idempotency_key},
        )

    async def _mark(
        self, sent: list[int], failed: dict[int, str], attempts: dict[int, int]
    ) -> None:
        if not sent and not failed:
            return
        now = self.clock.now()
        async with self.db.transaction() as session:
            if sent:
                await session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id.in_(sent))
                    .values(status="sent", sent_at=now, attempts=OutboxRow.attempts + 1)
                )
            for row_id, error in failed.items():
                gave_up = attempts[row_id] + 1 >= MAX_ATTEMPTS
                await session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row_id)
                    .values(
                        status="failed" if gave_up else "pending",
                        attempts=OutboxRow.attempts + 1,
                        last_error=error,
                    )
                )
