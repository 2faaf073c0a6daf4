"""`open_runtime()`: the one composition root. Every entry point — `travel-agent run`, the
demo, the replay, the evals (through `app.eval_cli`) and the benchmarks — opens the
agent's parts here, the same way, in one `AsyncExitStack`:

    settings ─► database (upgraded) ─► schedule, board, checkpointer, reasoner, graph
             ─► stream (Kafka, or the in-process broker) ─► daemon ─► outbox relay
             ─► retention, scheduled as a job

What a caller needs afterwards has a public name on `Runtime`; nobody reaches into the
daemon's, the broker's or the source's private state.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from agent.deps import AgentDeps
from agent.metrics import Metrics
from agent.reasoners.base import Reasoner
from agent.relay import OutboxRelay
from agent.retention import Retention, retention_handler, schedule_retention
from agent.runtime import Daemon
from agent.scheduler import JobKind
from airline.clock import Clock
from app.collector import long_lived_frozen
from app.settings import Settings
from app.wiring import Agent, open_agent
from memory.base import CustomerMemory
from streams.base import Sink, Source
from streams.embedded import EmbeddedBroker, EmbeddedSink, EmbeddedSource
from streams.events import TOPIC_DEAD_LETTERS, TOPIC_FLIGHT_STATUS
from streams.kafka import KafkaSink, KafkaSource, enter_when_reachable
from tools.channels.base import Channel
from tools.channels.log import LogChannel
from travel_agent.db import Database
from travel_agent.errors import TravelAgentError

__all__ = ["Runtime", "StoppedWhileStarting", "open_runtime"]


class StoppedWhileStarting(TravelAgentError):
    """`stop` was set while the runtime waited for a service (the broker) to come up."""


@dataclass(frozen=True)
class Runtime:
    """The agent's parts, opened together; valid inside `open_runtime`'s block."""

    settings: Settings
    clock: Clock
    agent: Agent
    daemon: Daemon
    relay: OutboxRelay
    source: Source
    sink: Sink
    broker: EmbeddedBroker | None
    """The in-process stream, when the source is embedded (None on Kafka)."""
    retention: Retention

    @property
    def db(self) -> Database:
        return self.agent.deps.db

    @property
    def deps(self) -> AgentDeps:
        return self.agent.deps

    async def backlog(self) -> int:
        """Records on the input topic that the daemon has not committed yet (embedded)."""
        if not isinstance(self.source, EmbeddedSource):
            raise TypeError("backlog() counts the embedded stream; Kafka reports its lag")
        return await self.source.backlog()

    @asynccontextmanager
    async def relaying(self) -> AsyncIterator[asyncio.Task[None]]:
        """The outbox relay delivering in the background; it finishes its pass on exit."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.relay.run(stop), name="relay")
        try:
            yield task
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await task


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    clock: Clock,
    *,
    memory: CustomerMemory | None = None,
    reasoner: Reasoner | None = None,
    metrics: Metrics | None = None,
    channels: Mapping[str, Channel] | None = None,
    broker: EmbeddedBroker | None = None,
    stop: asyncio.Event | None = None,
) -> AsyncIterator[Runtime]:
    """Open every part of the agent for `settings`, on `clock`.

    Args:
        memory: the caller's customer memory (one process owns a memory directory, so
            whoever owns it hands it in; see `app.wiring.open_memory_for`).
        reasoner: instead of the configured one (tests, benchmarks).
        metrics: the Prometheus metrics the daemon reports to (the ops endpoint's).
        channels: the delivery channels (`app.wiring.open_channels`); none: the log.
        broker: the in-process stream to use (embedded source), e.g. one a simulator
            already writes to; a new one by default.
        stop: while it is unset, an unreachable Kafka broker is waited for.

    Raises:
        StoppedWhileStarting: `stop` was set while Kafka was still unreachable.
    """
    async with AsyncExitStack() as stack:
        source: Source
        sink: Sink
        kafka_source: KafkaSource | None = None
        if settings.source == "kafka":
            kafka_sink, kafka_source = await _open_kafka(settings, stack, stop or asyncio.Event())
            source, sink, broker = kafka_source, kafka_sink, None
        else:
            broker = broker or EmbeddedBroker()
            source, sink = EmbeddedSource(broker), EmbeddedSink(broker)
        agent = await stack.enter_async_context(
            open_agent(settings, clock, reasoner=reasoner, memory=memory)
        )
        # The world is loaded: the collector stops walking it (`app.collector`).
        stack.enter_context(long_lived_frozen())
        daemon = Daemon(agent.deps, agent.graph, source, metrics=metrics)
        if kafka_source is not None:  # a rebalance hands partitions to or from another daemon
            kafka_source.on_assigned = daemon.partitions_assigned
            kafka_source.on_revoked = daemon.checkpoint
            daemon.opener.board_shared = lambda: kafka_source.shares_topic
        relay = OutboxRelay(
            agent.deps.db,
            sink,
            dict(channels or {}),
            LogChannel(include_passenger_data=settings.log_passenger_data),
            clock,
            topic_prefix=settings.kafka.topic_prefix,
            metrics=metrics,
        )
        retention = Retention(agent.deps.db, agent.checkpointer, settings.agent.retention)
        daemon.scheduler.register(
            JobKind.RETENTION, retention_handler(retention, agent.deps.db, clock)
        )
        await schedule_retention(agent.deps.db, clock, settings.agent.retention)
        yield Runtime(
            settings=settings,
            clock=clock,
            agent=agent,
            daemon=daemon,
            relay=relay,
            source=source,
            sink=sink,
            broker=broker,
            retention=retention,
        )


async def _open_kafka(
    settings: Settings, stack: AsyncExitStack, stop: asyncio.Event
) -> tuple[KafkaSink, KafkaSource]:
    bootstrap = settings.kafka.bootstrap_servers
    security = settings.kafka.security()
    # A broker that is not up yet is waited for (each attempt logged), not fatal; one that
    # refuses us for good (a wrong password) is a clear error at once.
    sink = await enter_when_reachable(
        stack,
        lambda: KafkaSink(bootstrap, client_id=settings.kafka.client_id, security=security),
        what=f"Kafka at {bootstrap}",
        stop=stop,
    )
    if sink is None:
        raise StoppedWhileStarting(f"stopped while waiting for Kafka at {bootstrap}")
    source = await enter_when_reachable(
        stack,
        lambda: KafkaSource(
            bootstrap,
            sink=sink,
            topic=settings.topic(TOPIC_FLIGHT_STATUS),
            dead_letter_topic=settings.topic(TOPIC_DEAD_LETTERS),
            group_id=settings.kafka.group_id,
            client_id=settings.kafka.client_id,
            security=security,
        ),
        what=f"Kafka at {bootstrap}",
        stop=stop,
    )
    if source is None:
        raise StoppedWhileStarting(f"stopped while waiting for Kafka at {bootstrap}")
    return sink, source
