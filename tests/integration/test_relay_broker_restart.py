"""The broker is killed and restarted while the relay publishes a large outbox: every
row ends sent, none failed — on a quiet machine and on one a CPU hog keeps busy (where
the broker once answered OutOfOrderSequenceNumber after its restart, and rows ran out of
tries and were left failed).

The relay is the production one (its default backoff), on a real broker; the sink
replaces a producer whose session the broker lost. What the run shows — how many rows
waited for another try, producers replaced, records published twice — is printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from agent.metrics import Metrics
from agent.relay import OutboxRelay
from airline.clock import SimulatedClock
from app.migrate import open_database
from streams.events import TOPIC_AGENT_ACTIONS
from streams.kafka import KafkaSink
from tests.conftest import missing_service
from tools.channels.log import LogChannel
from tools.tables import OutboxRow
from travel_agent.db import Database

from .chaos import broker_restartable, restart_broker
from .helpers import KafkaProbe, wait_until

pytestmark = pytest.mark.integration

ROWS = 3000
NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


@pytest.fixture(params=["quiet", "loaded"])
def load(request: pytest.FixtureRequest) -> Iterator[str]:
    """Nothing, or a process spinning a core for the whole test."""
    if request.param == "quiet":
        yield "quiet"
        return
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield "loaded"
    finally:
        hog.kill()
        hog.wait()


async def _outbox(db: Database, prefix: str) -> None:
    async with db.transaction() as session:
        session.add_all(
            OutboxRow(
                idempotency_key=f"{prefix}:{n}",
                topic=TOPIC_AGENT_ACTIONS,
                key=f"PNR{n % 97:03d}",
                customer_id=None,
                channel=None,
                payload={"action": "compensate", "n": n, "amount_cents": 25_000},
                status="pending",
                attempts=0,
                created_at=NOW,
            )
            for n in range(ROWS)
        )


async def _statuses(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = await session.execute(
            select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        )
        return {str(s): int(n) for s, n in rows.all()}


async def test_every_row_ends_sent_across_a_broker_restart(
    kafka_bootstrap: str, tmp_path: Path, load: str
) -> None:
    why_not = broker_restartable()
    if why_not:
        missing_service(f"cannot restart the broker: {why_not}")
    prefix = f"relay{uuid4().hex[:8]}."
    metrics = Metrics()
    started = time.monotonic()
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.sqlite'}") as db:
        await _outbox(db, prefix)
        async with KafkaSink(kafka_bootstrap, client_id="relay-restart") as sink:
            relay = OutboxRelay(
                db, sink, {}, LogChannel(), SimulatedClock(NOW), topic_prefix=prefix,
                metrics=metrics, batch=50,
            )  # fmt: skip
            stop = asyncio.Event()
            running = asyncio.create_task(relay.run(stop, idle=0.05))
            try:

                async def progress() -> object:
                    return (relay.delivered, dict(relay.failures))

                await wait_until(
                    "a third of the outbox to be published",
                    lambda: _at_least(relay, ROWS // 3),
                    stall=60,
                    progress=progress,
                )
                at_restart = relay.delivered
                restart = await restart_broker("kill", down=2.0)
                await wait_until(
                    "every row to be published",
                    lambda: _at_least(relay, ROWS),
                    stall=120,
                    progress=progress,
                    describe=lambda: _describe(db, relay),
                )
            finally:
                stop.set()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(running, 120)
        statuses = await _statuses(db)
    async with KafkaProbe(kafka_bootstrap) as probe:
        records = await probe.read_all(prefix + TOPIC_AGENT_ACTIONS)
        await probe.delete_topics(prefix)
    keys = Counter(r.headers["idempotency-key"].decode() for r in records)
    figures = {
        "machine": load,
        "rows": ROWS,
        "sent_before_restart": at_restart,
        "broker": restart,
        "statuses": statuses,
        "failed_tries": dict(relay.failures),
        "producers_replaced": sink.producers_replaced,
        "records": len(records),
        "published_twice": sum(keys.values()) - len(keys),
        "seconds": round(time.monotonic() - started, 1),
    }
    print(f"figures: {json.dumps(figures)}")
    assert statuses == {"sent": ROWS}, statuses
    assert set(keys) == {f"{prefix}:{n}" for n in range(ROWS)}, "a row is missing on the topic"


async def _at_least(relay: OutboxRelay, rows: int) -> bool:
    return relay.delivered >= rows


async def _describe(db: Database, relay: OutboxRelay) -> str:
    return json.dumps({"statuses": await _statuses(db), "failures": dict(relay.failures)})
