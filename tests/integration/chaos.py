"""The chaos harness: the real daemon on a real broker, SIGKILLed at random points and its
broker restarted, compared with an uninterrupted reference run of the same records.

Surviving is not enough (STYLE.md: compare, don't just survive). A chaos run passes when
its end state is the reference's: the same cases with the same outcomes, the same ledger
(effect kinds, idempotency keys, amounts), the same seats sold, every flight on the same
event, the same records dead-lettered, every outbox row delivered — with no effect twice.
What at-least-once delivery allows (a record published again, a message delivered again
by a relay killed between delivering and marking) is counted and printed, not hidden.

How a run goes (`run_chaos`):

1. The records are produced *paced* over `ChaosPlan.feed_seconds` by a feeder in the
   test process, so the daemon has work at every kill whatever the machine's speed; the
   feeder rides out the broker's restarts like any producer (its sends wait, and a
   producer the broker lost is replaced).
2. Meanwhile the daemon is SIGKILLed `kills` times, `kill_gap` seconds apart (random),
   and restarted at once, as a supervisor would; `broker_restarts` of the gaps also stop
   the broker (alternately SIGTERM and SIGKILL) and start it again.
3. Once the feed is done, the daemon is left to finish (deadlines follow its progress),
   then stopped with SIGTERM.

The reference (`run_reference`) is one daemon, never interrupted, on a fresh copy of the
world, reading the whole topic with a consumer group of its own.

Determinism needs one partition and one case at a time (`DETERMINISTIC`): with several
partitions a backlog is drained partition by partition in a random order, and the
event-time clock follows whichever comes first; with concurrent cases, seat races
between them are timing-dependent. (Issue 13 — the agent planning each passenger alone —
can still make a storm with scarce seats end differently after a crash: a planner that
records its wave assignment first makes that crash-invariant.)

The planner's storm comparison uses the same pieces: `records_of(generate_day(...,
scenario="storm"))`, `run_chaos`, `run_reference`, `differences`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

from streams.events import FlightStatusEvent, encode
from streams.kafka import KafkaSink
from travel_agent.db import copy_sqlite
from travel_agent.errors import StreamError

from .helpers import (
    KafkaProbe,
    Proc,
    agent_env,
    channel_deliveries,
    count_by,
    query,
    scalar,
    scaled,
    wait_until,
)
from .resilience_helpers import effect_violations, kafka_local

FLIGHT_STATUS = "flight.status"
DEAD_LETTERS = "flight.status.dlq"
AGENT_ACTIONS = "agent.actions"
NOTIFICATIONS = "notifications.outbound"

DETERMINISTIC = {
    "TRAVEL_AGENT_AGENT__CONCURRENCY": "1",
    # The default (30 min) opens ~5,500 delay cases for the seeded day; at 150 it opens
    # ~1,250 (cancellations, a diversion, missed connections, one long delay).
    "TRAVEL_AGENT_AGENT__DELAY_NOTIFY_MINUTES": "150",
}
# How long a run may show no progress at all before it counts as stuck (times
# TEST_TIME_SCALE). A broker restart on a loaded machine takes up to a minute.
STALL = 120.0
GRACEFUL_EXIT = 60.0
# How long a case may stay pending once every record is committed (a re-check's own case).
PENDING_GRACE = 20.0


Record = tuple[bytes | None, bytes | None]


def records_of(events: Iterable[FlightStatusEvent]) -> list[Record]:
    """Events as (key, value) records, keyed by flight as every producer of ours keys them."""
    return [(e.flight_key.encode(), encode(e)) for e in events]


# --- what a run leaves -------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The end state of one run, as a user (and an auditor) would look at it."""

    cases: dict[str, tuple[str, str | None]]
    """case id -> (status, outcome)"""
    ledger: dict[str, tuple[str, str, str]]
    """idempotency key -> (action, pnr, detail as canonical JSON: amounts, flights)"""
    outbox: dict[str, tuple[str, str]]
    """idempotency key -> (topic, status)"""
    board: dict[str, str]
    """flight -> the id of the event it ended on"""
    inventory: dict[tuple[str, str], int]
    """(flight, cabin) -> seats sold"""
    dead_letters: dict[int, str] = field(default_factory=dict)
    """original offset -> reason"""


def snapshot(db: Path, dead: Sequence[Any] = ()) -> Snapshot:
    return Snapshot(
        cases={
            str(c): (str(s), o) for c, s, o in query(db, "SELECT id, status, outcome FROM cases")
        },
        ledger={
            str(k): (str(a), str(p), json.dumps(_decision(json.loads(d)), sort_keys=True))
            for k, a, p, d in query(
                db, "SELECT idempotency_key, action, pnr, detail FROM action_ledger"
            )
        },
        outbox={
            str(k): (str(t), str(s))
            for k, t, s in query(db, "SELECT idempotency_key, topic, status FROM outbox")
        },
        board={str(k): str(v) for k, v in query(db, "SELECT flight_key, last_event_id FROM board")},
        inventory={
            (str(f), str(c)): int(n)
            for f, c, n in query(db, "SELECT flight_key, cabin, sold FROM inventory")
        },
        dead_letters={
            int(r.headers["original_offset"]): r.headers["reason"].decode() for r in dead
        },
    )


def differences(reference: Snapshot, run: Snapshot) -> list[str]:
    """Every way `run` ended otherwise than `reference`, one line per kind, with examples."""
    found: list[str] = []

    def compare(what: str, ref: dict[Any, Any], got: dict[Any, Any]) -> None:
        only_ref = sorted(set(ref) - set(got), key=str)
        only_run = sorted(set(got) - set(ref), key=str)
        changed = sorted((k for k in set(ref) & set(got) if ref[k] != got[k]), key=str)
        if only_ref or only_run or changed:
            found.append(
                f"{what}: {len(only_ref)} only in the reference {only_ref[:3]},"
                f" {len(only_run)} only after the chaos {only_run[:3]},"
                f" {len(changed)} differ "
                f"{[(k, ref[k], got[k]) for k in changed[:3]]}"
            )

    compare("cases", reference.cases, run.cases)  # ledger and outbox: see `_DONE_WITH`
    compare("ledger", reference.ledger, run.ledger)
    compare("outbox", _decided(reference.outbox), _decided(run.outbox))
    compare("board", reference.board, run.board)
    compare("inventory", reference.inventory, run.inventory)
    compare("dead letters", reference.dead_letters, run.dead_letters)
    return found


# A message is decided once; whether it went out before newer news about the same flight
# retired it ("newest news only", tools.notifications.outbox) depends on how far the relay
# had got, which a kill or a broker restart holds back. Both mean "done with": compared
# as one, and counted apart (`retired_unsent`).
_DONE_WITH = {"sent": "sent or superseded", "superseded": "sent or superseded"}


def _decision(detail: Any) -> Any:
    """A ledger row's detail without which older messages it found still undelivered
    (see `_DONE_WITH`): that is the relay's progress, not the decision."""
    if isinstance(detail, dict):
        return {k: v for k, v in detail.items() if k not in ("supersedes", "old_news")}
    return detail


def _decided(outbox: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {k: (t, _DONE_WITH.get(s, s)) for k, (t, s) in outbox.items()}


def retired_unsent(reference: Snapshot, run: Snapshot) -> int:
    """Messages the reference delivered that newer news retired before delivery after the
    chaos (or the other way round): the passenger had the newest news either way."""
    return sum(
        1
        for k, (_t, s) in reference.outbox.items()
        if k in run.outbox and {s, run.outbox[k][1]} == {"sent", "superseded"}
    )


def problems(db: Path) -> list[str]:
    """What must hold in any run, reference or not (`effect_violations`: checks that can
    fail)."""
    return effect_violations(db)


# --- one daemon's run --------------------------------------------------------------------


class DaemonRun:
    """A daemon on its own copy of the world and consumer group, restartable."""

    def __init__(
        self,
        name: str,
        *,
        bootstrap: str,
        prefix: str,
        world_template: Path,
        workdir: Path,
        settings: dict[str, str],
    ) -> None:
        self.name = name
        self.prefix = prefix
        self.topic = prefix + FLIGHT_STATUS
        self.group = f"travel-agent-{name}-{uuid4().hex[:6]}"
        self.data = workdir / name
        self.db = copy_sqlite(world_template, self.data / "airline.sqlite")
        self.logs = workdir / "logs"
        self.cwd = workdir
        self.env = agent_env(
            TRAVEL_AGENT_SOURCE="kafka",
            TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS=bootstrap,
            TRAVEL_AGENT_KAFKA__TOPIC_PREFIX=prefix,
            TRAVEL_AGENT_KAFKA__GROUP_ID=self.group,
            TRAVEL_AGENT_DATA_DIR=str(self.data),
            **settings,
        )
        self.procs: list[Proc] = []

    @property
    def current(self) -> Proc:
        return self.procs[-1]

    def start(self) -> Proc:
        # --verbose: the log channel names each delivered message at DEBUG.
        name = f"{self.name}-{len(self.procs) + 1}"
        proc = Proc(name, ["--verbose", "run"], self.env, self.logs, self.cwd)
        self.procs.append(proc)
        return proc

    async def until_cases_in_flight(self, seconds: float) -> bool:
        """Wait (at most `seconds`) until the daemon holds pending cases: a kill that
        follows progress lands mid-case however fast cases have become, where one at a
        random instant may fall between waves every time (CI, session 9: 10 of 10)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.state().get("cases", {}).get("pending", 0) > 0:
                return True
            await asyncio.sleep(0.05)
        return False

    async def kill(self) -> dict[str, Any]:
        """SIGKILL the running daemon; what it held at that instant."""
        proc = self.current
        at = {"after_s": round(time.monotonic() - proc.started, 1), **self.state()}
        proc.signal(signal.SIGKILL)
        assert await proc.wait(scaled(30)) is not None, f"{proc.name} survived SIGKILL"
        return at

    async def stop(self) -> None:
        proc = self.current
        proc.signal(signal.SIGTERM)
        code = await proc.wait(scaled(GRACEFUL_EXIT))
        assert code is not None, f"{proc.name} ignored SIGTERM for {scaled(GRACEFUL_EXIT)} s"
        assert code == 0, f"{proc.name} exited with {code} on SIGTERM:\n{proc.tail()}"

    def state(self) -> dict[str, Any]:
        try:
            return {
                "cases": count_by(self.db, "cases", "status"),
                "outbox": count_by(self.db, "outbox", "status"),
            }
        except Exception as exc:  # the tables may not exist before the first case
            return {"unreadable": type(exc).__name__}

    def output(self) -> str:
        return "\n".join(p.output() for p in self.procs)

    def tails(self) -> str:
        return "\n".join(p.tail(40) for p in self.procs[-3:])

    def channel_deliveries(self) -> Counter[str]:
        """How often the log channel delivered each message, over every process of this
        run (by the message's pseudonym: `message_pseudonym`)."""
        return channel_deliveries(p.output() for p in self.procs)

    async def progress(self, probe: KafkaProbe) -> object:
        """Anything that moves while the daemon works (a deadline follows it)."""
        try:
            committed = await probe.committed(self.group, self.topic)
        except Exception:  # the broker is restarting: the daemon's log still moves
            committed = None
        return (
            committed,
            json.dumps(self.state(), sort_keys=True),
            self.current.log.stat().st_size if self.current.log.exists() else 0,
        )

    async def finished(self, probe: KafkaProbe, first_seen: dict[str, float]) -> bool:
        """Every record committed, no case left pending, nothing due, the outbox drained."""
        try:
            if not await probe.caught_up(self.group, self.topic):
                return False
        except Exception:  # the broker is away: not finished, and not stuck either
            return False
        pending = [r[0] for r in query(self.db, "SELECT id FROM cases WHERE status = 'pending'")]
        now = time.monotonic()
        stuck = [c for c in pending if now - first_seen.setdefault(c, now) > scaled(PENDING_GRACE)]
        assert not stuck, (
            f"{self.name} committed every record, but {len(stuck)} cases stay pending: {stuck[:5]}"
        )
        if pending:
            return False
        due = scalar(
            self.db,
            "SELECT COUNT(*) FROM jobs WHERE status = 'due'"
            " AND due_at <= (SELECT MAX(last_emitted_at) FROM board)",
        )
        unsent = scalar(
            self.db,
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
            " AND json_extract(payload, '$.not_before') IS NULL",
        )
        return not due and not unsent

    async def until_finished(self, probe: KafkaProbe) -> float:
        first_seen: dict[str, float] = {}

        async def describe() -> str:
            return json.dumps(
                {"lag": await probe.lag(self.group, self.topic), **self.state()}, default=str
            )

        return await wait_until(
            f"{self.name} to finish",
            lambda: self.finished(probe, first_seen),
            stall=STALL,
            interval=0.5,
            alive=self.current,
            progress=lambda: self.progress(probe),
            describe=describe,
        )


# --- the feeder and the broker -------------------------------------------------------------


async def feed(
    bootstrap: str, topic: str, records: Sequence[Record], *, seconds: float
) -> dict[str, float]:
    """Produce `records` in order, spread over `seconds`; rides out broker restarts."""
    started = time.monotonic()
    waited = 0.0
    async with KafkaSink(bootstrap, client_id="chaos-feeder") as sink:
        for n, (key, value) in enumerate(records):
            due = started + seconds * n / max(1, len(records))
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            while True:
                try:
                    await sink.send(topic, (key or b"").decode(errors="replace"), value or b"")
                    break
                except StreamError as exc:
                    if not exc.retriable:
                        raise
                    waited += 1.0
                    await asyncio.sleep(1.0)
    return {"feed_s": round(time.monotonic() - started, 1), "send_retries": waited}


async def restart_broker(how: str, *, down: float) -> dict[str, float]:
    """Stop (`stop`: SIGTERM, `kill`: SIGKILL) our broker, wait `down` s, start it again."""
    at = time.monotonic()
    stopped = await asyncio.to_thread(kafka_local, how, timeout=scaled(120))
    assert stopped.returncode == 0, stopped.stderr
    await asyncio.sleep(down)
    restarted = time.monotonic()
    started = await asyncio.to_thread(kafka_local, "start", timeout=scaled(300))
    assert started.returncode == 0, started.stderr
    return {
        "stop_s": round(restarted - at - down, 1),
        "start_s": round(time.monotonic() - restarted, 1),
    }


# --- a whole comparison --------------------------------------------------------------------


@dataclass(frozen=True)
class ChaosPlan:
    kills: int = 10
    kill_gap: tuple[float, float] = (5.0, 15.0)
    broker_restarts: int = 3
    feed_seconds: float = 120.0
    seed: int = 16


@dataclass
class ChaosReport:
    kills: list[dict[str, Any]] = field(default_factory=list)
    broker_restarts: list[dict[str, Any]] = field(default_factory=list)
    feeding: dict[str, float] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def kills_mid_case(self) -> int:
        return sum(1 for k in self.kills if k.get("cases", {}).get("pending", 0) > 0)


class Chaos:
    """One comparison's topic, runs and clean-up (an async context manager)."""

    def __init__(
        self,
        bootstrap: str,
        world_template: Path,
        workdir: Path,
        *,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.world_template = world_template
        self.workdir = workdir
        self.prefix = f"chaos{uuid4().hex[:8]}."
        self.topic = self.prefix + FLIGHT_STATUS
        self.settings = {**DETERMINISTIC, **(settings or {})}
        self.runs: list[DaemonRun] = []
        self.probe: KafkaProbe | None = None
        self._broker_down = False

    async def __aenter__(self) -> Chaos:
        self.probe = await KafkaProbe(self.bootstrap).__aenter__()
        await self.probe.create_topic(self.topic, partitions=1)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for run in self.runs:
            for proc in run.procs:
                proc.kill()
        if self._broker_down or kafka_local("status", timeout=30).returncode != 0:
            kafka_local("start", timeout=300)
        if self.probe is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(30):
                    await self.probe.delete_topics(self.prefix)
            await self.probe.__aexit__(None, None, None)

    def daemon(self, name: str) -> DaemonRun:
        run = DaemonRun(
            name,
            bootstrap=self.bootstrap,
            prefix=self.prefix,
            world_template=self.world_template,
            workdir=self.workdir,
            settings=self.settings,
        )
        self.runs.append(run)
        return run

    def tails(self) -> str:
        return "\n".join(run.tails() for run in self.runs)

    async def dead_letters(self) -> list[Any]:
        assert self.probe is not None
        topic = self.prefix + DEAD_LETTERS
        return await self.probe.read_all(topic) if topic in await self.probe.topics() else []

    async def published(self, name: str) -> Counter[str]:
        """Records per idempotency key on one of our output topics."""
        assert self.probe is not None
        topic = self.prefix + name
        if topic not in await self.probe.topics():
            return Counter()
        return Counter(
            r.headers.get("idempotency-key", b"").decode() for r in await self.probe.read_all(topic)
        )

    async def run_chaos(
        self, records: Sequence[Record], plan: ChaosPlan
    ) -> tuple[DaemonRun, ChaosReport]:
        """Feed `records` paced while killing the daemon and restarting the broker."""
        assert self.probe is not None
        report = ChaosReport()
        rng = random.Random(plan.seed)
        run = self.daemon("chaos")
        started = time.monotonic()
        feeder = asyncio.create_task(
            feed(self.bootstrap, self.topic, records, seconds=plan.feed_seconds)
        )
        run.start()
        restart_at = set(
            rng.sample(range(1, plan.kills), plan.broker_restarts)
            if plan.broker_restarts < plan.kills
            else range(plan.broker_restarts)
        )
        try:
            for n in range(plan.kills):
                await asyncio.sleep(rng.uniform(*plan.kill_gap))
                if n in restart_at:
                    how = "kill" if len(report.broker_restarts) % 2 else "stop"
                    self._broker_down = True
                    restart = await restart_broker(how, down=rng.uniform(1.0, 5.0))
                    self._broker_down = False
                    report.broker_restarts.append(
                        {"how": how, "at_s": round(time.monotonic() - started, 1), **restart}
                    )
                assert run.current.running(), f"the daemon died by itself:\n{run.tails()}"
                if n % 2 == 0:  # every other kill waits for cases in flight (bounded)
                    await run.until_cases_in_flight(plan.kill_gap[1])
                killed = await run.kill()
                report.kills.append({"at_s": round(time.monotonic() - started, 1), **killed})
                run.start()
            report.feeding = await feeder
        finally:
            if not feeder.done():
                feeder.cancel()
                with contextlib.suppress(BaseException):
                    await feeder
        report.timings["chaos_s"] = round(time.monotonic() - started, 1)
        report.timings["finish_after_feed_s"] = round(await run.until_finished(self.probe), 1)
        await run.stop()
        report.timings["total_s"] = round(time.monotonic() - started, 1)
        return run, report

    async def run_reference(self) -> tuple[DaemonRun, float]:
        """One daemon, never interrupted, on the whole topic."""
        assert self.probe is not None
        run = self.daemon("reference")
        started = time.monotonic()
        run.start()
        await run.until_finished(self.probe)
        await run.stop()
        return run, round(time.monotonic() - started, 1)


def resumed(run: DaemonRun) -> int:
    """Cases the restarted daemons found left pending and ran again."""
    return sum(int(n) for n in re.findall(r"resumed (\d+) cases left pending", run.output()))


def broker_restartable() -> str | None:
    """Why this machine's broker cannot be restarted by a test, or None."""
    if os.environ.get("KAFKA_BOOTSTRAP"):
        return "KAFKA_BOOTSTRAP names an outside broker, which a test cannot restart"
    status = kafka_local("status", timeout=30)
    if status.returncode != 0:
        return f"the broker was not started by scripts/kafka-local ({status.stdout.strip()})"
    return None
