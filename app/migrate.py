"""Schema migrations with Alembic: `travel-agent db upgrade|current|revision`, and the
upgrade every entry point runs at start (`open_database`).

The revisions live in `app/migrations/versions`. The first, the baseline, creates the
schema of the release before migrations (each table and index only if it is missing:
that release created the desk's and the claims' tables lazily, so a deployment of it
may hold any subset); every later revision moves the schema one step. So one command
upgrades an empty database, a database of the previous release, and a migrated one.

Two processes starting at once on one database (a daemon and the desk) migrate it once:
the upgrade runs under a lock — PostgreSQL's advisory lock, on SQLite an exclusive lock
file beside the database.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.schema import metadata
from travel_agent.db import Database

__all__ = [
    "current",
    "differences",
    "head",
    "new_revision",
    "open_database",
    "upgrade",
]

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant both processes agree on: the key of PostgreSQL's advisory lock.
_PG_LOCK_KEY = 0x7472_6176_656C


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, without an ini file: the scripts and our connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s")  # the id says the order: 0002_x
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str | None:
    """The newest revision in this build."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, revision: str | None) -> str | None:
    before = _current(connection)
    if revision is not None and before != revision:
        command.upgrade(alembic_config(connection), revision)
    after = _current(connection)
    if after != before:
        log.info("database schema upgraded from %s to %s", before or "nothing", after)
    return after


@asynccontextmanager
async def _sqlite_lock(url: str) -> AsyncIterator[None]:
    """An exclusive lock on a file beside a SQLite database (none for `:memory:`)."""
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:":
        yield
        return
    lock = Path(path + ".migrate.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = await asyncio.to_thread(lock.open, "a")
    try:
        # Waiting for another process's upgrade blocks: off the event loop.
        await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # closing releases the lock


async def upgrade(url: str, revision: str = "head") -> str | None:
    """Upgrade the database at `url` to `revision`; the revision it is at afterwards."""
    Database.check_url(url)
    target = head() if revision == "head" else revision
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with AsyncExitStack() as stack:
            if url.startswith("sqlite"):
                await stack.enter_async_context(_sqlite_lock(url))
            conn = await stack.enter_async_context(engine.begin())
            if conn.dialect.name == "postgresql":  # held until this transaction ends
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
                )
            return await conn.run_sync(_upgrade, target)
    finally:
        await engine.dispose()


async def current(url: str) -> str | None:
    """The revision the database at `url` is at (None: not migrated yet)."""
    Database.check_url(url)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_current)
    finally:
        await engine.dispose()


async def differences(url: str) -> list[Any]:
    """What differs between the database at `url` and the tables the code declares
    (Alembic's `compare_metadata`); empty when the migrations and the code agree."""
    Database.check_url(url)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: list(
                    compare_metadata(
                        MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                    )
                )
            )
    finally:
        await engine.dispose()


@asynccontextmanager
async def open_database(url: str) -> AsyncIterator[Database]:
    """The database at `url`, upgraded to this build's schema first."""
    await upgrade(url)
    async with Database(url) as db:
        yield db


async def new_revision(url: str, message: str) -> str:
    """Write a new revision file: what the code declares that the database at `url`
    (upgraded to head first) lacks, autogenerated. Returns its path.

    Its id is the next number and a slug of `message` (``0003_desk_sessions``), so the
    files sort in the order they apply.
    """
    await upgrade(url)
    count = len(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
    words = re.findall(r"[a-z0-9]+", message.lower())
    slug = "_".join(w for i, w in enumerate(words) if len("_".join(words[: i + 1])) <= 32)
    rev_id = f"{count + 1:04d}_{slug or 'revision'}"
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            script = await conn.run_sync(
                lambda sync: command.revision(
                    alembic_config(sync), message=message, autogenerate=True, rev_id=rev_id
                )
            )
    finally:
        await engine.dispose()
    scripts = script if isinstance(script, list) else [script]
    return ", ".join(s.path for s in scripts if s is not None)
