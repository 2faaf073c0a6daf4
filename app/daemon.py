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
from airline.board import LiveBoard, newest_event_time
from airline.clock import Clock, EventTimeClock, SimulatedClock, SystemClock
from airline.schedule import Schedule
from app.migrate import open_database
from app.ops_server import DaemonProbe, OpsServer
from app.runtime import StoppedWhileStarting, open_runtime
from app.settings import Settings
from app.wiring import open_channels, open_memory_for
from memory.base import CustomerMemory
from streams.base import Sink
from streams.embedded import EmbeddedBroker
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent
from streams.kafka import KafkaSink, KafkaSource, enter_when_reachable
from streams.simulator import generate_day, run_simulator
from travel_agent.errors import ConfigError

log = logging.getLogger(__name__)


async def _initial_clock(settings: Settings) -> Clock:
    """Wall time, or on a followed stream the newest event on the board (a restart resumes)."""
    if settings.clock == "system":
        return SystemClock()
    async with open_database(settings.db_url) as db:
        newest = await newest_event_time(db)
    return SystemClock() if newest is None else EventTimeClock(newest)


async def _require_schedule(settings: Settings) -> None:
    """A database without flights is a setup mistake: say so before anything starts."""
    async with open_database(settings.db_url) as db:
        schedule = await Schedule.load(db)
    if not schedule.flights:
        raise ConfigError(
            f"the database {_shown(settings)} holds no flights: run `travel-agent seed` first "
            "(or point TRAVEL_AGENT_DATA_DIR / TRAVEL_AGENT_DB__URL at a seeded one)"
        )


def _shown(settings: Settings) -> str:
    """The database as a user would look for it (a URL without its password)."""
    if settings.db.url is None:
        return str(settings.data_dir / "airline.sqlite")
    from sqlalchemy.engine import make_url

    return make_url(settings.db.url).render_as_string(hide_password=True)


async def run_daemon(
    settings: Settings, stop: asyncio.Event, *, say: Callable[[str], None]
) -> None:
    await _require_schedule(settings)
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
        broker: EmbeddedBroker | None = None
        events: list[FlightStatusEvent] = []
        if settings.source == "kafka":
            clock = await _initial_clock(settings)
        else:
            # No outside feed: the daemon plays the simulated day of its own schedule.
            async with open_database(settings.db_url) as db:
                schedule = await Schedule.load(db)
            events = generate_day(list(schedule.flights.values()), seed=settings.seed.seed)
            clock = SimulatedClock(events[0].emitted_at - timedelta(minutes=1), speed=600)
            broker = EmbeddedBroker()
        if memory is not None:
            retention = asyncio.create_task(keep_memory_retention(memory, settings, clock))
            stack.callback(retention.cancel)
        try:
            runtime = await stack.enter_async_context(
                open_runtime(
                    settings,
                    clock,
                    memory=memory,
                    metrics=metrics,
                    channels=channels,
                    broker=broker,
                    stop=stop,
                )
            )
        except StoppedWhileStarting as exc:
            say(str(exc))
            return
        simulator: asyncio.Task[int] | None = None
        if broker is not None:
            simulator = asyncio.create_task(run_simulator(events, runtime.sink, clock))
            say(f"embedded source: playing the simulated day ({len(events)} events) at 600x")
        else:
            bootstrap = settings.kafka.bootstrap_servers
            say(f"consuming {settings.topic(TOPIC_FLIGHT_STATUS)} from {bootstrap}")
        daemon = runtime.daemon
        await stack.enter_async_context(runtime.relaying())
        try:
            replies_task = await _serve_replies(
                settings, stack, runtime.agent.deps, runtime.sink, stop, say
            )
        except StoppedWhileStarting as exc:
            say(str(exc))
            return
        flights = len(runtime.agent.deps.schedule)
        say(f"daemon running on {flights} flights; Ctrl-C or SIGTERM stops it")
        try:
            consuming = asyncio.create_task(daemon.run(stop))
            probe.watch(daemon, runtime.source, consuming)
            await consuming
        finally:
            if simulator is not None:
                simulator.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await simulator
            await replies_task
            say(f"stopped after {daemon.stats.events} events, {daemon.stats.cases} cases")


async def open_replies_consumer(
    settings: Settings, stack: AsyncExitStack, sink: KafkaSink, topic: str, stop: asyncio.Event
) -> KafkaSource | None:
    """The `passenger.replies` consumer, entered on `stack` once the broker answers.

    It starts after the flight-status consumer, so a broker that restarts in between
    (a supervisor restarting the daemon beside a broker restart: the chaos test saw it)
    is waited for with backoff, each attempt logged, as `open_runtime` waits for the
    first; entered directly, its one failed bootstrap ended the daemon. None: `stop`
    was set first.
    """
    return await enter_when_reachable(
        stack,
        lambda: KafkaSource(
            settings.kafka.bootstrap_servers,
            sink=sink,
            topic=topic,
            dead_letter_topic=topic + ".dlq",
            group_id=settings.kafka.group_id + "-replies",
            client_id=settings.kafka.client_id,
            security=sink.security,
        ),
        what=f"Kafka at {settings.kafka.bootstrap_servers} (passenger replies)",
        stop=stop,
    )


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
    from streams.replies import TOPIC_PASSENGER_REPLIES, EmbeddedReplies
    from tools.effects import ToolDeps
    from travel_agent.serving import AsgiServer

    topic = settings.topic(TOPIC_PASSENGER_REPLIES)
    source: ReplySource
    if settings.source == "kafka" and isinstance(sink, KafkaSink):
        consumer = await open_replies_consumer(settings, stack, sink, topic, stop)
        if consumer is None:
            bootstrap = sink.bootstrap_servers
            raise StoppedWhileStarting(f"stopped while waiting for Kafka at {bootstrap}")
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
            AsgiServer(
                app,
                host=settings.replies.host,
                port=settings.replies.port,
                what="the passenger replies endpoints",
                setting="another with TRAVEL_AGENT_REPLIES__PORT",
            )
        )
        say(f"passenger replies on {server.url}/replies/(webhook|sms|email)")
    desk = OfferDesk(ToolDeps(deps.db, deps.schedule, deps.board, deps.clock), deps.memory)
    return asyncio.create_task(route_replies(source, desk, stop), name="passenger-replies")


async def simulate_to_kafka(
    settings: Settings,
    stop: asyncio.Event,
    *,
    speed: float,
    scenario: Literal["normal", "storm"],
    say: Callable[[str], None],
) -> int:
    async with open_database(settings.db_url) as db:
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
        settings.kafka.bootstrap_servers,
        client_id="travel-agent-simulator",
        security=settings.kafka.security(),
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
