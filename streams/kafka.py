"""Kafka source and sink on aiokafka — the only module that imports aiokafka.

The source is a member of consumer group `travel-agent` with auto-commit off: the daemon
commits a record's offset (offset + 1, Kafka's "next to read") only after every case it
opened is durable, so a crash redelivers it rather than losing it. `commit()` marks the
offset; a background task sends the marks to the broker every `commit_interval` seconds
(and on close), because a round trip per record (~6 ms) would cap the daemon at ~170
records/s. A crash then redelivers at most that interval's records, which the board
finds stale. aiokafka heartbeats
from a background task, so a long case does not cost group membership while it stays
under `max_poll_interval_ms`. Broker errors are translated to `StreamError` here.
"""

from __future__ import annotations

import asyncio
import contextlib
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
        commit_interval: float = 1.0,
    ) -> None:
        self.topic = topic
        self.dead_letter_topic = dead_letter_topic
        self.commit_interval = commit_interval
        self._sink = sink
        # Per partition, the next offset to read: once done, and as the broker has it.
        self._done: dict[TopicPartition, int] = {}
        self._sent: dict[TopicPartition, int] = {}
        self._committing = asyncio.Lock()
        self._committer: asyncio.Task[None] | None = None
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
        if self.commit_interval > 0:
            self._committer = asyncio.create_task(self._commit_periodically())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._committer is not None:
            self._committer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._committer
        try:
            await self.flush()
        except StreamError as error:
            log.warning("offsets marked done were not committed: %s", error)
        finally:
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
        """Mark `position` done; the broker has it within `commit_interval` (0: at once)."""
        partition = TopicPartition(position.topic, position.partition)
        self._done[partition] = max(self._done.get(partition, 0), position.offset + 1)
        if self.commit_interval <= 0:
            await self.flush()

    async def flush(self) -> None:
        """Commit the offsets marked done, of the partitions still assigned to us.

        A revoked partition's marks are dropped: its new owner redelivers those records.
        """
        async with self._committing:
            assigned = self._consumer.assignment()
            for revoked in self._done.keys() - assigned:
                del self._done[revoked]
                self._sent.pop(revoked, None)
            offsets = {
                tp: OffsetAndMetadata(n, "")
                for tp, n in self._done.items()
                if self._sent.get(tp) != n
            }
            if not offsets:
                return
            try:
                await self._consumer.commit(offsets)
            except KafkaError as exc:
                raise StreamError(f"committing offsets {offsets} failed: {exc}") from exc
            self._sent.update((tp, meta.offset) for tp, meta in offsets.items())

    async def _commit_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.commit_interval)
            try:
                await self.flush()
            except StreamError as error:  # the marks stay: the next flush tries again
                log.warning("%s; trying again in %.1f s", error, self.commit_interval)

    async def lag(self) -> dict[tuple[str, int], int]:
        """Records between our position and the end of each assigned partition.

        Asks the broker for the end offsets, so it also tells whether the broker answers.

        Raises:
            StreamError: the broker did not answer.
        """
        assigned = sorted(self._consumer.assignment())
        if not assigned:
            return {}
        try:
            ends = await self._consumer.end_offsets(assigned)
            return {
                (tp.topic, tp.partition): max(0, ends[tp] - await self._consumer.position(tp))
                for tp in assigned
            }
        except KafkaError as exc:
            raise StreamError(f"cannot get the end offsets of {self.topic}: {exc}") from exc

    async def dead_letter(self, record: Received) -> None:
        await self._sink.send(
            self.dead_letter_topic,
            (record.key or b"").decode(errors="replace"),
            record.raw or b"",
            dead_letter_headers(record),
        )
