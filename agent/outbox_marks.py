"""How the outbox relay reads the rows it claimed and marks them delivered.

The relay (`agent.relay`) reads and marks rows with Core statements built once: the ORM's
objects (identity map, change tracking) cost more per row than the delivery itself.
`MarksBehind` marks a batch's delivered rows while the next ones are delivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update

from tools.tables import OutboxRow

__all__ = ["CLAIMED_ROWS", "MARK_SENT", "OUTBOX", "Claimed", "MarksBehind", "Sent"]

log = logging.getLogger(__name__)

OUTBOX = cast(Table, OutboxRow.__table__)
CLAIMED_ROWS = (
    select(
        OUTBOX.c.id,
        OUTBOX.c.topic,
        OUTBOX.c.key,
        OUTBOX.c.idempotency_key,
        OUTBOX.c.payload,
        OUTBOX.c.attempts,
        OUTBOX.c.channel,
    )
    .where(OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(OUTBOX.c.id)
)
"""The claimed rows (``ids``), in id order: what `Claimed` holds."""
MARK_SENT = update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id"))
"""Run with one parameter set per row: ``row_id`` and the columns to set."""


@dataclass(frozen=True, slots=True)
class Claimed:
    """An outbox row this relay claimed: what delivering and marking it read."""

    id: int
    topic: str
    key: str
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int
    channel: str | None


@dataclass(frozen=True)
class Sent:
    via: str | None
    """The channel that reached the passenger (None: a record published, no message)."""
    at: datetime
    """Delivered, on the relay's clock."""
    wall_at: datetime
    """Delivered, in wall time (UTC)."""


class MarksBehind:
    """A batch's delivered rows, marked sent behind the deliveries.

    One mark is in flight at a time and takes every row delivered since the one before,
    so a delivery never waits for the database's write lock (on SQLite, a wave's
    deciding holds it for a whole transaction of cases): with the lock free the rows are
    marked a few at a time, with it busy the rows delivered meanwhile go in one
    transaction. (Marked every ten rows or half-second in line, on a busy loop each row
    waited for the lock: a transaction per row, and the next delivery behind it.) A relay
    killed before a row's mark delivers it again, with its key: at least once.
    """

    def __init__(self, mark: Callable[..., Awaitable[None]], rows: dict[int, Claimed]) -> None:
        self._mark = mark
        self._rows = rows
        self._waiting: dict[int, Sent] = {}
        self._unmarked: dict[int, Sent] = {}  # a background mark that failed
        self._task: asyncio.Task[None] | None = None

    def add(self, row_id: int, sent: Sent) -> None:
        self._waiting[row_id] = sent
        if self._task is None:
            self._task = asyncio.create_task(self._marking())

    async def _marking(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            try:
                await self._mark(batch, {}, self._rows, list(batch))
            except Exception:  # left to the batch's last mark (and the task kept: no more)
                log.exception("marking %d delivered outbox rows failed", len(batch))
                self._unmarked.update(batch)
                return
        self._task = None

    async def settled(self) -> dict[int, Sent]:
        """Wait for the mark in flight; the delivered rows not marked yet."""
        if self._task is not None:
            await self._task
        return {**self._unmarked, **self._waiting}
