"""Helpers for the Kafka resilience tests: events built from the seeded world, malformed
records of every kind, producing with known positions, the broker's own control script,
and the invariants that say no effect happened twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from aiokafka import AIOKafkaProducer

from airline.models import Flight, FlightStatus, ReasonCode
from airline.schedule import Schedule
from streams.events import FlightStatusEvent, encode
from streams.simulator import generate_day
from travel_agent.db import Database

from .helpers import inventory_mismatches, query, scalar, scaled

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]
KAFKA_LOCAL = REPO / "scripts" / "kafka-local"


# --- the seeded world's flights and events ------------------------------------------


async def load_flights(world: Path) -> list[Flight]:
    """The seeded schedule, in departure order."""
    async with Database(f"sqlite+aiosqlite:///{world}") as db:
        schedule = await Schedule.load(db)
    return sorted(schedule.flights.values(), key=lambda f: (f.sched_dep, f.key))


def the_day(flights: Sequence[Flight], *, seed: int) -> list[FlightStatusEvent]:
    """The simulated day `travel-agent simulate` would produce for this world."""
    return generate_day(list(flights), seed=seed)


def quiet_events(flights: Sequence[Flight], count: int, *, tag: str) -> list[FlightStatusEvent]:
    """`count` valid events that open no case: gate changes, small delays, departures.

    Each flight's estimate moves by less than the board's material shift (15 min) from
    one event to the next, so every event changes the board but none disrupts anyone.
    Returned in `emitted_at` order (per flight, strictly increasing).
    """
    # (status, minutes late, gate) for the n-th event of a flight.
    steps = [
        (FlightStatus.SCHEDULED, 0, "A1"),
        (FlightStatus.DELAYED, 5, "A1"),
        (FlightStatus.GATE_CHANGE, 5, "B7"),
        (FlightStatus.DELAYED, 10, "B7"),
        (FlightStatus.DEPARTED, 10, "B7"),
    ]
    per_flight, extra = divmod(count, len(flights))
    if per_flight + (1 if extra else 0) > len(steps):
        raise ValueError(f"{count} events is more than {len(steps)} per flight")
    events: list[FlightStatusEvent] = []
    for index, flight in enumerate(flights):
        for seq in range(per_flight + (1 if index < extra else 0)):
            status, late, gate = steps[seq]
            events.append(
                FlightStatusEvent.about(
                    flight,
                    event_id=f"{tag}-{flight.key}-{seq}",
                    status=status,
                    est_dep=flight.sched_dep + timedelta(minutes=late),
                    est_arr=flight.sched_arr + timedelta(minutes=late),
                    reason=ReasonCode.ATC if late else None,
                    gate=gate,
                    emitted_at=flight.sched_dep - timedelta(hours=12) + timedelta(minutes=10 * seq),
                )
            )
    return sorted(events, key=lambda e: (e.emitted_at, e.flight_key))


def last_event_per_flight(events: Sequence[FlightStatusEvent]) -> dict[str, str]:
    """flight key -> the id of the newest event for it (what the board must end up with)."""
    newest: dict[str, FlightStatusEvent] = {}
    for event in events:
        held = newest.get(event.flight_key)
        if held is None or event.emitted_at > held.emitted_at:
            newest[event.flight_key] = event
    return {key: event.event_id for key, event in newest.items()}


@dataclass(frozen=True)
class Bad:
    """A record that must end on the dead-letter topic, and the reason it must carry."""

    key: bytes | None
    value: bytes | None
    reason: str


def poison_records(template: FlightStatusEvent) -> list[Bad]:
    """The issue's poison: records that once stopped the daemon (deep nesting, a huge
    integer) or fooled it (a stamp from 2099 or year 1, the wrong route) — each must be
    dead-lettered with its reason, and every record behind it handled."""
    good: dict[str, Any] = json.loads(encode(template))
    key = template.flight_key.encode()

    def variant(**changes: Any) -> bytes:
        return json.dumps({**good, **changes}).encode()

    return [
        Bad(key, b"[" * 1000 + b"]" * 1000, "too_deep"),
        Bad(key, b'{"a":' * 1000 + b"1" + b"}" * 1000, "too_deep"),
        Bad(key, b'{"schema_version": ' + b"9" * 5000 + b"}", "number_too_long"),
        Bad(key, variant(event_id="poison-2099", emitted_at="2099-01-01T00:00:00+00:00"),
            "emitted_in_future"),
        Bad(key, variant(event_id="poison-year-1", emitted_at="0001-01-01T00:00:00+00:00"),
            "emitted_too_long_ago"),
        Bad(key, variant(event_id="poison-route", origin=template.destination,
                         destination=template.origin), "route_mismatch"),
    ]  # fmt: skip


def malformed_records(template: FlightStatusEvent, service_date: date) -> list[Bad]:
    """Fifty records the daemon must dead-letter, eight kinds of wrong, and the issue's
    poison (`poison_records`)."""
    good: dict[str, Any] = json.loads(encode(template))
    key = template.flight_key.encode()

    def variant(**changes: Any) -> bytes:
        return json.dumps({**good, **changes}).encode()

    def moved(dep: timedelta, arr: timedelta | None = None) -> bytes:
        """The estimates moved by `dep` (departure) and `arr` (arrival, default: `dep`)."""
        return variant(
            est_dep=(template.est_dep + dep).isoformat(),
            est_arr=(template.est_arr + (dep if arr is None else arr)).isoformat(),
        )

    hours = timedelta(hours=1)
    unknown = {"carrier": "XA", "flight_number": 9000, "service_date": service_date.isoformat()}
    bad = [
        *(Bad(key, b"", "empty") for _ in range(6)),
        *(Bad(key, None, "empty") for _ in range(4)),
        Bad(key, b"{not json", "not_json"),
        Bad(key, b"\xff\xfe\x00garbage", "not_json"),
        Bad(key, b"flight XA101 delayed", "not_json"),
        Bad(key, b'{"event_id": "x",', "not_json"),
        Bad(None, b"<xml/>", "not_json"),
        Bad(key, b"{'single': 'quotes'}", "not_json"),
        Bad(key, b"NaN-ish", "not_json"),
        Bad(key, b"\x00\x01\x02", "not_json"),
        Bad(key, b"[1, 2, 3]", "not_object"),
        Bad(key, b'"a string"', "not_object"),
        Bad(key, b"42", "not_object"),
        Bad(key, b"null", "not_object"),
        Bad(key, variant(flight_number="one-oh-one"), "invalid_field"),
        Bad(key, variant(carrier=12), "invalid_field"),
        Bad(key, variant(status="boarding"), "invalid_field"),
        Bad(key, variant(est_dep="soon"), "invalid_field"),
        Bad(key, variant(origin="frankfurt"), "invalid_field"),
        Bad(key, variant(surprise=True), "invalid_field"),
        Bad(key, variant(event_id=""), "invalid_field"),
        Bad(key, variant(emitted_at="2026-03-01T05:00:00"), "invalid_field"),  # no offset
        Bad(key, moved(120 * hours, timedelta()), "absurd_time"),  # lands before it leaves
        Bad(key, moved(96 * hours), "absurd_time"),
        Bad(key, moved(80 * hours), "absurd_time"),
        Bad(key, moved(-9 * hours, timedelta()), "absurd_time"),
        Bad(key, moved(-7 * hours), "absurd_time"),
        Bad(key, moved(timedelta(), template.est_dep - template.est_arr), "absurd_time"),
        Bad(key, moved(timedelta(minutes=30), -timedelta(hours=30)), "absurd_time"),
        Bad(key, variant(sched_arr=template.sched_dep.isoformat()), "absurd_time"),
        *(
            Bad(
                b"XA9000/" + service_date.isoformat().encode(),
                variant(event_id=f"unknown-{n}", **unknown),
                "unknown_flight",
            )
            for n in range(6)
        ),
        *(Bad(key, variant(schema_version=v), "unsupported_schema_version") for v in (2, 3, 99)),
        Bad(key, variant(schema_version="1"), "unsupported_schema_version"),
        Bad(key, variant(schema_version=True), "unsupported_schema_version"),
        Bad(key, variant(schema_version=0), "unsupported_schema_version"),
    ]
    assert len(bad) == 50, len(bad)
    return bad + poison_records(template)


# --- producing with known positions --------------------------------------------------


@dataclass(frozen=True)
class Produced:
    key: bytes | None
    value: bytes | None
    partition: int
    offset: int


async def produce(
    bootstrap: str, topic: str, records: Sequence[tuple[bytes | None, bytes | None]]
) -> list[Produced]:
    """Send `records` (key, value) in order, idempotently; where each one landed."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    try:
        futures = [await producer.send(topic, key=k, value=v) for k, v in records]
        landed = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return [
        Produced(k, v, meta.partition, meta.offset)
        for (k, v), meta in zip(records, landed, strict=True)
    ]


def events_as_records(events: Sequence[FlightStatusEvent]) -> list[tuple[bytes, bytes]]:
    return [(e.flight_key.encode(), encode(e)) for e in events]


def interleave(good: Sequence[T], bad: Sequence[T], *, seed: int) -> list[T]:
    """`bad` scattered among `good` at random places; both keep their order."""
    rng = random.Random(seed)
    slots = sorted(rng.sample(range(len(good) + len(bad)), len(bad)))
    merged: list[T] = []
    good_iter, bad_iter = iter(good), iter(bad)
    for index in range(len(good) + len(bad)):
        merged.append(next(bad_iter) if slots and slots[0] == index else next(good_iter))
        if slots and slots[0] == index:
            slots.pop(0)
    return merged


# --- the broker's control script -----------------------------------------------------


def kafka_local(command: str, *, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`scripts/kafka-local <command>` with this environment (its port and state dir);
    `timeout` is scaled by TEST_TIME_SCALE."""
    return subprocess.run(
        [str(KAFKA_LOCAL), command],
        capture_output=True,
        text=True,
        timeout=scaled(timeout),
        check=False,
        env=dict(os.environ),
    )


def broker_not_ours() -> str | None:
    """Why this test may not stop and start the broker, or None if it may."""
    if os.environ.get("KAFKA_BOOTSTRAP"):
        return "KAFKA_BOOTSTRAP names an outside broker, which this test cannot restart"
    status = kafka_local("status", timeout=30)
    if status.returncode != 0:
        return f"the broker was not started by scripts/kafka-local ({status.stdout.strip()})"
    return None


# --- what the daemon left in its database ---------------------------------------------


def board_events(db: Path) -> dict[str, str]:
    return {str(k): str(v) for k, v in query(db, "SELECT flight_key, last_event_id FROM board")}


def effect_violations(db: Path) -> list[str]:
    """Every way the database says an effect happened twice, a case was lost or a row was
    left undelivered — each a check that can fail. (The ledger's unique key already stops
    one key twice; what it cannot stop is a second effect under another key.)"""
    problems: list[str] = []
    statuses = Counter(str(s) for (s,) in query(db, "SELECT status FROM cases"))
    if set(statuses) - {"done", "awaiting_approval"}:
        problems.append(f"cases not finished: {dict(statuses)}")
    ledger = query(db, "SELECT case_id, action, pnr FROM action_ledger")
    twice = Counter(
        (action, case if action == "rebook" else pnr)
        for case, action, pnr in ledger
        if action in ("rebook", "compensate")  # once per case; once per journey
    )
    repeated = [key for key, n in twice.items() if n > 1]
    if repeated:
        problems.append(f"{len(repeated)} effects twice (by case or journey): {repeated[:3]}")
    rebooks = {str(case) for case, action, _p in ledger if action == "rebook"}
    rebooked = {str(c) for (c,) in query(db, "SELECT id FROM cases WHERE outcome = 'rebooked'")}
    if rebooks != rebooked:
        problems.append(f"{len(rebooks ^ rebooked)} cases differ between rebookings and outcomes")
    notify_rows = scalar(db, "SELECT COUNT(*) FROM action_ledger WHERE action = 'notify'")
    outbox_rows = scalar(db, "SELECT COUNT(*) FROM outbox WHERE topic = 'notifications.outbound'")
    if notify_rows != outbox_rows:
        problems.append(f"{notify_rows} notify ledger rows but {outbox_rows} notifications")
    undelivered = query(
        db,
        "SELECT status, COUNT(*) FROM outbox WHERE status NOT IN ('sent', 'superseded')"
        " AND NOT (status = 'pending' AND json_extract(payload, '$.not_before') IS NOT NULL)"
        " GROUP BY status",
    )  # (a message held for the passenger's quiet hours waits on purpose)
    if undelivered:
        problems.append(f"outbox rows not delivered: {dict(undelivered)}")
    mismatches = inventory_mismatches(db)
    if mismatches:
        problems.append(f"inventory.sold != active segments: {mismatches[:5]}")
    return problems


def daemon_settings(bootstrap: str, prefix: str, group: str, data_dir: Path) -> dict[str, str]:
    return {
        "TRAVEL_AGENT_SOURCE": "kafka",
        "TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
        "TRAVEL_AGENT_KAFKA__TOPIC_PREFIX": prefix,
        "TRAVEL_AGENT_KAFKA__GROUP_ID": group,
        "TRAVEL_AGENT_DATA_DIR": str(data_dir),
    }
