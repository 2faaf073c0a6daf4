"""The SQL kernel every room's tables build on: one declarative `Base` (one metadata, so
migrations see every table), UTC datetimes, and the `Database` handle — SQLite file by
default, PostgreSQL by URL.

Same code on both. Times are stored in UTC and come back timezone-aware (`UtcDateTime`).
SQLite allows one writer at a time, so `Database.transaction()` serializes writers of
this process with a lock (another process's lock is waited for without blocking the
loop: `travel_agent.sqlite_inline`); on PostgreSQL transactions run concurrently and
correctness comes from conditional updates and row locks.

Each room declares its own tables on `Base` in its own module (`airline.tables`,
`agent.tables`, `tools.tables`, `dashboard.tables`); this module imports none of them.
Opening a `Database` creates nothing: the schema is the migrations' work
(`app.migrate.open_database` upgrades, then opens), so what a database holds never
depends on which table modules a process happened to import.

Why it is long: the held-back writes of a deferring session (`execute_write`,
`write_deferred`, and the indexes its reads look up) live beside the transaction they
belong to, whose commit writes them; they are the seam to split along next.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, closing
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any, cast

__all__ = [
    "Base",
    "Database",
    "UtcDateTime",
    "copy_sqlite",
    "defer_writes",
    "deferred_rows",
    "deferred_rows_under",
    "deferred_rows_where",
    "deferring",
    "execute_write",
    "insert_row",
    "write_deferred",
]

from sqlalchemy import JSON, DateTime, Table, event, insert, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.dml import Insert, UpdateBase
from sqlalchemy.types import TypeDecorator

from travel_agent.errors import ConfigError
from travel_agent.redact import masked_url
from travel_agent.sqlite_inline import SQLITE_BUSY_TIMEOUT_MS, inline_creator


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON}  # noqa: RUF012


class Database:
    """One async engine and its sessions. Open with `async with Database(url) as db`."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.check_url(url)
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split(":///", 1)[1] if ":///" in url else ""
            if path and path != ":memory:" and not path.startswith("file:"):
                private_file(Path(path))
            # SQLite calls run on the loop's thread, not a worker thread per connection
            # (travel_agent.sqlite_inline says why, and why that is safe here).
            args, options = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
            self.engine: AsyncEngine = create_async_engine(
                url, echo=echo, async_creator=inline_creator(*args, **options)
            )
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        else:
            self.engine = create_async_engine(url, echo=echo, pool_size=10, max_overflow=10)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer; serializing our own writers avoids "database is locked".
        self._write_lock = asyncio.Lock()

    @staticmethod
    def check_url(url: str) -> None:
        """Raise `ConfigError` for a URL of a database or driver we do not run on."""
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ConfigError(
                f"unsupported database URL {masked_url(url)!r}: use"
                " sqlite+aiosqlite:///path/file.sqlite "
                "or postgresql+asyncpg://user:password@host/dbname (TRAVEL_AGENT_DB__URL)"
            )

    def insert(self, table: Any) -> sqlite.Insert | postgresql.Insert:
        """An INSERT into `table` (a table or mapped class) in this database's dialect,
        for its ``ON CONFLICT`` clauses (`on_conflict_do_nothing`, `on_conflict_do_update`):
        the one place that chooses between SQLite's and PostgreSQL's."""
        return sqlite.insert(table) if self.is_sqlite else postgresql.insert(table)

    def insert_new(self, table: Any) -> Insert:
        """``INSERT … ON CONFLICT DO NOTHING`` into `table`, its values given at execution
        (`execute_write`): a row written once under a unique key (a job, an offer).
        Built once per table and dialect, as `insert_row`'s: building and keying a
        statement per call costs more CPU than running it."""
        built = _inserts_new.get((self.is_sqlite, table))
        if built is None:
            built = _inserts_new[(self.is_sqlite, table)] = self.insert(
                table
            ).on_conflict_do_nothing()
        return built

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads (no transaction is committed)."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on error."""
        if self.is_sqlite:
            async with self._write_lock, self._sessions.begin() as session:
                # Take SQLite's write lock before the first read: a read-then-write step
                # (is the hold still held? then confirm it) must not act on what another
                # process changed in between (`_sqlite_begin`).
                await session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
                yield session
        else:
            async with self._sessions.begin() as session:
                yield session


async def insert_row(session: AsyncSession, row: Base) -> None:
    """INSERT the new `row` now, in `session`'s transaction, as one Core statement (or,
    in a session that defers its writes, `defer_writes`, with the others later).

    For rows written once and never read back as objects (ledger entries, outbox
    messages): the session's unit of work (`session.add`, then a flush before the next
    query) costs several times the INSERT itself, and a case writes a handful of them.
    The row is not attached to the session; the columns it was given are inserted (the
    others take their column defaults, as a flush would give them).
    """
    await insert_values(session, type(row), inspect(row).dict)


async def insert_values(session: AsyncSession, cls: type[Base], given: Mapping[str, Any]) -> None:
    """`insert_row` of a row of `cls` with the attributes `given`, without building the
    mapped object (its instrumented state cost more CPU than the INSERT: a settled
    batch writes thousands of ledger and outbox rows)."""
    statement, columns = _inserts.get(cls) or _insert_for(cls)
    await execute_write(
        session, statement, {column: given[attr] for attr, column in columns if attr in given}
    )


_inserts: dict[type[Base], tuple[Insert, tuple[tuple[str, str], ...]]] = {}
"""Per mapped class, its INSERT and (attribute, column) names, built once: a statement
built per call costs more CPU to construct and to key for SQLAlchemy's compiled cache
than executing it (the cache key of a statement object is memoized on it)."""


def _insert_for(cls: type[Base]) -> tuple[Insert, tuple[tuple[str, str], ...]]:
    mapper = inspect(cls)
    columns = tuple((attr.key, attr.columns[0].key) for attr in mapper.column_attrs)
    built = _inserts[cls] = (insert(cast(Table, mapper.local_table)), columns)
    return built


_inserts_new: dict[tuple[bool, Any], Insert] = {}
"""`Database.insert_new`'s statements, by (SQLite?, table)."""


# `session.info` key: the writes a deferring session holds back, in order.
_DEFERRED = "deferred_writes"
# `session.info` key: per held-back statement (by id: it is held, so it lives), the
# indexes of its rows asked for so far (`_rows_indexed`), kept up to date as rows are held.
_DEFERRED_INDEXES = "deferred_write_indexes"

_Index = dict[Any, list[dict[str, Any]]]
"""Held rows of one statement by a column's value, or by its first n characters."""


def defer_writes(session: AsyncSession) -> None:
    """From now on, `session`'s writes through `execute_write` (and so `insert_row`) wait
    in memory until `write_deferred`, which runs them a few statements for all.

    For a transaction that carries many cases' effects (`agent.runtime.settle`): one
    round trip per row would cost more CPU than the rows themselves. A reader that must
    see what this transaction wrote asks `deferred_rows` too (the ledger and the outbox
    do); constraints (a ledger key used twice) fail the transaction at `write_deferred`,
    before it commits, as they would have at the row.
    """
    session.info[_DEFERRED] = []
    session.info[_DEFERRED_INDEXES] = {}


def deferring(session: AsyncSession) -> bool:
    """Does `session` hold its writes back (`defer_writes`)?"""
    return _DEFERRED in session.info


async def execute_write(
    session: AsyncSession, statement: UpdateBase, params: dict[str, Any]
) -> None:
    """Run the write `statement` with `params` now, or, in a session that defers its
    writes, with the others at `write_deferred`, in the order they were asked for."""
    deferred: list[tuple[UpdateBase, dict[str, Any]]] | None = session.info.get(_DEFERRED)
    if deferred is None:
        await session.execute(statement, params)
        return
    deferred.append((statement, params))
    indexes: dict[int, list[tuple[str, int | None, _Index]]] = session.info[_DEFERRED_INDEXES]
    for column, length, index in indexes.get(id(statement), ()):
        index.setdefault(_index_key(params.get(column), length), []).append(params)


def deferred_rows(session: AsyncSession, cls: type[Base]) -> list[dict[str, Any]]:
    """The rows of `cls` `insert_row` holds back in `session`, by column name, in the
    order given. They are the very rows to be written: a change to one is written."""
    deferred: list[tuple[UpdateBase, dict[str, Any]]] = session.info.get(_DEFERRED, [])
    statement = (_inserts.get(cls) or _insert_for(cls))[0]
    return [params for held, params in deferred if held is statement]


def deferred_rows_where(
    session: AsyncSession, cls: type[Base], column: str, value: Any
) -> list[dict[str, Any]]:
    """`deferred_rows` whose `column` is `value`, found without a scan: a batch asks once
    per case, so a scan would cost time quadratic in the batch's size. (The column must
    not be changed in a held row once asked for: it would stay filed under its old value.)"""
    return list(_rows_indexed(session, cls, column, None).get(value, ()))


def deferred_rows_under(
    session: AsyncSession, cls: type[Base], column: str, prefix: str
) -> list[dict[str, Any]]:
    """`deferred_rows` whose (text) `column` starts with `prefix`, found as
    `deferred_rows_where` finds its rows."""
    return list(_rows_indexed(session, cls, column, len(prefix)).get(prefix, ()))


def _rows_indexed(
    session: AsyncSession, cls: type[Base], column: str, length: int | None
) -> _Index:
    """The index of `cls`'s held rows by `column` (its first `length` characters, unless
    None), built from the rows held so far the first time it is asked for; `execute_write`
    files the rows held after. Empty in a session that does not defer its writes."""
    indexes: dict[int, list[tuple[str, int | None, _Index]]] | None = session.info.get(
        _DEFERRED_INDEXES
    )
    if indexes is None:
        return {}
    statement = (_inserts.get(cls) or _insert_for(cls))[0]
    kept = indexes.setdefault(id(statement), [])
    for kept_column, kept_length, index in kept:
        if kept_column == column and kept_length == length:
            return index
    index = {}
    for params in deferred_rows(session, cls):
        index.setdefault(_index_key(params.get(column), length), []).append(params)
    kept.append((column, length, index))
    return index


def _index_key(value: Any, length: int | None) -> Any:
    """What a row with `value` is filed under: a text's first `length` characters (a
    shorter text is filed whole, under no prefix of that length), or `value` itself."""
    return value[:length] if length is not None and isinstance(value, str) else value


async def write_deferred_now(session: AsyncSession, statement: UpdateBase) -> None:
    """Run now the writes of `statement` that `session` holds back; the others stay held.

    For a write whose effect a later statement must see in the same transaction, which
    `deferred_rows` cannot answer: seats given back (`airline.inventory.give_back_seats`)
    before a conditional UPDATE that takes seats, or a read of the seats left."""
    deferred: list[tuple[UpdateBase, dict[str, Any]]] | None = session.info.get(_DEFERRED)
    if not deferred or not any(held is statement for held, _ in deferred):
        return
    now = [write for write in deferred if write[0] is statement]
    deferred[:] = [write for write in deferred if write[0] is not statement]
    session.info[_DEFERRED_INDEXES].pop(id(statement), None)
    for held, rows in _runs(now):
        await session.execute(held, rows)


async def write_deferred(session: AsyncSession) -> None:
    """Run the writes `session` held back, and write at once from now on.

    Table by table, in the order each was first written; a table's writes in the order
    given, consecutive ones of a statement as one executemany (a multi-row INSERT), so
    its rows take their ids in that order. Writes to different tables are not ordered
    against each other (what is deferred has no foreign key between its tables).
    """
    deferred: list[tuple[UpdateBase, dict[str, Any]]] = session.info.pop(_DEFERRED, [])
    session.info.pop(_DEFERRED_INDEXES, None)
    for statement, rows in _runs(deferred):
        await session.execute(statement, rows)


def _runs(
    deferred: list[tuple[UpdateBase, dict[str, Any]]],
) -> Iterator[tuple[UpdateBase, list[dict[str, Any]]]]:
    """`deferred` by table, as runs of one statement and one set of parameter names.

    An INSERT's rows that leave out a column with no default (an outbox event has no
    `channel`) are given NULL for it, which is what leaving it out inserts, so a table's
    rows go in one statement although the writers give different columns."""
    tables: dict[object, list[tuple[UpdateBase, dict[str, Any]]]] = {}
    for write in deferred:
        tables.setdefault(write[0].table, []).append(write)
    for writes in tables.values():
        for _, group in groupby(writes, key=lambda write: id(write[0])):
            run = list(group)
            statement, rows = run[0][0], [params for _, params in run]
            if isinstance(statement, Insert):
                rows = _completed(statement, rows)
            for _, same in groupby(rows, key=lambda row: tuple(sorted(row))):
                yield statement, list(same)


def _completed(statement: Insert, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    table = cast(Table, statement.table)
    named = {name for row in rows for name in row}
    plain = {c.key for c in table.columns if c.default is None and c.server_default is None} & named
    return [row | {name: None for name in plain - row.keys()} for row in rows]


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner can enter (0700), created if missing.

    The data directory holds password hashes, passengers and their bookings: no other
    user of the machine may read them. A directory that exists keeps its mode (it is the
    operator's); its parents are created as the umask says.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    return path


def private_file(path: Path) -> Path:
    """Create the (empty) file `path` readable by its owner only (0600), if it is missing.

    SQLite then opens the file as it is, and gives its -wal and -shm files the same mode.
    """
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


SQLITE_BEGIN = "sqlite_begin"
"""Execution option: how a SQLite transaction begins ("IMMEDIATE" for writers)."""


def _sqlite_begin(connection: Any) -> None:
    """Begin SQLite transactions ourselves (the driver's own BEGIN is off, see
    `_sqlite_pragmas`): the driver began one only at the first INSERT/UPDATE, so the
    reads before it ran outside any transaction, and a second process (two daemons on
    one file) could change the rows in between — a hold confirmed after the other
    daemon had given its seats back left more passengers on a flight than seats sold.
    Readers begin DEFERRED (a snapshot; WAL lets them read while another writes);
    writers (`Database.transaction`) begin IMMEDIATE, holding the write lock from the
    first read."""
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's implicit BEGIN (only before a write) is off: `_sqlite_begin` begins.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers (another process, the dashboard) read while the daemon writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # SQLite's own wait blocks the loop: short; longer waits are async (sqlite_inline).
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def copy_sqlite(source: Path, target: Path) -> Path:
    """Copy a SQLite database consistently (its WAL included) with the backup API.

    Used to start runs, tests and benchmarks from a seeded template without re-seeding.
    """
    private_file(target)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target
