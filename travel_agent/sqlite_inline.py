"""aiosqlite connections that run their SQLite calls on the event loop's own thread.

aiosqlite gives every connection a worker thread and hands each call to it through a
queue: one call is two thread switches (there and back), and SQLAlchemy makes three or
four calls per statement (cursor, execute, fetch, close). A SQLite call on our tables
takes microseconds; a thread switch on a busy machine takes milliseconds (the worker
must be scheduled, then the loop again). Profiled on the storm benchmark (2 cores, load
~14), a trivial `SELECT 1` cost 1.9 ms through the worker thread, and SQLite's one writer
held the write lock for 73 ms per case closing (30 statements): the storm ran at
12 cases/s with the process mostly idle, waiting for its own threads.

`InlineConnection` is aiosqlite's `Connection` whose calls run at once, on the caller's
(the loop's) thread. Nothing else changes: same sqlite3 module, same transactions, same
SQLAlchemy dialect (`async_creator` of `create_async_engine`).

Running on the loop's thread, a call must never block it for long: the loop also runs
the Kafka consumer's heartbeats (a member silent for its session timeout, 10 s by
default, is dropped from the group and its partitions move), the ops server and the
relay. Two things could block it:

- *Waiting for a lock another process holds* (a second daemon on the same file, an
  operator's CLI): SQLite's busy handler sleeps inside the call until the lock is free
  or its busy timeout (30 s before) ends. Here SQLite's own wait is short
  (`SQLITE_BUSY_TIMEOUT_MS`), and a call that still finds the lock taken is retried
  after an `asyncio.sleep` with backoff, up to `busy_wait` seconds in all: the loop runs
  while we wait. Only calls that *begin* a statement are retried (execute, commit,
  rollback): SQLite changed nothing when it answered busy there. A fetch is not retried
  (a statement's later steps take no new lock), nor `SQLITE_BUSY_SNAPSHOT` (a deferred
  reader turned writer on a stale snapshot: retrying cannot help; our writers begin
  IMMEDIATE, `travel_agent.db`).
- *A long run of calls that never yield*: an inline call's future is resolved before it
  is awaited, so a wave's hundreds of statements would run without letting any other
  task in. A call yields (`asyncio.sleep(0)`) once `YIELD_AFTER_S` has passed since
  the last yield, as the worker thread's round trips did at every call.

Within this process, writers are serialized by `Database.transaction()`'s asyncio lock,
so a statement never waits on a lock another coroutine of this loop holds. WAL lets
readers go on during writes. PostgreSQL, for deployments with several writers, is
unaffected.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Generator
from typing import Any, cast

import aiosqlite

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "YIELD_AFTER_S", "InlineConnection", "inline_creator"]

SQLITE_BUSY_TIMEOUT_MS = 20
"""How long SQLite's own busy handler may block the loop per call before we wait async."""
YIELD_AFTER_S = 0.02
"""Longest run of inline calls before one lets the loop's other tasks in."""
BUSY_WAIT_S = 30.0
"""How long a call waits in all for another process's lock (the old busy timeout)."""

# Calls that begin a statement: answered busy, they changed nothing and may run again.
_RETRIED_ON_BUSY = frozenset({"execute", "executemany", "executescript", "commit", "rollback"})
_SQLITE_BUSY = 5
_SQLITE_BUSY_SNAPSHOT = 517
_BACKOFF_FIRST_S, _BACKOFF_MAX_S = 0.002, 0.1


def _busy(exc: sqlite3.OperationalError) -> bool:
    code: int | None = getattr(exc, "sqlite_errorcode", None)
    if code is None:  # a driver without error codes: its message says it
        return "database is locked" in str(exc)
    return code & 0xFF == _SQLITE_BUSY and code != _SQLITE_BUSY_SNAPSHOT


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its worker thread (used by `stop()` only)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:
            if future is None:
                raise
            future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the calling thread (module docstring)."""

    def __init__(
        self, connector: Callable[[], sqlite3.Connection], *, busy_wait: float = BUSY_WAIT_S
    ) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]
        self._busy_wait = busy_wait

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        # No worker thread to start: connect here, as every later call runs here.
        return cast(Generator[Any, None, aiosqlite.Connection], self._connect().__await__())

    async def _connect(self) -> aiosqlite.Connection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        global _last_yield
        if time.monotonic() - _last_yield >= YIELD_AFTER_S:
            await asyncio.sleep(0)
            _last_yield = time.monotonic()
        deadline: float | None = None
        backoff = _BACKOFF_FIRST_S
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or getattr(fn, "__name__", "") not in _RETRIED_ON_BUSY:
                    raise
                now = time.monotonic()
                deadline = now + self._busy_wait if deadline is None else deadline
                if now >= deadline:
                    raise
                await asyncio.sleep(min(backoff, deadline - now))  # the loop runs meanwhile
                _last_yield = time.monotonic()
                backoff = min(backoff * 2, _BACKOFF_MAX_S)


_last_yield = 0.0
"""When an inline call last let the loop in (one loop per process runs them)."""


def inline_creator(database: str, **connect_args: Any) -> Callable[[], InlineConnection]:
    """An `async_creator` for `create_async_engine`: opens `database` with `connect_args`
    (those of `sqlite3.connect`; its `timeout` is SQLite's short own wait, see
    `SQLITE_BUSY_TIMEOUT_MS`) on the calling thread."""
    connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_MS / 1000

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **connect_args)
        return connection

    def create() -> InlineConnection:
        return InlineConnection(connector)

    return create
