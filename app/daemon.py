"""`travel-agent run` and `travel-agent simulate`: the daemon on the configured source.

With the embedded source there is no outside feed, so the daemon plays the simulated day
of its own schedule into the in-process stream. With Kafka it consumes `flight.status`
from the configured brokers and publishes effects to `agent.actions` and
`notifications.outbound`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Literal

from agent.deps import AgentDeps
from agent.metrics import Metrics
from agent.relay import OutboxRelay
from agent.runtime import Daemon
from agent.settings import Settings
from airline.board import LiveBoard, stream_clock
from airline.clock import Clock, SimulatedClock
from airline.schedule import Schedule
from app.ops_server import DaemonProbe, OpsServer
from memory.base import CustomerMemory
from streams.base import Sink, Source
from streams.embedded import EmbeddedBroker, EmbeddedSink, EmbeddedSource
from streams.events import TOPIC_DEAD_LETTERS, TOPIC_FLIGHT_STATUS
from streams.kafka import KafkaSink, KafkaSource, enter_when_reachable
from streams.simulator import generate_day, run_simulator
from tools.channels.log import LogChannel
from travel_agent.db import Database

log = logging.getLogger(__name__)


async def _initial_clock(settings: Settings) -> Clock:
    async with Database(settings.db_url) as db:
        return await stream_clock(db, system=settings.clock == "system")


async def run_daemon(
    settings: Settings, stop: asyncio.Event, *, say: Callable[[str], None]
) -> None:
    from app.wiring import open_agent, open_channels, open_memory_for

    async with AsyncExitStack() as stack:
        # First: a placeholder secret stops start-up before anything connects.
        channels = await open_channels(settings, stack)
        # Next, so a supervisor can probe start-up: /readyz says 503 until consuming.
        metrics = Metrics()
        probe = DaemonProbe(metrics)
        if settings.ops.port:
            ops = OpsServer(metrics, probe, host=settings.ops.host, port=settings.ops.port)
            await stack.enter_async_context(ops)
            say(f"ops endpoints on {ops.url}: /metrics /healthz /readyz")
        # Memory loads its embedding model (seconds): before joining the consumer group,
        # so partitions go to a daemon ready to work them.
        memory = await stack.enter_async_context(open_memory_for(settings))
        simulator: asyncio.Task[int] | None = None
        kafka_source: KafkaSource | None = None
        source: Source
        sink: Sink
        if settings.source == "kafka":
            clock = await _initial_clock(settings)
            bootstrap = settings.kafka.bootstrap_servers
            # A broker that is not up yet is waited for (each attempt logged), not fatal.
            kafka_sink = await enter_when_reachable(
                stack,
                lambda: KafkaSink(bootstrap, client_id=settings.kafka.client_id),
                what=f"Kafka at {bootstrap}",
                stop=stop,
            )
            if kafka_sink is None:
                return
            sink = kafka_sink
            kafka_source = await enter_when_reachable(
                stack,
                lambda: KafkaSource(
                    bootstrap,
                    sink=kafka_sink,
                    topic=settings.topic(TOPIC_FLIGHT_STATUS),
                    dead_letter_topic=settings.topic(TOPIC_DEAD_LETTERS),
                    group_id=settings.kafka.group_id,
                    client_id=settings.kafka.client_id,
                ),
                what=f"Kafka at {bootstrap}",
                stop=stop,
            )
            if kafka_source is None:
                return
            source = kafka_source
            say(f"consuming {settings.topic(TOPIC_FLIGHT_STATUS)} from {bootstrap}")
        else:
            broker = EmbeddedBroker()
            sink = EmbeddedSink(broker)
            source = EmbeddedSource(broker)
            async with Database(settings.db_url) as db:
                schedule = await Schedule.load(db)
            events = generate_day(list(schedule.flights.values()), seed=settings.seed.seed)
            clock = SimulatedClock(events[0].emitted_at - timedelta(minutes=1), speed=600)
            simulator = asyncio.create_task(run_simulator(events, sink, clock))
            say(f"embedded source: playing the simulated day ({len(events)} events) at 600x")
        if memory is not None:
            retention = asyncio.create_task(keep_memory_retention(memory, settings, clock))
            stack.callback(retention.cancel)
        agent = await stack.enter_async_context(open_agent(settings, clock, memory=memory))
        daemon = Daemon(agent.deps, agent.graph, source, metrics=metrics)
        if kafka_source is not None:  # a rebalance hands partitions to or from another daemon
            kafka_source.on_assigned = daemon.partitions_assigned
            kafka_source.on_revoked = daemon.checkpoint
        channel = LogChannel(include_passenger_data=settings.log_passenger_data)
        relay = OutboxRelay(
            agent.deps.db, sink, channels, channel, clock, topic_prefix=settings.kafka.topic_prefix
        )
        replies_task = await _serve_replies(settings, stack, agent.deps, sink, stop, say)
        relay_stop = asyncio.Event()
        relay_task = asyncio.create_task(relay.run(relay_stop))
        say(f"daemon running on {len(agent.deps.schedule)} flights; Ctrl-C or SIGTERM stops it")
        try:
            consuming = asyncio.create_task(daemon.run(stop))
            probe.watch(daemon, source, consuming)
            await consuming
        finally:
            if simulator is not None:
                simulator.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await simulator
            relay_stop.set()
            await relay_task
            await replies_task
            say(f"stopped after {daemon.stats.events} events, {daemon.stats.cases} cases")


async def _serve_replies(
    settings: Settings,
    stack: AsyncExitStack,
    deps: AgentDeps,
    sink: Sink,
    stop: asyncio.Event,
    say: Callable[[str], None],
) -> asyncio.Task[int]:
    """Route `passenger.replies` to the offers, and serve the inbound endpoints if asked."""
    from agent.offers import OfferDesk
    from agent.replies import KafkaReplies, ReplySource, route_replies
    from app.replies_server import create_replies_app
    from dashboard.server import DeskServer
    from streams.replies import TOPIC_PASSENGER_REPLIES, EmbeddedReplies
    from tools.effects import ToolDeps

    topic = settings.topic(TOPIC_PASSENGER_REPLIES)
    source: ReplySource
    if settings.source == "kafka" and isinstance(sink, KafkaSink):
        consumer = KafkaSource(
            settings.kafka.bootstrap_servers,
            sink=sink,
            topic=topic,
            dead_letter_topic=topic + ".dlq",
            group_id=settings.kafka.group_id + "-replies",
            client_id=settings.kafka.client_id,
        )
        await stack.enter_async_context(consumer)
        source = KafkaReplies(consumer)
        publish = sink.send
    else:
        embedded = EmbeddedReplies()
        stack.push_async_callback(embedded.close)
        source, publish = embedded, embedded.send
    if settings.replies.port:
        secret = settings.webhook.secret.get_secret_value() if settings.webhook.secret else None
        token = settings.replies.inbound_token
        app = create_replies_app(
            deps.db,
            lambda t, k, v: publish(t, k, v),
            webhook_secret=secret,
            inbound_token=token.get_secret_value() if token else None,
            tolerance=settings.replies.tolerance_seconds,
            now=deps.clock.now,
            topic=topic,
        )
        server = await stack.enter_async_context(
            DeskServer(app, host=settings.replies.host, port=settings.replies.port)
        )
        say(f"passenger replies on {server.url}/replies/(webhook|sms|email)")
    desk = OfferDesk(ToolDeps(deps.db, deps.schedule, deps.board, deps.clock))
    return asyncio.create_task(route_replies(source, desk, stop), name="passenger-replies")


async def simulate_to_kafka(
    settings: Settings,
    stop: asyncio.Event,
    *,
    speed: float,
    scenario: Literal["normal", "storm"],
    say: Callable[[str], None],
) -> int:
    async with Database(settings.db_url) as db:
        schedule = await Schedule.load(db)
        board = LiveBoard()
        await board.load(db)
    if not len(schedule):
        from travel_agent.errors import ConfigError

        raise ConfigError("no flights in the database: run `travel-agent seed` first")
    events = generate_day(
        list(schedule.flights.values()), seed=settings.seed.seed, scenario=scenario
    )
    clock = SimulatedClock(events[0].emitted_at - timedelta(minutes=1), speed=speed)
    say(f"producing {len(events)} events to {settings.kafka.bootstrap_servers} at {speed:.0f}x")
    async with KafkaSink(
        settings.kafka.bootstrap_servers, client_id="travel-agent-simulator"
    ) as sink:
        task = asyncio.create_task(
            run_simulator(events, sink, clock, topic=settings.topic(TOPIC_FLIGHT_STATUS))
        )
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if task not in done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return 0
        return task.result()


# Memory older than the retention period is erased at start and then once a day.
RETENTION_EVERY_SECONDS = 24 * 3600.0


async def keep_memory_retention(memory: CustomerMemory, settings: Settings, clock: Clock) -> None:
    while True:
        cutoff = settings.memory.retention_cutoff(clock.now())
        if cutoff is not None:
            try:
                pruned = await memory.prune(cutoff)
                if pruned:
                    log.info("memory retention: erased %d memories from before %s", pruned, cutoff)
            except Exception:
                log.exception("memory retention failed; trying again tomorrow")
        await asyncio.sleep(RETENTION_EVERY_SECONDS)
