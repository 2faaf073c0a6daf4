"""The SQL adapter behind `agent.work`: one SQLAlchemy session per unit of work, and each
room's SQL port (`SqlCaseStore`, `SqlReservations`, `SqlEffectLedger`, `SqlOutbox`) bound
to it, on SQLite or PostgreSQL (`travel_agent.db.Database`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from agent.planner.place import Need, Placed, place_cases
from agent.settings import PlannerSettings
from agent.sql_store import SqlCaseStore
from airline.board import LiveBoard
from airline.schedule import Schedule
from airline.sql_ports import SqlEffectLedger, SqlReservations
from tools.sql_outbox import SqlOutbox
from travel_agent.db import Database, defer_writes, write_deferred

__all__ = ["SqlPersistence", "SqlUnitOfWork"]


class SqlUnitOfWork:
    """`UnitOfWork` over one session of `db`."""

    def __init__(self, db: Database, session: AsyncSession) -> None:
        self._db = db
        self._session = session
        self.cases = SqlCaseStore(db, session)
        self.reservations = SqlReservations(session)
        self.ledger = SqlEffectLedger(session)
        self.outbox = SqlOutbox(session)

    async def place(
        self,
        schedule: Schedule,
        board: LiveBoard,
        needs: Sequence[Need],
        weights: PlannerSettings,
        *,
        now: datetime,
        excluded: Collection[str] = (),
        wave_id: str | None = None,
        generation: str = "w",
        join_companions: bool = False,
    ) -> Placed:
        return await place_cases(
            self._session,
            schedule,
            board,
            needs,
            weights,
            now=now,
            excluded=excluded,
            wave_id=wave_id,
            generation=generation,
            postgres=not self._db.is_sqlite,
            join_companions=join_companions,
        )


class SqlPersistence:
    """`Persistence` on the database the agent runs on."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.transaction() as session:
            yield SqlUnitOfWork(self.db, session)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.session() as session:
            yield SqlUnitOfWork(self.db, session)

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.transaction() as session:
            defer_writes(session)
            yield SqlUnitOfWork(self.db, session)
            await write_deferred(session)
