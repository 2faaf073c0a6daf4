"""The daemon SIGKILLed again and again, its broker restarted, ends as a run never
interrupted: the same cases and outcomes, the same ledger, no effect twice, every
record handled (the issue's poison among them), every outbox row sent.

The harness is `tests/integration/chaos.py` (its docstring says how a run goes and why
one partition and one case at a time). The size of the run comes from the environment,
so that `make evals` runs a larger one than CI:

    CHAOS_KILLS (10), CHAOS_BROKER_RESTARTS (3), CHAOS_FEED_SECONDS (120),
    CHAOS_SCENARIO (normal; storm: one airport closed for three hours),
    CHAOS_SHARE (0.25: the day of a quarter of the aircraft rotations; 1: the whole day,
    ~2,900 cases, about a quarter of an hour per run on this two-core machine)
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from streams.simulator import generate_day
from tests.conftest import SEED, missing_service

from .chaos import (
    AGENT_ACTIONS,
    NOTIFICATIONS,
    Chaos,
    ChaosPlan,
    Snapshot,
    broker_restartable,
    differences,
    problems,
    records_of,
    resumed,
    retired_unsent,
    snapshot,
)
from .helpers import message_pseudonym, repeats
from .resilience_helpers import interleave, load_flights, poison_records

pytestmark = pytest.mark.integration


def _plan() -> ChaosPlan:
    return ChaosPlan(
        kills=int(os.environ.get("CHAOS_KILLS", "10")),
        broker_restarts=int(os.environ.get("CHAOS_BROKER_RESTARTS", "3")),
        feed_seconds=float(os.environ.get("CHAOS_FEED_SECONDS", "120")),
    )


async def test_killed_and_its_broker_restarted_the_daemon_ends_as_an_uninterrupted_run(
    kafka_bootstrap: str, world_template: Path, world_path: Path, tmp_path: Path
) -> None:
    why_not = broker_restartable()
    if why_not:
        missing_service(f"cannot restart the broker: {why_not}")
    plan = _plan()
    scenario = os.environ.get("CHAOS_SCENARIO", "normal")
    assert scenario in ("normal", "storm"), scenario
    flights = await load_flights(world_path)
    share = float(os.environ.get("CHAOS_SHARE", "0.25"))
    tails = sorted({f.tail for f in flights})
    kept = set(tails[:: max(1, round(1 / share))])  # whole rotations: connections hold
    day = generate_day(
        [f for f in flights if f.tail in kept],
        seed=SEED,
        scenario=scenario,  # type: ignore[arg-type]
    )
    poison = poison_records(day[len(day) // 3])
    # The poison early in the day, among the genuine records.
    early = len(day) // 4
    records = [
        *interleave(records_of(day[:early]), [(b.key, b.value) for b in poison], seed=SEED),
        *records_of(day[early:]),
    ]
    async with Chaos(kafka_bootstrap, world_template, tmp_path) as chaos:
        try:
            run, report = await chaos.run_chaos(records, plan)
            dead_after_chaos = await chaos.dead_letters()
            actions = await chaos.published(AGENT_ACTIONS)
            notifications = await chaos.published(NOTIFICATIONS)
            reference, reference_s = await chaos.run_reference()
            dead_after_reference = await chaos.dead_letters()
        except BaseException:
            print(chaos.tails())
            raise
    # The dead-letter topic is shared: the reference's are those it added.
    chaos_positions = {(r.partition, r.offset) for r in dead_after_chaos}
    reference_dead = [
        r for r in dead_after_reference if (r.partition, r.offset) not in chaos_positions
    ]
    got = snapshot(run.db, dead_after_chaos)
    expected = snapshot(reference.db, reference_dead)

    delivered = run.channel_deliveries()
    sent_messages = {
        key
        for key, (topic, status) in got.outbox.items()
        if (topic, status) == (NOTIFICATIONS, "sent")
    }
    undelivered = [k for k in sent_messages if message_pseudonym(k) not in delivered]
    figures = {
        "scenario": scenario,
        "share": share,
        "records": len(records),
        "kills": len(report.kills),
        "kills_with_cases_in_flight": report.kills_mid_case(),
        "broker_restarts": report.broker_restarts,
        "cases_resumed_after_kills": resumed(run),
        "cases": len(got.cases),
        "outcomes": _outcomes(got),
        "ledger_effects": len(got.ledger),
        "dead_letters": len(got.dead_letters),
        "differences": differences(expected, got),
        "retired_unsent": retired_unsent(expected, got),
        "messages_sent": len(sent_messages),
        "channel_deliveries": delivered.total(),
        "sent_but_not_delivered": len(undelivered),
        "duplicates": {
            # At least once, with a key: counted, not hidden.
            "agent.actions": repeats(actions),
            "notifications.outbound": repeats(notifications),
            # The same message (idempotency key) delivered again by the channel.
            "channel": repeats(delivered),
            "dead_letters": len(dead_after_chaos) - len(got.dead_letters),
        },
        "feeding": report.feeding,
        "timings_s": {**report.timings, "reference": reference_s},
    }
    print(f"figures: {json.dumps(figures)}")

    assert len(report.kills) >= plan.kills and len(report.broker_restarts) >= plan.broker_restarts
    assert report.kills_mid_case() > 0, "no kill landed while cases were in flight"
    assert not problems(reference.db), problems(reference.db)
    assert not problems(run.db), problems(run.db)
    # Every poison record dead-lettered with its reason, by both runs.
    reasons = sorted(reason for reason in got.dead_letters.values())
    assert reasons == sorted(b.reason for b in poison), reasons
    assert not differences(expected, got), figures["differences"]
    # What was published: every effect and message of the outbox, each at least once.
    sent = {key for key, (topic, status) in got.outbox.items() if status == "sent"}
    assert sent <= set(actions) | set(notifications), "a sent row is not on its topic"
    assert set(actions) | set(notifications) <= set(got.outbox), "a record not in the outbox"
    # Every message marked sent was delivered by the channel (at least once).
    assert not undelivered, f"{len(undelivered)} sent messages never delivered: {undelivered[:5]}"


def _outcomes(snap: Snapshot) -> dict[str, int]:
    return dict(Counter(str(outcome) for _status, outcome in snap.cases.values()))
