"""The ops endpoints over real HTTP: a daemon's metrics, its health and its readiness."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from agent.metrics import Metrics, effect_action
from agent.runtime import Daemon
from agent.settings import AgentSettings
from airline.clock import SimulatedClock
from airline.models import FlightStatus, ReasonCode
from app.ops_server import DaemonProbe, OpsServer
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.base import Position, Received
from streams.embedded import EmbeddedBroker, EmbeddedSource, StoredRecord
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode
from travel_agent.errors import StreamError

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
# Delayed 90 minutes, XA345 (14:55 UTC) breaks two passengers' connections; with delay
# notices only from 10 hours on, those are its only cases, so the test stays fast.
DELAYED = "XA345/2026-03-01"
GATE_CHANGED = "XA102/2026-03-01"
TOPIC = TOPIC_FLIGHT_STATUS


@pytest.fixture
async def agent(world_path: Path) -> AsyncIterator[Agent]:
    settings = Settings(data_dir=world_path.parent, agent=AgentSettings(delay_notify_minutes=600))
    async with open_agent(settings, SimulatedClock(NOW, speed=0)) as opened:
        yield opened


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def event_for(agent: Agent, flight_key: str, **fields: object) -> FlightStatusEvent:
    flight = agent.deps.schedule.flights[flight_key]
    values: dict[str, object] = {
        "carrier": flight.carrier,
        "flight_number": flight.number,
        "service_date": flight.service_date,
        "origin": flight.origin,
        "destination": flight.destination,
        "sched_dep": flight.sched_dep,
        "sched_arr": flight.sched_arr,
        "est_dep": flight.sched_dep,
        "est_arr": flight.sched_arr,
        "emitted_at": NOW,
    }
    return FlightStatusEvent.model_validate(values | fields)


async def publish(broker: EmbeddedBroker, key: str, value: bytes) -> None:
    await broker.append(TOPIC, StoredRecord(key.encode(), value))


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, by name and labels."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((f"travel_agent_{name}", frozenset(labels.items())))


async def until(what: str, check: Callable[[], Awaitable[bool]], within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


async def test_a_daemon_on_the_embedded_stream_reports_what_it_did(
    agent: Agent, http: httpx.AsyncClient
) -> None:
    broker = EmbeddedBroker()
    source = EmbeddedSource(broker)
    metrics = Metrics()
    probe = DaemonProbe(metrics)
    daemon = Daemon(agent.deps, agent.graph, source, metrics=metrics)
    delay = event_for(
        agent,
        DELAYED,
        event_id="ev-delay",
        status=FlightStatus.DELAYED,
        reason=ReasonCode.WEATHER,
        est_dep=agent.deps.schedule.flights[DELAYED].sched_dep + timedelta(minutes=90),
        est_arr=agent.deps.schedule.flights[DELAYED].sched_arr + timedelta(minutes=90),
    )
    gate = event_for(
        agent, GATE_CHANGED, event_id="ev-gate", status=FlightStatus.SCHEDULED, gate="Z99"
    )
    unknown = gate.model_copy(update={"event_id": "ev-ghost", "flight_number": 9998})

    async with OpsServer(metrics, probe, port=0) as ops:
        ready = await http.get(f"{ops.url}/readyz")
        assert ready.status_code == 503
        assert ready.json()["reason"].startswith("starting")
        assert (await http.get(f"{ops.url}/healthz")).status_code == 200

        stop = asyncio.Event()
        task = asyncio.create_task(daemon.run(stop))
        probe.watch(daemon, source, task)
        await publish(broker, DELAYED, encode(delay))
        await publish(broker, DELAYED, encode(delay))  # redelivered: stale
        await publish(broker, GATE_CHANGED, encode(gate))  # not material
        await publish(broker, "junk", b'{"event_id": "ev-torn", "carrier": ')
        await publish(broker, unknown.flight_key, encode(unknown))

        async def handled_all() -> bool:
            text = (await http.get(f"{ops.url}/metrics")).text
            lag = value(text, "consumer_lag", topic=TOPIC, partition="0")
            return value(text, "event_seconds_count") == 5 and lag == 0

        await until("all five records handled and committed", handled_all)
        response = await http.get(f"{ops.url}/metrics")
        ready = await http.get(f"{ops.url}/readyz")
        health = await http.get(f"{ops.url}/healthz")
        stop.set()
        await task
        stopped = await http.get(f"{ops.url}/readyz")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.text
    assert value(text, "events_consumed_total", topic=TOPIC) == 5
    assert value(text, "dead_letters_total", reason="not_json") == 1
    assert value(text, "dead_letters_total", reason="unknown_flight") == 1
    assert value(text, "disruptions_total", kind="delay") == 1
    assert value(text, "disruptions_total", kind="gate_change") is None
    outcomes = daemon.stats.outcomes
    assert sum(outcomes.values()) == daemon.stats.cases == 2
    for outcome, count in outcomes.items():
        assert value(text, "cases_total", outcome=outcome) == count
    assert value(text, "cases_in_flight") == 0
    assert value(text, "case_seconds_count") == 2
    acts = {
        labels: v
        for (name, labels), v in samples(text).items()
        if name == "travel_agent_effect_seconds_count"
    }
    assert sum(acts.values()) >= 2  # one act per case, more after a lost seat race
    rebooked_and_told = sum(
        count
        for labels, count in acts.items()
        if {"notify", "rebook"} <= set(dict(labels)["action"].split("+"))
    )
    assert rebooked_and_told >= outcomes["rebooked"] > 0
    assert value(text, "consumer_lag", topic=TOPIC, partition="0") == 0

    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert (health.status_code, health.json()) == (200, {"status": "alive"})
    assert stopped.status_code == 503
    assert stopped.json() == {"status": "not_ready", "reason": "the daemon has stopped"}


class _BrokenSource:
    async def records(self) -> AsyncIterator[Received]:
        raise RuntimeError("the disk is on fire")
        yield  # an async generator that fails on its first record

    async def commit(self, position: Position) -> None:
        raise AssertionError("nothing to commit")

    async def dead_letter(self, record: Received) -> None:
        raise AssertionError("nothing to dead-letter")


async def test_healthz_fails_once_the_daemon_task_has_crashed(
    agent: Agent, http: httpx.AsyncClient
) -> None:
    metrics = Metrics()
    probe = DaemonProbe(metrics)
    daemon = Daemon(agent.deps, agent.graph, _BrokenSource(), metrics=metrics)
    async with OpsServer(metrics, probe, port=0) as ops:
        task = asyncio.create_task(daemon.run(asyncio.Event()))
        probe.watch(daemon, daemon.source, task)
        with pytest.raises(RuntimeError, match="on fire"):
            await task
        health = await http.get(f"{ops.url}/healthz")
        ready = await http.get(f"{ops.url}/readyz")
    assert health.status_code == 503
    assert health.json()["status"] == "failed"
    assert "the disk is on fire" in health.json()["reason"]
    assert ready.status_code == 503


class _Consuming:
    consuming = True


class _KafkaLike:
    """Answers lag() as a Kafka source would: per partition, nothing yet, or an error."""

    def __init__(self) -> None:
        self.answer: dict[tuple[str, int], int] | Exception = {}
        self.asked = 0

    async def lag(self) -> dict[tuple[str, int], int]:
        self.asked += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


async def test_readyz_says_why_not_until_partitions_are_assigned_and_the_broker_answers(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.ops_server.SOURCE_CACHE_SECONDS", 0.0)
    metrics = Metrics()
    probe = DaemonProbe(metrics)
    source = _KafkaLike()
    probe.watch(_Consuming(), source)
    async with OpsServer(metrics, probe, port=0) as ops:
        unassigned = await http.get(f"{ops.url}/readyz")
        source.answer = {("flight.status", 0): 3, ("flight.status", 1): 0}
        assigned = await http.get(f"{ops.url}/readyz")
        scraped = (await http.get(f"{ops.url}/metrics")).text
        source.answer = StreamError("cannot get the end offsets of flight.status: timed out")
        unreachable = await http.get(f"{ops.url}/readyz")
        scraped_after = (await http.get(f"{ops.url}/metrics")).text

    assert unassigned.status_code == 503
    assert "no partition assigned" in unassigned.json()["reason"]
    assert assigned.status_code == 200
    assert value(scraped, "consumer_lag", topic="flight.status", partition="0") == 3
    assert value(scraped, "consumer_lag", topic="flight.status", partition="1") == 0
    assert unreachable.status_code == 503
    assert unreachable.json()["reason"].startswith("the source is unreachable")
    # While the broker is away the gauges keep the last values they had.
    assert value(scraped_after, "consumer_lag", topic="flight.status", partition="0") == 3


class _Hanging:
    async def lag(self) -> dict[tuple[str, int], int]:
        await asyncio.Event().wait()  # a broker that never answers
        raise AssertionError("unreachable")


async def test_readyz_does_not_wait_long_for_a_broker_that_does_not_answer(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.ops_server.SOURCE_TIMEOUT", 0.1)
    metrics = Metrics()
    probe = DaemonProbe(metrics)
    probe.watch(_Consuming(), _Hanging())
    async with OpsServer(metrics, probe, port=0) as ops:
        ready = await http.get(f"{ops.url}/readyz")
        health = await http.get(f"{ops.url}/healthz")
    assert ready.status_code == 503
    assert ready.json()["reason"] == "the source did not answer within 0.1 s"
    assert health.status_code == 200  # slow broker, live daemon


async def test_probes_at_once_share_one_look_at_the_source(http: httpx.AsyncClient) -> None:
    metrics = Metrics()
    probe = DaemonProbe(metrics)
    source = _KafkaLike()
    source.answer = {("flight.status", 0): 0}
    probe.watch(_Consuming(), source)
    async with OpsServer(metrics, probe, port=0) as ops:
        answers = await asyncio.gather(*(http.get(f"{ops.url}/readyz") for _ in range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    assert source.asked == 1


async def _exchange(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()


async def test_the_server_refuses_bad_requests_clearly_and_keeps_serving(
    http: httpx.AsyncClient,
) -> None:
    metrics = Metrics()
    probe = DaemonProbe(metrics)
    async with OpsServer(metrics, probe, port=0) as ops:
        port = ops.port
        # A client that never ends its headers holds its own connection, no one else's.
        silent = asyncio.create_task(_exchange(port, b"GET /healthz HTTP/1.1\r\n"))
        garbage = await _exchange(port, b"\x16\x03\x01 hello\r\n\r\n")
        post = await _exchange(port, b"POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        missing = await _exchange(port, b"GET /admin HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await _exchange(port, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        too_long = await _exchange(port, b"GET /" + b"a" * 200_000 + b" HTTP/1.1\r\n\r\n")
        query = await _exchange(port, b"GET /healthz?verbose=1 HTTP/1.0\r\n\r\n")
        assert (await http.get(f"{ops.url}/healthz")).status_code == 200
        assert not silent.done()
    assert (await silent) == b""  # closed when the server stops, without an answer

    assert garbage.startswith(b"HTTP/1.1 400 ")
    assert post.startswith(b"HTTP/1.1 405 ")
    assert b"\r\nallow: get, head\r\n" in post.lower()
    assert missing.startswith(b"HTTP/1.1 404 ")
    assert json.loads(missing.split(b"\r\n\r\n", 1)[1]) == {"error": "no such endpoint: /admin"}
    assert head.startswith(b"HTTP/1.1 200 ")
    assert head.endswith(b"\r\n\r\n")  # HEAD: headers only
    assert too_long.startswith(b"HTTP/1.1 400 ")
    assert query.startswith(b"HTTP/1.1 200 ")


async def test_each_metrics_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.event_consumed(TOPIC)
    first.event_consumed(TOPIC)
    assert value(first.exposition().decode(), "events_consumed_total", topic=TOPIC) == 2
    assert value(second.exposition().decode(), "events_consumed_total", topic=TOPIC) is None
    assert REGISTRY.get_sample_value("travel_agent_events_consumed_total", {"topic": TOPIC}) is None


def test_the_effect_label_names_the_kinds_of_effects_of_an_act() -> None:
    assert effect_action(["rebook", "notify:rebooked"]) == "notify+rebook"
    assert effect_action(["rebook:already-done", "notify:already-sent"]) == "notify+rebook"
    assert effect_action(["seat-race-lost"]) == "seat_race_lost"
    assert effect_action([]) == "none"
