#!/usr/bin/env python3
"""Stream benchmark: raw aiokafka consumption against the daemon's path, per kind of record.

    .venv/bin/python scripts/bench_stream.py [--events 50000] [--delays 5000]
        [--cancellations 5] [--mix 20000] [--profile] [--no-metrics]

Seeds the world (seed 7) and produces four streams, each to a fresh topic of its own on
a real broker: heartbeats (a flight's current state, restated; most of a live feed —
the board absorbs them, triage never sees them); delays (departures slipping a minute
at a time, 1–25 min, under the notice threshold: board, then triage over the flight's
passengers and connections); cancellations (each opens a case per booking and runs
them to durable, rules reasoner, SQLite, before its commit); and a mix (heartbeats with
2 % delays and 1 in 4 000 a cancellation, as a disrupted day's feed looks). Every
record restates its flight's state in its stream as it then is (`Feed`).

Per stream: raw — an AIOKafkaConsumer reads every record (no decoding), median of three
reads; daemon — `KafkaSource` → decode → `Daemon.handle` → commits, opened by
`open_runtime()` as `travel-agent run` is, on a fresh copy of the world, metrics on
(``--no-metrics``: off). Each stream ends with one heartbeat; the daemon stops after
it. Its rate counts from the first record to the start of that one (the rate of the
ratio, on which the heartbeats' target was set); its durable rate, cases/s and CPU per
record count until `run` returned: every record handled, every wave closed (a wave of
cancellations closes only at the end of the records, up to `wave_window_seconds` of
event time after them) and its cases durable, every offset committed. The outbox
relay then sends every message due; the time until all are sent is printed too.

Printed per stream: both rates and their ratio (the ≥ 0.5 target is the heartbeats'),
the CPU time per record on each path (steadier than wall time on a shared machine),
and where cases ran their disruptions, cases, cases/s and times to durable and sent;
the last line is JSON.

Why it is long: one benchmark, read top to bottom — the feed that builds the four
streams, the raw and the daemon paths it times, and the report; split, a reader would
chase one measurement across files. The broker is ``TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS`` (else
``KAFKA_BOOTSTRAP``, else localhost:9092).
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
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError
from sqlalchemy import func, select

# The checkout this script is in, whichever one the virtualenv was installed from.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.metrics import Metrics
from airline.board import LiveBoard
from airline.clock import EventTimeClock
from airline.models import Flight, FlightStatus
from airline.schedule import Schedule
from airline.seed import seed_database
from airline.tables import BoardRow
from app.migrate import open_database
from app.runtime import open_runtime
from app.settings import Settings
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, ReasonCode, encode
from tools.tables import OutboxRow
from travel_agent.db import copy_sqlite

SEED = 7
SERVICE_DATE = date(2026, 3, 1)
TARGET = 0.5


def bootstrap_servers() -> str:
    return (
        os.environ.get("TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS")
        or os.environ.get("KAFKA_BOOTSTRAP")
        or "localhost:9092"
    )


Records = list[tuple[bytes, bytes]]
STREAMS = ("heartbeats", "delays", "cancellations", "mix")


class Feed:
    """One stream's records, as a feed states them: each record restates its flight's
    *current* state in this stream (a heartbeat after a cancellation says cancelled, one
    after a delay says delayed). A heartbeat that said "scheduled" again, or a delay of
    a cancelled flight, would reinstate the flight: in the mix, the heartbeats and delays
    of a cancelled flight within the wave window (120 s of event time; the mix spans
    20 s) made the wave's net change for it "no cancellation", and its cancellations
    opened no disruption."""

    def __init__(self, board: LiveBoard, start: datetime, tick: Iterator[int]) -> None:
        self.board = board
        self.start = start
        self.tick = tick
        self.current: dict[str, dict[str, object]] = {}
        self.records: Records = []

    def state(self, flight: Flight) -> dict[str, object]:
        found = self.current.get(flight.key)
        if found is None:
            seeded = self.board.get(flight.key)
            found = {"status": FlightStatus.SCHEDULED, "gate": seeded.gate if seeded else None}
        return found

    def emit(self, flight: Flight, **change: object) -> None:
        fields = {**self.state(flight), **change}
        self.current[flight.key] = fields
        n = next(self.tick)
        event = FlightStatusEvent.about(
            flight,
            event_id=f"bench-{n}",
            emitted_at=self.start + timedelta(milliseconds=n),
            **fields,  # type: ignore[arg-type]
        )
        self.records.append((flight.key.encode(), encode(event)))


async def build_streams(settings: Settings, args: argparse.Namespace) -> dict[str, Records]:
    """The four streams (see the module's docstring), each ending with one heartbeat."""
    async with open_database(settings.db_url) as db:
        schedule = await Schedule.load(db)
        board = LiveBoard()
        await board.load(db)
    flights = sorted(schedule.flights.values(), key=lambda f: f.key)
    # Newer than every seeded board row (emitted a day before departure), one ms apart.
    start = max(f.sched_dep for f in flights) - timedelta(days=1) + timedelta(minutes=1)
    tick = iter(range(10**9))

    def heartbeat(feed: Feed, i: int) -> None:
        feed.emit(flights[i % len(flights)])

    def delay(feed: Feed, i: int) -> None:
        flight = flights[i % len(flights)]
        if feed.state(flight)["status"] == FlightStatus.CANCELLED:
            # A feed does not delay a cancelled flight: that would reinstate it (in the
            # mix, the later delays reinstated every cancellation but the first).
            feed.emit(flight)
            return
        shift = timedelta(minutes=1 + (i // len(flights)) % 25)
        feed.emit(
            flight,
            status=FlightStatus.DELAYED,
            reason=ReasonCode.TECHNICAL,
            est_dep=flight.sched_dep + shift,
            est_arr=flight.sched_arr + shift,
        )

    # The fullest flights first: a cancellation's cost is its passengers.
    by_load = sorted(flights, key=lambda f: (-sum(c.sold for c in f.cabins), f.key))

    def cancellation(feed: Feed, i: int) -> None:
        feed.emit(by_load[i], status=FlightStatus.CANCELLED, reason=ReasonCode.CREW)

    feeds = {name: Feed(board, start, tick) for name in STREAMS}
    for i in range(args.events):
        heartbeat(feeds["heartbeats"], i)
    for i in range(args.delays):
        delay(feeds["delays"], i)
    for i in range(args.cancellations):
        cancellation(feeds["cancellations"], i)
    delays = cancellations = 0
    for i in range(args.mix):
        if i % 4000 == 3999:
            cancellation(feeds["mix"], args.cancellations + cancellations)
            cancellations += 1
        elif i % 50 == 49:
            delay(feeds["mix"], delays)
            delays += 1
        else:
            heartbeat(feeds["mix"], i)
    for feed in feeds.values():
        heartbeat(feed, 0)  # the end mark
    return {name: feed.records for name, feed in feeds.items()}


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
    """The daemon's clock, noting when the first and the Nth record set it, then stopping
    the daemon: it times records without wrapping the source in another async generator
    (~0.5 µs a record). The rate covers N-1 records, the first one's start to the Nth's."""

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


async def daemon_rate(
    settings: Settings,
    bootstrap: str,
    prefix: str,
    count: int,
    *,
    metrics: bool,
    profile: bool,
) -> tuple[float, dict[str, float], str]:
    """Records per second through KafkaSource → Daemon.handle, the daemon's stats, a profile.

    `settings` is on a fresh copy of the world; the topic is `prefix` + flight.status.
    """
    # As `travel-agent run` on Kafka: event time, from the newest state the board holds.
    async with open_database(settings.db_url) as db, db.session() as session:
        newest = await session.scalar(select(func.max(BoardRow.last_emitted_at)))
    assert newest is not None
    group = f"bench-daemon-{uuid.uuid4().hex[:8]}"
    stop = asyncio.Event()
    clock = _Stopwatch(newest, count, stop)
    profiler = cProfile.Profile() if profile else None
    kafka = settings.kafka.model_copy(
        update={
            "bootstrap_servers": bootstrap,
            "group_id": group,
            "client_id": "bench",
            "topic_prefix": prefix,
        }
    )
    bench = settings.model_copy(update={"kafka": kafka, "source": "kafka"})
    async with open_runtime(bench, clock, metrics=Metrics() if metrics else None) as runtime:
        daemon = runtime.daemon
        if profiler is not None:
            profiler.enable()
        # `run` returns once the record in hand and the wave it closes are done: every
        # case durable, every offset committed (the mix's cancellations open a wave that
        # only the end of the records closes; stopping the clock at the last record
        # counted none of their cases).
        await daemon.run(stop)
        durable, durable_cpu = time.perf_counter(), time.process_time()
        delivered = await runtime.relay.drain()  # every message due now, sent
        notified, notified_cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.disable()
        async with runtime.db.session() as session:
            waiting = await session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.sent_at.is_(None))
            )
    elapsed = durable - clock.first
    stats = {
        "events": daemon.stats.events,
        "stale": daemon.stats.stale,
        "disruptions": daemon.stats.disruptions,
        "cases": daemon.stats.cases,
        "cases_per_s": round(daemon.stats.cases / elapsed, 1),
        "dead_lettered": daemon.stats.dead_lettered,
        "elapsed_ms": round(elapsed * 1000),
        # Records per second until everything they caused was durable (the ratio's rate
        # stops at the last record's start, as the heartbeats' target was set on).
        "durable_per_s": round((count - 1) / elapsed, 1),
        "cpu_us_per_record": round((durable_cpu - clock.first_cpu) / (count - 1) * 1e6, 2),
        # Of the elapsed time, after the last record was read: the wave it closed, its
        # cases, the last commits.
        "after_last_record_ms": round((durable - clock.last) * 1000),
        "notified_ms": round((notified - clock.first) * 1000),
        "notify_cpu_ms": round((notified_cpu - durable_cpu) * 1000),
        "messages_delivered": delivered,
        "messages_not_yet_due": waiting or 0,
        "committed": await committed(bootstrap, prefix + TOPIC_FLIGHT_STATUS, group),
    }
    report = ""
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        report = out.getvalue()
    return (count - 1) / (clock.last - clock.first), stats, report


async def committed(bootstrap: str, topic: str, group: str) -> int:
    """The records of `topic` that `group` has committed, over all partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic)


async def measure(
    name: str,
    records: Records,
    template: Path,
    root: Path,
    bootstrap: str,
    admin: AIOKafkaAdminClient,
    args: argparse.Namespace,
) -> dict[str, object]:
    """One stream: its own topic, the raw rate (median of runs), the daemon's rate."""
    prefix = f"bench.{uuid.uuid4().hex[:8]}."
    topic = prefix + TOPIC_FLIGHT_STATUS
    await admin.create_topics(
        [NewTopic(topic, num_partitions=args.partitions, replication_factor=1)]
    )
    try:
        await produce(bootstrap, topic, records)
        count = len(records)
        raw_runs = [await raw_rate(bootstrap, topic, count) for _ in range(args.raw_runs)]
        raw = statistics.median(rate for rate, _cpu in raw_runs)
        raw_cpu = statistics.median(cpu for _rate, cpu in raw_runs)
        run_dir = root / name
        copy_sqlite(template, run_dir / "airline.sqlite")
        rate, stats, report = await daemon_rate(
            Settings(data_dir=run_dir),
            bootstrap,
            prefix,
            count,
            metrics=not args.no_metrics,
            profile=args.profile,
        )
    finally:
        if not args.keep_topic:
            names = [t for t in await admin.list_topics() if t.startswith(prefix)]
            if names:
                await admin.delete_topics(names)
    cpu = stats["cpu_us_per_record"]
    cases = (
        f", {stats['disruptions']} disruptions, {stats['cases']} cases at "
        f"{stats['cases_per_s']:.1f}/s, all durable {stats['elapsed_ms'] / 1000:.2f} s "
        f"({stats['durable_per_s']:,.0f} records/s) "
        f"({stats['after_last_record_ms'] / 1000:.2f} s after the last record), "
        f"{stats['messages_delivered']} messages sent by {stats['notified_ms'] / 1000:.2f} s"
        f" ({stats['messages_not_yet_due']} held for later)"
        if stats["cases"]
        else ""
    )
    print(
        f"{name:>13}: {count - 1:>6} records | raw {raw:10,.0f}/s | daemon {rate:10,.1f}/s "
        f"| ratio {rate / raw:.3g} | CPU/record raw {raw_cpu:.2f} µs, daemon {cpu:.2f} µs"
        f"{cases} | committed {stats['committed']}",
        file=sys.stderr,
        flush=True,
    )
    if report:
        print(report, file=sys.stderr)
    return {
        "records": count - 1,
        "raw_per_s": round(raw),
        "raw_runs_per_s": [round(r) for r, _ in raw_runs],
        "raw_cpu_us_per_record": round(raw_cpu, 2),
        "daemon_per_s": round(rate, 1),
        "ratio": float(f"{rate / raw:.3g}"),  # significant digits: a cancellation's is tiny
        "cpu_ratio": round(raw_cpu / cpu, 3),
        **{f"daemon_{k}": v for k, v in stats.items()},
    }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="heartbeats")
    parser.add_argument("--delays", type=int, default=5_000, help="small departure delays")
    parser.add_argument("--cancellations", type=int, default=5, help="whole flights")
    parser.add_argument("--mix", type=int, default=20_000, help="records of the mixed stream")
    parser.add_argument("--partitions", type=int, default=1, help="of each benchmark topic")
    parser.add_argument("--raw-runs", type=int, default=3, help="the raw rate is their median")
    parser.add_argument("--no-metrics", action="store_true", help="run the daemon without them")
    parser.add_argument("--profile", action="store_true", help="cProfile the daemon path")
    parser.add_argument("--keep-topic", action="store_true", help="do not delete the topics")
    args = parser.parse_args()
    bootstrap = bootstrap_servers()

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
    figures: dict[str, object] = {"metrics": not args.no_metrics}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-stream-") as tmp:
            root = Path(tmp)
            template = root / "world.sqlite"
            started = time.perf_counter()
            async with open_database(f"sqlite+aiosqlite:///{template}") as db:
                await seed_database(db, seed=SEED, service_date=SERVICE_DATE)
            world = Settings(data_dir=root, db={"url": f"sqlite+aiosqlite:///{template}"})
            streams = await build_streams(world, args)
            print(
                f"seeded and built {sum(len(r) for r in streams.values())} records in "
                f"{time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            for name, records in streams.items():
                if len(records) > 1:
                    figures[name] = await measure(
                        name, records, template, root, bootstrap, admin, args
                    )
    finally:
        await admin.close()
    heartbeats = figures.get("heartbeats")
    if isinstance(heartbeats, dict):
        verdict = "meets" if heartbeats["ratio"] >= TARGET else "misses"
        print(f"heartbeats {verdict} the target ratio of {TARGET}", file=sys.stderr)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
