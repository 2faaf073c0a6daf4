"""Several relays on one outbox: each row is delivered once, and a dead relay's rows are
taken over after its lease.

The PostgreSQL runs use a real server (`pg_db_url`: a database of its own, dropped
afterwards); the SQLite runs share one file, as daemons on one machine do.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.relay import IDEMPOTENCY_HEADER, OutboxClaims, OutboxRelay, outbox_claims
from airline.clock import SimulatedClock
from app.migrate import open_database
from streams.events import TOPIC_AGENT_ACTIONS, TOPIC_NOTIFICATIONS
from tools.channels.base import OutboundMessage
from tools.channels.fallback import RoutedMessage
from tools.tables import OutboxRow
from travel_agent.db import Database

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
ROWS = 200


class RecordingChannel:
    """Takes every message, a little slowly (so two relays interleave), and counts it."""

    name = "log"

    def __init__(self) -> None:
        self.delivered: Counter[str] = Counter()

    async def deliver(self, message: OutboundMessage) -> None:
        await asyncio.sleep(0.001)
        self.delivered[message.idempotency_key] += 1


class RecordingSink:
    """Counts what is published, by the idempotency-key header."""

    def __init__(self) -> None:
        self.published: Counter[str] = Counter()
        self.keys: dict[str, str] = {}

    async def send(
        self, topic: str, key: str, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        assert headers is not None
        idempotency_key = headers[IDEMPOTENCY_HEADER]
        self.published[idempotency_key] += 1
        self.keys[idempotency_key] = key


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'outbox.sqlite'}"
    url: str = request.getfixturevalue("pg_db_url")
    return url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    async with open_database(db_url) as opened:
        yield opened


async def fill_outbox(db: Database, count: int) -> list[str]:
    """`count` pending rows, two in three of them notifications; their idempotency keys."""
    keys = []
    async with db.transaction() as session:
        for i in range(count):
            key = f"k:{i:04d}"
            pnr = f"P{i % 50:05d}"
            if i % 3:
                topic = TOPIC_NOTIFICATIONS
                payload = RoutedMessage(
                    idempotency_key=key,
                    customer_id="C000001",
                    pnr=pnr,
                    kind="delayed",
                    channel="log",
                    address=None,
                    language="en",
                    subject="Flight XA102",
                    body="Your flight is delayed.",
                ).model_dump(mode="json")
            else:
                topic = TOPIC_AGENT_ACTIONS
                payload = {"action": "rebook", "pnr": pnr, "n": i}
            session.add(
                OutboxRow(
                    idempotency_key=key,
                    topic=topic,
                    key=pnr,
                    customer_id="C000001",
                    channel="log" if topic == TOPIC_NOTIFICATIONS else None,
                    payload=payload,
                    status="pending",
                    attempts=0,
                    created_at=NOW,
                )
            )
            keys.append(key)
    return keys


def relay(
    db: Database, channel: RecordingChannel, sink: RecordingSink, *, lease: float = 60.0
) -> OutboxRelay:
    return OutboxRelay(
        db,
        sink,
        {},
        channel,
        SimulatedClock(NOW, speed=0),
        batch=10,
        claims=OutboxClaims(db, lease=lease),
    )


async def statuses(db: Database) -> Counter[str]:
    async with db.session() as session:
        rows = await session.execute(
            select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        )
        return Counter({status: count for status, count in rows})


async def test_two_relays_deliver_every_row_of_one_outbox_exactly_once(db: Database) -> None:
    keys = await fill_outbox(db, ROWS)
    channel, sink = RecordingChannel(), RecordingSink()
    first, second = relay(db, channel, sink), relay(db, channel, sink)
    stop = asyncio.Event()
    runs = [asyncio.create_task(r.run(stop, idle=0.01)) for r in (first, second)]
    try:
        async with asyncio.timeout(60):
            while (await statuses(db))["sent"] < ROWS:
                for run in runs:
                    if run.done():
                        run.result()  # a relay that crashed fails the test now
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*runs)

    notifications = [k for i, k in enumerate(keys) if i % 3]
    assert channel.delivered == Counter(dict.fromkeys(notifications, 1))
    assert sink.published == Counter(dict.fromkeys(keys, 1))
    assert first.delivered + second.delivered == ROWS
    assert first.delivered > 0 and second.delivered > 0, "one relay did all the work"
    assert sink.keys["k:0001"] == "P00001"  # the record key stays the booking
    async with db.session() as session:
        left = await session.scalar(select(func.count()).select_from(outbox_claims))
    assert left == 0, "claims outlived their rows' delivery"


async def test_a_dead_relays_claims_are_taken_over_after_their_lease(db: Database) -> None:
    keys = await fill_outbox(db, 30)
    dead = OutboxClaims(db, owner="other-host/4242/dead", lease=1.0)
    claimed = await dead.claim_due(SimulatedClock(NOW, speed=0), 20)
    assert len(claimed) == 20  # and then it died, holding them
    channel, sink = RecordingChannel(), RecordingSink()
    alive = relay(db, channel, sink)

    assert await alive.drain() == 10, "only the rows nobody holds"
    async with asyncio.timeout(30):
        while sum(sink.published.values()) < 30:  # the lease runs out, then they are ours
            await alive.drain()
            await asyncio.sleep(0.1)

    assert sink.published == Counter(dict.fromkeys(keys, 1))
    assert (await statuses(db))["sent"] == 30
