"""Live pages without a message bus: one cheap poll of the database, pushed as SSE.

The desk may run in another process than the daemon (shared SQLite in WAL mode, or
PostgreSQL), so it learns about changes the only way every copy can: one poller per desk
process looks at a handful of aggregates every `poll_seconds` (counts, newest times,
newest ids), and when a topic's fingerprint moves it tells every open page. The pages
then fetch their fragments again (HTMX: `hx-trigger="sse:<topic>"`); the events carry no
data, so nothing about a passenger travels on the stream.

Topics: `approvals`, `cases`, `board`, `activity` (effects and messages), `desk` (the
desk's own audit), and `figures` (the overview's numbers) whenever any of them moved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import deque
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func, select

from agent.tables import ApprovalRow, CaseRow
from airline.tables import BoardRow, LedgerRow
from dashboard.tables import AuditRow
from tools.tables import OutboxRow
from travel_agent.db import Database

log = logging.getLogger(__name__)

TOPICS = ("approvals", "cases", "board", "activity", "desk")
RATE_WINDOW = 60.0  # seconds of board updates behind "events per minute"
METRICS_EVERY = 5.0  # seconds between looks at the daemon's /metrics
_DEAD_LETTERS = re.compile(r"^travel_agent_dead_letters_total(?:\{[^}]*\})?\s+([0-9.eE+]+)$", re.M)


class LiveFeed:
    """Polls the database, keeps live figures, and fans changes out to subscribers."""

    def __init__(
        self,
        db: Database,
        *,
        poll_seconds: float = 1.0,
        metrics_url: str | None = None,
        on_board_time: Any = None,
    ) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.metrics_url = metrics_url
        self._on_board_time = on_board_time
        self._fingerprints: dict[str, Any] = {}
        self._subscribers: set[asyncio.Queue[frozenset[str] | None]] = set()
        self._event_ids: dict[str, str] | None = None
        self._updates: deque[tuple[float, int]] = deque()
        self._metrics_at = float("-inf")
        self._client: httpx.AsyncClient | None = None
        self.dead_letters: int | None = None
        self.started = time.monotonic()

    # --- subscribers --------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[frozenset[str] | None]]:
        queue: asyncio.Queue[frozenset[str] | None] = asyncio.Queue(maxsize=100)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    def close(self) -> None:
        """End every open stream (the server is stopping)."""
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)

    def _publish(self, topics: frozenset[str]) -> None:
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(topics)
            except asyncio.QueueFull:  # a stalled page: it reloads everything on reconnect
                log.debug("a live page is not reading its events; dropping one")

    # --- figures ------------------------------------------------------------------------

    @property
    def events_per_minute(self) -> float:
        """Board updates applied in the last minute (each one a flight-status event)."""
        now = time.monotonic()
        while self._updates and self._updates[0][0] < now - RATE_WINDOW:
            self._updates.popleft()
        counted = sum(n for _, n in self._updates)
        span = min(RATE_WINDOW, max(now - self.started, self.poll_seconds))
        return counted * 60.0 / span

    # --- polling ------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop`; a failing poll is logged and retried, never fatal."""
        async with httpx.AsyncClient(timeout=1.0) as client:
            self._client = client
            while not stop.is_set():
                try:
                    changed = await self.poll()
                except Exception:  # the database may be busy or briefly gone
                    log.warning("live poll failed; retrying", exc_info=True)
                    changed = frozenset()
                if changed:
                    self._publish(changed)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
        self._client = None

    async def poll(self) -> frozenset[str]:
        """Look once; return the topics that changed since the previous look."""
        seen = await self._look()
        changed = frozenset(
            topic for topic, value in seen.items() if self._fingerprints.get(topic) != value
        )
        first = not self._fingerprints
        self._fingerprints = seen
        await self._scrape_metrics()
        if first or not changed:
            return frozenset()
        return changed | {"figures"}

    async def _look(self) -> dict[str, Any]:
        async with self.db.session() as session:
            approvals = (
                await session.execute(
                    select(
                        ApprovalRow.status,
                        func.count(),
                        func.max(ApprovalRow.created_at),
                        func.max(ApprovalRow.decided_at),
                        func.max(ApprovalRow.applied_at),
                    ).group_by(ApprovalRow.status)
                )
            ).all()
            cases = (
                await session.execute(
                    select(CaseRow.status, func.count(), func.max(CaseRow.updated_at)).group_by(
                        CaseRow.status
                    )
                )
            ).all()
            board = (
                await session.execute(select(BoardRow.flight_key, BoardRow.last_event_id))
            ).all()
            newest = await session.scalar(select(func.max(BoardRow.last_emitted_at)))
            activity = (
                await session.execute(
                    select(
                        select(func.max(LedgerRow.id)).scalar_subquery(),
                        select(func.max(OutboxRow.id)).scalar_subquery(),
                    )
                )
            ).one()
            desk = await session.scalar(select(func.max(AuditRow.id)))
        ids = {key: event for key, event in board}
        if self._event_ids is not None:
            moved = sum(1 for key, event in ids.items() if self._event_ids.get(key) != event)
            if moved:
                self._updates.append((time.monotonic(), moved))
        self._event_ids = ids
        if newest is not None and self._on_board_time is not None:
            self._on_board_time(newest)
        return {
            "approvals": tuple(
                sorted((s, n, _iso(a), _iso(b), _iso(c)) for s, n, a, b, c in approvals)
            ),
            "cases": tuple(sorted((s, n, _iso(at)) for s, n, at in cases)),
            "board": (len(ids), _iso(newest), hash(frozenset(ids.items()))),
            "activity": tuple(activity),
            "desk": desk,
        }

    async def _scrape_metrics(self) -> None:
        if self.metrics_url is None or self._client is None:
            return
        if time.monotonic() - self._metrics_at < METRICS_EVERY:
            return
        self._metrics_at = time.monotonic()
        try:
            response = await self._client.get(self.metrics_url)
            response.raise_for_status()
        except httpx.HTTPError:
            self.dead_letters = None  # unknown, not zero
            return
        self.dead_letters = int(sum(float(v) for v in _DEAD_LETTERS.findall(response.text)))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
