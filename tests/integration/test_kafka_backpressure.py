"""A backlog is read at the broker's pace, not one buffer per poll period.

The source's poller fills a bounded buffer and waits while it is full. It once waited in
a paused `getmany()`, which returns only at its 500 ms timeout whatever the daemon took
meanwhile: a backlog came in at one buffer per half second (~500 records a second with
the default buffer of 256). With a buffer of 8, 400 records took 25 s that way; they
take well under a second now.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from streams.events import FlightStatus, FlightStatusEvent, encode
from streams.kafka import KafkaSink, KafkaSource

from .helpers import KafkaProbe

pytestmark = pytest.mark.integration

RECORDS = 400
BUFFER = 8
T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def heartbeat(n: int) -> bytes:
    dep = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    return encode(
        FlightStatusEvent(
            event_id=f"hb-{n}",
            carrier="XA",
            flight_number=101,
            service_date=date(2026, 3, 1),
            origin="FRA",
            destination="LHR",
            status=FlightStatus.SCHEDULED,
            sched_dep=dep,
            sched_arr=dep + timedelta(hours=1),
            est_dep=dep,
            est_arr=dep + timedelta(hours=1),
            emitted_at=T0 + timedelta(seconds=n),
        )
    )


async def test_a_backlog_larger_than_the_buffer_is_read_without_waiting_out_polls(
    kafka_bootstrap: str,
) -> None:
    topic = f"backpressure.{uuid.uuid4().hex[:8]}.flight.status"
    async with KafkaProbe(kafka_bootstrap) as probe:
        await probe.create_topic(topic, partitions=1)
        try:
            async with KafkaSink(kafka_bootstrap, client_id="backpressure") as sink:
                for n in range(RECORDS):
                    await sink.send(topic, "XA101/2026-03-01", heartbeat(n))
                async with KafkaSource(
                    kafka_bootstrap,
                    sink=sink,
                    topic=topic,
                    dead_letter_topic=f"{topic}.dlq",
                    group_id=f"backpressure-{uuid.uuid4().hex[:8]}",
                    max_buffered=BUFFER,
                ) as source:
                    offsets: list[int] = []
                    iterator = source.records()
                    started = 0.0
                    async with asyncio.timeout(60):
                        async for record in iterator:
                            if not offsets:
                                started = time.monotonic()
                            assert record.event is not None
                            offsets.append(record.position.offset)
                            if len(offsets) == RECORDS:
                                break
                    elapsed = time.monotonic() - started
                    await iterator.aclose()  # type: ignore[attr-defined]
        finally:
            await probe.delete_topics(topic)

    assert offsets == list(range(RECORDS))
    # One buffer per 500 ms poll would be (400 / 8) x 0.5 s = 25 s; a generous bound
    # for a busy machine that still fails that way.
    assert elapsed < 8.0, f"{RECORDS} records took {elapsed:.1f} s through a buffer of {BUFFER}"
