"""aiosqlite connections that run their SQLite calls on the event loop's own thread.

aiosqlite gives every connection a worker thread and hands each call to it through a
queue: one call is two thread switches (there and back), and SQLAlchemy makes three or
four calls per statement (cursor, execute, fetch, close). A SQLite call on our tables
takes microseconds; a thread switch on a busy machine takes milliseconds (the worker
must be scheduled, then the loop again). Profiled on the storm benchmark (2 cores, load
~14), a trivial `SELECT 1` cost 1.9 ms through the worker thread, and SQLite's one writer
held the write lock for 73 ms per case closing (30 statements): the storm ran at
12 cases/s with the process mostly idle, waiting for its own threads.

`InlineConnection` is aiosqlite's `Connection` with its queue replaced by one that runs
each call at once, on the caller's (the loop's) thread, and resolves the future before
it is awaited, so awaiting it never yields. Nothing else changes: same sqlite3 module,
same transactions, same SQLAlchemy dialect (`async_creator` of `create_async_engine`).

Why this is safe here: every writer of this process goes through
`Database.transaction()`, which serializes them with an asyncio lock, so a statement can
never wait on a lock another coroutine of this loop holds (which would block the loop
until the busy timeout). What can still block the loop is another *process* holding the
write lock (an operator's CLI, a second daemon on the same file): the call then waits in
SQLite's busy handler for at most the busy timeout, as the worker thread did, but with
the loop paused; such transactions are milliseconds long. WAL lets readers go on during
writes. PostgreSQL, for deployments with several writers, is unaffected.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from typing import Any, cast

import aiosqlite

__all__ = ["InlineConnection"]


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its worker thread: runs each call when queued."""

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

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        # No worker thread to start: connect here, as every later call runs here.
        return cast(Generator[Any, None, aiosqlite.Connection], self._connect().__await__())


def inline_creator(database: str, **connect_args: Any) -> Callable[[], InlineConnection]:
    """An `async_creator` for `create_async_engine`: opens `database` with `connect_args`
    (those of `sqlite3.connect`) on the calling thread."""

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **connect_args)
        return connection

    def create() -> InlineConnection:
        return InlineConnection(connector)

    return create
