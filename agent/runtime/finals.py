"""The final checkpoints of cases settled in bulk: each thread's record of its plan.

A case settled in bulk (`agent.runtime.settle`) ran the graph's nodes without the graph,
so its thread has no checkpoint; once its wave is durable, `record_finals` writes the
one the graph's `remember` would leave: the case's whole final state, as if the
`remember` node had written it to a fresh thread. Who reads it: a later run of the same
case id (`CaseLifecycle._run_case` finds its outcome and runs nothing), the bulk path's
own "has the graph started this case" (`started_threads`), the evaluations (a case's
plan and verdict, `evals.run_result`) and retention (it prunes finished threads).

**Written as LangGraph's update writes it, without its update machinery.** It used to be
`graph.aupdate_state(config, state, as_node="remember")` per case: a superstep of the
Pregel loop (read the thread, build channels, run the node's writers, plan the
checkpoint) and one commit each, half of it not the write at all; on the storm of 50
it was a fifth of the daemon's CPU and 3 973 of its 4 801 SQLite commits. For a thread
with no checkpoint, that update leaves exactly one checkpoint: every state key the graph
has as a channel, at one fresh version (`get_next_version(None)`), `remember` having
seen none of them (so nothing is next), step 0, source "update", no parent. Here it is
built with LangGraph's own `empty_checkpoint`/`create_checkpoint` (of `pregel`, whose
format version the loop writes) and stored through the saver: `aput` each, or, on the
SQLite saver, a chunk of checkpoints in one `executemany` and one commit (its `aput`'s
own statement; `_put`). tests/unit/test_finals.py compares what a reader gets
(`aget_state`: values, next, metadata, tasks; the stored checkpoint) with what
`aupdate_state` leaves, so a LangGraph upgrade that changes the format fails there.

**Serialized when settled.** The finals wait for the wave's last case, and a storm's
first wave is most of its day: held as objects (booking, customer, flights, options,
plan, verdict: several times their serialized 7 kB), they were the largest part of the
daemon's peak memory. So each is serialized as soon as its case is settled (`final_of`):
for the SQLite saver straight into the row its `aput` would write (with the saver's own
serializer: nothing to undo later), for any other saver pickled, for its `aput`. They
were pickled, unpickled, then serialized again (pickle alone: ~1 ms of CPU per case,
profiled).

A settled case has no checkpoint to build on: it was settled only because the graph had
not started it (`started_threads`), under this daemon's claim, and its batch closed it;
nothing runs its graph between that and this write.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    Checkpoint,
    CheckpointMetadata,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.pregel._checkpoint import create_checkpoint, empty_checkpoint

from agent.graph import CaseGraph
from agent.state import CaseState

log = logging.getLogger(__name__)

__all__ = ["FINALS_PER_COMMIT", "Final", "final_of", "record_finals", "started_threads"]

FINALS_PER_COMMIT = 64
"""Checkpoints written per commit (SQLite) and between two yields to the loop: a wave's
thousands serialized without a yield would hold the relay and the stream for seconds."""

# The node whose update the checkpoint records, as the graph's last node leaves it.
_AS_NODE = "remember"
_STEP = 0


def _metadata() -> CheckpointMetadata:
    """What the update records of itself (a fresh one each: savers may keep it)."""
    return {"source": "update", "step": _STEP, "parents": {}}


class Final(NamedTuple):
    """A settled case's final checkpoint, serialized (`final_of`): the SQLite saver's row,
    or for any other saver the state pickled."""

    case_id: str
    row: tuple[str, str, str, None, str, bytes, bytes] | None
    pickled: bytes | None


def final_of(graph: CaseGraph, state: CaseState) -> Final | None:
    """The case's final checkpoint as `record_finals` will write it, serialized now (None:
    the graph keeps no checkpoints)."""
    saver = graph.checkpointer
    if saver is None or isinstance(saver, bool):
        return None
    case_id = state["case_id"]
    if type(saver) is not AsyncSqliteSaver:
        return Final(case_id, None, pickle.dumps(state, pickle.HIGHEST_PROTOCOL))
    checkpoint = final_checkpoint(saver, state, graph.channels)
    type_, blob = saver.serde.dumps_typed(checkpoint)
    metadata = json.dumps(
        get_checkpoint_metadata(_config(case_id), _metadata()), ensure_ascii=False
    ).encode("utf-8", "ignore")
    return Final(case_id, (case_id, "", checkpoint["id"], None, type_, blob, metadata), None)


async def record_finals(graph: CaseGraph, finals: Sequence[Final]) -> None:
    """Write each settled case's final checkpoint (`final_of`) to its thread, as the
    graph's `remember` leaves it (module docstring), `FINALS_PER_COMMIT` at a time.

    Called once the wave's cases are all durable, not after each batch: a case is
    settled by its batch's commit (its row closed, its messages in the outbox), and its
    checkpoint is only the record of its plan, which the next batches' deciding and
    their passengers' notices need not wait behind. A daemon killed before these writes
    leaves settled cases without it, as a failed write always did.
    """
    saver = graph.checkpointer
    if saver is None or isinstance(saver, bool) or not finals:
        return
    for start in range(0, len(finals), FINALS_PER_COMMIT):
        chunk = finals[start : start + FINALS_PER_COMMIT]
        try:
            await _put(saver, graph.channels, chunk)
        except Exception:  # the cases are settled; only the record of their plans is missing
            log.exception(
                "%d settled cases (%s, ...): their final states were not checkpointed",
                len(chunk),
                chunk[0].case_id,
            )
        await asyncio.sleep(0)


async def started_threads(
    saver: BaseCheckpointSaver[Any] | bool | None, case_ids: Sequence[str]
) -> set[str]:
    """The ids of `case_ids` whose thread has a checkpoint (the graph has run the case, or
    its final was written): `aget_tuple(...) is not None` for each, with the thread's
    default namespace, as the graph reads it.

    On the SQLite saver one SELECT per `FINALS_PER_COMMIT * 8` ids, where `aget_tuple`
    took one (and a read of the pending writes) per case, each under the saver's lock:
    ~0.1 ms of CPU per case on the storm of 50. Any other saver: `aget_tuple` each.
    """
    if saver is None or isinstance(saver, bool) or not case_ids:
        return set()
    if type(saver) is not AsyncSqliteSaver:
        return {
            case_id
            for case_id in case_ids
            if await saver.aget_tuple({"configurable": {"thread_id": case_id}}) is not None
        }
    await saver.setup()
    found: set[str] = set()
    chunk = FINALS_PER_COMMIT * 8  # well under SQLite's bound on a statement's variables
    for start in range(0, len(case_ids), chunk):
        ids = list(case_ids[start : start + chunk])
        marks = ", ".join("?" * len(ids))
        async with saver.lock, saver.conn.cursor() as cur:
            await cur.execute(
                "SELECT DISTINCT thread_id FROM checkpoints "
                f"WHERE checkpoint_ns = '' AND thread_id IN ({marks})",
                ids,
            )
            found.update(str(row[0]) for row in await cur.fetchall())
    return found


def final_checkpoint(
    saver: BaseCheckpointSaver[Any], state: CaseState, channels: Collection[str]
) -> Checkpoint:
    """The checkpoint `aupdate_state(..., state, as_node="remember")` leaves on a thread
    with none: the state's channels at one new version, seen by no node but `remember`."""
    values = {k: v for k, v in state.items() if k in channels}
    version = saver.get_next_version(None, None)
    base = empty_checkpoint()
    base["channel_values"] = values
    base["channel_versions"] = dict.fromkeys(values, version)
    base["versions_seen"] = {_AS_NODE: {}}
    return create_checkpoint(base, None, _STEP)


def _config(case_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": case_id, "checkpoint_ns": ""}}


async def _put(
    saver: BaseCheckpointSaver[Any], channels: Collection[str], finals: Sequence[Final]
) -> None:
    rows = [f.row for f in finals if f.row is not None]
    if rows and isinstance(saver, AsyncSqliteSaver):
        await saver.setup()
        async with saver.lock:  # its `aput`'s statement, one commit for them all
            await saver.conn.executemany(
                "INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, "
                "parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            await saver.conn.commit()
    for final in finals:  # any other saver: its own `aput`, one at a time
        if final.pickled is None:
            continue
        state: CaseState = pickle.loads(final.pickled)  # our own, pickled by `final_of`
        checkpoint = final_checkpoint(saver, state, channels)
        await saver.aput(
            _config(final.case_id), checkpoint, _metadata(), dict(checkpoint["channel_versions"])
        )
