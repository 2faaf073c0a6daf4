"""The SQL schema and the Database handle: SQLite file by default, PostgreSQL by URL.

Same code on both. Times are stored in UTC and come back timezone-aware (`UtcDateTime`).
SQLite allows one writer at a time, so `Database.transaction()` serializes writers of
this process with a lock (and a busy timeout covers other processes); on PostgreSQL
transactions run concurrently and correctness comes from conditional updates and row locks.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from airline.errors import ConfigError


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


class AirportRow(Base):
    __tablename__ = "airports"

    iata: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    lat: Mapped[float]
    lon: Mapped[float]
    tz: Mapped[str] = mapped_column(String(64))


class FlightRow(Base):
    """The static schedule. Its live state is in `BoardRow`."""

    __tablename__ = "flights"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(3))
    number: Mapped[int]
    service_date: Mapped[date] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(ForeignKey("airports.iata"))
    destination: Mapped[str] = mapped_column(ForeignKey("airports.iata"))
    sched_dep: Mapped[datetime]
    sched_arr: Mapped[datetime]
    tail: Mapped[str] = mapped_column(String(16))
    distance_km: Mapped[int]

    __table_args__ = (
        UniqueConstraint("carrier", "number", "service_date"),
        Index("ix_flights_origin_dep", "origin", "sched_dep"),
    )


class InventoryRow(Base):
    """Seats per flight and cabin. `sold` never leaves [0, capacity] (checked by the DB)."""

    __tablename__ = "inventory"

    flight_key: Mapped[str] = mapped_column(ForeignKey("flights.key"), primary_key=True)
    cabin: Mapped[str] = mapped_column(String(16), primary_key=True)
    capacity: Mapped[int]
    sold: Mapped[int]

    __table_args__ = (CheckConstraint("sold >= 0 AND sold <= capacity", name="ck_inventory_sold"),)


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    tier: Mapped[str] = mapped_column(String(16))


class ChannelRow(Base):
    __tablename__ = "customer_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    consent: Mapped[bool]
    priority: Mapped[int] = mapped_column(default=0)


class BookingRow(Base):
    __tablename__ = "bookings"

    pnr: Mapped[str] = mapped_column(String(6), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    fare: Mapped[str] = mapped_column(String(16))
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    ssr: Mapped[list[str]] = mapped_column(JSON, default=list)


class SegmentRow(Base):
    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pnr: Mapped[str] = mapped_column(ForeignKey("bookings.pnr"), index=True)
    seq: Mapped[int]
    flight_key: Mapped[str] = mapped_column(ForeignKey("flights.key"))
    cabin: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))

    __table_args__ = (Index("ix_segments_flight_status", "flight_key", "status"),)


class BoardRow(Base):
    """The live board: the latest known state of each flight, as the stream left it.

    Persisted so that a restarted daemon still knows which flights are cancelled.
    """

    __tablename__ = "board"

    flight_key: Mapped[str] = mapped_column(ForeignKey("flights.key"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    est_dep: Mapped[datetime]
    est_arr: Mapped[datetime]
    gate: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(32))
    diverted_to: Mapped[str | None] = mapped_column(String(3))
    last_event_id: Mapped[str] = mapped_column(String(64))
    last_emitted_at: Mapped[datetime]


class DisruptionRow(Base):
    """A material change to one flight, and the cases it opened (written together)."""

    __tablename__ = "disruptions"

    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    flight_key: Mapped[str] = mapped_column(ForeignKey("flights.key"), index=True)
    event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]]
    detected_at: Mapped[datetime]


class CaseRow(Base):
    """One passenger (booking) x one disruption. Its graph thread id is `id`."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    disruption_id: Mapped[str] = mapped_column(ForeignKey("disruptions.id"), index=True)
    pnr: Mapped[str] = mapped_column(ForeignKey("bookings.pnr"), index=True)
    reason: Mapped[str] = mapped_column(String(24))
    priority: Mapped[int]
    status: Mapped[str] = mapped_column(String(24), index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("disruption_id", "pnr"),)


class LedgerRow(Base):
    """Every effect the agent caused, once: the unique key is what makes retries safe."""

    __tablename__ = "action_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    case_id: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(32))
    pnr: Mapped[str] = mapped_column(String(6), index=True)
    detail: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class OutboxRow(Base):
    """Messages and events to deliver, written in the same transaction as their effect."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    topic: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(16), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Database:
    """One async engine and its sessions. Open with `async with Database(url) as db`."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ConfigError(
                f"unsupported database URL {url!r}: use sqlite+aiosqlite:///path/file.sqlite "
                "or postgresql+asyncpg://user:password@host/dbname (TRAVEL_AGENT_DB__URL)"
            )
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split(":///", 1)[1] if ":///" in url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: AsyncEngine = create_async_engine(
                url, echo=echo, connect_args={"timeout": 30}
            )
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_async_engine(url, echo=echo, pool_size=10, max_overflow=10)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer; serializing our own writers avoids "database is locked".
        self._write_lock = asyncio.Lock()

    async def __aenter__(self) -> Database:
        await self.create_schema()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.engine.dispose()

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

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
                yield session
        else:
            async with self._sessions.begin() as session:
                yield session


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (another process, the dashboard) read while the daemon writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class SeatHoldRow(Base):
    """Seats taken for a booking for a while, before the rebooking is confirmed.

    A held seat counts in `InventoryRow.sold` (so no search offers it) until the hold is
    confirmed (its seats become the booking's new segments), released, or expired.
    """

    __tablename__ = "seat_holds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    case_id: Mapped[str] = mapped_column(String(40), index=True)
    pnr: Mapped[str] = mapped_column(ForeignKey("bookings.pnr"), index=True)
    flights: Mapped[list[str]] = mapped_column(JSON)
    cabin: Mapped[str] = mapped_column(String(16))
    party: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("party >= 1", name="ck_seat_holds_party"),
        Index("ix_seat_holds_status_expires", "status", "expires_at"),
    )


class ApprovalRow(Base):
    """A decision the agent handed to a human: what it proposes, why it asks, the outcome.

    One row per (case, revision): a stale approval is re-planned under the next revision.
    The graph parks the case at `interrupt()`; an operator's decision is written here by
    `agent.approvals.ApprovalDesk`, and the daemon resumes the case from it
    (`applied_at` set once the case ran on).
    """

    __tablename__ = "approvals"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(40), index=True)
    revision: Mapped[int]
    pnr: Mapped[str] = mapped_column(String(6), index=True)
    customer_id: Mapped[str] = mapped_column(String(16), index=True)
    flight_key: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(String(24))
    why: Mapped[list[str]] = mapped_column(JSON)
    proposal: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    entitlements: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    memory: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rationale: Mapped[str] = mapped_column(String(2000))
    cost_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime]
    deadline: Mapped[datetime] = mapped_column(index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    applied_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("case_id", "revision", name="uq_approvals_case_rev"),)


class JobRow(Base):
    """Scheduled work (approval deadlines, reminders, re-checks), claimed by one daemon.

    `key` makes scheduling idempotent; a due job is claimed (`claimed_by`, `claimed_until`)
    before it runs, so it fires once however many daemons share the database.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    done_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_jobs_status_due", "status", "due_at"),)


def copy_sqlite(source: Path, target: Path) -> Path:
    """Copy a SQLite database consistently (its WAL included) with the backup API.

    Used to start runs, tests and benchmarks from a seeded template without re-seeding.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target
