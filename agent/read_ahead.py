"""A batch's bookings and customers read ahead, a chunk of cases per query.

Every case begins by reading its booking (passengers, journeys, segments) and customer
(channels): six queries per case, each a round trip through SQLAlchemy that costs far
more than SQLite's answer. The cases of a batch (a wave, a disruption's re-check) are
known in the order they will run, so the first case of a chunk reads the chunk's
bookings and customers in one query per table (`load_bookings`, `load_customers`),
and the others take theirs from it.

Why a chunk and not the whole batch: a value read ahead is as old as the moment it was
read. Cases of one batch have distinct bookings and act only on their own, but a
follow-up job or a passenger's reply may change a booking meanwhile. A chunk of
`CHUNK` cases is read about when its first case starts, and cases run `concurrency`
(8 by default) at a time, so a case's context is at most a few cases older than when it
read it alone — and, as before, every effect re-reads under the transaction's lock what
it acts on. Each value is handed out once: a case that gathers its context again (a seat
race lost, a retry) reads afresh.

The cases settled in bulk (`agent.runtime.settle`) read a chunk per transaction batch
(`settle_batch`, 200 by default): a batch decides every one of its cases before any of
them acts, so a case of it waits for no effect of its neighbours, and its booking is at
most one batch's deciding older (about half a second of CPU) — five times fewer queries
than chunks of 32, for the same rows. A batch's cases have distinct bookings and act
only on their own (`settle._candidates`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from airline.bookings import load_bookings, load_customers
from airline.models import Booking, Customer
from travel_agent.db import Database

__all__ = ["CHUNK", "ReadAhead"]

CHUNK = 32
"""Cases whose bookings one read-ahead takes (see the module docstring)."""


class ReadAhead:
    """The bookings and customers of a batch's cases, read a chunk at a time."""

    def __init__(self, db: Database, pnrs: Sequence[str], chunk: int = CHUNK) -> None:
        self._db = db
        self._order = list(dict.fromkeys(pnrs))
        self._index = {pnr: i for i, pnr in enumerate(self._order)}
        self._chunk = max(1, chunk)
        self._read_upto = 0  # the cases before it have been read (or handed out)
        self._ready: dict[str, tuple[Booking, Customer]] = {}
        self._lock = asyncio.Lock()

    async def take(self, pnr: str) -> tuple[Booking, Customer] | None:
        """The booking of `pnr` and its customer, read ahead; None when this batch has
        none for it (not one of its cases, or already handed out): read it yourself."""
        async with self._lock:
            found = self._ready.pop(pnr, None)
            if found is not None:
                return found
            at = self._index.get(pnr)
            if at is None or at < self._read_upto:
                return None
            chunk = self._order[at : at + self._chunk]
            self._read_upto = at + len(chunk)
            async with self._db.session() as session:
                bookings = await load_bookings(session, chunk)
                customers = await load_customers(
                    session, sorted({b.customer_id for b in bookings.values()})
                )
            for key, booking in bookings.items():
                customer = customers.get(booking.customer_id)
                if customer is not None:
                    self._ready[key] = (booking, customer)
            return self._ready.pop(pnr, None)
