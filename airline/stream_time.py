"""One clock for every process: the daemon publishes the stream's time, the others read it.

On a simulated or replayed day the daemon's clock is not the wall clock: it runs at the
demo's speed (or is held while an approval waits), or follows the events' own times. The
desk and the CLI do not read the stream, so without help each guessed its own time and
recorded decisions that way — a decision could be dated before the question it answered.
Now each daemon writes its clock's reading, the wall time of that reading and its rate
(`StreamClockRow`) about once a second; readers extrapolate from the newest publication.

Extrapolation at the published rate is trusted for `TRUST_SECONDS` of wall time: beyond
that the publisher has gone quiet (stopped, or holding time without saying so yet), so
the clock goes on at no more than wall speed. A process on the "system" clock reads wall
time, as the daemon does.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from airline.board import newest_event_time
from airline.clock import Clock, SystemClock
from airline.tables import StreamClockRow
from travel_agent.db import Database

# Daemons publish every second; twice that covers a late tick.
TRUST_SECONDS = 2.5


def rate_of(clock: Clock) -> float:
    """How many clock seconds pass per wall second (0 while a simulated clock is held)."""
    speed = getattr(clock, "speed", 1.0)
    return float(speed) if isinstance(speed, int | float) else 1.0


async def publish_clock(db: Database, owner: str, clock: Clock) -> None:
    """Record `clock`'s reading now, as `owner`'s (one row per owner, replaced)."""
    values = {
        "owner": owner,
        "reading": clock.now(),
        "wall_at": datetime.now(UTC),
        "rate": rate_of(clock),
    }
    statement = db.insert(StreamClockRow).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[StreamClockRow.owner],
        set_={k: statement.excluded[k] for k in ("reading", "wall_at", "rate")},
    )
    async with db.transaction() as session:
        await session.execute(statement)


class PublishedClock:
    """The stream's time for a process that reads the database but not the stream."""

    def __init__(self, reading: datetime, wall_at: datetime, rate: float) -> None:
        self._reading, self._wall_at, self._rate = reading, wall_at, rate

    def adopt(self, reading: datetime, wall_at: datetime, rate: float) -> None:
        """Take a newer publication (ignored when it would move the clock back)."""
        if reading >= self.now() or wall_at > self._wall_at:
            self._reading, self._wall_at, self._rate = reading, wall_at, rate

    @property
    def speed(self) -> float:
        return self._rate

    def now(self) -> datetime:
        since = max((datetime.now(UTC) - self._wall_at).total_seconds(), 0.0)
        trusted = min(since, TRUST_SECONDS)
        rest = since - trusted
        return self._reading + timedelta(seconds=trusted * self._rate + rest * min(self._rate, 1.0))

    async def sleep_until(self, instant: datetime) -> None:
        while (remaining := (instant - self.now()).total_seconds()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(remaining, 0.5))


async def latest_publication(db: Database) -> tuple[datetime, datetime, float] | None:
    """The newest publication: (reading, wall time, rate), or None when none was made."""
    async with db.session() as session:
        row = await session.scalar(
            select(StreamClockRow).order_by(StreamClockRow.wall_at.desc()).limit(1)
        )
    return None if row is None else (row.reading, row.wall_at, row.rate)


async def stream_clock(db: Database, *, system: bool) -> Clock:
    """The clock a desk or CLI records decisions on, the same one the daemon decides on.

    Wall time with the "system" clock. Otherwise the newest daemon's publication; before
    any (a database no daemon has run on since), the newest event on the board, running
    at wall speed from now; with neither, wall time.
    """
    if system:
        return SystemClock()
    published = await latest_publication(db)
    if published is not None:
        return PublishedClock(*published)
    newest = await newest_event_time(db)
    if newest is None:
        return SystemClock()
    return PublishedClock(newest, datetime.now(UTC), 1.0)
