"""The outbox relay: delivers what the agent's transactions put in the outbox.

Effects and their messages are written to the outbox in the same transaction, so a crash
between the effect and its delivery loses nothing: the relay finds the pending row on
its next pass. Notifications go through the passenger's channel — or, when it fails, the
next one they consented to — then every row is published to its topic
(`notifications.outbound`, `agent.actions`) keyed by booking.
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
from tools.channels.base import Channel, ChannelError
from tools.channels.fallback import RoutedMessage, deliver_with_fallback
from tools.notifications import due

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
                    .where(OutboxRow.status == "pending", due(self.clock.now()))
                    .order_by(OutboxRow.id)
                    .limit(self.batch)
                )
            ).all()
        sent: dict[int, str | None] = {}
        failed: dict[int, tuple[str, bool]] = {}
        for row in rows:
            try:
                sent[row.id] = await self._deliver(row)
            except TravelAgentError as exc:
                # A channel's final answer (no such mailbox, not a number) will not change.
                final = isinstance(exc, ChannelError) and not exc.retriable
                log.warning(
                    "outbox row %d not delivered (try %d%s): %s",
                    row.id,
                    row.attempts + 1,
                    ", final" if final else "",
                    exc,
                )
                failed[row.id] = (str(exc)[:500], final)
        await self._mark(sent, failed, {row.id: row.attempts for row in rows})
        self.delivered += len(sent)
        return len(sent)

    async def _deliver(self, row: OutboxRow) -> str | None:
        """Deliver and publish `row`; the channel that reached the passenger, if a message."""
        via = None
        if row.topic == TOPIC_NOTIFICATIONS:
            message = RoutedMessage.model_validate(row.payload)
            delivery = await deliver_with_fallback(message, self.channels, default=self.fallback)
            via = delivery.route.channel
        await self.sink.send(
            self.topic_prefix + row.topic,
            row.key,
            # The passenger's other addresses are for fallback here, not for subscribers.
            json.dumps(
                {k: v for k, v in row.payload.items() if k != "alternatives"}, sort_keys=True
            ).encode(),
            {"idempotency_key": row.idempotency_key},
        )
        return via

    async def _mark(
        self,
        sent: dict[int, str | None],
        failed: dict[int, tuple[str, bool]],
        attempts: dict[int, int],
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
                # A sent message's row names the channel that reached the passenger.
                by_channel: dict[str, list[int]] = {}
                for row_id, via in sent.items():
                    if via is not None:
                        by_channel.setdefault(via, []).append(row_id)
                for via, ids in by_channel.items():
                    await session.execute(
                        update(OutboxRow).where(OutboxRow.id.in_(ids)).values(channel=via)
                    )
            for row_id, (error, final) in failed.items():
                gave_up = final or attempts[row_id] + 1 >= MAX_ATTEMPTS
                await session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row_id)
                    .values(
                        status="failed" if gave_up else "pending",
                        attempts=OutboxRow.attempts + 1,
                        last_error=error,
                    )
                )
