"""The demo's pacing: simulated time that waits for the agent and for the operator.

A real day does not wait, but a demo or a replay should: it shows decisions, not lag.
`StreamLimit` keeps the simulated clock at the oldest event not yet processed; `pace`
holds it, too, while an approval waits for an operator.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from agent.approvals import ApprovalDesk
from airline.clock import SimulatedClock
from streams.events import FlightStatusEvent

__all__ = ["MAX_BACKLOG", "PACE_SECONDS", "StreamLimit", "pace"]

# The simulated clock waits while this many events are unconsumed, so the agent decides
# at the simulated time its events describe, however fast this machine is.
MAX_BACKLOG = 5
# How often the pacer looks (real seconds). At the demo's ~10 000x, 0.05 s is 8 simulated
# minutes: an approval (30 minutes to its deadline) is seen, and time held, well before.
PACE_SECONDS = 0.05


class StreamLimit:
    """Keeps the simulated clock from running past the oldest event not yet processed.

    A real day does not wait, but a demo or a replay should: it shows decisions, not lag,
    and every decision must be taken at the time its event describes, whatever the speed.
    The simulator reports each event as it sends it (`sent`); the pacer lifts the limit to
    the next unprocessed event as the daemon commits (`follow`, given the runtime's
    backlog: the records sent but not yet committed).
    """

    def __init__(self, clock: SimulatedClock, backlog: Callable[[], Awaitable[int]]) -> None:
        self._clock, self._backlog = clock, backlog
        self._times: list[datetime] = []
        self._done = 0

    def sent(self, event: FlightStatusEvent) -> None:
        self._times.append(event.emitted_at)
        self._limit()

    async def follow(self) -> None:
        self._done = max(self._done, len(self._times) - await self._backlog())
        self._limit()

    def _limit(self) -> None:
        done = self._done
        self._clock.limit(self._times[done] if done < len(self._times) else None)


async def pace(
    clock: SimulatedClock,
    backlog: Callable[[], Awaitable[int]],
    approvals: ApprovalDesk | None = None,
    publish: Callable[[], Awaitable[None]] | None = None,
    stream: StreamLimit | None = None,
) -> None:
    """Keep simulated time at the stream (`stream`) and, with `approvals`, hold it while
    any approval waits for an operator (at demo speed its deadline would pass in seconds).
    `publish` tells the desk and the CLI each time the clock is held or released."""
    while True:
        if stream is not None:
            await stream.follow()
        waiting = approvals is not None and bool(await approvals.pending(limit=1))
        held = clock.speed == 0
        if waiting or (stream is None and await backlog() > MAX_BACKLOG):
            clock.pause()
        else:
            clock.resume()
        if publish is not None and held != (clock.speed == 0):
            await publish()
        await asyncio.sleep(PACE_SECONDS)
