"""The outbox relay: delivers what the agent's transactions put in the outbox.

Effects and their messages are written to the outbox in the same transaction, so a crash
between the effect and its delivery loses nothing: the relay finds the pending row on
its next pass. Notifications go through the passenger's channel — or, when it fails, the
next one they consented to — then every row is published to its topic
(`notifications.outbound`, `agent.actions`) keyed by booking.

**Several relays, one outbox.** Every daemon runs a relay, and daemons may share one
database. A relay *claims* the due rows it is about to deliver (`OutboxClaims`): on
PostgreSQL the candidates are locked with ``FOR UPDATE SKIP LOCKED`` while the claim is
written, so two relays never pick the same row and neither waits for the other; on
SQLite the single writer serializes the claims. A claim is a row of its own with a
lease, so it outlives the claiming transaction: the relay renews it while it works
through a slow batch, and releases it when it marks the row sent or failed. A relay
that dies leaves its claims behind; once their lease runs out, another relay takes the
rows over.

**The delivery contract: at least once, with a key.** A relay killed after publishing a
row (or after a channel accepted it) and before marking it sent delivers it again once
its claim lapses — and so does a relay frozen for longer than its lease. Nothing can
make a publish and a database write one atomic step, so instead every delivery of a row
carries the same identity: the Kafka record is produced by the idempotent producer
(a retried send is written once), keyed by booking as always, with the header
``idempotency-key`` (and, as before, ``idempotency_key``) set to the row's idempotency
key, which is unique in the outbox. A consumer that keeps the keys it has handled sees
each effect once. Channels carry the same key (the e-mail's Message-ID, the webhook's
idempotency header), so their receivers can drop a repeat the same way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    Float,
    String,
    delete,
    exists,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from agent.claims import this_process
from agent.tables import outbox_claims
from airline.clock import Clock
from streams.base import Sink
from streams.events import TOPIC_NOTIFICATIONS
from tools.channels.base import Channel, ChannelError
from tools.channels.fallback import RoutedMessage, deliver_with_fallback
from tools.notifications import due
from tools.tables import OutboxRow
from travel_agent.db import Database
from travel_agent.errors import TravelAgentError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE_SECONDS = 60.0
IDEMPOTENCY_HEADER = "idempotency-key"
"""The Kafka header a consumer dedupes on: the outbox row's idempotency key."""
LEGACY_IDEMPOTENCY_HEADER = "idempotency_key"
"""The same key under the header's first name, kept for the consumers that read it."""


class OutboxClaims:
    """One relay's claims on outbox rows, each under a lease.

    The claims have a table of their own (`agent.tables.outbox_claims`), so the outbox
    keeps its shape.
    """

    def __init__(
        self, db: Database, *, owner: str | None = None, lease: float = LEASE_SECONDS
    ) -> None:
        self.db = db
        self.owner = owner or this_process()
        self.lease = lease

    async def claim_due(self, clock: Clock, limit: int) -> list[int]:
        """Claim up to `limit` pending, due rows no living relay holds; their ids, in order.

        One statement: the candidates (on PostgreSQL locked, skipping rows another relay
        is claiming this instant) become claims; a claim that exists is taken over only
        if its lease ran out, re-checked on the latest committed claim, so two relays
        racing for one row cannot both win it.
        """
        now = time.time()
        live_claim = exists().where(
            outbox_claims.c.outbox_id == OutboxRow.id, outbox_claims.c.expires_at >= now
        )
        candidates = (
            select(
                OutboxRow.id,
                literal(self.owner, String(200)),
                literal(now + self.lease, Float),
            )
            .where(OutboxRow.status == "pending", due(clock.now()), ~live_claim)
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        if not self.db.is_sqlite:
            candidates = candidates.with_for_update(skip_locked=True, of=OutboxRow)
        insert = (sqlite.insert if self.db.is_sqlite else postgresql.insert)(outbox_claims)
        statement = (
            insert.from_select(["outbox_id", "owner", "expires_at"], candidates)
            .on_conflict_do_update(
                index_elements=[outbox_claims.c.outbox_id],
                set_={"owner": insert.excluded.owner, "expires_at": insert.excluded.expires_at},
                where=outbox_claims.c.expires_at < now,
            )
            .returning(outbox_claims.c.outbox_id)
        )
        async with self.db.transaction() as session:
            ids = (await session.scalars(statement)).all()
        return sorted(ids)

    async def renew(self, ids: Iterable[int]) -> None:
        """Extend the lease on these rows, if they are still ours."""
        rows = list(ids)
        if not rows:
            return
        async with self.db.transaction() as session:
            await session.execute(
                update(outbox_claims)
                .where(outbox_claims.c.owner == self.owner, outbox_claims.c.outbox_id.in_(rows))
                .values(expires_at=time.time() + self.lease)
            )

    async def release(self, ids: Iterable[int]) -> None:
        rows = list(ids)
        if not rows:
            return
        async with self.db.transaction() as session:
            await session.execute(self.release_statement(rows))

    def release_statement(self, ids: list[int]) -> Any:
        """The DELETE that gives up our claims on `ids` (to run in the caller's transaction)."""
        return delete(outbox_claims).where(
            outbox_claims.c.owner == self.owner, outbox_claims.c.outbox_id.in_(ids)
        )


class OutboxRelay:
    """Drains pending outbox rows in id order, a claimed batch at a time."""

    def __init__(
        self,
        db: Database,
        sink: Sink,
        channels: Mapping[str, Channel],
        fallback: Channel,
        clock: Clock,
        *,
        batch: int = 100,
        topic_prefix: str = "",
        claims: OutboxClaims | None = None,
    ) -> None:
        self.db = db
        self.sink = sink
        self.channels = channels
        self.fallback = fallback
        self.clock = clock
        self.batch = batch
        self.topic_prefix = topic_prefix
        self.claims = claims or OutboxClaims(db)
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
        """Claim a batch of due rows, deliver them, mark them; how many were sent."""
        ids = await self.claims.claim_due(self.clock, self.batch)
        if not ids:
            return 0
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(OutboxRow).where(OutboxRow.id.in_(ids)).order_by(OutboxRow.id)
                )
            ).all()
        sent: dict[int, str | None] = {}
        failed: dict[int, tuple[str, bool]] = {}
        renew_at = time.monotonic() + self.claims.lease / 2
        try:
            for index, row in enumerate(rows):
                if time.monotonic() >= renew_at:  # a slow batch keeps what it claimed
                    await self.claims.renew(r.id for r in rows[index:])
                    renew_at = time.monotonic() + self.claims.lease / 2
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
        finally:
            # What was delivered is marked even if the batch was cut short; the rest of
            # the claims go back at once rather than a lease later.
            await self._mark(sent, failed, {row.id: row.attempts for row in rows}, ids)
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
            {
                IDEMPOTENCY_HEADER: row.idempotency_key,
                LEGACY_IDEMPOTENCY_HEADER: row.idempotency_key,
            },
        )
        return via

    async def _mark(
        self,
        sent: dict[int, str | None],
        failed: dict[int, tuple[str, bool]],
        attempts: dict[int, int],
        claimed: list[int],
    ) -> None:
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
            await session.execute(self.claims.release_statement(claimed))
