"""Nothing a record holds can stop the daemon: every record is applied, found stale, or
dead-lettered with a reason, and its offset is committed.

Hypothesis generates what we did not think of: arbitrary bytes, and near-valid events —
a real flight's event with one field replaced by any JSON value, removed, doubled, or
replaced by a poison (deep nesting, a huge integer, a huge string), or with its times
moved anywhere. The issue's own poison records (JSON nested 1,000 deep, an integer of
5,000 digits) once raised outside the dead-letter handling and stopped the daemon at the
same offset on every restart; they are pinned here too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from agent.runtime import Daemon
from agent.settings import AgentSettings
from airline.clock import EventTimeClock
from airline.models import Flight, FlightStatus
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.base import Position, receive
from streams.codec import MAX_RECORD_BYTES, decode
from streams.embedded import EmbeddedBroker, EmbeddedSource, StoredRecord
from streams.events import TOPIC_DEAD_LETTERS, TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode
from travel_agent.errors import DecodeError, EventError

POSITION = Position(TOPIC_FLIGHT_STATUS, 0, 0)
START = datetime(2026, 2, 28, 6, 0, tzinfo=UTC)

# The issue's poison: each once escaped the dead-letter handling.
DEEP_ARRAY = b"[" * 1000 + b"]" * 1000
DEEP_OBJECT = b'{"a":' * 1000 + b"1" + b"}" * 1000
HUGE_INT_VERSION = b'{"schema_version": ' + b"9" * 5000 + b"}"
HUGE_INT = b"9" * 5000


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (DEEP_ARRAY, "too_deep"),
        (DEEP_OBJECT, "too_deep"),
        (HUGE_INT_VERSION, "number_too_long"),
        (HUGE_INT, "number_too_long"),
        (b'"' + b"a" * (MAX_RECORD_BYTES + 1) + b'"', "too_large"),
        (b'["' + b"[" * 5000 + b'"]', "not_object"),  # brackets inside a string are text
        (b'["\\\\"' + b",[" * 40 + b"]" * 40 + b"]", "too_deep"),  # an escaped backslash
    ],
)
def test_the_issues_poison_records_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as refused:
        decode(raw)
    assert refused.value.reason == reason
    record = receive(POSITION, raw)
    assert record.event is None and record.error is not None
    assert record.error.reason == reason


@given(st.binary(max_size=2048))
@settings(max_examples=600, deadline=None)
def test_receive_never_raises_on_any_bytes(raw: bytes) -> None:
    record = receive(POSITION, raw, b"key")
    assert (record.event is None) != (record.error is None)
    if record.error is not None:
        assert isinstance(record.error, EventError) and record.error.reason


def test_receive_turns_an_unforeseen_exception_into_a_dead_letter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The border's catch-all: a parser that raises something no one foresaw."""

    def broken(_raw: bytes | None) -> FlightStatusEvent:
        raise MemoryError("the parser gave up")

    monkeypatch.setattr("streams.base.decode", broken)
    record = receive(POSITION, b"{}")
    assert record.error is not None and record.error.reason == "undecodable"
    assert "MemoryError: the parser gave up" in record.error.detail


# --- near-valid events, through the daemon --------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
POISONS = st.sampled_from(
    [
        "[" * 1000 + "]" * 1000,
        '{"a":' * 600 + "1" + "}" * 600,
        "9" * 5000,
        "-" + "1" * 4400,
        '"' + "x" * (MAX_RECORD_BYTES + 10) + '"',
        "1e999999",
        '"\\ud800"',
        '"\\u0000"',
    ]
)
FIELDS = sorted(FlightStatusEvent.model_fields)
TIMES = ("sched_dep", "sched_arr", "est_dep", "est_arr", "emitted_at")
ANY_TIME = st.datetimes(
    min_value=datetime(1, 1, 2),  # noqa: DTZ001 - given a zone below
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=st.sampled_from([UTC]),
)


@dataclass
class Rig:
    """One daemon over the seeded world, fed one record at a time on a loop of its own."""

    runner: asyncio.Runner
    agent: Agent
    broker: EmbeddedBroker
    daemon: Daemon
    flights: list[Flight]
    offset: int = 0

    def feed(self, raw: bytes | None, key: bytes | None = b"k") -> str:
        """Hand one record to the daemon; how it ended: dead_letter, applied or stale."""
        return self.runner.run(self._feed(raw, key))

    async def _feed(self, raw: bytes | None, key: bytes | None) -> str:
        broker, offset = self.broker, self.offset
        self.offset += 1
        await broker.append(TOPIC_FLIGHT_STATUS, StoredRecord(key, raw))
        dead_before = len(broker.topics[TOPIC_DEAD_LETTERS])
        source = self.daemon.source
        assert isinstance(source, EmbeddedSource)
        (record,) = [r async for r in source.records()]  # exactly the new one
        assert record.position.offset == offset
        await self.daemon.handle(record)  # must not raise, whatever the record
        await self.daemon.checkpoint()
        assert broker.committed[(source.group, TOPIC_FLIGHT_STATUS)] == offset, "not committed"
        dead = broker.topics[TOPIC_DEAD_LETTERS][dead_before:]
        if dead:
            assert len(dead) == 1
            headers = dead[0].headers
            assert headers["original_offset"] == str(offset).encode()
            assert headers["reason"] and headers["reason"] != b"unknown"
            assert (dead[0].value or b"") == (raw or b"")
            return "dead_letter"
        event = record.event
        assert event is not None, f"record {offset} neither applied nor dead-lettered"
        held = self.agent.deps.board.get(event.flight_key)
        assert held is not None
        if held.event_id == event.event_id:
            return "applied"
        assert held.emitted_at >= event.emitted_at, "a newer event was neither applied nor stale"
        return "stale"


@pytest.fixture(scope="module")
def rig(world_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    from travel_agent.db import copy_sqlite

    data = tmp_path_factory.mktemp("poison")
    copy_sqlite(world_template, data / "airline.sqlite")
    # Delays of an hour or more only: a generated 20-minute delay would open cases, which
    # is not what these records are about (and costs seconds each).
    settings = Settings(data_dir=data, agent=AgentSettings(delay_notify_minutes=600))
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        agent = runner.run(stack.enter_async_context(open_agent(settings, EventTimeClock(START))))
        broker = EmbeddedBroker()
        source = EmbeddedSource(broker, follow=False)
        daemon = Daemon(agent.deps, agent.graph, source)
        flights = sorted(agent.deps.schedule.flights.values(), key=lambda f: f.key)
        yield Rig(runner, agent, broker, daemon, flights)
        runner.run(stack.aclose())


def _valid(flight: Flight, n: int, minutes_late: int, emitted: datetime) -> dict[str, Any]:
    event = FlightStatusEvent.about(
        flight,
        event_id=f"p-{n}",
        status=FlightStatus.DELAYED if minutes_late else FlightStatus.SCHEDULED,
        est_dep=flight.sched_dep + timedelta(minutes=minutes_late),
        est_arr=flight.sched_arr + timedelta(minutes=minutes_late),
        emitted_at=emitted,
    )
    data: dict[str, Any] = json.loads(encode(event))
    return data


@st.composite
def near_valid(draw: st.DrawFn, flights: list[Flight]) -> bytes:
    flight = draw(st.sampled_from(flights))
    n = draw(st.integers(0, 10**6))
    late = draw(st.integers(0, 10))  # under the material shift: no case opens
    emitted = flight.sched_dep - timedelta(minutes=draw(st.integers(1, 3000)))
    data = _valid(flight, n, late, emitted)
    how = draw(st.sampled_from(["as_is", "replace", "remove", "extra", "poison", "time", "route"]))
    if how == "replace":
        data[draw(st.sampled_from(FIELDS))] = draw(JSON_VALUES)
    elif how == "remove":
        data.pop(draw(st.sampled_from(FIELDS)), None)
    elif how == "extra":
        data[draw(st.text(min_size=1, max_size=8))] = draw(JSON_VALUES)
    elif how == "time":
        data[draw(st.sampled_from(TIMES))] = draw(ANY_TIME).isoformat()
    elif how == "route":
        field = draw(st.sampled_from(["origin", "destination"]))
        data[field] = draw(st.sampled_from(sorted({f.origin for f in flights})))
    if how == "poison":
        data[draw(st.sampled_from(FIELDS))] = "__POISON__"
        return json.dumps(data).replace('"__POISON__"', draw(POISONS)).encode()
    return json.dumps(data).encode()


@given(data=st.data())
@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_record_is_applied_stale_or_dead_lettered_and_committed(
    rig: Rig, data: st.DataObject
) -> None:
    raw = data.draw(
        st.one_of(
            st.binary(max_size=512),
            st.none(),
            near_valid(rig.flights),
            near_valid(rig.flights),
            near_valid(rig.flights),
        ),
        label="record",
    )
    outcome = rig.feed(raw)
    assert outcome in {"applied", "stale", "dead_letter"}
    event(outcome)


def test_the_daemon_keeps_going_after_each_poison_record(rig: Rig) -> None:
    """Behind each poison record, a valid one is applied (they once stopped the daemon)."""
    flight = rig.flights[0]
    emitted = flight.sched_dep  # later than any the property test emits for it
    for n, poison in enumerate([DEEP_ARRAY, DEEP_OBJECT, HUGE_INT_VERSION, HUGE_INT]):
        assert rig.feed(poison) == "dead_letter"
        good = _valid(flight, 10**7 + n, 0, emitted + timedelta(minutes=n))
        assert rig.feed(json.dumps(good).encode()) == "applied"
