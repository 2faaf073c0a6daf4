"""Kafka source and sink on aiokafka — the only module that imports aiokafka.

The source is a member of consumer group `travel-agent` with auto-commit off: the daemon
commits a record's offset (offset + 1, Kafka's "next to read") only after every case it
opened is durable, so a crash redelivers it rather than losing it. aiokafka heartbeats
from a background task, so a long case does not cost group membership while it stays
under `max_poll_interval_ms`. Broker errors are translated to `StreamError` here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from types import TracebackType

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata

from airline.errors import EventError, StreamError
from streams.base import Position, Received, dead_letter_headers
from streams.events import TOPIC_DEAD_LETTERS, TOPIC_FLIGHT_STATUS, decode

log = logging.getLogger(__name__)


class KafkaSink:
    """An idempotent producer (acks=all): a retried send never duplicates a record."""

    def __init__(self, bootstrap_servers: str, *, client_id: str = "travel-agent") -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
        )

    async def __aenter__(self) -> KafkaSink:
        try:
            await self._producer.start()
        except KafkaError as exc:
            await self._producer.stop()
            raise StreamError(f"cannot reach Kafka to produce: {exc}") from exc
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._producer.stop()

    async def send(
        self, topic: str, key: str, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        try:
            await self._producer.send_and_wait(
                topic,
                value=value,
                key=key.encode(),
                headers=[(k, v.encode()) for k, v in (headers or {}).items()],
            )
        except KafkaError as exc:
            raise StreamError(f"publishing to {topic} failed: {exc}") from exc


class KafkaSource:
    """Flight-status records from a Kafka topic, at least once."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        sink: KafkaSink,
        topic: str = TOPIC_FLIGHT_STATUS,
        dead_letter_topic: str = TOPIC_DEAD_LETTERS,
        group_id: str = "travel-agent",
        client_id: str = "travel-agent",
        max_poll_interval_ms: int = 300_000,
    ) -> None:
        self.topic = topic
        self.dead_letter_topic = dead_letter_topic
        self._sink = sink
        self._consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            client_id=client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=max_poll_interval_ms,
        )

    async def __aenter__(self) -> KafkaSource:
        try:
            await self._consumer.start()
        except KafkaError as exc:
            await self._consumer.stop()
            raise StreamError(f"cannot reach Kafka to consume {self.topic}: {exc}") from exc
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._consumer.stop()

    async def records(self) -> AsyncIterator[Received]:
        try:
            async for message in self._consumer:
                position = Position(message.topic, message.partition, message.offset)
                headers = {k: bytes(v) for k, v in (message.headers or ())}
                try:
                    event = decode(message.value)
                except EventError as exc:
                    yield Received(position, message.value, message.key, error=exc, headers=headers)
                else:
                    yield Received(
                        position, message.value, message.key, event=event, headers=headers
                    )
        except KafkaError as exc:
            raise StreamError(f"consuming {self.topic} failed: {exc}") from exc

    async def commit(self, position: Position) -> None:
        partition = TopicPartition(position.topic, position.partition)
        try:
            await self._consumer.commit({partition: OffsetAndMetadata(position.offset + 1, "")})
        except KafkaError as exc:
            raise StreamError(f"committing {position} failed: {exc}") from exc

    async def dead_letter(self, record: Received) -> None:
        await self._sink.send(
            self.dead_letter_topic,
            (record.key or b"").decode(errors="replace"),
            record.raw or b"",
            dead_letter_headers(record),
        )
