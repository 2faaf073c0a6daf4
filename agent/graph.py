"""build_graph(): one case, from live context to a durable outcome.

    START → context → plan → guard ─┬─→ approve ─┬─→ act ─┬─→ remember → END
                ↑                   │      ↑     │        │
                │                   │      └─ edited: the operator's option is guarded
                ├── lost a seat race (at the guard or in act): search again
                └── the approval went stale (the flight changed again): plan again

`approve` parks the case at LangGraph `interrupt()` when autonomy limits say a human
decides; the daemon resumes it with the decision (see agent/nodes/approve.py).

Thread id = case id. A case's run is checkpointed when it ends or parks at an approval
(`CASE_DURABILITY`, LangGraph's "exit"), not after every node: per-node checkpoints cost
a fifth of a case's time (31 → 39 cases/s without them). That is safe because `act`
carries out the effects and closes the case in one transaction: a daemon killed before
that transaction runs the case again from the start, on live context, and every effect
is idempotent by key; killed after it, the case is closed and nothing runs again.

The exit checkpoint stays one write and one commit per case. Sampled on CPU time
(`bench_cases.py --storm 12`, 1,043 cases), writing it is ~2.5 % of the run's CPU:
1.7 points serializing the state, ~0.5 the INSERT and commit; LangGraph's loop around
the nodes is ~11 points more, the nodes' own SQL the most by far. One commit per wave
would save at most the half point, and would widen the window in which a case parked
at an approval has its approval row but no checkpoint to resume (today only between
`approve`'s commit and the exit write). Skipping the checkpoint of a case that closed
in its run (its outcome durable in the cases table) is not free either: the
evaluations read each case's plan and verdict from it (`evals.run_result`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Durability
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from agent.checkpoint_serde import CheckpointSerializer
from agent.deps import AgentDeps
from agent.nodes.act import act, after_act
from agent.nodes.approve import approve
from agent.nodes.context import gather_context
from agent.nodes.guard import after_guard, guard_plan
from agent.nodes.plan import make_plan
from agent.nodes.remember import remember
from agent.state import CHECKPOINT_TYPES, CaseState
from travel_agent.db import private_file
from travel_agent.sqlite_inline import SQLITE_BUSY_TIMEOUT_MS, InlineConnection

CaseGraph = CompiledStateGraph[CaseState, AgentDeps, CaseState, CaseState]
# When a case's run is checkpointed: when it ends or parks (see the module docstring).
CASE_DURABILITY: Durability = "exit"


def build_graph(checkpointer: BaseCheckpointSaver[Any] | None = None) -> CaseGraph:
    graph = StateGraph(CaseState, context_schema=AgentDeps)
    graph.add_node("context", gather_context)
    graph.add_node("plan", make_plan)
    graph.add_node("guard", guard_plan)
    graph.add_node("approve", approve, destinations=("act", "guard", "context"))
    graph.add_node("act", act)
    graph.add_node("remember", remember)

    graph.add_edge(START, "context")
    graph.add_edge("context", "plan")
    graph.add_edge("plan", "guard")
    graph.add_conditional_edges("guard", after_guard)
    graph.add_conditional_edges("act", after_act)
    graph.add_edge("remember", END)
    return graph.compile(checkpointer=checkpointer)


def checkpoint_serializer() -> CheckpointSerializer:
    """Revives exactly our state types from checkpoints, and nothing else; writes
    LangGraph's format, faster (`agent.checkpoint_serde`)."""
    return CheckpointSerializer(allowed_msgpack_modules=list(CHECKPOINT_TYPES))


@asynccontextmanager
async def sqlite_checkpointer(path: Path) -> AsyncIterator[AsyncSqliteSaver]:
    """LangGraph's SQLite checkpointer on its own file (so it never waits on airline writes)."""
    private_file(path)  # checkpoints hold every case's state: its owner's only
    # Its calls run on the loop's thread, as the airline database's do (sqlite_inline).
    async with InlineConnection(
        lambda: sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    ) as conn:
        # WAL with synchronous=NORMAL survives a killed process (what "durable" means for
        # commit-after-durable); only a power loss may drop the newest transactions.
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        saver = AsyncSqliteSaver(conn, serde=checkpoint_serializer())
        await saver.setup()
        yield saver


@asynccontextmanager
async def postgres_checkpointer(
    url: str, *, pool_size: int = 10
) -> AsyncIterator[AsyncPostgresSaver]:
    """LangGraph's PostgreSQL checkpointer over a connection pool (several daemons share it).

    `url` is a libpq URL (postgresql://user:password@host/dbname); the SQLAlchemy form
    postgresql+asyncpg://... is accepted too.
    """
    conninfo = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    async with AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=pool_size,
        open=False,
        # What the saver needs of every connection (see AsyncPostgresSaver.from_conn_string).
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    ) as pool:
        saver = AsyncPostgresSaver(pool, serde=checkpoint_serializer())  # type: ignore[arg-type]
        await saver.setup()
        yield saver


@asynccontextmanager
async def open_checkpointer(
    url: str | None, sqlite_path: Path
) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """PostgreSQL when a URL is configured, else the SQLite file (the embedded default)."""
    if url:
        async with postgres_checkpointer(url) as saver:
            yield saver
    else:
        async with sqlite_checkpointer(sqlite_path) as sqlite_saver:
            yield sqlite_saver
