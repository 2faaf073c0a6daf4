"""Helpers for tests that run `travel-agent` as a user would: real subprocesses, a real
broker, and the daemon's SQLite files read from outside (read-only) while it runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

# --- the command line, as a subprocess ---------------------------------------------


def cli() -> list[str]:
    """The installed `travel-agent` entry point of the interpreter running the tests."""
    script = Path(sys.executable).with_name("travel-agent")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from app.cli import main; main()"]


def agent_env(**settings: str) -> dict[str, str]:
    """This environment without any TRAVEL_AGENT_* leaking in, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAVEL_AGENT_")}
    env["PYTHONUNBUFFERED"] = "1"
    # No ops endpoints unless asked for: daemons of concurrent runs would share one port.
    env["TRAVEL_AGENT_OPS__PORT"] = "0"
    # These tests are about streams: no customer memory (several daemons share one data
    # directory here, and a memory directory has one owner; shared memory is a server).
    env["TRAVEL_AGENT_MEMORY__ENABLED"] = "false"
    # One pseudonym key for every process of a run, so the log channel names a message
    # alike in all of them (and `message_pseudonym` names it as they do).
    env["TRAVEL_AGENT_LOG_PSEUDONYM_KEY"] = PSEUDONYM_KEY
    env.update(settings)
    return env


PSEUDONYM_KEY = "integration-tests"
_DELIVERED = re.compile(r"tools\.channels\.log: to \S+ via \S+ message (\S+)")


def message_pseudonym(idempotency_key: str) -> str:
    """How the log channel of a process under `PSEUDONYM_KEY` names this message
    (`travel_agent.redact.pseudonym`, recomputed: the harness has no process key)."""
    digest = hmac.new(PSEUDONYM_KEY.encode(), idempotency_key.encode(), hashlib.sha256)
    return "p:" + digest.hexdigest()[:12]


def channel_deliveries(outputs: Iterable[str]) -> Counter[str]:
    """How often the log channel delivered each message, by the message's logged name,
    over the outputs of every process of a run (they log at DEBUG: `--verbose`)."""
    return Counter(m.group(1) for output in outputs for m in _DELIVERED.finditer(output))


def repeats(deliveries: Counter[str]) -> int:
    """Deliveries beyond each message's first: the duplicates at least once allows.

    Never negative, and independent of how many messages there were: a message delivered
    three times is two duplicates; one never delivered is no duplicate (a missing
    delivery is a different failure, checked against the outbox on its own)."""
    return sum(count - 1 for count in deliveries.values() if count > 1)


class Proc:
    """One `travel-agent` subprocess; its stdout and stderr go to `<logs>/<name>.log`."""

    def __init__(
        self, name: str, args: list[str], env: Mapping[str, str], logs: Path, cwd: Path
    ) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log = logs / f"{name}.log"
        self.started = time.monotonic()
        with self.log.open("wb") as out:
            # The child holds its own copy of the descriptor; ours can close at once.
            self.popen = subprocess.Popen(
                [*cli(), *args],
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def running(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: signal.Signals) -> None:
        if self.running():
            self.popen.send_signal(sig)

    async def wait(self, within: float) -> int | None:
        """The exit status, or None if it is still running after `within` seconds."""
        try:
            return await asyncio.to_thread(self.popen.wait, within)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """SIGKILL and reap (idempotent): no daemon outlives its test."""
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 80) -> str:
        """The last lines of output, without the one-line-per-message channel log."""
        text = [line for line in self.output().splitlines() if "tools.channels.log" not in line]
        text = text[-lines:]
        status = "running" if self.running() else f"exit {self.returncode}"
        return f"--- {self.name} (pid {self.pid}, {status}), last lines of {self.log}:\n" + (
            "\n".join(text) or "(no output)"
        )


# --- waiting without fixed sleeps ----------------------------------------------------

TIME_SCALE = float(os.environ.get("TEST_TIME_SCALE", "1") or 1)
"""Multiplies every patience below: a slow or loaded machine (CI) sets it above 1."""


def scaled(seconds: float) -> float:
    """`seconds` of patience, scaled by TEST_TIME_SCALE."""
    return seconds * TIME_SCALE


async def wait_until(
    what: str,
    check: Callable[[], Awaitable[bool]],
    *,
    stall: float,
    interval: float = 0.25,
    alive: Proc | None = None,
    progress: Callable[[], Awaitable[object]] | None = None,
    describe: Callable[[], Awaitable[str]] | None = None,
) -> float:
    """Poll `check` until it holds; fail when nothing progressed for `stall` seconds
    (times TEST_TIME_SCALE), or when `alive` exits first.

    A deadline that follows progress, not the wall: a loaded machine slows the work and
    so the test, and fails it only when the work stops moving. Progress is whatever
    `progress()` returns changing (committed offsets, finished cases, ...); without one,
    `alive`'s output growing (a daemon logs as it works); with neither, the wait is
    simply at most `stall` scaled.

    Returns the seconds it took.
    """
    started = time.monotonic()
    patience = scaled(stall)

    async def moved() -> object:
        if progress is not None:
            return await progress()
        if alive is not None:
            return alive.log.stat().st_size if alive.log.exists() else 0
        return None

    last = await moved()
    last_change = started
    while True:
        if await check():
            return time.monotonic() - started
        if alive is not None and not alive.running():
            raise AssertionError(
                f"{alive.name} exited with {alive.returncode} while waiting for {what}"
            )
        now = await moved()
        if now != last:
            last, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > patience:
            state = f"; state: {await describe()}" if describe else ""
            raise AssertionError(
                f"no progress for {patience:.0f} s (TEST_TIME_SCALE={TIME_SCALE:g}) while"
                f" waiting for {what}, {time.monotonic() - started:.0f} s in{state}"
            )
        await asyncio.sleep(interval)


async def work_progress(
    probe: KafkaProbe, group: str, topic: str, db: Path, proc: Proc | None = None
) -> object:
    """What moves while a daemon works through a topic: its group's committed offsets,
    its cases and outbox by status, its log. A deadline that follows this waits as long
    as the daemon gets on, however slowly."""
    try:
        committed: object = await probe.committed(group, topic)
    except Exception:  # the broker is away for a moment: the rest still tells
        committed = None
    try:
        rows: object = (count_by(db, "cases", "status"), count_by(db, "outbox", "status"))
    except sqlite3.OperationalError:  # no case yet: the tables come with the first
        rows = None
    size = proc.log.stat().st_size if proc is not None and proc.log.exists() else 0
    return committed, rows, size


# --- the daemon's database, read from outside -----------------------------------------


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of `sql` on a read-only connection (the daemon may be writing: WAL allows it)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def scalar(db: Path, sql: str, params: tuple[Any, ...] = ()) -> Any:
    rows = query(db, sql, params)
    return rows[0][0] if rows else None


def count_by(db: Path, table: str, column: str) -> dict[str, int]:
    return {
        str(k): int(n)
        for k, n in query(db, f"SELECT {column}, COUNT(*) FROM {table} GROUP BY {column}")
    }


def inventory_mismatches(db: Path) -> list[tuple[Any, ...]]:
    """(flight, cabin, sold, seats of the active segments) wherever the two disagree: each
    active segment holds a seat per passenger of its booking but lap infants."""
    return query(
        db,
        """
        WITH party AS (
          SELECT b.pnr,
                 COALESCE(NULLIF(SUM(CASE WHEN p.type != 'infant' THEN 1 ELSE 0 END), 0), 1)
                   AS seats
          FROM bookings b LEFT JOIN booking_passengers p ON p.pnr = b.pnr
          GROUP BY b.pnr
        )
        SELECT i.flight_key, i.cabin, i.sold, COALESCE(SUM(party.seats), 0)
        FROM inventory i
        LEFT JOIN segments s
          ON s.flight_key = i.flight_key AND s.cabin = i.cabin AND s.status = 'active'
        LEFT JOIN party ON party.pnr = s.pnr
        GROUP BY i.flight_key, i.cabin, i.sold
        HAVING i.sold != COALESCE(SUM(party.seats), 0)
        UNION ALL
        SELECT s.flight_key, s.cabin, NULL, COUNT(*)
        FROM segments s
        LEFT JOIN inventory i ON i.flight_key = s.flight_key AND i.cabin = s.cabin
        WHERE s.status = 'active' AND i.flight_key IS NULL
        GROUP BY s.flight_key, s.cabin
        """,
    )


# --- the broker ----------------------------------------------------------------------


@dataclass(frozen=True)
class TopicRecord:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]


class KafkaProbe:
    """An admin client and a group-less consumer, to look at topics and groups."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
        )

    async def __aenter__(self) -> KafkaProbe:
        await self.admin.start()
        try:
            await self.consumer.start()
        except BaseException:
            await self.admin.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.consumer.stop()
        finally:
            await self.admin.close()

    async def create_topic(self, name: str, partitions: int) -> None:
        await self.admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1)]
        )

    async def delete_topics(self, prefix: str) -> None:
        names = sorted(t for t in await self.topics() if t.startswith(prefix))
        if names:
            await self.admin.delete_topics(names)

    async def topics(self) -> set[str]:
        return set(await self.admin.list_topics())

    async def partitions(self, topic: str) -> list[TopicPartition]:
        (described,) = await self.admin.describe_topics([topic])
        if described["error_code"] != 0:
            raise AssertionError(f"topic {topic}: error code {described['error_code']}")
        return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]

    async def end_offsets(self, topic: str) -> dict[int, int]:
        tps = await self.partitions(topic)
        ends = await self.consumer.end_offsets(tps)
        return {tp.partition: ends[tp] for tp in tps}

    async def committed(self, group: str, topic: str) -> dict[int, int | None]:
        offsets = await self.admin.list_consumer_group_offsets(group)
        found = {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}
        return {tp.partition: found.get(tp.partition) for tp in await self.partitions(topic)}

    async def lag(self, group: str, topic: str) -> dict[int, tuple[int | None, int]]:
        """partition -> (committed offset or None, end offset)."""
        ends = await self.end_offsets(topic)
        committed = await self.committed(group, topic)
        return {p: (committed[p], ends[p]) for p in sorted(ends)}

    async def caught_up(self, group: str, topic: str) -> bool:
        return all(c == end for c, end in (await self.lag(group, topic)).values())

    async def read_all(self, topic: str, *, stall: float = 30.0) -> list[TopicRecord]:
        """Every record on `topic` now, all partitions, from the beginning to the end."""
        ends = await self.end_offsets(topic)
        tps = [TopicPartition(topic, p) for p in ends]
        self.consumer.assign(tps)
        await self.consumer.seek_to_beginning(*tps)
        records: list[TopicRecord] = []
        patience = scaled(stall)
        last_change = time.monotonic()
        try:
            while await self._behind(tps, ends):
                if time.monotonic() - last_change > patience:
                    raise AssertionError(
                        f"reading {topic}: nothing came for {patience:.0f} s"
                        f" ({len(records)} records read)"
                    )
                batches = await self.consumer.getmany(*tps, timeout_ms=500)
                if batches:
                    last_change = time.monotonic()
                for tp, messages in batches.items():
                    for m in messages:
                        if m.offset < ends[tp.partition]:
                            records.append(
                                TopicRecord(
                                    m.partition,
                                    m.offset,
                                    m.key,
                                    m.value,
                                    {k: bytes(v) for k, v in (m.headers or ())},
                                )
                            )
        finally:
            self.consumer.unsubscribe()
        return records

    async def _behind(self, tps: list[TopicPartition], ends: dict[int, int]) -> bool:
        for tp in tps:
            end = ends[tp.partition]
            if end > 0 and await self.consumer.position(tp) < end:
                return True
        return False
