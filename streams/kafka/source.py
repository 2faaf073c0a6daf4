"""The Kafka source: flight-status records from a consumer group, one in hand at a time.

The source is a member of consumer group `travel-agent` with auto-commit off: the daemon
commits a record's offset (offset + 1, Kafka's "next to read") only after every case it
opened is durable, so a crash redelivers it rather than losing it.

How it stays a good group member while the daemon works:

* **Bounded in-flight work, with backpressure.** A poller task fetches into a buffer of
  at most `max_buffered` records; when it is full the poller waits for the daemon to
  take half of it, and, while it stays full, pauses every partition and keeps calling
  `getmany()`, which returns nothing. The daemon takes one record at a time.
* **Long cases do not cost membership.** Heartbeats come from aiokafka's own task, and the
  poller's calls count as polls, so membership lasts however long the daemon works —
  up to `max_poll_interval_ms` for one record. A record in hand longer than that means
  the daemon is stuck: the poller stops at half of it, aiokafka (told half the interval)
  leaves the group at the whole of it, and the partitions move to a live member.
* **Rebalances.** On revoke, buffered records of the revoked partitions are dropped (they
  are uncommitted, so the next owner reads them), and the record in hand may finish and
  commit first — for up to three quarters of `rebalance_timeout_ms`, and never past its
  `max_poll_interval_ms`. One that takes longer is abandoned: its late commit is
  dropped, and the next owner reads it again, finds the board already holds its state,
  and opens nothing; its cases are in the database either way. `on_assigned` tells the
  daemon its partitions changed, so that it catches up before their first record.
* **Broker loss.** The poller and aiokafka reconnect with backoff (a failed metadata
  refresh is paced, which aiokafka alone does not do). A commit waits up to
  `commit_patience` seconds, then is deferred: the daemon goes on with the records it
  already holds, and the poller commits the newest done offset of each partition once
  the broker is back (never an older one over a newer). A dead letter is tried a few
  times with backoff and then raised as a retriable `StreamError`; the daemon keeps
  the record uncommitted and tries again. No transient error ends the stream; one that
  will not heal (authorization, a bad config) is raised with `retriable = False`.

By default commits are batched the same way, every `commit_interval` seconds (a round
trip per record is the ceiling of a fast stream); 0 commits each one before `commit()`
returns (`streams.kafka.commits`). `lag()` says how far behind the daemon is, for the
ops probes. Every record becomes a `Received` through `streams.base.receive`, the border
at which nothing a record holds can raise.

Why it is long: the poller, the record in hand and the
rebalance callbacks share one state (the buffer, the record held and since when, the
partitions owned) under rules that only hold together; the commits, which need none of
it, are a module of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import ConsumerStoppedError, KafkaError

from streams.base import NO_HEADERS, Position, Received, dead_letter_headers, receive
from streams.events import TOPIC_DEAD_LETTERS, TOPIC_FLIGHT_STATUS
from streams.kafka.commits import FLUSH_PATIENCE, OffsetCommits
from streams.kafka.connection import PLAINTEXT, Backoff, KafkaSecurity, pace_metadata_updates
from streams.kafka.errors import stream_error, transient
from streams.kafka.sink import KafkaSink, start_error
from travel_agent.errors import StreamError

log = logging.getLogger(__name__)

# Position(...) with every field given, without the Python frame of a NamedTuple's
# __new__ (a third of its cost, once per record).
_tuple = tuple.__new__

# How long one poll waits for records; also the keep-alive period while paused.
POLL_TIMEOUT_MS = 500
DEAD_LETTER_ATTEMPTS = 3


class KafkaSource:
    """Flight-status records from a Kafka topic, at least once, one record in hand at a time.

    Args:
        bootstrap_servers: brokers, comma-separated.
        sink: where dead letters are produced.
        topic: the topic to consume.
        dead_letter_topic: where records that cannot be used go.
        group_id: the consumer group; its members split the topic's partitions.
        client_id: how this client names itself to the broker.
        max_poll_interval_ms: the longest one record may stay in hand before this member
            is taken to be stuck and leaves the group.
        session_timeout_ms: how long the group waits for a silent member's heartbeat.
        rebalance_timeout_ms: how long a rebalance waits for members to rejoin; the record
            in hand gets up to three quarters of it to finish.
        max_buffered: records fetched ahead of the daemon, at most.
        commit_patience: seconds a commit made at once (`commit_interval` 0, or `flush()`)
            waits for the broker before it is deferred.
        commit_interval: 0 commits each record's offset before `commit()` returns; more
            marks it and lets the poller commit the marks that often (a round trip per
            record, ~6 ms, would cap a daemon at ~170 records a second; a crash then
            reads at most that interval's records again, and the board finds them stale).
        security: authentication and encryption (default: plain, unauthenticated).
    """

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
        session_timeout_ms: int = 10_000,
        rebalance_timeout_ms: int = 60_000,
        max_buffered: int = 256,
        commit_patience: float = 10.0,
        commit_interval: float = 1.0,
        security: KafkaSecurity = PLAINTEXT,
    ) -> None:
        self.topic = topic
        self.dead_letter_topic = dead_letter_topic
        self.bootstrap_servers = bootstrap_servers
        self._security = security
        self.shares_topic = True
        """Whether another consumer of the group may hold some of the topic's partitions
        (so news of some flights reaches only it). True until an assignment shows that
        this source holds every partition the topic's metadata lists."""
        self.on_assigned: Callable[[frozenset[int]], None] | None = None
        """Called (synchronously, must not block) each time partitions are assigned."""
        self.on_revoked: Callable[[], Awaitable[None]] | None = None
        """Awaited when partitions are being revoked, once the record in hand is done:
        the last moment to hand over (commit) what the daemon finished on them."""
        self.dead_lettered: Counter[str] = Counter()
        """Records parked on the dead-letter topic, by reason."""
        self._sink = sink
        self._max_buffered = max(1, max_buffered)
        self._max_poll = max_poll_interval_ms / 1000
        # Half here, half in aiokafka's own idle check: see the module docstring.
        self._max_held = self._max_poll / 2
        self._revoke_grace = rebalance_timeout_ms / 1000 * 0.75
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            client_id=client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=max(1, max_poll_interval_ms // 2),
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=max(100, session_timeout_ms // 3),
            rebalance_timeout_ms=rebalance_timeout_ms,
            **security.client_options(),
        )
        self._commits = OffsetCommits(
            self._consumer, topic, patience=commit_patience, interval=commit_interval
        )
        self._consumer.subscribe([topic], listener=_Listener(self))
        pace_metadata_updates(getattr(self._consumer, "_client", None))
        self._buffer: deque[Any] = deque()
        self._arrived = asyncio.Event()
        self._room = asyncio.Event()  # the buffer is down to `_low_water`: fetch more
        self._low_water = self._max_buffered // 2
        self._owned: set[TopicPartition] = set()
        self._owned_numbers: frozenset[int] = frozenset()  # partitions of `topic` in `_owned`
        self._held: Position | None = None
        self._held_since = 0.0
        # Set when the record in hand is released; made only while someone waits for that
        # (a revocation, a stuck record): per record, an Event's clear and set cost ~5 %.
        self._release_waiter: asyncio.Event | None = None
        self._failure: StreamError | None = None
        self._poller: asyncio.Task[None] | None = None

    async def __aenter__(self) -> KafkaSource:
        try:
            await self._consumer.start()
        except KafkaError as exc:
            await self._consumer.stop()
            raise await start_error(
                self.bootstrap_servers, self._security, f"consume {self.topic}", exc
            ) from exc
        self._poller = asyncio.create_task(self._poll(), name=f"kafka-poll-{self.topic}")
        self._poller.add_done_callback(self._poller_ended)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release(None)  # a revocation waiting on the record in hand waits no more
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        if self._commits.pending:
            with contextlib.suppress(StreamError):
                if not await self._commits.flush(FLUSH_PATIENCE):
                    log.warning("closing with commits not done: %s", self._commits.describe())
        await self._consumer.stop()

    # --- the daemon's side ---------------------------------------------------------

    async def records(self) -> AsyncIterator[Received]:
        """Records in order per partition; the one yielded is in hand until the next is
        asked for or it is committed. Ends only when the source is closed.

        Raises:
            StreamError: consuming failed in a way that will not heal (not retriable).
        """
        buffer, monotonic = self._buffer, time.monotonic
        try:
            while True:
                # The common case inline: a record waiting, no failure (~100,000 a second).
                if buffer and self._failure is None:
                    message = buffer.popleft()
                    if len(buffer) == self._low_water:
                        self._room.set()
                else:
                    message = await self._next_message()
                if message.partition not in self._owned_numbers:
                    # Fetched in the instant between an assignment and its callback.
                    self._assigned(set(self._consumer.assignment()))
                position = _tuple(Position, (message.topic, message.partition, message.offset))
                self._held = position  # in hand
                self._held_since = monotonic()
                headers = (
                    {k: bytes(v) for k, v in message.headers} if message.headers else NO_HEADERS
                )
                yield receive(position, message.value, message.key, headers)
                if self._held is position:  # `_release(position)`, inline
                    self._held = None
                    if self._release_waiter is not None:
                        self._release_waiter.set()
                        self._release_waiter = None
        finally:
            self._release(None)

    async def commit(self, position: Position) -> None:
        """`position` and all before it on its partition are done: commit them — at once,
        within `commit_interval`, or, while the broker is away, once it is back. Never
        moves a partition back; a revoked partition's commit is dropped (logged)."""
        partition = TopicPartition(position.topic, position.partition)
        try:
            await self._commits.mark(partition, position, owned=partition in self._owned)
        finally:
            self._release(position)

    async def dead_letter(self, record: Received) -> None:
        """Produce `record` to the dead-letter topic with its reason and origin.

        Raises:
            StreamError: the broker did not take it after a few tries with backoff
                (retriable: the caller keeps the record uncommitted and tries again).
        """
        headers = dead_letter_headers(record)
        backoff = Backoff(initial=0.5, cap=5.0)
        for attempt in range(1, DEAD_LETTER_ATTEMPTS + 1):
            try:
                await self._sink.send(
                    self.dead_letter_topic,
                    (record.key or b"").decode(errors="replace"),
                    record.raw or b"",
                    headers,
                )
            except StreamError as exc:
                if not exc.retriable or attempt == DEAD_LETTER_ATTEMPTS:
                    raise
                delay = backoff.next()
                log.warning(
                    "dead-lettering %s failed (try %d of %d: %s); trying again in %.1f s",
                    record.position,
                    attempt,
                    DEAD_LETTER_ATTEMPTS,
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
            else:
                self.dead_lettered[headers["reason"]] += 1
                return

    async def flush(self) -> None:
        """Commit now the offsets marked done (with `commit_interval` > 0 they wait).

        Raises:
            StreamError: they are not committed (retriable: the broker did not answer;
                they stay marked and are committed once it does).
        """
        patience = self._commits.patience
        if not await self._commits.flush(patience):
            error = StreamError(f"no broker answered a commit within {patience} s")
            error.retriable = True
            raise error

    async def lag(self) -> dict[tuple[str, int], int]:
        """Records from the daemon's next one to the end, per assigned (topic, partition).

        Asks the broker for the end offsets, so it also tells whether the broker answers.

        Raises:
            StreamError: the broker did not answer.
        """
        assigned = sorted(self._consumer.assignment())
        if not assigned:
            return {}
        try:
            ends = await self._consumer.end_offsets(assigned)
            lag: dict[tuple[str, int], int] = {}
            for tp in assigned:
                following = self._next_offset(tp)
                if following is None:
                    following = await self._consumer.position(tp)
                lag[(tp.topic, tp.partition)] = max(0, ends[tp] - following)
        except KafkaError as exc:
            raise stream_error(f"cannot get the end offsets of {self.topic}", exc) from exc
        return lag

    @property
    def commits_dropped(self) -> int:
        """Commits given up because their partition went to another member."""
        return self._commits.dropped

    # --- inside --------------------------------------------------------------------

    def _next_offset(self, tp: TopicPartition) -> int | None:
        """The offset of the next record of `tp` the daemon has yet to finish, if held."""
        held = self._held
        if held is not None and (held.topic, held.partition) == (tp.topic, tp.partition):
            return held.offset
        return next((m.offset for m in self._buffer if _partition(m) == tp), None)

    async def _next_message(self) -> Any:
        while True:
            if self._failure is not None:
                raise self._failure
            if self._buffer:
                message = self._buffer.popleft()
                if len(self._buffer) == self._low_water:
                    self._room.set()
                return message
            self._arrived.clear()
            await self._arrived.wait()

    def _release(self, position: Position | None) -> None:
        """The record in hand is done with (committed, or the daemon moved on)."""
        if position is None or position == self._held:
            self._held = None
            if self._release_waiter is not None:
                self._release_waiter.set()
                self._release_waiter = None

    async def _released(self) -> None:
        """Wait until no record is in hand."""
        if self._held is None:
            return
        if self._release_waiter is None:
            self._release_waiter = asyncio.Event()
        await self._release_waiter.wait()

    async def _poll(self) -> None:
        """Fetch into the buffer; pause when it is full; poll on regardless (keep-alive)."""
        backoff = Backoff(initial=0.2, cap=10.0)
        failing = 0
        while True:
            if self._held is not None and time.monotonic() - self._held_since > self._max_held:
                # Stuck on one record: stop polling, so aiokafka hands our partitions on.
                log.error(
                    "%s has been in hand for over %.0f s: if it is still there in %.0f s"
                    " (max_poll_interval), this member leaves the group and another"
                    " takes its partitions",
                    self._held,
                    self._max_held,
                    self._max_held,
                )
                await self._released()
                continue
            await self._commits.flush_if_due()
            room = self._max_buffered - len(self._buffer)
            if room <= 0 and await self._room_made():
                continue
            # Full for a whole poll period: poll paused (nothing comes back), which keeps
            # this member alive however long the daemon takes.
            self._throttle(paused=room <= 0)
            try:
                batches = await self._consumer.getmany(
                    timeout_ms=0 if room <= 0 else POLL_TIMEOUT_MS, max_records=max(room, 1)
                )
            except ConsumerStoppedError:
                return
            except KafkaError as exc:
                if not transient(exc):
                    raise stream_error(f"consuming {self.topic} failed", exc) from exc
                failing += 1
                delay = backoff.next()
                log.warning("polling %s failed (%s); retrying in %.1f s", self.topic, exc, delay)
                await asyncio.sleep(delay)
                continue
            if failing:
                log.info("polling %s again after %d failed tries", self.topic, failing)
                failing = 0
                backoff.reset()
            # aiokafka returns records only of the assignment current at this instant (it
            # holds them back while a rebalance is in progress), so none is stale here.
            for messages in batches.values():
                self._buffer.extend(messages)
            if batches:
                self._arrived.set()

    async def _room_made(self) -> bool:
        """Wait (up to a poll period) until the daemon has taken half the buffer.

        Waiting here rather than in a paused `getmany()` matters: that one returns only
        at its timeout, whatever the daemon takes meanwhile (it capped a daemon at one
        buffer per poll period, ~500 records a second); and pausing drops what aiokafka
        had prefetched for the partition.
        """
        self._room.clear()
        if len(self._buffer) <= self._low_water:
            return True
        try:
            async with asyncio.timeout(POLL_TIMEOUT_MS / 1000):
                await self._room.wait()
        except TimeoutError:
            return False
        return True

    def _throttle(self, *, paused: bool) -> None:
        assigned = self._consumer.assignment()
        if paused:
            running = assigned - self._consumer.paused()
            if running:
                self._consumer.pause(*running)
        else:
            stopped = self._consumer.paused() & assigned
            if stopped:
                self._consumer.resume(*stopped)

    def _poller_ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._failure = (
                exc
                if isinstance(exc, StreamError)
                else stream_error(f"consuming {self.topic} stopped", exc)
            )
            self._arrived.set()

    async def _revoked(self, revoked: set[TopicPartition]) -> None:
        kept = [m for m in self._buffer if _partition(m) not in revoked]
        self._buffer.clear()  # in place: `records()` holds it
        self._buffer.extend(kept)
        self._room.set()
        held = self._held
        if held is not None and TopicPartition(held.topic, held.partition) in revoked:
            # The record gets the grace, but no more than max_poll_interval in all.
            grace = min(self._revoke_grace, self._max_poll - (time.monotonic() - self._held_since))
            log.info(
                "partition %s is being revoked: finishing %s first (up to %.0f s)",
                held.partition,
                held,
                max(grace, 0),
            )
            try:
                async with asyncio.timeout(max(grace, 0)):
                    await self._released()
            except TimeoutError:
                log.warning(
                    "%s did not finish within %.0f s of its partition's revocation:"
                    " abandoning it to the partition's next owner",
                    held,
                    max(grace, 0),
                )
        if self.on_revoked is not None and revoked:
            try:
                async with asyncio.timeout(self._revoke_grace):
                    await self.on_revoked()
            except Exception:
                log.exception("handing over the work done on partitions being revoked failed")
        await self._commits.hand_over(revoked)
        self._owned -= revoked
        self._owned_numbers = frozenset(
            tp.partition for tp in self._owned if tp.topic == self.topic
        )

    def _assigned(self, assigned: set[TopicPartition]) -> None:
        self._owned = set(assigned)
        partitions = frozenset(tp.partition for tp in assigned if tp.topic == self.topic)
        self._owned_numbers = partitions
        every = self._consumer.partitions_for_topic(self.topic)
        self.shares_topic = not every or not partitions.issuperset(every)
        log.info(
            "partitions of %s assigned: %s%s",
            self.topic,
            sorted(partitions),
            " (others in the group hold the rest)" if self.shares_topic else "",
        )
        if self.on_assigned is not None:
            self.on_assigned(partitions)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, source: KafkaSource) -> None:
        self._source = source

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._source._revoked(set(revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._source._assigned(set(assigned))


def _partition(message: Any) -> TopicPartition:
    return TopicPartition(message.topic, message.partition)
