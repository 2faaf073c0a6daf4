"""News-only cases settled in bulk (`agent.runtime.settle`) end exactly as their graphs do.

One storm through the real daemon, three waves: delays, gate changes and a cancellation;
then a recovery and the cancelled flight reinstated; then a delayed flight landing late.
Run once with every case through its graph and once with the news-only cases settled
in bulk, the two end with the same cases, ledger, outbox and jobs; a daemon killed
between two bulk transactions and restarted ends the same way too, with nothing twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.base import empty_checkpoint
from sqlalchemy import func, select

from agent import read_ahead
from agent.nodes.context import NEWS_ONLY
from agent.runtime import Daemon, cases, finals, settle
from agent.settings import AgentSettings
from agent.tables import CaseRow, JobRow
from airline import holds
from airline.bookings import load_bookings
from airline.clock import EventTimeClock
from airline.models import FlightStatus
from airline.reservations import HoldExpiredError
from airline.tables import LedgerRow
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.base import Position, Received
from streams.embedded import EmbeddedBroker, EmbeddedSource
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, ReasonCode, encode
from tools.tables import OutboxRow
from travel_agent.db import copy_sqlite

NOW = datetime(2026, 3, 1, 3, 30, tzinfo=UTC)
DELAYED = ("XB1000/2026-03-01", "XB1180/2026-03-01")  # AMS→LHR, AMS→EDI
GATES = ("XB1020/2026-03-01", "XB1160/2026-03-01")  # AMS→CDG, AMS→ZRH
CANCELLED = "XB1060/2026-03-01"  # AMS→MAN: cases the graph runs (rebookings)
LATE = timedelta(hours=4)


def _event(
    agent: Agent,
    key: str,
    n: int,
    at: datetime,
    status: FlightStatus,
    shift: timedelta,
    **rest: Any,
) -> FlightStatusEvent:
    flight = agent.deps.schedule.flights[key]
    return FlightStatusEvent.about(
        flight,
        event_id=f"settle-{n}",
        status=status,
        emitted_at=at,
        est_dep=flight.sched_dep + shift,
        est_arr=flight.sched_arr + shift,
        reason=ReasonCode.WEATHER,
        **rest,
    )


def waves(agent: Agent) -> list[list[FlightStatusEvent]]:
    first = [
        *(_event(agent, k, i, NOW, FlightStatus.DELAYED, LATE) for i, k in enumerate(DELAYED)),
        *(
            _event(agent, k, 10 + i, NOW, FlightStatus.GATE_CHANGE, timedelta(), gate=f"D{i}")
            for i, k in enumerate(GATES)
        ),
        _event(agent, CANCELLED, 20, NOW, FlightStatus.CANCELLED, timedelta()),
    ]
    later = NOW + timedelta(minutes=20)
    second = [
        _event(agent, DELAYED[0], 30, later, FlightStatus.DELAYED, timedelta(hours=1)),
        _event(agent, CANCELLED, 31, later, FlightStatus.SCHEDULED, timedelta()),
    ]
    landed = agent.deps.schedule.flights[DELAYED[1]].sched_arr + LATE + timedelta(minutes=5)
    third = [_event(agent, DELAYED[1], 40, landed, FlightStatus.ARRIVED, LATE)]
    return [first, second, third]


@asynccontextmanager
async def opened(path: Path, agent_settings: AgentSettings) -> AsyncIterator[tuple[Agent, Daemon]]:
    settings = Settings(data_dir=path, agent=agent_settings)
    # Event time that does not move with wall time between records (a re-check is due
    # two minutes after its rebooking's `now()`): the same due times in every run.
    async with open_agent(settings, EventTimeClock(NOW, speed=1e-9)) as agent:
        yield agent, Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker()))


async def storm(agent: Agent, daemon: Daemon, *, skip: int = 0) -> None:
    """The storm's waves as the stream hands them over (the first `skip` waves are
    already handled), each closed by the end of its backlog."""
    n = 0
    for i, wave in enumerate(waves(agent)):
        for event in wave:
            n += 1
            if i < skip:
                continue
            record = Received(
                Position(TOPIC_FLIGHT_STATUS, 0, n), encode(event), event.flight_key.encode(), event
            )
            await daemon.handle(record)
        if i >= skip:
            await daemon.close_wave()


# What differs between two runs of the same records and is not the agent's decision.
_RUN_BOUND = {"id", "created_at", "sent_at", "at", "message_id", "wall_at", "emitted_wall_at"}


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in sorted(value.items()) if k not in _RUN_BOUND}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


async def ending(agent: Agent) -> dict[str, Any]:
    """Cases (status, outcome), ledger, outbox and jobs, without ids and wall times."""
    async with agent.deps.db.session() as session:
        cases = sorted(
            (c.id, c.reason, c.status, c.outcome) for c in await session.scalars(select(CaseRow))
        )
        ledger = sorted(
            (r.action, r.idempotency_key, r.case_id, r.pnr, json.dumps(_stable(r.detail)))
            for r in await session.scalars(select(LedgerRow))
        )
        outbox = sorted(
            (
                r.idempotency_key,
                r.topic,
                r.key,
                r.customer_id or "",
                r.channel or "",
                json.dumps(_stable(r.payload), sort_keys=True),
            )
            for r in await session.scalars(select(OutboxRow))
        )
        jobs = sorted(
            (j.key, j.kind, j.due_at.isoformat(), json.dumps(j.payload, sort_keys=True), j.status)
            for j in await session.scalars(select(JobRow))
        )
    return {"cases": cases, "ledger": ledger, "outbox": outbox, "jobs": jobs}


def copy_of(world: Path, root: Path, name: str) -> Path:
    (root / name).mkdir()
    copy_sqlite(world, root / name / "airline.sqlite")
    return root / name


def _differences(got: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    return {
        table: {
            "only_bulk": sorted(set(got[table]) - set(want[table]))[:5],
            "only_graph": sorted(set(want[table]) - set(got[table]))[:5],
        }
        for table in want
        if got[table] != want[table]
    }


async def test_bulk_settling_ends_as_the_graph_does(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with opened(
        copy_of(world_template, tmp_path, "graph"), AgentSettings(settle_news_in_bulk=False)
    ) as (agent, daemon):
        await storm(agent, daemon)
        assert daemon.stats.settled == 0
        reference = await ending(agent)
    # The default: news-only cases settled in bulk, a few per transaction (several
    # transactions per wave, as on a storm day).
    settled_ids: set[str] = set()

    async def noting(*args: Any) -> settle.Settled:
        done = await settle.settle(*args)
        settled_ids.update(done.outcomes)
        return done

    monkeypatch.setattr(cases, "settle", noting)
    async with opened(copy_of(world_template, tmp_path, "bulk"), AgentSettings(settle_batch=7)) as (
        agent,
        daemon,
    ):
        await storm(agent, daemon)
        settled = daemon.stats.settled
        bulk = await ending(agent)

    reasons = Counter(reason for _, reason, _, _ in reference["cases"])
    news = sum(n for reason, n in reasons.items() if reason in {r.value for r in NEWS_ONLY})
    # Every news-only reason is in the storm, and most of its cases settle in bulk.
    assert {r.value for r in NEWS_ONLY} <= set(reasons), reasons
    assert settled >= news * 0.8, (settled, news, reasons)
    assert reasons["cancelled"] > 0, "and cancelled flights' cases beside them"
    # The cancellation's cases that take the seats the planner held for them settle in
    # bulk too (`settle_rebookings_in_bulk`), and end as their graphs do.
    rebooked = {c for c, r, _, o in reference["cases"] if r == "cancelled" and o == "rebooked"}
    assert rebooked and rebooked <= settled_ids, sorted(rebooked - settled_ids)
    assert reference["ledger"] and reference["outbox"] and reference["jobs"]
    assert bulk == reference, _differences(bulk, reference)


class Killed(BaseException):
    """The daemon dies here (in-process: the next daemon opens the same files afresh)."""


async def test_a_daemon_killed_between_bulk_transactions_ends_the_same(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = AgentSettings(settle_batch=7)
    async with opened(copy_of(world_template, tmp_path, "whole"), batch) as (agent, daemon):
        await storm(agent, daemon)
        reference = await ending(agent)

    # The daemon dies after the first wave's second bulk transaction committed.
    crashed = copy_of(world_template, tmp_path, "crashed")
    real = settle._act_together
    calls = 0

    async def dies_after_two(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > 2:
            raise Killed
        return await real(*args)

    monkeypatch.setattr(settle, "_act_together", dies_after_two)
    async with opened(crashed, batch) as (agent, daemon):
        with pytest.raises(Killed):
            await storm(agent, daemon)
        async with agent.deps.db.session() as session:
            done = await session.scalar(select(CaseRow.id).where(CaseRow.status == "done"))
        assert done is not None, "two transactions committed before the kill"
    monkeypatch.setattr(settle, "_act_together", real)

    # Restarted: the pending cases resume (settled again, in bulk), the first wave's
    # records are on the board already, and the later waves arrive.
    async with opened(crashed, batch) as (agent, daemon):
        assert await daemon.resume_pending() > 0
        assert daemon.stats.settled > 0
        await storm(agent, daemon, skip=1)
        after = await ending(agent)
    assert after == reference, _differences(after, reference)


async def test_a_batch_killed_mid_way_commits_none_of_its_cases(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One batch, one transaction: the daemon dies after three of a batch's cases acted and
    before the batch commits, and not one of them is closed or has an effect. (With act's
    unit of work not joined to the batch's, each case committed on its own.)"""
    acted = 0
    real_act = settle.act

    async def dies_on_the_fourth(state: Any, runtime: Any) -> Any:
        nonlocal acted
        acted += 1
        if acted > 3:
            raise Killed
        return await real_act(state, runtime)

    monkeypatch.setattr(settle, "act", dies_on_the_fourth)
    crashed = copy_of(world_template, tmp_path, "crashed")
    async with opened(crashed, AgentSettings(settle_batch=50)) as (agent, daemon):
        with pytest.raises(Killed):
            await storm(agent, daemon)
        assert acted == 4, "the kill fell inside a batch, after three cases acted"
        async with agent.deps.db.session() as session:
            closed = await session.scalar(
                select(func.count()).select_from(CaseRow).where(CaseRow.status != "pending")
            )
            effects = await session.scalar(select(func.count()).select_from(LedgerRow))
    assert closed == 0, f"{closed} cases of the killed batch were closed"
    assert effects == 0, f"{effects} effects of the killed batch were committed"


async def test_a_case_losing_its_held_seats_rolls_its_batch_back(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebooking whose held seats are gone at `act` (its hold expired) cannot leave what
    its batch neighbours wrote half done: the batch rolls back whole and its cases run
    their graphs (the loser back to the planner). The seats here are gone only once, so
    the graphs end exactly as an undisturbed run."""
    batch = AgentSettings(settle_batch=7)
    async with opened(copy_of(world_template, tmp_path, "whole"), batch) as (agent, daemon):
        await storm(agent, daemon)
        reference = await ending(agent)

    real = holds.confirm_hold
    lost = 0

    async def expires_once(session: Any, **kwargs: Any) -> Any:
        nonlocal lost
        if not lost:
            lost += 1
            raise HoldExpiredError(kwargs["hold_id"], "expired")
        return await real(session, **kwargs)

    monkeypatch.setattr(holds, "confirm_hold", expires_once)
    rolled_back = 0
    real_act_together = settle._act_together

    async def counting(*args: Any) -> Any:
        nonlocal rolled_back
        try:
            return await real_act_together(*args)
        except settle.SeatRaceInBatch:
            rolled_back += 1
            raise

    monkeypatch.setattr(settle, "_act_together", counting)
    async with opened(copy_of(world_template, tmp_path, "lost"), batch) as (agent, daemon):
        await storm(agent, daemon)
        after = await ending(agent)
    assert lost == 1 and rolled_back == 1
    assert after == reference, _differences(after, reference)


async def test_settled_plans_are_recorded_after_every_case_of_the_wave_acted(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A settled case's checkpoint is the record of its plan, not its settling: written
    once every batch of its wave committed, so the next batches' deciding and their
    passengers' notices do not wait behind it; and written for every settled case."""
    steps: list[str] = []
    settled_ids: set[str] = set()
    outcomes: dict[str, str] = {}
    held_as: set[type] = set()
    real_settle, real_act = settle.settle, settle._act_together

    async def noting(*args: Any) -> settle.Settled:
        steps.append("wave")
        done = await real_settle(*args)
        settled_ids.update(done.outcomes)
        outcomes.update(done.outcomes)
        held_as.update(type(final.row[5] if final.row else final.pickled) for final in done.finals)
        return done

    async def acting(*args: Any) -> Any:
        steps.append("act")
        return await real_act(*args)

    monkeypatch.setattr(cases, "settle", noting)
    monkeypatch.setattr(settle, "_act_together", acting)
    async with opened(copy_of(world_template, tmp_path, "bulk"), AgentSettings(settle_batch=7)) as (
        agent,
        daemon,
    ):
        graph = agent.graph
        real_put = finals._put

        async def recording(saver: Any, channels: Any, written: Any) -> Any:
            steps.extend("plan" for _ in written)
            return await real_put(saver, channels, written)

        monkeypatch.setattr(finals, "_put", recording)
        await storm(agent, daemon)
        recorded = {
            case_id
            for case_id in settled_ids
            if (await graph.aget_state({"configurable": {"thread_id": case_id}})).values.get(
                "outcome"
            )
            == outcomes[case_id]
        }
    waves = "".join(s[0] for s in steps).split("w")[1:]  # a: act, p: plan
    assert any(wave.count("a") > 1 for wave in waves), "a wave settled in several batches"
    assert all("pa" not in wave for wave in waves), waves  # no batch acted after a plan
    assert settled_ids and recorded == settled_ids
    # Until then they wait serialized, not as objects several times their size: a
    # storm's first wave is most of its day, and its finals were most of its memory.
    assert held_as == {bytes}


async def test_a_bulk_batch_reads_its_bookings_at_once(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch decides all its cases before any acts, so its bookings are read in one
    read (`agent.read_ahead`), not a chunk of 32 at a time."""
    reads: list[int] = []

    async def counting(session: Any, pnrs: Any) -> Any:
        reads.append(len(pnrs))
        return await load_bookings(session, pnrs)

    per_settle: list[tuple[int, int]] = []  # (bookings settled in bulk, reads they took)

    async def noting(*args: Any) -> settle.Settled:
        before = len(reads)
        done = await settle.settle(*args)
        per_settle.append((sum(reads[before:]), len(reads) - before))
        return done

    monkeypatch.setattr(read_ahead, "load_bookings", counting)
    monkeypatch.setattr(cases, "settle", noting)
    async with opened(
        copy_of(world_template, tmp_path, "bulk"), AgentSettings(settle_batch=500)
    ) as (agent, daemon):
        await storm(agent, daemon)
    assert max(n for n, _ in per_settle) > 32, per_settle  # more than one old chunk
    assert all(taken <= 1 for _, taken in per_settle), per_settle


async def test_a_case_the_graph_has_started_is_not_settled_in_bulk(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A news-only case whose thread has a checkpoint (its graph ran before: parked, or
    stopped mid-way) finishes in its graph; the batch's others still settle, and the
    batch asks the checkpointer once (`finals.started_threads`), not once per case."""
    marked: list[str] = []
    looked_up: list[int] = []
    real_started = finals.started_threads

    async def counting(saver: Any, ids: Any) -> set[str]:
        looked_up.append(len(ids))
        return await real_started(saver, ids)

    async def marking(deps: Any, graph: Any, opened_cases: Any) -> settle.Settled:
        news = [c for c in opened_cases if c.reason in settle.NEWS_REASONS]
        if news and not marked:
            marked.append(news[0].id)  # as the graph's first superstep would leave it
            await graph.checkpointer.aput(
                {"configurable": {"thread_id": news[0].id, "checkpoint_ns": ""}},
                empty_checkpoint(),
                {"source": "input", "step": -1, "parents": {}},
                {},
            )
        done = await settle.settle(deps, graph, opened_cases)
        if news and marked[0] == news[0].id:
            assert news[0].id not in done.outcomes
            assert news[0] in done.to_graph
            assert len(done.outcomes) >= len(news) - 1 > 0
        return done

    monkeypatch.setattr(settle, "started_threads", counting)
    monkeypatch.setattr(cases, "settle", marking)
    async with opened(copy_of(world_template, tmp_path, "bulk"), AgentSettings(settle_batch=7)) as (
        agent,
        daemon,
    ):
        await storm(agent, daemon)
        assert marked
        async with agent.deps.db.session() as session:
            row = await session.get(CaseRow, marked[0])
        assert row is not None and row.status == "done"  # its graph ran it
    assert looked_up and max(looked_up) > 1  # a batch at once
