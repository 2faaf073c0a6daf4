"""A settled case's final checkpoint reads exactly as LangGraph's own update leaves it.

`agent.runtime.finals` writes the checkpoint of each case settled in bulk without the
Pregel update machinery (`graph.aupdate_state(..., as_node="remember")`). Here the real
final states of a storm's settled cases are written both ways, and every reader's view
is compared: `aget_state` (values, next, tasks, interrupts, metadata, parent) and the
stored checkpoint itself. A LangGraph upgrade that changes the format fails here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from agent.graph import build_graph, checkpoint_serializer, sqlite_checkpointer
from agent.runtime import finals, settle
from agent.runtime.finals import final_of, record_finals
from agent.settings import AgentSettings
from agent.state import CaseState
from tests.unit.test_settle import copy_of, opened, storm


def _config(case_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": case_id}}


async def _view(saver: BaseCheckpointSaver[Any], case_id: str) -> dict[str, Any]:
    """What a reader of the thread gets, without what differs between two writes of the
    same state (the checkpoint's id and time, the version's random part)."""
    snapshot = await build_graph(saver).aget_state(_config(case_id))
    stored = await saver.aget_tuple(_config(case_id))
    assert stored is not None
    checkpoint: dict[str, Any] = dict(stored.checkpoint)
    versions: dict[str, Any] = checkpoint.pop("channel_versions")
    assert len(set(versions.values())) == 1, "one version for every channel of the update"
    [version] = set(versions.values())
    for run_bound in ("id", "ts"):
        checkpoint.pop(run_bound)
    return {
        "values": snapshot.values,
        "next": snapshot.next,
        "tasks": snapshot.tasks,
        "interrupts": snapshot.interrupts,
        "metadata": snapshot.metadata,
        "parent": snapshot.parent_config,
        "checkpoint": checkpoint,
        "versioned": sorted(versions),
        "version": str(version).split(".")[0],
        "pending_writes": stored.pending_writes,
        "step_of_id": stored.checkpoint["id"].split("-")[3],  # uuid6's clock_seq: the step
    }


async def test_settled_finals_read_as_aupdate_state_leaves_them(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    states = await _settled_states(world_template, tmp_path, monkeypatch)
    async with opened(copy_of(world_template, tmp_path, "bulk"), AgentSettings(settle_batch=7)) as (
        agent,
        _,
    ):
        # Every kind of settled case (news only, rebooked onto the planner's hold), a
        # few of each: the update machinery this compares with is the slow part.
        outcomes = {s["outcome"] for s in states}
        assert {"rebooked"} < outcomes
        states = [s for o in sorted(outcomes) for s in [x for x in states if x["outcome"] == o][:8]]
        finals = [f for f in map(lambda s: final_of(agent.graph, s), states) if f is not None]
        assert len(finals) == len(states) and all(f.row is not None for f in finals)
        await record_finals(agent.graph, finals)
        async with sqlite_checkpointer(tmp_path / "by-update.sqlite") as by_update:
            updating = build_graph(by_update)
            for state in states:
                await updating.aupdate_state(
                    _config(state["case_id"]), dict(state), as_node="remember"
                )
            for state in states:
                ours = await _view(agent.checkpointer, state["case_id"])
                theirs = await _view(by_update, state["case_id"])
                assert ours == theirs, state["case_id"]
                assert ours["values"]["outcome"] == state["outcome"] and not ours["next"]

    # Any other saver (PostgreSQL here too) takes them pickled, through its own `aput`.
    mine, reference = (InMemorySaver(serde=checkpoint_serializer()) for _ in range(2))
    graph = build_graph(mine)
    pickled = [f for f in map(lambda s: final_of(graph, s), states) if f is not None]
    assert all(f.row is None and f.pickled for f in pickled)
    await record_finals(graph, pickled)
    for state in states:
        await build_graph(reference).aupdate_state(
            _config(state["case_id"]), dict(state), as_node="remember"
        )
        assert await _view(mine, state["case_id"]) == await _view(reference, state["case_id"])


async def test_finals_are_written_a_chunk_per_commit(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One commit per chunk of settled cases, where each case's update committed alone
    (3 973 of the storm of 50's 4 801 SQLite commits)."""
    states = await _settled_states(world_template, tmp_path, monkeypatch)
    assert len(states) > 8
    monkeypatch.setattr(finals, "FINALS_PER_COMMIT", 4)
    async with sqlite_checkpointer(tmp_path / "again.sqlite") as saver:
        graph = build_graph(saver)
        commits = 0
        real_commit = saver.conn.commit

        async def counting() -> None:
            nonlocal commits
            commits += 1
            await real_commit()

        written = [f for f in map(lambda s: final_of(graph, s), states) if f is not None]
        monkeypatch.setattr(saver.conn, "commit", counting)
        await record_finals(graph, written)
        assert commits == math.ceil(len(states) / 4)
        for state in states:
            got = await graph.aget_state(_config(state["case_id"]))
            assert got.values == {k: v for k, v in state.items() if k in graph.channels}


async def _settled_states(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[CaseState]:
    """The final states of the cases a storm settles in bulk."""
    states: list[CaseState] = []
    real = finals.final_of

    def keeping(graph: Any, state: CaseState) -> Any:
        states.append(state)
        return real(graph, state)

    monkeypatch.setattr(settle, "final_of", keeping)
    async with opened(
        copy_of(world_template, tmp_path, "storm"), AgentSettings(settle_batch=7)
    ) as (
        agent,
        daemon,
    ):
        await storm(agent, daemon)
    monkeypatch.setattr(settle, "final_of", real)
    return states


async def test_started_threads_is_aget_tuple_for_a_batch(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`started_threads` (one SELECT per batch on SQLite) names exactly the threads whose
    `aget_tuple` finds a checkpoint: finals written in bulk, a thread the graph's update
    wrote (with a checkpoint in another namespace beside it), never one with none."""
    states = (await _settled_states(world_template, tmp_path, monkeypatch))[:6]
    finished, by_graph, untouched = states[:3], states[3:5], ["no-such-case", states[5]["case_id"]]
    async with sqlite_checkpointer(tmp_path / "started.sqlite") as saver:
        for target in (saver, InMemorySaver(serde=checkpoint_serializer())):
            graph = build_graph(target)
            written = [f for f in map(lambda s: final_of(graph, s), finished) if f is not None]
            await record_finals(graph, written)
            for state in by_graph:
                await graph.aupdate_state(
                    _config(state["case_id"]), dict(state), as_node="remember"
                )
            # A subgraph's namespace only: the graph's own reader finds nothing there.
            checkpoint = finals.final_checkpoint(target, finished[0], graph.channels)
            await target.aput(
                {"configurable": {"thread_id": "ns-only", "checkpoint_ns": "sub"}},
                checkpoint,
                {"source": "update", "step": 0, "parents": {}},
                dict(checkpoint["channel_versions"]),
            )
            ids = [s["case_id"] for s in (*finished, *by_graph)] + [*untouched, "ns-only"]
            expected = {i for i in ids if await target.aget_tuple(_config(i)) is not None}
            assert expected == {s["case_id"] for s in (*finished, *by_graph)}
            assert await finals.started_threads(target, ids) == expected
            assert await finals.started_threads(None, ids) == set()
