"""What the graph's nodes work with, handed to every run as LangGraph runtime context."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.read_ahead import ReadAhead
from agent.reasoners.base import Reasoner
from agent.seats_ahead import SeatsAhead
from agent.settings import AgentSettings
from agent.work import Persistence
from airline.board import LiveBoard
from airline.clock import Clock
from airline.schedule import Schedule
from memory.base import CustomerMemory
from tools.policy.owed_memo import OwedMemo
from travel_agent.db import Database


@dataclass(frozen=True)
class AgentDeps:
    db: Database
    """The database, for the runtime around the graph (claims, waves, the scheduler)."""
    schedule: Schedule
    board: LiveBoard
    clock: Clock
    reasoner: Reasoner
    settings: AgentSettings
    persistence: Persistence
    """Units of work: the agent's, the airline's and the tools' tables as the nodes read
    and write them, one transaction at a time (`agent.sql_work.SqlPersistence`). The
    nodes go through it, never through `db`, which is the runtime's."""
    memory: CustomerMemory | None = None
    """Long-term customer memory; None runs without (no preferences, nothing recalled)."""
    reads: ReadAhead | None = None
    """The bookings and customers of the batch of cases this run belongs to, read ahead
    (`CaseLifecycle.run` sets it per batch); None: each case reads its own."""
    seats: SeatsAhead | None = None
    """Seats left on the flights of a batch settled in bulk, read ahead (`settle` sets
    it per batch while its cases are decided); None: each read is live."""
    owed: OwedMemo = field(default_factory=OwedMemo)
    """What passengers are owed, computed once per set of inputs and shared by the
    context node and the guard (`tools.policy.owed_memo`)."""
