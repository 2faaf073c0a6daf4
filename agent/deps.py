"""What the graph's nodes work with, handed to every run as LangGraph runtime context."""

from __future__ import annotations

from dataclasses import dataclass

from agent.read_ahead import ReadAhead
from agent.reasoners.base import Reasoner
from agent.settings import AgentSettings
from agent.store import CaseStore
from airline.board import LiveBoard
from airline.clock import Clock
from airline.schedule import Schedule
from memory.base import CustomerMemory
from travel_agent.db import Database


@dataclass(frozen=True)
class AgentDeps:
    db: Database
    schedule: Schedule
    board: LiveBoard
    clock: Clock
    reasoner: Reasoner
    settings: AgentSettings
    store: CaseStore
    """The agent's own tables, as the nodes write them (`agent.sql_store.SqlCaseStore`)."""
    memory: CustomerMemory | None = None
    """Long-term customer memory; None runs without (no preferences, nothing recalled)."""
    reads: ReadAhead | None = None
    """The bookings and customers of the batch of cases this run belongs to, read ahead
    (`CaseLifecycle.run` sets it per batch); None: each case reads its own."""
