"""When the broker fails, the outbox waits and loses nothing.

* The Kafka sink replaces a producer the broker lost (OutOfOrderSequenceNumber,
  UnknownProducerId, a fenced producer) and sends the record again, once for all the
  sends that failed together; an error that is the broker's refusal is not retried.
* The relay never fails a row because of the broker: it is held back with a growing
  delay (not claimed again before it), counted, and published once the broker is back —
  and a message a channel already delivered is not delivered again for it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka.errors import (
    OutOfOrderSequenceNumber,
    TopicAuthorizationFailedError,
    UnknownProducerId,
)
from sqlalchemy import select

from agent.metrics import Metrics
from agent.relay import DELIVERED_VIA, MAX_ATTEMPTS, OutboxRelay
from airline.clock import SimulatedClock
from app.migrate import open_database
from streams.events import TOPIC_AGENT_ACTIONS, TOPIC_NOTIFICATIONS
from streams.kafka import KafkaSink
from tools.channels.base import OutboundMessage
from tools.channels.log import LogChannel
from tools.tables import OutboxRow
from travel_agent.db import Database
from travel_agent.errors import StreamError

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


class FakeProducer:
    """Stands in for aiokafka's producer: fails its sends with `error`, `failures` times."""

    made = 0

    def __init__(self, failures: int, error: Exception) -> None:
        FakeProducer.made += 1
        self.failures = failures
        self.error = error
        self.sent: list[bytes] = []
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send_and_wait(self, topic: str, **record: Any) -> None:
        await asyncio.sleep(0)
        if self.failures > 0:
            self.failures -= 1
            raise self.error
        self.sent.append(record["value"])


def _sink_with(producers: list[FakeProducer], monkeypatch: pytest.MonkeyPatch) -> KafkaSink:
    queue = list(producers)
    monkeypatch.setattr(KafkaSink, "_new_producer", lambda self: queue.pop(0))
    return KafkaSink("localhost:1")


@asynccontextmanager
async def holding_the_write_lock(db: Database) -> AsyncIterator[None]:
    """A wave deciding: another task holds the database's write lock (a transaction open)
    for the block, and lets it go when the block ends."""
    locked, release = asyncio.Event(), asyncio.Event()

    async def deciding() -> None:
        async with db.transaction():
            locked.set()
            await release.wait()

    holder = asyncio.create_task(deciding())
    await locked.wait()
    try:
        yield
    finally:
        release.set()
        await holder


@pytest.mark.parametrize("lost", [OutOfOrderSequenceNumber(), UnknownProducerId()])
async def test_the_sink_replaces_a_producer_the_broker_lost(
    lost: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The broken producer fails every send (aiokafka's sender task is gone).
    broken, fresh = FakeProducer(10**6, lost), FakeProducer(0, lost)
    sink = _sink_with([broken, fresh], monkeypatch)
    async with sink:
        # Several sends fail together: one replacement serves them all.
        await asyncio.gather(*(sink.send("t", "k", f"v{n}".encode()) for n in range(5)))
    assert sorted(fresh.sent) == [f"v{n}".encode() for n in range(5)]
    assert broken.stopped and sink.producers_replaced == 1


async def test_a_refusal_is_not_mistaken_for_a_lost_producer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refused = FakeProducer(1, TopicAuthorizationFailedError())
    sink = _sink_with([refused], monkeypatch)
    async with sink:
        with pytest.raises(StreamError) as failed:
            await sink.send("t", "k", b"v")
    assert not failed.value.retriable and sink.producers_replaced == 0


class FlakySink:
    """A sink whose broker is away for the first `down` sends."""

    def __init__(self, down: int) -> None:
        self.down = down
        self.published: Counter[str] = Counter()

    async def send(
        self, topic: str, key: str, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        if self.down > 0:
            self.down -= 1
            error = StreamError("publishing failed: KafkaConnectionError")
            error.retriable = True
            raise error
        self.published[(headers or {})["idempotency-key"]] += 1


class CountingChannel(LogChannel):
    def __init__(self) -> None:
        super().__init__()
        self.keys: Counter[str] = Counter()

    async def deliver(self, message: OutboundMessage) -> None:
        self.keys[message.idempotency_key] += 1
        await super().deliver(message)


async def _outbox(db: Database, count: int) -> None:
    async with db.transaction() as session:
        for n in range(count):
            message = OutboundMessage(
                idempotency_key=f"n:{n}",
                customer_id=f"C{n}",
                pnr=f"PNR{n:03d}",
                channel="log",
                address=None,
                language="en",
                kind="delay",
                subject="Your flight",
                body="Your flight is late.",
            )
            session.add(
                OutboxRow(
                    idempotency_key=message.idempotency_key,
                    topic=TOPIC_NOTIFICATIONS if n % 2 == 0 else TOPIC_AGENT_ACTIONS,
                    key=message.pnr,
                    customer_id=message.customer_id,
                    channel="log",
                    payload=message.model_dump(mode="json"),
                    status="pending",
                    attempts=0,
                    created_at=NOW,
                )
            )


async def test_a_broker_away_for_longer_than_max_attempts_fails_no_row(tmp_path: Path) -> None:
    rows = 6
    down = MAX_ATTEMPTS * 3  # far more failed tries than a channel would be allowed
    sink, channel, metrics = FlakySink(down), CountingChannel(), Metrics()
    delays: list[int] = []

    def no_wait(tries: int) -> float:
        delays.append(tries)
        return 0.0

    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.sqlite'}") as db:
        await _outbox(db, rows)
        relay = OutboxRelay(
            db, sink, {}, channel, SimulatedClock(NOW), metrics=metrics, retry_after=no_wait
        )
        passes = 0
        while relay.delivered < rows:
            passes += 1
            assert passes < down + 10, "the relay stopped trying"
            await relay.drain_once()
        async with db.session() as session:
            outbox = (await session.scalars(select(OutboxRow))).all()
    assert {row.status for row in outbox} == {"sent"}
    assert relay.failures == {"broker": down}
    assert metrics.outbox_failures.labels("broker")._value.get() == down
    # Published once each; and each message reached the passenger once, although its
    # publish failed many times after the channel had taken it.
    assert set(sink.published.values()) == {1} and len(sink.published) == rows
    assert set(channel.keys.values()) == {1}
    assert all(DELIVERED_VIA in row.payload for row in outbox if row.attempts > 1)
    assert max(delays) > MAX_ATTEMPTS  # the backoff kept growing


async def test_a_row_held_back_is_not_claimed_before_its_delay(tmp_path: Path) -> None:
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.sqlite'}") as db:
        await _outbox(db, 1)
        sink = FlakySink(1)
        relay = OutboxRelay(db, sink, {}, LogChannel(), SimulatedClock(NOW))  # default backoff
        assert await relay.drain_once() == 0  # the broker is away: held back ~10 s
        assert await relay.drain_once() == 0  # not claimed again yet
        assert not sink.published and relay.failures == {"broker": 1}
        async with db.session() as session:
            (row,) = (await session.scalars(select(OutboxRow))).all()
        assert (row.status, row.attempts) == ("pending", 1)
        assert "KafkaConnectionError" in (row.last_error or "")


class GatedChannel(CountingChannel):
    """Holds its first delivery until `go` is set, having said so (`first`)."""

    def __init__(self) -> None:
        super().__init__()
        self.first, self.go = asyncio.Event(), asyncio.Event()

    async def deliver(self, message: OutboundMessage) -> None:
        if not self.first.is_set():
            self.first.set()
            await self.go.wait()
        await super().deliver(message)


class CountedSink(FlakySink):
    """Says when it has taken `rows` records."""

    def __init__(self, rows: int) -> None:
        super().__init__(0)
        self.rows, self.all_sent = rows, asyncio.Event()

    async def send(
        self, topic: str, key: str, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        await super().send(topic, key, value, headers)
        if len(self.published) >= self.rows:
            self.all_sent.set()


async def test_deliveries_go_on_while_another_transaction_holds_the_write_lock(
    tmp_path: Path,
) -> None:
    """A wave's deciding holds the database's write lock for a whole batch of cases: the
    relay delivers its claimed batch meanwhile (the marks wait, not the messages), and
    each row's audited delivery time is its delivery's, not its mark's."""
    rows = 30
    sink, channel = CountedSink(rows), GatedChannel()
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.sqlite'}") as db:
        await _outbox(db, rows)
        relay = OutboxRelay(db, sink, {}, channel, SimulatedClock(NOW))
        draining = asyncio.create_task(relay.drain_once())  # claims, then the first waits
        await channel.first.wait()
        async with holding_the_write_lock(db):
            channel.go.set()
            async with asyncio.timeout(10):  # every row published, the lock still held
                await sink.all_sent.wait()
            assert not draining.done()  # its marks wait for the lock
            released_at = datetime.now(UTC)
        assert await draining == rows
        async with db.session() as session:
            outbox = (await session.scalars(select(OutboxRow))).all()
    assert {row.status for row in outbox} == {"sent"}
    assert all(row.sent_wall_at is not None and row.sent_wall_at < released_at for row in outbox)
    assert set(sink.published.values()) == {1} and set(channel.keys.values()) == {1}


async def test_rows_whose_mark_failed_behind_the_deliveries_are_marked_with_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mark that fails behind the deliveries (the database away for a moment) leaves
    its rows to the batch's last mark: each row ends sent, delivered once."""
    rows = 12
    sink, channel = FlakySink(0), CountingChannel()
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.sqlite'}") as db:
        await _outbox(db, rows)
        relay = OutboxRelay(db, sink, {}, channel, SimulatedClock(NOW))
        real_mark, calls = relay._mark, 0

        async def fails_first(*args: Any) -> None:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise OSError("disk I/O error")
            await real_mark(*args)

        monkeypatch.setattr(relay, "_mark", fails_first)
        assert await relay.drain_once() == rows
        async with db.session() as session:
            outbox = (await session.scalars(select(OutboxRow))).all()
    assert calls >= 2
    assert {row.status for row in outbox} == {"sent"} and {row.attempts for row in outbox} == {1}
    assert set(sink.published.values()) == {1} and len(sink.published) == rows


async def test_a_batch_costs_one_transaction_to_claim_and_the_marks_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch claims and reads its rows in one transaction; the marks behind the
    deliveries mark and release every row, and no transaction is left that changes
    nothing (before, every batch ran one more, to release no claim)."""
    rows = 40
    sink, channel = FlakySink(0), CountingChannel()
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.sqlite'}") as db:
        await _outbox(db, rows)
        relay = OutboxRelay(db, sink, {}, channel, SimulatedClock(NOW))
        real_mark, marks = relay._mark, []

        async def recording(sent: Any, failed: Any, by_id: Any, claimed: list[int]) -> None:
            marks.append((len(sent), len(failed), len(claimed)))
            await real_mark(sent, failed, by_id, claimed)

        monkeypatch.setattr(relay, "_mark", recording)
        transactions = []
        real_transaction = db.transaction

        def counted() -> Any:
            transactions.append(1)
            return real_transaction()

        monkeypatch.setattr(db, "transaction", counted)
        assert await relay.drain_once() == rows
        async with db.session() as session:
            outbox = (await session.scalars(select(OutboxRow))).all()
    assert {row.status for row in outbox} == {"sent"} and len(sink.published) == rows
    assert all(any(work) for work in marks), marks
    assert sum(sent for sent, _, _ in marks) == rows
    assert len(transactions) == 1 + len(marks)


async def test_a_poll_that_finds_nothing_does_not_wait_for_the_write_lock(tmp_path: Path) -> None:
    """While a wave decides (holding the write lock for a transaction of cases) and the
    outbox has nothing due, the relay's poll answers at once: it does not queue behind
    the writer only to find nothing, and the writer does not then wait behind it."""
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.sqlite'}") as db:
        await _outbox(db, 2)
        relay = OutboxRelay(db, FlakySink(0), {}, CountingChannel(), SimulatedClock(NOW))
        assert await relay.drain_once() == 2
        # The writer holds the lock to the end of the block: a poll that queued behind it
        # would never answer. The bound only ends such a test; it is no speed target, so
        # it is wide for a loaded machine.
        async with holding_the_write_lock(db), asyncio.timeout(120):
            assert await relay.drain_once() == 0
