"""SQLite calls run on the loop's thread, with aiosqlite's and SQLAlchemy's semantics kept."""

from __future__ import annotations

import sqlite3
import threading
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
