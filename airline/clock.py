"""Time is injected: the daemon, the simulator, the evals and the tests read a Clock.

`SystemClock` is wall time. `SimulatedClock` runs from a chosen start at `speed` times
real time, so a whole day of operations can be replayed in a minute; `advance()` lets
tests move it by hand (speed 0 freezes it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the rest of the code needs to know about time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...

    async def sleep_until(self, instant: datetime) -> None:
        """Return once `now()` has reached `instant`."""
        ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, instant: datetime) -> None:
        delay = (instant - self.now()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)


class SimulatedClock:
    """A clock that starts at `start` and runs `speed` times faster than real time."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs a timezone-aware start")
        self._origin = start.astimezone(UTC)
        self._speed = speed
        self._real_origin = time.monotonic()
        self._offset = timedelta()
        self._paused_speed = 0.0
        self._limit: datetime | None = None

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._real_origin) * self._speed
        instant = self._origin + timedelta(seconds=elapsed) + self._offset
        if self._limit is not None and instant > self._limit:
            # Time stands at the limit (as if paused when it got there) until lifted.
            self._offset -= instant - self._limit
            instant = self._limit
        return instant

    def limit(self, instant: datetime | None) -> None:
        """Never run past `instant` (None lifts the limit; time goes on from where it is).

        A replay or demo sets it to the oldest event the daemon has not processed yet, so
        the clock never runs ahead of the stream, however high the speed.
        """
        self._limit = instant

    def advance(self, delta: timedelta) -> None:
        """Jump forward by `delta` (tests and evals)."""
        self._offset += delta

    def pause(self) -> None:
        """Stop time (e.g. while the consumer catches up); `resume()` restarts it."""
        if self._speed > 0:
            self._offset = self.now() - self._origin
            self._real_origin = time.monotonic()
            self._paused_speed, self._speed = self._speed, 0.0

    def resume(self) -> None:
        if self._speed == 0 and self._paused_speed > 0:
            self._real_origin = time.monotonic()
            self._speed = self._paused_speed

    async def sleep_until(self, instant: datetime) -> None:
        while True:
            remaining = (instant - self.now()).total_seconds()
            if remaining <= 0:
                return
            if self._speed <= 0:
                # A frozen clock only moves by advance(); poll for it.
                await asyncio.sleep(0.01)
                continue
            await asyncio.sleep(min(remaining / self._speed, 0.5))


class EventTimeClock:
    """A clock that follows the stream: the time of the event in hand, plus time since.

    Right for simulated and replayed feeds, whose day is not today, and equal to wall
    time on a live feed. The daemon calls `follow()` with each event's `emitted_at`
    before deciding on it, so every decision is taken at the time its event describes —
    even when a backlog on several partitions arrives out of time order, which a single
    "latest seen" clock would turn into decisions from the future. A piece of work that
    decides at another instant (a follow-up job at its due time, a case run again from
    its start) runs inside `at()`.
    """

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("EventTimeClock needs a positive speed")
        self._mark = start.astimezone(UTC)
        self._real = time.monotonic()
        self._speed = speed
        # One per clock: an evaluation runs several worlds, each on its own clock, at once.
        self._held: ContextVar[tuple[datetime, float] | None] = ContextVar(
            f"event_clock_held_{id(self)}", default=None
        )

    @property
    def speed(self) -> float:
        return self._speed

    def follow(self, instant: datetime) -> None:
        """Set the clock to `instant` (it may go back: partitions interleave).

        Raises:
            RuntimeError: inside `at()`: the stream moving on under work that decides at
                another instant would not be seen by that work, nor kept by a clock
                that put its instant back at the end.
        """
        if self._held.get() is not None:
            raise RuntimeError("the stream's clock cannot follow a record inside clock.at()")
        # Once per record: most are in UTC already.
        self._mark = instant if instant.tzinfo is UTC else instant.astimezone(UTC)
        self._real = time.monotonic()

    def now(self) -> datetime:
        held = self._held.get()
        mark, real = (self._mark, self._real) if held is None else held
        return mark + timedelta(seconds=(time.monotonic() - real) * self._speed)

    @contextmanager
    def at(self, instant: datetime) -> Iterator[None]:
        """Decide at `instant` (plus the time since) for the work inside the block, then
        at the stream's time again, however the block ends (an exception included).

        For work that belongs to another instant than the record in hand: a follow-up
        job decides at its due time (`agent.runtime.pump`), a case run again from its
        start at the time of its first run (`agent.followups`).

        The instant is held in the running task's context, never written over the
        stream's time, so no way of nesting can lose that time: a block inside a block
        holds the inner instant and gives the outer one back at its end; the tasks and
        threads the block starts decide at its instant too, while the other tasks (the
        consumer following records, the outbox relay) keep the stream's time. Saved and
        put back on the clock instead, two overlapping blocks of two tasks put each
        other's instants back, and the second to end left the clock at the first one's
        instant, the records followed meanwhile lost. `follow()` inside a block is
        refused (see there).
        """
        token = self._held.set((instant.astimezone(UTC), time.monotonic()))
        try:
            yield
        finally:
            self._held.reset(token)

    @property
    def followed(self) -> datetime:
        """The instant last followed (at first, the start), or the instant of the `at()`
        block around the caller: the time of the event in hand, without the time since.
        Cheaper than `now()`, and the same in every run of a stream, which `now()`,
        moving with wall time, is not."""
        held = self._held.get()
        return self._mark if held is None else held[0]

    async def sleep_until(self, instant: datetime) -> None:
        while (remaining := (instant - self.now()).total_seconds()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(remaining / self._speed, 0.5))
