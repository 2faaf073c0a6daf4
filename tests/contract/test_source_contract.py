"""The Source contract: one suite that the embedded and the Kafka source must both pass.

Each test gets a fresh source on a topic of its own (on Kafka: a unique topic of three
partitions, its own dead-letter topic and unique consumer groups), a producer sink for
that topic, and a way to read the dead letters back. The Kafka runs need a real broker
(the `kafka_bootstrap` fixture): they skip on a laptop without one and fail in CI.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from streams.base import Received, Sink, Source
from streams.embedded import EmbeddedBroker, EmbeddedSink, EmbeddedSource
from streams.events import TOPIC_DEAD_LETTERS, FlightStatus, FlightStatusEvent, encode
from streams.kafka import KafkaSink, KafkaSource

TAKE_TIMEOUT = 30.0
T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Letter:
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]


@dataclass
class Stream:
    """A topic, a producer for it, and sources on it for any consumer group."""

    topic: str
    sink: Sink
    open_source: Callable[[str], AbstractAsyncContextManager[Source]]
    read_dead_letters: Callable[[], AsyncIterator[Letter]]
    partitions: int

    async def publish(self, key: str, value: bytes) -> None:
        await self.sink.send(self.topic, key, value)

    async def dead_letters(self, count: int) -> list[Letter]:
        """The first `count` dead letters (waiting for them to arrive)."""
        letters: list[Letter] = []
        async with asyncio.timeout(TAKE_TIMEOUT):
            async for letter in self.read_dead_letters():
                letters.append(letter)
                if len(letters) == count:
                    break
        return letters


@pytest.fixture(params=["embedded", pytest.param("kafka", marks=pytest.mark.integration)])
async def stream(request: pytest.FixtureRequest) -> AsyncIterator[Stream]:
    if request.param == "embedded":
        async with _embedded_stream() as opened:
            yield opened
    else:
        bootstrap: str = request.getfixturevalue("kafka_bootstrap")
        async with _kafka_stream(bootstrap) as opened:
            yield opened


@asynccontextmanager
async def _embedded_stream() -> AsyncIterator[Stream]:
    broker = EmbeddedBroker()
    topic = f"contract.{uuid.uuid4().hex[:8]}.flight.status"

    @asynccontextmanager
    async def open_source(group: str) -> AsyncIterator[Source]:
        async with EmbeddedSource(broker, topic=topic, group=group) as source:
            yield source

    async def read_dead_letters() -> AsyncIterator[Letter]:
        offset = 0
        while await broker.wait_beyond(TOPIC_DEAD_LETTERS, offset):
            stored = broker.topics[TOPIC_DEAD_LETTERS][offset]
            yield Letter(stored.key, stored.value, _text(stored.headers.items()))
            offset += 1

    try:
        yield Stream(topic, EmbeddedSink(broker), open_source, read_dead_letters, partitions=1)
    finally:
        await broker.close()


@asynccontextmanager
async def _kafka_stream(bootstrap: str) -> AsyncIterator[Stream]:
    run = uuid.uuid4().hex[:8]
    topic = f"contract.{run}.flight.status"
    dead_letter_topic = f"{topic}.dlq"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(topic, num_partitions=3, replication_factor=1),
                NewTopic(dead_letter_topic, num_partitions=1, replication_factor=1),
            ]
        )
        async with KafkaSink(bootstrap, client_id="contract") as sink:

            @asynccontextmanager
            async def open_source(group: str) -> AsyncIterator[Source]:
                async with KafkaSource(
                    bootstrap,
                    sink=sink,
                    topic=topic,
                    dead_letter_topic=dead_letter_topic,
                    group_id=f"{group}-{run}",  # unique per test
                    client_id="contract",
                ) as source:
                    yield source

            async def read_dead_letters() -> AsyncIterator[Letter]:
                consumer = AIOKafkaConsumer(
                    bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
                )
                await consumer.start()
                try:
                    consumer.assign([TopicPartition(dead_letter_topic, 0)])
                    await consumer.seek_to_beginning()
                    async for message in consumer:
                        yield Letter(message.key, message.value, _text(message.headers or ()))
                finally:
                    await consumer.stop()

            yield Stream(topic, sink, open_source, read_dead_letters, partitions=3)
    finally:
        await admin.delete_topics([topic, dead_letter_topic])
        await admin.close()


def _text(headers: object) -> dict[str, str]:
    return {k: bytes(v).decode() for k, v in headers}  # type: ignore[attr-defined]


def event(flight: int, n: int) -> FlightStatusEvent:
    """The `n`th state of flight XA`flight`, each a minute after the one before."""
    dep = datetime(2026, 3, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=flight)
    return FlightStatusEvent(
        event_id=f"ev-{flight}-{n}",
        carrier="XA",
        flight_number=flight,
        service_date=date(2026, 3, 1),
        origin="FRA",
        destination="LHR",
        status=FlightStatus.DELAYED,
        sched_dep=dep,
        sched_arr=dep + timedelta(hours=1),
        est_dep=dep + timedelta(minutes=n),
        est_arr=dep + timedelta(hours=1, minutes=n),
        emitted_at=T0 + timedelta(minutes=n),
    )


def key_of(flight: int) -> str:
    return f"XA{flight}/2026-03-01"


async def take(source: Source, count: int) -> list[Received]:
    """The next `count` records of `source`, waiting for them; then release its iterator."""
    records: list[Received] = []
    iterator = source.records()
    try:
        async with asyncio.timeout(TAKE_TIMEOUT):
            async for record in iterator:
                records.append(record)
                if len(records) == count:
                    break
    finally:
        await iterator.aclose()  # type: ignore[attr-defined]
    return records


def by_partition(records: list[Received]) -> dict[int, list[int]]:
    offsets: dict[int, list[int]] = defaultdict(list)
    for record in records:
        offsets[record.position.partition].append(record.position.offset)
    return dict(offsets)


async def test_records_come_in_order_per_partition_with_their_positions(stream: Stream) -> None:
    sent = [(flight, n) for n in range(3) for flight in (101, 102, 103, 104)]
    for flight, n in sent:
        await stream.publish(key_of(flight), encode(event(flight, n)))

    async with stream.open_source("order") as source:
        records = await take(source, len(sent))

    assert all(r.error is None and r.event is not None for r in records)
    assert {r.position.topic for r in records} == {stream.topic}
    assert all(0 <= r.position.partition < stream.partitions for r in records)
    # Each partition in offset order, from its start, without gaps.
    for offsets in by_partition(records).values():
        assert offsets == list(range(len(offsets)))
    # Per flight (one key, so one partition): in the order they were sent.
    seen: dict[bytes | None, list[str]] = defaultdict(list)
    for r in records:
        assert r.event is not None
        seen[r.key].append(r.event.event_id)
        assert r.raw == encode(r.event)
    assert seen == {
        key_of(f).encode(): [f"ev-{f}-{n}" for n in range(3)] for f in (101, 102, 103, 104)
    }


async def test_a_malformed_record_comes_out_as_an_error_and_the_stream_goes_on(
    stream: Stream,
) -> None:
    torn = b'{"event_id": "ev-torn", "carrier": '
    await stream.publish(key_of(101), encode(event(101, 0)))
    await stream.publish(key_of(101), torn)
    await stream.publish(key_of(101), encode(event(101, 1)))

    async with stream.open_source("malformed") as source:
        first, bad, after = await take(source, 3)

    assert first.event is not None and first.event.event_id == "ev-101-0"
    assert bad.event is None and bad.error is not None
    assert bad.error.reason == "not_json"
    assert bad.error.detail
    assert (bad.raw, bad.key) == (torn, key_of(101).encode())
    assert bad.position.offset == first.position.offset + 1
    assert after.event is not None and after.event.event_id == "ev-101-1"


async def test_an_empty_record_and_a_future_schema_each_get_their_own_reason(
    stream: Stream,
) -> None:
    future = json.loads(encode(event(101, 0))) | {"schema_version": 2, "boarding": "open"}
    wrong = json.loads(encode(event(101, 1))) | {"flight_number": "one hundred and one"}
    await stream.publish(key_of(101), b"")
    await stream.publish(key_of(101), json.dumps(future).encode())
    await stream.publish(key_of(101), json.dumps(wrong).encode())
    await stream.publish(key_of(101), b"[1, 2, 3]")

    async with stream.open_source("reasons") as source:
        records = await take(source, 4)

    assert all(r.event is None and r.error is not None for r in records)
    errors = [r.error for r in records if r.error is not None]
    assert [e.reason for e in errors] == [
        "empty",
        "unsupported_schema_version",
        "invalid_field",
        "not_object",
    ]
    assert "schema_version 2" in errors[1].detail
    assert "flight_number" in errors[2].detail
    assert all(e.detail for e in errors)


async def test_a_reopened_source_resumes_after_the_committed_position(stream: Stream) -> None:
    for n in range(6):  # one key: one partition, offsets 0..5
        await stream.publish(key_of(101), encode(event(101, n)))

    async with stream.open_source("resume") as source:
        read = await take(source, 4)
        await source.commit(read[1].position)  # done with the first two only

    async with stream.open_source("resume") as source:
        again = await take(source, 4)
    async with stream.open_source("another-group") as source:
        other = await take(source, 1)

    first = read[0].position.offset
    assert [r.position.offset for r in read] == [first + i for i in range(4)]
    # At least once: the two read but not committed come again, then the rest.
    assert [r.position.offset for r in again] == [first + i for i in range(2, 6)]
    assert [r.event.event_id for r in again if r.event] == [f"ev-101-{n}" for n in range(2, 6)]
    # A group that never committed starts from the beginning.
    assert other[0].position.offset == first
    assert other[0].event is not None and other[0].event.event_id == "ev-101-0"


async def test_a_commit_covers_the_records_before_it_on_its_partition(stream: Stream) -> None:
    for n in range(5):
        await stream.publish(key_of(101), encode(event(101, n)))

    async with stream.open_source("cover") as source:
        read = await take(source, 5)
        await source.commit(read[3].position)  # not read[0..2]: they are covered by it
        await source.commit(read[1].position)  # an older commit never moves it back

    async with stream.open_source("cover") as source:
        (next_one,) = await take(source, 1)
    assert next_one.position == read[4].position


async def test_dead_letter_keeps_the_raw_bytes_and_says_where_they_came_from(
    stream: Stream,
) -> None:
    raw = b"\xff\xfe not even text"
    await stream.publish(key_of(101), encode(event(101, 0)))
    await stream.publish(key_of(101), raw)

    async with stream.open_source("dlq") as source:
        _, bad = await take(source, 2)
        assert bad.error is not None
        await source.dead_letter(bad)
        (letter,) = await stream.dead_letters(1)

    assert letter.value == raw
    assert letter.key == key_of(101).encode()
    assert letter.headers["reason"] == bad.error.reason == "not_json"
    assert letter.headers["detail"]
    assert letter.headers["original_topic"] == stream.topic
    assert letter.headers["original_partition"] == str(bad.position.partition)
    assert letter.headers["original_offset"] == str(bad.position.offset)


async def test_lag_counts_the_records_not_yet_done(stream: Stream) -> None:
    for n in range(4):
        await stream.publish(key_of(101), encode(event(101, n)))

    async with stream.open_source("lag") as source:
        read = await take(source, 4)
        await source.commit(read[3].position)
        lag = source.lag  # type: ignore[attr-defined]
        deadline = time.monotonic() + TAKE_TIMEOUT
        while sum((behind := await lag()).values()) > 0:  # Kafka: once the fetch position moves
            assert time.monotonic() < deadline, f"lag stayed at {behind}"
            await asyncio.sleep(0.05)
        await stream.publish(key_of(101), encode(event(101, 4)))
        deadline = time.monotonic() + TAKE_TIMEOUT
        while sum((behind := await lag()).values()) != 1:
            assert time.monotonic() < deadline, f"lag stayed at {behind}"
            await asyncio.sleep(0.05)

    partition = read[0].position.partition
    assert behind[(stream.topic, partition)] == 1
    assert all(t == stream.topic for t, _ in behind)
