"""SQLite calls run on the loop's thread, with aiosqlite's and SQLAlchemy's semantics kept."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from travel_agent.db import Database
from travel_agent.sqlite_inline import InlineConnection


async def test_calls_run_on_the_calling_thread_and_errors_reach_the_caller(tmp_path: Path) -> None:
    seen: list[int] = []

    def connector() -> sqlite3.Connection:
        seen.append(threading.get_ident())
        return sqlite3.connect(tmp_path / "x.sqlite")  # check_same_thread: only this thread

    async with InlineConnection(connector) as conn:
        await conn.execute("CREATE TABLE t (a INTEGER PRIMARY KEY)")
        await conn.execute("INSERT INTO t VALUES (1)")
        await conn.commit()
        async with conn.execute("SELECT a FROM t") as cursor:
            assert await cursor.fetchall() == [(1,)]
        with pytest.raises(sqlite3.IntegrityError):
            await conn.execute("INSERT INTO t VALUES (1)")
    assert seen == [threading.get_ident()]


async def test_a_database_commits_and_rolls_back_through_inline_connections(
    tmp_path: Path,
) -> None:
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}") as db:
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE t (a INTEGER PRIMARY KEY)"))
            await session.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:
                await session.execute(text("INSERT INTO t VALUES (2)"))
                raise RuntimeError("rolled back")
        async with db.session() as session:
            assert (await session.execute(text("SELECT a FROM t"))).scalars().all() == [1]
            mode = (await session.execute(text("PRAGMA journal_mode"))).scalar()
    assert mode == "wal"


async def test_waiting_for_another_process_lock_keeps_the_loop_running(tmp_path: Path) -> None:
    """A second process's write lock is waited for with the loop free (heartbeats go on).

    The lock is released by a callback of this loop: the transaction can only get it if
    the loop runs while the transaction waits (blocked in SQLite, it would fail after the
    busy wait)."""
    path = tmp_path / "db.sqlite"
    async with Database(f"sqlite+aiosqlite:///{path}") as db:
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE t (a INTEGER)"))
        other = sqlite3.connect(path, isolation_level=None)  # stands for another process
        other.execute("BEGIN IMMEDIATE")
        held_for = 0.5
        asyncio.get_running_loop().call_later(held_for, other.execute, "COMMIT")
        started = time.monotonic()
        async with db.transaction() as session:  # BEGIN IMMEDIATE: busy until the commit
            await session.execute(text("INSERT INTO t VALUES (1)"))
        waited = time.monotonic() - started
        other.close()
        assert waited >= held_for * 0.9
        async with db.session() as session:
            assert (await session.execute(text("SELECT count(*) FROM t"))).scalar() == 1


async def test_a_lock_held_past_the_busy_wait_raises_and_leaves_no_transaction(
    tmp_path: Path,
) -> None:
    path = tmp_path / "x.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (a INTEGER)").connection.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    connect = functools.partial(sqlite3.connect, path, timeout=0.005, isolation_level=None)
    async with InlineConnection(connect, busy_wait=0.2) as conn:
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await conn.execute("BEGIN IMMEDIATE")
        assert 0.2 <= time.monotonic() - started < 2
        other.execute("COMMIT")
        await conn.execute("BEGIN IMMEDIATE")  # free now: the same call succeeds
        await conn.execute("INSERT INTO t VALUES (1)")
        await conn.commit()
    other.close()


async def test_a_long_run_of_inline_calls_lets_other_tasks_in(tmp_path: Path) -> None:
    """Inline calls never suspend by themselves; one yields every `YIELD_AFTER_S` (20 ms)."""
    ran = asyncio.Event()

    async def other_task() -> None:
        ran.set()

    async with InlineConnection(lambda: sqlite3.connect(tmp_path / "y.sqlite")) as conn:
        await conn.execute("CREATE TABLE t (a INTEGER)")
        asyncio.get_running_loop().create_task(other_task())
        for _ in range(1_000_000):  # ~10 µs each: far longer than YIELD_AFTER_S
            if ran.is_set():
                break
            await conn.execute("INSERT INTO t VALUES (1)")
        assert ran.is_set(), "the loop never ran"
