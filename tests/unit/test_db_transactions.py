"""SQLite transactions isolate a read-then-write step from other processes.

The driver used to begin a transaction only at the first write, so a writer's reads ran
outside it: two daemons on one file could each read a hold as still held and act on it.
A writer now holds the write lock from its first statement; a reader blocks no writer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from travel_agent.db import Database


@pytest.fixture
async def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 't.sqlite'}") as db:
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
            await session.execute(text("INSERT INTO t VALUES (1)"))
        yield db


def _other_writer(db: Database) -> sqlite3.Connection:
    return sqlite3.connect(db.url.split(":///", 1)[1], timeout=0.2, isolation_level=None)


async def test_a_writer_that_has_only_read_so_far_already_holds_the_write_lock(
    db: Database,
) -> None:
    async with db.transaction() as session:
        await session.execute(text("SELECT x FROM t"))
        other = _other_writer(db)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


async def test_a_reader_locks_no_writer_out_and_writes_commit_or_roll_back(db: Database) -> None:
    async with db.session() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar() == 1
        other = _other_writer(db)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO t VALUES (2)")
        other.execute("COMMIT")
        other.close()
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await session.execute(text("INSERT INTO t VALUES (3)"))
            raise RuntimeError("rolled back")
    async with db.session() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar() == 2
