"""The Kafka path end to end, as a user runs it, with a SIGKILL in the middle.

`travel-agent simulate` produces the seeded day to a real broker; `travel-agent run`
consumes it and is killed (SIGKILL) mid-stream while cases are pending, then restarted
and finally stopped with SIGTERM. What a user would notice must hold: every case done,
no effect twice, no seat lost or sold twice, every message delivered, and the same end
(cases, outcomes, ledger, outbox, board, seats) as a reference run that was never
interrupted. (`test_chaos.py` does this ten times over, with broker restarts; this one
kills at a chosen moment — half-way through a disruption's cases — and goes through
`travel-agent simulate`.)

Two settings make the reference comparison exact and the test fast enough:

* `flight.status` is created with ONE partition. With several, a backlog is drained a
  partition at a time in a random order (aiokafka shuffles its fetches) and the
  event-time clock jumps to the end of the first partition's day, so two clean runs
  decide differently (measured: 1114 vs 1103 cases, 128 vs 0 cancelled passengers
  rebooked).
* `agent.concurrency` is 1: with concurrent cases the seat races between them are
  timing-dependent, so which passengers sit on a later-disrupted flight (and hence the
  case ids) differs from run to run by a few cases even without a crash.
* `agent.delay_notify_minutes` is 150: the default (30) opens ~5,500 delay cases for
  the day, several minutes per run on two cores; at 150 the day opens ~1,250 cases
  (cancellations, a diversion, missed connections and one long delay).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from travel_agent.db import copy_sqlite

from .chaos import differences, snapshot
from .helpers import (
    KafkaProbe,
    Proc,
    agent_env,
    count_by,
    inventory_mismatches,
    query,
    scalar,
    scaled,
    wait_until,
    work_progress,
)
from .resilience_helpers import effect_violations

pytestmark = pytest.mark.integration

FLIGHT_STATUS = "flight.status"
AGENT_ACTIONS = "agent.actions"
NOTIFICATIONS = "notifications.outbound"
DEAD_LETTERS = "flight.status.dlq"

# Patience without progress (deadlines follow progress; TEST_TIME_SCALE scales them).
SIMULATE_TIMEOUT = 90.0
STALL = 120.0
GRACEFUL_EXIT_TIMEOUT = 30.0


def _copy_world(template: Path, data_dir: Path) -> Path:
    return copy_sqlite(template, data_dir / "airline.sqlite")


def _state(db: Path) -> dict[str, Any]:
    """What the daemon has done so far, as a user would look at it."""
    state = {
        "disruptions": scalar(db, "SELECT COUNT(*) FROM disruptions"),
        "disruptions_with_cases": scalar(db, "SELECT COUNT(DISTINCT disruption_id) FROM cases"),
        "cases": count_by(db, "cases", "status"),
        "outbox": count_by(db, "outbox", "status"),
        "ledger": count_by(db, "action_ledger", "action"),
    }
    checkpoints = db.with_name("checkpoints.sqlite")
    if checkpoints.exists():
        pending = {row[0] for row in query(db, "SELECT id FROM cases WHERE status = 'pending'")}
        threads = {
            row[0] for row in query(checkpoints, "SELECT DISTINCT thread_id FROM checkpoints")
        }
        # Cases the graph had started on: the restart resumes them mid-graph.
        state["pending_mid_graph"] = len(pending & threads)
    return state


# How long a case may stay pending once every record is committed (a re-check's own case).
PENDING_GRACE = 20.0


async def _run_to_completion(
    daemon: Proc, db: Path, probe: KafkaProbe, group: str, topic: str
) -> float:
    """Wait until the group has committed every record and nothing is left to do."""

    first_seen: dict[str, float] = {}

    async def finished() -> bool:
        if not await probe.caught_up(group, topic):
            return False
        # A record is committed only once its cases are durable, and no record is left:
        # a case still pending for long now would wait for the next restart (or forever).
        # (A scheduled re-check may open and run a case of its own meanwhile: seconds.)
        pending = [row[0] for row in query(db, "SELECT id FROM cases WHERE status = 'pending'")]
        now = time.monotonic()
        stuck = [c for c in pending if now - first_seen.setdefault(c, now) > PENDING_GRACE]
        assert not stuck, (
            f"{daemon.name} committed every record of {topic}, but {len(stuck)} cases are"
            f" still pending: {stuck[:5]}"
        )
        if pending:
            return False
        # Follow-ups already due on the stream's clock (re-checks of new itineraries) run
        # within a scheduler tick; they may open cases, so they are part of "finished".
        due = scalar(
            db,
            "SELECT COUNT(*) FROM jobs WHERE status = 'due'"
            " AND due_at <= (SELECT MAX(last_emitted_at) FROM board)",
        )
        # Messages held for the passenger's quiet hours wait on purpose (not_before).
        return (
            not due
            and scalar(
                db,
                "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
                " AND json_extract(payload, '$.not_before') IS NULL",
            )
            == 0
        )

    async def describe() -> str:
        return json.dumps({"lag": await probe.lag(group, topic), **_state(db)})

    return await wait_until(
        f"{daemon.name} to commit every record of {topic} and finish every case",
        finished,
        stall=STALL,
        interval=0.5,
        alive=daemon,
        progress=lambda: work_progress(probe, group, topic, db, daemon),
        describe=describe,
    )


async def _stop_gracefully(daemon: Proc) -> float:
    started = time.monotonic()
    daemon.signal(signal.SIGTERM)
    code = await daemon.wait(scaled(GRACEFUL_EXIT_TIMEOUT))
    assert code is not None, f"{daemon.name} ignored SIGTERM for {scaled(GRACEFUL_EXIT_TIMEOUT)} s"
    assert code == 0, f"{daemon.name} exited with {code} on SIGTERM"
    return time.monotonic() - started


async def test_daemon_killed_mid_stream_loses_nothing_and_repeats_nothing(
    kafka_bootstrap: str, world_template: Path, world_path: Path, tmp_path: Path
) -> None:
    started = time.monotonic()
    timings: dict[str, float] = {}
    prefix = f"t{uuid4().hex[:8]}."
    topic = prefix + FLIGHT_STATUS
    group = f"travel-agent-{uuid4().hex[:8]}"
    reference_group = f"{group}-reference"
    data_dir = world_path.parent
    reference_db = _copy_world(world_template, tmp_path / "reference")
    logs = tmp_path / "logs"
    settings = {
        "TRAVEL_AGENT_SOURCE": "kafka",
        "TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        "TRAVEL_AGENT_KAFKA__TOPIC_PREFIX": prefix,
        "TRAVEL_AGENT_AGENT__CONCURRENCY": "1",
        "TRAVEL_AGENT_AGENT__DELAY_NOTIFY_MINUTES": "150",
    }
    env = agent_env(
        **settings, TRAVEL_AGENT_DATA_DIR=str(data_dir), TRAVEL_AGENT_KAFKA__GROUP_ID=group
    )
    reference_env = agent_env(
        **settings,
        TRAVEL_AGENT_DATA_DIR=str(reference_db.parent),
        TRAVEL_AGENT_KAFKA__GROUP_ID=reference_group,
    )
    assert not inventory_mismatches(world_path), "the seeded world is inconsistent to begin with"

    procs: list[Proc] = []

    def start(name: str, args: list[str], environment: dict[str, str]) -> Proc:
        proc = Proc(name, args, environment, logs, cwd=tmp_path)
        procs.append(proc)
        return proc

    try:
        async with KafkaProbe(kafka_bootstrap) as probe:
            # One partition: see the module docstring.
            await probe.create_topic(topic, partitions=1)

            # 1. Produce the simulated day, as `travel-agent simulate` does.
            simulator = start("simulate", ["simulate", "--speed", "100000"], env)
            code = await simulator.wait(scaled(SIMULATE_TIMEOUT))
            assert code == 0, f"simulate exited with {code}"
            produced = int(re.findall(r"produced (\d+) events", simulator.output())[-1])
            ends = await probe.end_offsets(topic)
            assert sum(ends.values()) == produced > 0
            timings["simulate"] = time.monotonic() - simulator.started

            # 2. Run the daemon and SIGKILL it mid-stream, while cases are pending.
            first = start("run-1", ["run"], env)

            async def mid_stream() -> bool:
                # Two disruptions opened, and the one in hand part done, part pending.
                (with_cases, done_in_hand, pending) = query(
                    world_path,
                    "SELECT COUNT(DISTINCT disruption_id),"
                    " COALESCE(SUM(status = 'done' AND disruption_id IN"
                    "   (SELECT disruption_id FROM cases WHERE status = 'pending')), 0),"
                    " COALESCE(SUM(status = 'pending'), 0) FROM cases",
                )[0]
                return with_cases >= 2 and done_in_hand > 0 and pending > 0

            await wait_until(
                "the first daemon to be half-way through the cases of its second disruption",
                mid_stream,
                stall=STALL,
                interval=0.05,
                alive=first,
                describe=lambda: _describe_async(world_path),
            )
            first.signal(signal.SIGKILL)
            assert await first.wait(10) == -signal.SIGKILL
            timings["run-1 until SIGKILL"] = time.monotonic() - first.started
            at_kill = {**_state(world_path), "lag": await probe.lag(group, topic)}
            print(f"state when run-1 was killed: {json.dumps(at_kill)}")
            assert at_kill["cases"].get("pending", 0) > 0, at_kill

            # 3. Restart; wait until every record is committed and everything is done.
            second = start("run-2", ["run"], env)
            timings["run-2 to completion"] = await _run_to_completion(
                second, world_path, probe, group, topic
            )
            timings["run-2 SIGTERM to exit"] = await _stop_gracefully(second)
            resumed = re.findall(r"resumed (\d+) cases left pending", second.output())
            assert resumed, "the restarted daemon did not resume the pending cases"

            # What the daemon published (read now, before the reference run adds its own).
            published = {
                name: await probe.read_all(prefix + name) for name in (AGENT_ACTIONS, NOTIFICATIONS)
            }
            topics = await probe.topics()
            dead_letters = (
                await probe.read_all(prefix + DEAD_LETTERS)
                if prefix + DEAD_LETTERS in topics
                else []
            )

            # 4. The reference: a clean run of the same topic on a fresh world, never killed.
            reference = start("reference", ["run"], reference_env)
            timings["reference to completion"] = await _run_to_completion(
                reference, reference_db, probe, reference_group, topic
            )
            timings["reference SIGTERM to exit"] = await _stop_gracefully(reference)

        # 5. What a user would notice: nothing lost or done twice, and the same end as
        # the run that was never killed (checks that can fail: see effect_violations).
        assert not effect_violations(world_path), effect_violations(world_path)
        assert not effect_violations(reference_db), effect_violations(reference_db)
        run, ref = snapshot(world_path), snapshot(reference_db)
        assert not differences(ref, run), differences(ref, run)
        outcomes = Counter(outcome for _status, outcome in run.cases.values())
        assert outcomes["rebooked"] > 0 and len(run.cases) > 0

        # What reached the topics: everything sent, and more than once only by the
        # relay's at-least-once gap (published, then killed before marking the row sent).
        figures_topics: dict[str, dict[str, int]] = {}
        for name in (NOTIFICATIONS, AGENT_ACTIONS):
            rows = {key for key, (topic, _s) in run.outbox.items() if topic == name}
            sent = {key for key, (topic, s) in run.outbox.items() if topic == name and s == "sent"}
            records = published[name]
            keys = [r.headers.get("idempotency_key", b"").decode() for r in records]
            assert all(keys), f"a record on {name} has no idempotency_key header"
            assert set(keys) >= sent, f"{name} lacks records the outbox marked sent"
            assert set(keys) <= rows, f"{name} has records not in the outbox"
            figures_topics[name] = {
                "records": len(records),
                "distinct_keys": len(set(keys)),
                "duplicates": len(records) - len(set(keys)),
            }
        assert not dead_letters, f"{len(dead_letters)} records were dead-lettered"

        timings["total"] = time.monotonic() - started
        figures = {
            "events": produced,
            "cases": len(run.cases),
            "outcomes": dict(outcomes),
            "at_kill": at_kill,
            "resumed_after_restart": int(resumed[0]),
            "topics": figures_topics,
            "timings_s": {k: round(v, 1) for k, v in timings.items()},
        }
        print(f"figures: {json.dumps(figures)}")
    except BaseException:
        for proc in procs:
            print(proc.tail())
        raise
    finally:
        for proc in procs:
            proc.kill()
        await _delete_topics(kafka_bootstrap, prefix)


async def _delete_topics(bootstrap: str, prefix: str) -> None:
    """Best effort: a long-lived local broker need not keep every run's topics."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(20), KafkaProbe(bootstrap) as probe:
            await probe.delete_topics(prefix)


async def _describe_async(db: Path) -> str:
    return json.dumps(_state(db))
