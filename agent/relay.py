"""The outbox relay: delivers what the agent's transactions put in the outbox.

Effects and their messages are written to the outbox in the same transaction, so a crash
between the effect and its delivery loses nothing: the relay finds the pending row on
its next pass. Notifications go through the passenger's channel — or, when it fails, the
next one they consented to — then every row is published to its topic
(`notifications.outbound`, `agent.actions`) keyed by booking.

**Several relays, one outbox.** Every daemon runs a relay, and daemons may share one
database. A relay *claims* the due rows it is about to deliver, each under a lease
(`agent.outbox_claims`), so two relays never deliver one row and the rows of a relay
that died are taken over once its lease runs out.

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
import contextlib
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update

from agent.metrics import Metrics
from agent.outbox_claims import LEASE_SECONDS, OutboxClaims
from agent.outbox_marks import CLAIMED_ROWS, MARK_SENT, Claimed, MarksBehind, Sent
from agent.tables import outbox_claims
from airline.clock import Clock
from streams.base import Sink
from streams.events import TOPIC_NOTIFICATIONS
from tools.channels.base import Channel, ChannelError
from tools.channels.fallback import RoutedMessage, deliver_with_fallback
from tools.tables import OutboxRow, OutboxStatus
from travel_agent.db import Database
from travel_agent.errors import StreamError, TravelAgentError

__all__ = [
    "BATCH",
    "DELIVERED_VIA",
    "IDEMPOTENCY_HEADER",
    "LEASE_SECONDS",
    "MAX_ATTEMPTS",
    "OutboxClaims",
    "OutboxRelay",
    "outbox_claims",
    "retry_delay",
]

log = logging.getLogger(__name__)

BATCH = 500
"""Rows claimed at once. A storm's wave writes thousands of rows within seconds, and each
claim is a transaction that waits its turn for the write lock: 100 at a time cost a
third more per row (claim, read and marks spread over fewer rows); past ~250 the cost
per row is flat. A relay killed mid-batch resends only the delivered rows not yet marked
(the marks run behind the deliveries), so a larger batch does not widen that."""
MAX_ATTEMPTS = 8
"""Tries of a message whose channels keep failing for now, before it is failed."""
RETRY_FIRST = 10.0
RETRY_CAP = 900.0
SEND_PATIENCE = 60.0
"""How long a publish may wait for the broker before the row is held back."""
DELIVERED_VIA = "delivered_via"
"""Payload key: the channel that delivered a message whose publish is still to do."""
_NOT_PUBLISHED = frozenset({"alternatives", DELIVERED_VIA})
IDEMPOTENCY_HEADER = "idempotency-key"
"""The Kafka header a consumer dedupes on: the outbox row's idempotency key."""
LEGACY_IDEMPOTENCY_HEADER = "idempotency_key"
"""The same key under the header's first name, kept for the consumers that read it."""
_YIELD_AFTER_S = 0.02
"""Longest run of deliveries before the relay lets the loop's other tasks in."""


class OutboxRelay:
    """Drains pending outbox rows in id order, a claimed batch at a time.

    **When a delivery fails.** A channel's final answer (no such mailbox, not a number)
    marks the row failed at once. Anything else is tried again later, the row held back
    for a while that doubles with each try (`retry_after`; the hold is the row's claim,
    kept with a later expiry, so it lapses with the relay that set it):

    * our own broker away or refusing (a `StreamError` from the sink: a broker restart,
      a producer the broker lost): the row is never given up for that, however long it
      takes — those rows are ours to deliver once the broker is back. The rest of the
      batch is not tried meanwhile (it would only wait for the same broker), and the
      relay itself pauses, with the same backoff, before it claims again. A message a
      channel already delivered is not delivered again on the next try: the row notes
      the channel (`delivered_via`), and only the publish is retried;
    * a passenger's channel failing for now (a 503, a timeout): given up (failed)
      after `MAX_ATTEMPTS` tries, spread over about twenty minutes.

    Every failure is counted in the metrics, by kind; the desk shows the rows waiting
    for another try and those failed.
    """

    def __init__(
        self,
        db: Database,
        sink: Sink,
        channels: Mapping[str, Channel],
        fallback: Channel,
        clock: Clock,
        *,
        batch: int = BATCH,
        topic_prefix: str = "",
        claims: OutboxClaims | None = None,
        metrics: Metrics | None = None,
        retry_after: Callable[[int], float] | None = None,
        send_patience: float = SEND_PATIENCE,
    ) -> None:
        self.db = db
        self.sink = sink
        self.channels = channels
        self.fallback = fallback
        self.clock = clock
        self.batch = batch
        self.topic_prefix = topic_prefix
        self.claims = claims or OutboxClaims(db)
        self.metrics = metrics
        self.retry_after = retry_after or retry_delay
        self.send_patience = send_patience
        self.delivered = 0
        self.failures: Counter[str] = Counter()
        """Failed delivery attempts, by kind: broker, channel, final."""
        self._broker_failures = 0  # in a row, for the relay's own pause
        self._paused_until = 0.0

    async def run(self, stop: asyncio.Event, *, idle: float = 0.2) -> None:
        """Drain until `stop` is set, then once more so nothing written before it waits."""
        while not stop.is_set():
            if await self.drain_once() == 0:
                pause = max(idle, self._paused_until - time.monotonic())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
        if time.monotonic() >= self._paused_until:  # the broker is not known to be away
            await self.drain()

    async def drain(self) -> int:
        """Deliver everything pending now; returns how many rows were delivered."""
        total = 0
        while (count := await self.drain_once()) > 0:
            total += count
        return total

    async def drain_once(self) -> int:
        """Claim a batch of due rows, deliver them, mark them; how many were sent."""
        if not await self.claims.any_due(self.clock):
            return 0
        # One transaction claims the rows and reads them (on PostgreSQL, still locked).
        async with self.db.transaction() as session:
            ids = await self.claims.claim_in(session, self.clock, self.batch)
            rows = (
                [Claimed(*row) for row in await session.execute(CLAIMED_ROWS, {"ids": ids})]
                if ids
                else []
            )
        if not ids:
            return 0
        by_id = {row.id: row for row in rows}
        sent: dict[int, Sent] = {}
        failed: dict[int, _Failed] = {}
        marks = MarksBehind(self._mark, by_id)
        # A slow batch (a channel timing out, a broker away) keeps what it claimed.
        done = asyncio.Event()
        renewing = asyncio.create_task(self._keep_claims(ids, done))
        yielded = time.monotonic()
        try:
            for row in rows:
                if time.monotonic() - yielded > _YIELD_AFTER_S:
                    # A sink that never waits (the embedded one) would hold the loop for
                    # the whole batch: the marks behind and the daemon get their turn.
                    await asyncio.sleep(0)
                    yielded = time.monotonic()
                try:
                    via = await self._deliver(row)
                    # Timed as delivered, not as marked: the audit's time to notify.
                    sent[row.id] = Sent(via, self.clock.now(), datetime.now(UTC))
                    marks.add(row.id, sent[row.id])
                except StreamError as exc:  # our broker: the rest would wait for it too
                    failed[row.id] = _Failed("broker", str(exc)[:500], getattr(exc, "via", None))
                    log.warning(
                        "outbox row %d not published (the broker: %s); it and %d more wait"
                        " for the next try",
                        row.id,
                        exc,
                        len(rows) - len(sent) - 1,
                    )
                    break
                except TravelAgentError as exc:
                    # A channel's final answer (no such mailbox, not a number) will not change.
                    final = isinstance(exc, ChannelError) and not exc.retriable
                    kind = "final" if final else "channel"
                    failed[row.id] = _Failed(kind, str(exc)[:500])
                    log.warning(
                        "outbox row %d not delivered (try %d%s): %s",
                        row.id,
                        row.attempts + 1,
                        ", final" if final else "",
                        exc,
                    )
        finally:
            done.set()
            await renewing  # not cancelled mid-transaction: it stops between renewals
            unmarked = await marks.settled()
            # What was delivered is marked even if the batch was cut short; the rest of
            # the claims go back at once rather than a lease later.
            still_claimed = [i for i in ids if i not in sent or i in unmarked]
            if unmarked or failed or still_claimed:  # else the marks behind did it all
                await self._mark(unmarked, failed, by_id, still_claimed)
        self.delivered += len(sent)
        self._count(sent, failed)
        return len(sent)

    async def _keep_claims(self, ids: list[int], done: asyncio.Event) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), self.claims.lease / 3)
            if done.is_set():
                return
            try:
                await self.claims.renew(ids)
            except Exception:  # the next renewal tries again; the lease has room
                log.exception("renewing the relay's claims failed")

    def _count(self, sent: dict[int, Sent], failed: dict[int, _Failed]) -> None:
        for failure in failed.values():
            self.failures[failure.kind] += 1
            if self.metrics is not None:
                self.metrics.outbox_failed(failure.kind)
        if self.metrics is not None and sent:
            self.metrics.outbox_sent(len(sent))
        if any(f.kind == "broker" for f in failed.values()):
            self._broker_failures += 1
            self._paused_until = time.monotonic() + self.retry_after(self._broker_failures)
        elif sent:
            self._broker_failures = 0
            self._paused_until = 0.0

    async def _deliver(self, row: Claimed) -> str | None:
        """Deliver and publish `row`; the channel that reached the passenger, if a message.

        Raises:
            StreamError: the publish failed; `via` on it names the channel that had
                delivered the message already, if one had.
        """
        via = None
        if row.topic == TOPIC_NOTIFICATIONS:
            payload = dict(row.payload)
            via = payload.pop(DELIVERED_VIA, None)
            if via is None:  # not delivered on an earlier try whose publish failed
                message = RoutedMessage.model_validate(payload)
                delivery = await deliver_with_fallback(
                    message, self.channels, default=self.fallback
                )
                via = delivery.route.channel
        try:
            async with asyncio.timeout(self.send_patience):
                await self.sink.send(
                    self.topic_prefix + row.topic,
                    row.key,
                    # The passenger's other addresses are for fallback, not for subscribers.
                    json.dumps(
                        {k: v for k, v in row.payload.items() if k not in _NOT_PUBLISHED},
                        sort_keys=True,
                    ).encode(),
                    {
                        IDEMPOTENCY_HEADER: row.idempotency_key,
                        LEGACY_IDEMPOTENCY_HEADER: row.idempotency_key,
                    },
                )
        except (StreamError, TimeoutError) as exc:
            error = (
                exc
                if isinstance(exc, StreamError)
                else StreamError(f"the broker took no record within {self.send_patience:.0f} s")
            )
            error.via = via  # type: ignore[attr-defined]
            raise error from exc
        return via

    async def _mark(
        self,
        sent: dict[int, Sent],
        failed: dict[int, _Failed],
        rows: dict[int, Claimed],
        claimed: list[int],
    ) -> None:
        held: dict[int, float] = {}
        async with self.db.transaction() as session:
            if sent:
                # One executemany: each row with its own delivery times (time to notify,
                # audited) and the channel that reached the passenger. The rows are
                # claimed by this relay, so their attempts are the ones read.
                await session.execute(
                    MARK_SENT,
                    [
                        {
                            "row_id": row_id,
                            "status": OutboxStatus.SENT,
                            "sent_at": delivery.at,
                            "sent_wall_at": delivery.wall_at,
                            "attempts": rows[row_id].attempts + 1,
                            "channel": delivery.via or rows[row_id].channel,
                        }
                        for row_id, delivery in sent.items()
                    ],
                )
            for row_id, failure in failed.items():
                row = rows[row_id]
                tries = row.attempts + 1
                gave_up = failure.kind == "final" or (
                    failure.kind == "channel" and tries >= MAX_ATTEMPTS
                )
                values: dict[str, Any] = {
                    "status": OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
                    "attempts": OutboxRow.attempts + 1,
                    "last_error": failure.error,
                }
                if failure.via is not None:  # delivered; only the publish is left to do
                    values["payload"] = {**row.payload, DELIVERED_VIA: failure.via}
                    values["channel"] = failure.via
                await session.execute(
                    update(OutboxRow).where(OutboxRow.id == row_id).values(**values)
                )
                if not gave_up:
                    held[row_id] = self.retry_after(tries)
            await session.execute(self.claims.release_statement(list(set(claimed) - set(held))))
            for row_id, delay in held.items():
                await session.execute(self.claims.hold_statement(row_id, delay))


def retry_delay(tries: int) -> float:
    """Seconds before try `tries` + 1: 10 s, doubling, at most 15 minutes, with jitter."""
    return min(RETRY_CAP, RETRY_FIRST * 2.0 ** max(0, tries - 1)) * random.uniform(0.8, 1.2)


@dataclass(frozen=True)
class _Failed:
    kind: str
    """broker (our sink), channel (retriable), final (the channel said never)."""
    error: str
    via: str | None = None
