#!/usr/bin/env python3
"""Stream benchmark: raw aiokafka consumption against the daemon's path, on one topic.

    .venv/bin/python scripts/bench_stream.py [--events 50000] [--profile] [--no-metrics]

Seeds the world (seed 7) into a temporary directory, produces N non-material
flight-status events (heartbeats: a flight still on schedule, restated with a newer
emission time, round-robin over the day's flights) to a fresh topic on a real broker,
then, in one run on that topic:

1. raw: an AIOKafkaConsumer reads every record (``async for``, as `KafkaSource` does; no
   decoding); the median of three reads;
2. daemon: `KafkaSource` → decode → `Daemon.handle` (board apply, triage) → commits,
   as `travel-agent run` wires it, with metrics on (``--no-metrics``: without, which
   also runs on a tree without them).

Each rate counts from the first record received to the last one handled; the daemon's
commits must then cover every record. It prints both rates and their ratio (the target
is ≥ 0.5) on stderr, with the process's CPU time per record on each path (which other
load on a shared machine moves much less than wall time), one JSON line of figures on
stdout, and with ``--profile`` the functions the daemon path spends its time in. The broker is
``TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS`` (else ``KAFKA_BOOTSTRAP``, else localhost:9092);
``scripts/kafka-local start`` runs one. The topics are deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError
from sqlalchemy import func, select

# The checkout this script is in, whichever one the virtualenv was installed from.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.metrics import Metrics
from agent.runtime import Daemon
from agent.settings import Settings
from airline.clock import EventTimeClock
from airline.models import FlightStatus
from airline.seed import seed_database
from airline.tables import BoardRow
from app.wiring import open_agent
from streams.base import Position, Received
from streams.events import FlightStatusEvent, encode
from streams.kafka import KafkaSink, KafkaSource
from travel_agent.db import Database

SEED = 7
SERVICE_DATE = date(2026, 3, 1)
TARGET = 0.5


def bootstrap_servers() -> str:
    return (
        os.environ.get("TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS")
        or os.environ.get("KAFKA_BOOTSTRAP")
        or "localhost:9092"
    )


async def heartbeats(settings: Settings, count: int) -> tuple[list[tuple[bytes, bytes]], int]:
    """`count` encoded non-material events, keyed by flight, and how many flights."""
    async with open_agent(settings, EventTimeClock(datetime(2026, 2, 28, tzinfo=UTC))) as agent:
        flights = sorted(agent.deps.schedule.flights.values(), key=lambda f: f.key)
        board = agent.deps.board
        states = {f.key: board.get(f.key) for f in flights}
    # Newer than every seeded board row (emitted a day before departure), one ms apart.
    start = max(f.sched_dep for f in flights) - timedelta(days=1) + timedelta(minutes=1)
    records = []
    for i in range(count):
        flight = flights[i % len(flights)]
        state = states[flight.key]
        event = FlightStatusEvent.about(
            flight,
            event_id=f"bench-{i}",
            status=FlightStatus.SCHEDULED,
            gate=state.gate if state else None,
            emitted_at=start + timedelta(milliseconds=i),
        )
        records.append((flight.key.encode(), encode(event)))
    return records, len(flights)


async def produce(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=512 * 1024, acks=1
    )
    await producer.start()
    try:
        for first in range(0, len(records), 5000):
            chunk = records[first : first + 5000]
            futures = [await producer.send(topic, value=v, key=k) for k, v in chunk]
            await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def raw_rate(bootstrap: str, topic: str, count: int) -> tuple[float, float]:
    """Records per second through a bare AIOKafkaConsumer (``async for``, no decoding),
    and the process's CPU time per record (µs), which other load on the machine moves less."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        seen = 0
        first = first_cpu = 0.0
        async for _message in consumer:
            if seen == 0:
                first, first_cpu = time.perf_counter(), time.process_time()
            seen += 1
            if seen == count:
                break
        cpu = (time.process_time() - first_cpu) / (count - 1) * 1e6
        return (count - 1) / (time.perf_counter() - first), cpu
    finally:
        await consumer.stop()


class _Stopwatch(EventTimeClock):
    """The daemon's clock, which also notes when the first and the Nth record set it,
    and then stops the daemon.

    The daemon sets its event-time clock from each record before deciding on it, so this
    times the records without wrapping the source in another async generator (a layer
    that cost the daemon's path ~0.5 µs a record, a tenth of what was measured). The
    rate covers N-1 records: from the first one's handling to the Nth one's.
    """

    def __init__(self, start: datetime, count: int, stop: asyncio.Event) -> None:
        super().__init__(start)
        self.count = count
        self.stop = stop
        self.seen = 0
        self.first = self.first_cpu = 0.0
        self.last = self.last_cpu = 0.0

    def follow(self, instant: datetime) -> None:
        EventTimeClock.follow(self, instant)
        self.seen += 1
        if self.seen == 1:
            self.first, self.first_cpu = time.perf_counter(), time.process_time()
        elif self.seen == self.count:
            self.last, self.last_cpu = time.perf_counter(), time.process_time()
            self.stop.set()  # the daemon finishes this record, then stops


class _Counted:
    """The source, unchanged, with its commits counted and timed."""

    def __init__(self, source: KafkaSource) -> None:
        self.source = source
        self.commits = 0
        self.commit_seconds = 0.0

    def records(self) -> AsyncIterator[Received]:
        return self.source.records()  # the source's own iterator, not a wrapper

    async def commit(self, position: Position) -> None:
        started = time.perf_counter()
        await self.source.commit(position)
        self.commit_seconds += time.perf_counter() - started
        self.commits += 1

    async def dead_letter(self, record: Received) -> None:
        await self.source.dead_letter(record)


async def daemon_rate(
    settings: Settings, bootstrap: str, topic: str, count: int, *, metrics: bool, profile: bool
) -> tuple[float, dict[str, float], str]:
    """Records per second through KafkaSource → Daemon.handle, the daemon's stats, a profile."""
    # As `travel-agent run` on Kafka: event time, from the newest state the board holds.
    async with Database(settings.db_url) as db, db.session() as session:
        newest = await session.scalar(select(func.max(BoardRow.last_emitted_at)))
    assert newest is not None
    group = f"bench-daemon-{uuid.uuid4().hex[:8]}"
    stop = asyncio.Event()
    clock = _Stopwatch(newest, count, stop)
    profiler = cProfile.Profile() if profile else None
    async with (
        open_agent(settings, clock) as agent,
        KafkaSink(bootstrap, client_id="bench") as sink,
        KafkaSource(
            bootstrap,
            sink=sink,
            topic=topic,
            dead_letter_topic=f"{topic}.dlq",
            group_id=group,
            client_id="bench",
        ) as source,
    ):
        counted = _Counted(source)
        if metrics:
            daemon = Daemon(agent.deps, agent.graph, counted, metrics=Metrics())
        else:
            daemon = Daemon(agent.deps, agent.graph, counted)
        if profiler is not None:
            profiler.enable()
        await daemon.run(stop)
        stopped = time.perf_counter()
        elapsed = clock.last - clock.first
        if profiler is not None:
            profiler.disable()
    stats = {
        "events": daemon.stats.events,
        "stale": daemon.stats.stale,
        "disruptions": daemon.stats.disruptions,
        "cases": daemon.stats.cases,
        "dead_lettered": daemon.stats.dead_lettered,
        "commits": counted.commits,
        "commit_ms": round(counted.commit_seconds * 1000),
        "elapsed_ms": round(elapsed * 1000),
        "cpu_us_per_record": round((clock.last_cpu - clock.first_cpu) / (count - 1) * 1e6, 2),
        "stop_ms": round((stopped - clock.last) * 1000),  # the last commits, closing
        "committed": await committed(bootstrap, topic, group),
    }
    report = ""
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        report = out.getvalue()
    return (count - 1) / elapsed, stats, report


async def committed(bootstrap: str, topic: str, group: str) -> int:
    """The records of `topic` that `group` has committed, over all partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="records to produce")
    parser.add_argument("--partitions", type=int, default=1, help="of the benchmark topic")
    parser.add_argument("--raw-runs", type=int, default=3, help="the raw rate is their median")
    parser.add_argument("--no-metrics", action="store_true", help="run the daemon without them")
    parser.add_argument("--profile", action="store_true", help="cProfile the daemon path")
    parser.add_argument("--keep-topic", action="store_true", help="do not delete the topics")
    args = parser.parse_args()
    bootstrap = bootstrap_servers()
    topic = f"bench.flight.status.{uuid.uuid4().hex[:8]}"

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
    except KafkaConnectionError:
        print(
            f"no Kafka broker at {bootstrap}: start one with `scripts/kafka-local start` "
            "or point TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS at yours",
            file=sys.stderr,
        )
        return 2
    try:
        await admin.create_topics(
            [NewTopic(topic, num_partitions=args.partitions, replication_factor=1)]
        )
        with tempfile.TemporaryDirectory(prefix="bench-stream-") as tmp:
            settings = Settings(data_dir=Path(tmp), source="kafka")
            started = time.perf_counter()
            async with Database(settings.db_url) as db:
                await seed_database(db, seed=SEED, service_date=SERVICE_DATE)
            records, flights = await heartbeats(settings, args.events)
            await produce(bootstrap, topic, records)
            print(
                f"seeded and produced {len(records)} heartbeats of {flights} flights to "
                f"{topic} in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            raw_runs = [await raw_rate(bootstrap, topic, args.events) for _ in range(args.raw_runs)]
            raws = [rate for rate, _cpu in raw_runs]
            raw = statistics.median(raws)
            raw_cpu = statistics.median(cpu for _rate, cpu in raw_runs)
            print(f"raw aiokafka consume:        {raw:10,.0f} records/s", file=sys.stderr)
            rate, stats, report = await daemon_rate(
                settings,
                bootstrap,
                topic,
                args.events,
                metrics=not args.no_metrics,
                profile=args.profile,
            )
    finally:
        if not args.keep_topic:
            names = [t for t in await admin.list_topics() if t.startswith(topic)]
            if names:
                await admin.delete_topics(names)
        await admin.close()
    print(f"daemon consume→board→triage: {rate:10,.0f} records/s", file=sys.stderr)
    print(f"committed by the daemon:     {stats['committed']:10,} records", file=sys.stderr)
    ratio = rate / raw
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"ratio: {ratio:.3f} ({verdict} the target of {TARGET})", file=sys.stderr)
    cpu = stats["cpu_us_per_record"]
    print(
        f"CPU per record: raw {raw_cpu:.2f} µs, daemon {cpu:.2f} µs "
        f"(ratio {raw_cpu / cpu:.3f}; steadier than wall time on a busy machine)",
        file=sys.stderr,
    )
    if report:
        print(report, file=sys.stderr)
    print(
        json.dumps(
            {
                "events": args.events,
                "raw_per_s": round(raw),
                "raw_runs_per_s": [round(r) for r in raws],
                "raw_cpu_us_per_record": round(raw_cpu, 2),
                "cpu_ratio": round(raw_cpu / cpu, 3),
                "daemon_per_s": round(rate),
                "ratio": round(ratio, 3),
                "metrics": not args.no_metrics,
                **{f"daemon_{k}": v for k, v in stats.items()},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
