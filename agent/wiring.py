"""Open the agent's parts together: database, schedule, board, checkpointer, graph.

Shared by the CLI commands (and, later, the dashboard and the evals) so that every entry
point builds the daemon the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from agent.deps import AgentDeps
from agent.graph import CaseGraph, build_graph, sqlite_checkpointer
from agent.reasoners.base import Reasoner
from agent.reasoners.rules import RulesReasoner
from agent.settings import Settings
from airline.board import LiveBoard
from airline.clock import Clock
from airline.db import Database
from airline.errors import ConfigError
from airline.schedule import Schedule


@dataclass(frozen=True)
class Agent:
    deps: AgentDeps
    graph: CaseGraph


@asynccontextmanager
async def open_agent(
    settings: Settings, clock: Clock, *, reasoner: Reasoner | None = None
) -> AsyncIterator[Agent]:
    async with AsyncExitStack() as stack:
        db = await stack.enter_async_context(Database(settings.db_url))
        schedule = await Schedule.load(db)
        if not len(schedule):
            raise ConfigError(
                f"the database at {settings.db_url} holds no flights: "
                "run `travel-agent seed` first (or `travel-agent demo`, which seeds its own)"
            )
        board = LiveBoard()
        await board.load(db)
        checkpointer = await stack.enter_async_context(
            sqlite_checkpointer(settings.checkpoint_path)
        )
        deps = AgentDeps(
            db=db,
            schedule=schedule,
            board=board,
            clock=clock,
            reasoner=reasoner or RulesReasoner(),
            settings=settings.agent,
        )
        yield Agent(deps=deps, graph=build_graph(checkpointer))
