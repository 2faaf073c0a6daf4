"""The source's offset commits: batched, deferred while the broker is away, never backwards.

The daemon marks a record done; the offset (record + 1, Kafka's "next to read") is
committed at once (`interval` 0) or with the next batch (every `interval` seconds). A
commit waits up to `patience` seconds for the broker; then it is deferred, and the
poller commits the newest done offset of each partition once the broker is back —
never an older one over a newer. A partition taken away by a rebalance drops its
commits: its next owner reads those records again and finds their state on the board.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from aiokafka.structs import OffsetAndMetadata

from streams.base import Position
from streams.kafka.connection import Backoff
from streams.kafka.errors import stream_error, transient
from travel_agent.errors import StreamError

log = logging.getLogger(__name__)

# How long the poller waits on one try of deferred commits while the broker is away.
FLUSH_PATIENCE = 5.0


class OffsetCommits:
    """Done offsets per partition, and their commits to the group."""

    def __init__(
        self, consumer: AIOKafkaConsumer, topic: str, *, patience: float, interval: float
    ) -> None:
        self.patience = patience
        self.interval = interval
        self.dropped = 0
        """Commits given up because their partition went to another member."""
        self.outage = False
        """True while a commit is deferred because no broker answered."""
        self._consumer = consumer
        self._topic = topic
        # Per partition: the newest offset done and not yet committed; the newest committed.
        self._deferred: dict[TopicPartition, int] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._lock = asyncio.Lock()
        self._next_flush = 0.0
        self._flush_backoff = Backoff(initial=1.0, cap=10.0)

    @property
    def pending(self) -> bool:
        """Are there done offsets not yet committed?"""
        return bool(self._deferred)

    async def mark(self, partition: TopicPartition, position: Position, *, owned: bool) -> None:
        """`position` and all before it are done: commit now, or with the next batch."""
        offset = position.offset + 1
        if not owned:
            self.drop(position, "its partition was revoked")
            return
        newest = max(self._committed.get(partition, 0), self._deferred.get(partition, 0))
        if offset <= newest:  # an older commit never moves the partition back
            return
        self._deferred[partition] = offset
        if self.outage or self.interval > 0:  # the poller commits it
            return
        await self.flush(self.patience)

    async def flush_if_due(self) -> None:
        """The poller's turn: commit what is marked, if its interval (or backoff) is up."""
        if not self._deferred or not (self.outage or self.interval > 0):
            return
        if time.monotonic() < self._next_flush:
            return
        if await self.flush(FLUSH_PATIENCE):
            self._flush_backoff.reset()
            self._next_flush = time.monotonic() + self.interval
        else:
            self._next_flush = time.monotonic() + self._flush_backoff.next()

    async def flush(self, patience: float) -> bool:
        """Commit the newest offset done on each partition; True when nothing is left.

        Raises:
            StreamError: the broker refused the commit for a reason that will not heal.
        """
        done = await self._try_flush(patience)
        if done and self.outage:
            log.info("deferred commits of %s done: the broker is back", self._topic)
        elif not done and not self.outage:
            log.warning(
                "commits of %s are deferred: no broker answered within %.0f s; they are"
                " made once one does",
                self._topic,
                patience,
            )
        self.outage = not done
        return done

    async def hand_over(self, revoked: set[TopicPartition]) -> None:
        """Partitions are being revoked: commit their offsets now (still a member of the
        old generation: the last chance), drop what cannot be, forget their history."""
        if any(tp in revoked for tp in self._deferred):
            with contextlib.suppress(StreamError):  # refused: the next owner reads them again
                await self.flush(FLUSH_PATIENCE)
            for tp in revoked & set(self._deferred):
                offset = self._deferred.pop(tp)
                self.drop(Position(tp.topic, tp.partition, offset - 1), "revoked")
        for tp in revoked:
            self._committed.pop(tp, None)  # its next owner may commit further

    def drop(self, position: Position, why: str) -> None:
        # Harmless: the partition's next owner reads the record again, finds its state
        # already on the board, and opens nothing.
        self.dropped += 1
        log.warning("not committing %s: %s; its next owner may read it again", position, why)

    def describe(self) -> str:
        return repr({f"{tp.topic}[{tp.partition}]": o for tp, o in self._deferred.items()})

    async def _try_flush(self, patience: float) -> bool:
        async with self._lock:
            offsets = dict(self._deferred)
            if not offsets:
                return True
            try:
                async with asyncio.timeout(patience):
                    await self._consumer.commit(
                        {tp: OffsetAndMetadata(offset, "") for tp, offset in offsets.items()}
                    )
            except (CommitFailedError, IllegalStateError) as exc:
                # The group moved on: these partitions are (being) given to another member.
                for tp, offset in offsets.items():
                    self.drop(Position(tp.topic, tp.partition, offset - 1), repr(exc))
                    if self._deferred.get(tp) == offset:
                        del self._deferred[tp]
                return not self._deferred
            except TimeoutError:
                return False
            except KafkaError as exc:
                if transient(exc):  # aiokafka retries these itself; one got out anyway
                    return False
                raise stream_error(f"committing {offsets} failed", exc) from exc
            for tp, offset in offsets.items():
                self._committed[tp] = offset
                if self._deferred.get(tp) == offset:
                    del self._deferred[tp]
            return not self._deferred
