"""Seats left on the flights a batch of settled cases will ask about, read in one query.

A case settled in bulk (`agent.runtime.settle`) reads seats left twice while it is
decided: the context node for its options (`agent.nodes.context`), the guard for the
plan it checks (`tools.policy.checks.rebook_violations`) — each a unit of work and a
query of its own, the largest share of a batch's reads. Those flights are known before
any case of the batch is decided: the wave planner's assignment and its ranked options,
recorded with each case. `SeatsAhead.read` reads them for the whole batch at once, and
the cases' reads are answered from it.

Only right while nothing changes the seats it read. Nothing of the batch does until its
cases act (they act together after every case was decided, and the next batch reads its
own): deciding a case writes no seat, except when the case is placed again
(`context._replan` holds a seat for it) — then `forget` drops what was read, and every
later read of the batch goes to the database, as it would have. A case's seats are its
own anyway: the planner holds them, the guard counts the held ones as the party's, and
`act` confirms the hold under its lock. A flight or cabin not read ahead is read live.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from agent.work import Persistence
from airline.models import Cabin
from airline.ports import Seats

__all__ = ["SeatsAhead", "seats_for"]


class SeatsAhead:
    """`Seats` answered from one read of a batch's flights, live once forgotten."""

    def __init__(self, persistence: Persistence, left: dict[tuple[str, Cabin], int | None]) -> None:
        self._persistence = persistence
        self._left: dict[tuple[str, Cabin], int | None] | None = left
        """(flight, cabin) -> seats left; None: the flight has no such cabin (the live
        read leaves it out). None as a whole: forgotten, every read is live."""

    @classmethod
    async def read(
        cls, persistence: Persistence, wanted: Iterable[tuple[str, Cabin]]
    ) -> SeatsAhead:
        """Seats left on every (flight, cabin) of `wanted`, one query per cabin."""
        by_cabin: dict[Cabin, set[str]] = {}
        for key, cabin in wanted:
            by_cabin.setdefault(cabin, set()).add(key)
        left: dict[tuple[str, Cabin], int | None] = {}
        if by_cabin:
            async with persistence.reading() as work:
                for cabin, keys in sorted(by_cabin.items()):
                    counts = await work.reservations.available_seats(sorted(keys), cabin)
                    left.update(((key, cabin), counts.get(key)) for key in keys)
        return cls(persistence, left)

    def forget(self) -> None:
        """Seats were taken or given back: read live from now on."""
        self._left = None

    async def available_seats(self, flight_keys: list[str], cabin: Cabin) -> dict[str, int]:
        """Seats left per flight in `cabin`, as read ahead, or live (module docstring)."""
        left = self._left
        if left is not None and all((key, cabin) in left for key in flight_keys):
            return {key: n for key in flight_keys if (n := left[(key, cabin)]) is not None}
        async with self._persistence.reading() as work:
            return await work.reservations.available_seats(flight_keys, cabin)


@asynccontextmanager
async def seats_for(persistence: Persistence, ahead: SeatsAhead | None) -> AsyncIterator[Seats]:
    """Where a node reads seats left: the batch's read-ahead, or a unit of work of its own."""
    if ahead is not None:
        yield ahead
        return
    async with persistence.reading() as work:
        yield work.reservations
