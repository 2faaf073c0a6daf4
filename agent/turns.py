"""Acting in priority order: scarce seats go to the most urgent passengers first.

Triage orders a disruption's cases (reduced mobility and unaccompanied minors, connection
at risk, tier, fare, departure). They gather context and plan concurrently, but each
waits for its turn to *act*: case i acts only after cases 0..i-1 have acted or finished.
A lower-priority case that planned onto the seat a higher one took loses the seat race
at booking and searches again. (On SQLite writes are serialized anyway, so the order
costs nothing; on PostgreSQL it costs the acts' overlap, a few milliseconds each.)

The daemon hands each case its turn through a context variable, which LangGraph's node
tasks inherit; a run without one (a test calling the graph directly) acts at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar


class Turns:
    """The acting order of one batch of cases, by their index in it."""

    def __init__(self, size: int) -> None:
        self._done = [False] * size
        self._next = 0  # every case before this index has acted or finished
        self._changed = asyncio.Condition()

    async def wait(self, index: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self._next >= index)

    async def release(self, index: int) -> None:
        async with self._changed:
            self._done[index] = True
            while self._next < len(self._done) and self._done[self._next]:
                self._next += 1
            self._changed.notify_all()


_TURN: ContextVar[tuple[Turns, int] | None] = ContextVar("act_turn", default=None)


def take_turns(turns: Turns, index: int) -> None:
    """Called by the daemon before running case `index` of the batch."""
    _TURN.set((turns, index))


@asynccontextmanager
async def my_turn() -> AsyncIterator[None]:
    """Wait until every more urgent case of the batch has acted; then act."""
    turn = _TURN.get()
    if turn is None:
        yield
        return
    turns, index = turn
    await turns.wait(index)
    try:
        yield
    finally:
        await turns.release(index)
