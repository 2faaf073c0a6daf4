"""The embedded, in-process stream: the default when no broker is configured.

`EmbeddedBroker` keeps each topic as an append-only list (one partition) and each consumer
group's committed offset, with the same at-least-once contract as Kafka: a source that is
re-opened on the same broker starts after the last committed offset. It lives as long as
the process, which is what the demo, the evals and the unit tests need.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType

from streams.base import Position, Received, dead_letter_headers
from streams.events import TOPIC_DEAD_LETTERS, TOPIC_FLIGHT_STATUS, decode
from travel_agent.errors import EventError


@dataclass(frozen=True, slots=True)
class StoredRecord:
    key: bytes | None
    value: bytes | None
    headers: Mapping[str, bytes] = field(default_factory=dict)


class EmbeddedBroker:
    """Topics and committed offsets in memory, shared by embedded sources and sinks."""

    def __init__(self) -> None:
        self.topics: dict[str, list[StoredRecord]] = defaultdict(list)
        self.committed: dict[tuple[str, str], int] = {}
        self._appended = asyncio.Condition()
        self._closed = False

    async def append(self, topic: str, record: StoredRecord) -> int:
        async with self._appended:
            self.topics[topic].append(record)
            self._appended.notify_all()
            return len(self.topics[topic]) - 1

    async def wait_beyond(self, topic: str, offset: int) -> bool:
        """Wait until `topic` has a record at `offset`; False once the broker is closed."""
        async with self._appended:
            await self._appended.wait_for(lambda: self._closed or len(self.topics[topic]) > offset)
            return len(self.topics[topic]) > offset

    async def close(self) -> None:
        """Wake every waiting source so it can finish."""
        async with self._appended:
            self._closed = True
            self._appended.notify_all()


class EmbeddedSink:
    """Publishes into an `EmbeddedBroker`."""

    def __init__(self, broker: EmbeddedBroker) -> None:
        self.broker = broker

    async def __aenter__(self) -> EmbeddedSink:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def send(
        self, topic: str, key: str, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        encoded = {k: v.encode() for k, v in (headers or {}).items()}
        await self.broker.append(topic, StoredRecord(key.encode(), value, encoded))


class EmbeddedSource:
    """Reads a topic of an `EmbeddedBroker` as consumer group `group`.

    With `follow=False` the source ends when it reaches the end of the topic (tests);
    otherwise it waits for more until the broker is closed.
    """

    def __init__(
        self,
        broker: EmbeddedBroker,
        *,
        topic: str = TOPIC_FLIGHT_STATUS,
        group: str = "travel-agent",
        follow: bool = True,
    ) -> None:
        self.broker = broker
        self.topic = topic
        self.group = group
        self.follow = follow
        self.dead_lettered = 0

    async def __aenter__(self) -> EmbeddedSource:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def records(self) -> AsyncIterator[Received]:
        offset = self.broker.committed.get((self.group, self.topic), -1) + 1
        while True:
            if len(self.broker.topics[self.topic]) <= offset:
                if not self.follow or not await self.broker.wait_beyond(self.topic, offset):
                    return
            stored = self.broker.topics[self.topic][offset]
            position = Position(self.topic, 0, offset)
            try:
                event = decode(stored.value)
            except EventError as exc:
                yield Received(position, stored.value, stored.key, None, exc)
            else:
                yield Received(position, stored.value, stored.key, event)
            offset += 1

    async def commit(self, position: Position) -> None:
        key = (self.group, position.topic)
        self.broker.committed[key] = max(self.broker.committed.get(key, -1), position.offset)

    async def dead_letter(self, record: Received) -> None:
        headers = {k: v.encode() for k, v in dead_letter_headers(record).items()}
        await self.broker.append(TOPIC_DEAD_LETTERS, StoredRecord(record.key, record.raw, headers))
        self.dead_lettered += 1

    async def backlog(self) -> int:
        """Records of the topic the group has not committed yet."""
        return sum((await self.lag()).values())

    async def lag(self) -> dict[tuple[str, int], int]:
        """Records of the topic after the group's committed offset (one partition)."""
        committed = self.broker.committed.get((self.group, self.topic), -1)
        return {(self.topic, 0): len(self.broker.topics[self.topic]) - committed - 1}
