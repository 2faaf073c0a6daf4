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
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from airline.clock import SimulatedClock
from airline.models import Flight
from airline.replay_world import build_replay_world
from airline.seed import write_world
from airline.tables import FlightRow
from app.demo import play_embedded
from app.migrate import open_database
from app.settings import DbSettings, Settings
from app.summary import replay_report, report_in_words
from streams.events import TOPIC_FLIGHT_STATUS
from streams.kafka import KafkaSink
from streams.replay import Announcements, ReplayDay, read_ontime, replay_events
from streams.simulator import run_simulator
from travel_agent.errors import ConfigError
from travel_agent.redact import masked_url


def read_days(
    file: Path, day: date, horizon_days: int, *, quiet: bool = False
) -> tuple[ReplayDay, list[Flight]]:
    """The day to replay from an on-time file, and the flights of the `horizon_days`
    after it (the seats a real airline rebooks onto), with a progress bar on stderr."""
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True), disable=quiet) as bar:
        task = bar.add_task(f"reading {file.name}", total=None)
        replayed = read_ontime(
            file,
            day=day,
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
        following: list[Flight] = []
        for n in range(1, horizon_days + 1):
            bar.update(task, description=f"reading {file.name}: day +{n}")
            following += read_ontime(file, day=day + timedelta(days=n)).schedule
    return replayed, following


async def run_replay(
    settings: Settings,
    replayed: ReplayDay,
    *,
    day: date,
    following: Sequence[Flight] = (),
    speed: float,
    max_passengers: int,
    say: Callable[[str], None],
    stop: asyncio.Event,
    progress: Callable[[str], None] | None = None,
    announcements: Announcements | None = None,
) -> dict[str, Any]:
    """Replay `replayed`; returns the report (`app.summary.replay_report`), which says
    whether it is complete. `progress` gets the running lines (default: `say`);
    `announcements` times the cancellations (default: `streams.replay.Announcements()`)."""
    progress = progress or say
    events = replay_events(replayed, announcements=announcements)
    if not events:
        raise ConfigError(f"no usable flights for {day} in that file: nothing to replay")
    progress(
        f"building the replay's world: {len(replayed.schedule)} flights, synthetic passengers "
        f"(at most {max_passengers:,}) ..."
    )
    # The following days' flights (from the same file) are in the world, scheduled, with
    # their passengers: the seats a real airline rebooks a storm's passengers onto.
    world = build_replay_world(
        [*replayed.schedule, *following],
        seed=settings.seed.seed,
        service_date=day,
        max_passengers=max_passengers,
    )
    if settings.source == "kafka":
        async with open_database(settings.db_url) as db:
            async with db.session() as session:
                if await session.scalar(select(func.count()).select_from(FlightRow)):
                    raise ConfigError(
                        f"{masked_url(settings.db_url)} already holds a world: point"
                        " TRAVEL_AGENT_DB__URL "
                        "at an empty database for the replay (the daemon must use the same one)"
                    )
            await write_world(db, world)
        say(
            f"wrote the replayed world ({len(world.bookings)} bookings)"
            f" to {masked_url(settings.db_url)}"
        )
        clock = SimulatedClock(events[0].emitted_at - timedelta(minutes=1), speed=speed)
        bootstrap = settings.kafka.bootstrap_servers
        async with KafkaSink(
            bootstrap, client_id="travel-agent-replay", security=settings.kafka.security()
        ) as sink:
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
    started = time.perf_counter()
    figures = await play_embedded(
        run_settings,
        events,
        duration=None,
        speed=speed,
        say=progress,
        stop=stop,
        until_done=True,
    )
    async with open_database(run_settings.db_url) as db:
        report = await replay_report(
            db,
            events_total=len(events),
            events_done=figures["events"],
            interrupted=stop.is_set(),
            wall_seconds=time.perf_counter() - started,
        )
    say(report_in_words(report))
    return report
