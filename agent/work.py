"""The unit of work: every port a graph node writes through, bound to one transaction.

    nodes ──→ Persistence.transaction() ──→ UnitOfWork (these Protocols)
                                              ├ cases         agent.store.CaseStore
                                              ├ reservations  airline.ports.Reservations
                                              ├ ledger        airline.ports.EffectLedger
                                              ├ outbox        tools.ports.Outbox
                                              └ place()       the planner, in this transaction
              SqlPersistence → SqlUnitOfWork (agent.sql_work, the adapter)

A case's effects (a rebooking, a payment in the ledger), the messages that tell of them
(the outbox), its follow-ups and its closing commit together or not at all: that is
what makes a case safe to run again after a crash. So the nodes do not get one store
per room, each with a transaction of its own; they open one unit of work and take the
rooms' ports from it. The transaction itself — SQLAlchemy's session, the dialect, the
locks — stays behind the adapter, and `tests/unit/test_structure.py` keeps it there:
no node imports SQLAlchemy, calls a function that takes a session, or touches `deps.db`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Protocol

from agent.planner.place import Need, Placed
from agent.settings import PlannerSettings
from agent.store import CaseStore
from airline.board import LiveBoard
from airline.ports import EffectLedger, Reservations
from airline.schedule import Schedule
from tools.ports import Outbox

__all__ = ["JoinedPersistence", "Persistence", "UnitOfWork"]


class UnitOfWork(Protocol):
    """The ports of one transaction: what is written through any of them commits with
    the others when the unit of work ends, or rolls back with them on an error."""

    @property
    def cases(self) -> CaseStore:
        """The agent's cases, approvals, offers and jobs."""
        ...

    @property
    def reservations(self) -> Reservations:
        """The airline's bookings, customers, seats and holds."""
        ...

    @property
    def ledger(self) -> EffectLedger:
        """The action ledger (each effect once)."""
        ...

    @property
    def outbox(self) -> Outbox:
        """Passenger messages and effect events, for the relay."""
        ...

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
        """Plan `needs` jointly against live seats and hold the assigned ones, in this
        transaction (`agent.planner.place.place_cases`; on PostgreSQL the seats read are
        locked until it ends)."""
        ...


class Persistence(Protocol):
    """Where units of work come from (`AgentDeps.persistence`)."""

    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work that commits when the block ends and rolls back on an error."""
        ...

    def reading(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work for reads: nothing it is given to write is committed."""
        ...

    def batch(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A unit of work for many cases' effects (`agent.runtime.settle`): as
        `transaction()`, but what is written through it waits in memory and is written
        a few statements for all when the block ends, just before the commit. Reads in
        it see its writes (each port's read asks what it holds too); a constraint that
        refuses one (a ledger key used twice) rolls the whole back, as it would have
        at the write."""
        ...


class JoinedPersistence:
    """A `Persistence` whose every unit of work is `work`, already open: its owner commits
    or rolls back. Code written to commit per unit (a case's `act`) then runs many units
    in one transaction (`agent.runtime.settle`); the handle is explicit, so nothing outside
    the code it is given to joins. Code that must be durable on its own before a side
    effect outside the database must never be given one."""

    def __init__(self, work: UnitOfWork) -> None:
        self._work = work

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        yield self._work

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[UnitOfWork]:
        yield self._work

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[UnitOfWork]:
        yield self._work
