"""`travel-agent replay`: a real historical day, replayed as a live feed.

The day's flights become a world of their own (with synthetic passengers at realistic
load factors), written to a fresh database; its status events are played either into
the embedded stream with the daemon running on them (the figures are printed at the
end), or to Kafka for a daemon that runs elsewhere on the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select

from airline.clock import SimulatedClock
from airline.replay_world import build_replay_world
from airline.seed import write_world
from airline.tables import FlightRow
from app.demo import play_embedded
from app.migrate import open_database
from app.settings import DbSettings, Settings
from streams.events import TOPIC_FLIGHT_STATUS
from streams.kafka import KafkaSink
from streams.replay import ReplayDay, replay_events
from streams.simulator import run_simulator
from travel_agent.errors import ConfigError


async def run_replay(
    settings: Settings,
    replayed: ReplayDay,
    *,
    day: date,
    speed: float,
    max_passengers: int,
    say: Callable[[str], None],
    stop: asyncio.Event,
) -> dict[str, int]:
    events = replay_events(replayed)
    if not events:
        raise ConfigError(f"no usable flights for {day} in that file: nothing to replay")
    world = build_replay_world(
        replayed.schedule, seed=settings.seed.seed, service_date=day, max_passengers=max_passengers
    )
    if settings.source == "kafka":
        async with open_database(settings.db_url) as db:
            async with db.session() as session:
                if await session.scalar(select(func.count()).select_from(FlightRow)):
                    raise ConfigError(
                        f"{settings.db_url} already holds a world: point TRAVEL_AGENT_DB__URL "
                        "at an empty database for the replay (the daemon must use the same one)"
                    )
            await write_world(db, world)
        say(f"wrote the replayed world ({len(world.bookings)} bookings) to {settings.db_url}")
        clock = SimulatedClock(events[0].emitted_at - timedelta(minutes=1), speed=speed)
        bootstrap = settings.kafka.bootstrap_servers
        async with KafkaSink(bootstrap, client_id="travel-agent-replay") as sink:
            task = asyncio.create_task(
                run_simulator(events, sink, clock, topic=settings.topic(TOPIC_FLIGHT_STATUS))
            )
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                return {"events": 0}
            return {"events": task.result()}

    run_dir = settings.data_dir / f"replay-{day}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_settings = settings.model_copy(update={"data_dir": run_dir, "db": DbSettings()})
    async with open_database(run_settings.db_url) as db:
        await write_world(db, world)
    say(f"replayed world: {len(world.flights)} flights, {len(world.bookings)} bookings")
    return await play_embedded(
        run_settings, events, duration=None, speed=speed, say=say, stop=stop, until_done=True
    )
