"""The follow-up jobs of one moment run as a batch, deciding as they would one by one.

A wave's rebookings make re-checks due together two minutes later, and the reminders of
one new flight fall due together: run one by one, each job read its flight's passenger
list or its booking in a transaction of its own and was marked done in another (on the
real storm day, 12 881 jobs and ~70 % of the run's CPU). Now the jobs claimed together
of one kind run as a batch (`agent.followup_batches`): a few transactions for all,
the same messages and cases as one by one, and a crash mid-batch runs the batch again
with each effect once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from agent.runtime import Daemon
from agent.scheduler import JobKind, schedule_job
from agent.tables import CaseRow, JobRow, JobStatus
from airline.bookings import passengers_on
from airline.clock import SimulatedClock
from airline.models import FlightStatus
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource
from tests.unit.test_case_graph import CANCELLED, NOW, passenger
from tools.tables import OutboxRow
from travel_agent.db import copy_sqlite

FLIES = "XA104/2026-03-01"  # a flight of the seeded world that stays as scheduled
DUE = NOW - timedelta(minutes=1)


@pytest.fixture
async def agent(world_path: Path, tmp_path: Path) -> AsyncIterator[Agent]:
    async with open_agent(Settings(data_dir=tmp_path), SimulatedClock(NOW, speed=0)) as opened:
        yield opened


async def _follow_ups(agent: Agent, flight: str, passengers: int) -> list[str]:
    """A re-check, a reminder and an offer's reply deadline due now for the first
    `passengers` on `flight`, as a wave's rebookings onto it schedule them."""
    deps = agent.deps
    async with deps.db.transaction() as session:
        pnrs = sorted(await passengers_on(session, flight))[:passengers]
        assert len(pnrs) == passengers, f"{flight} has {passengers} passengers"
        for pnr in pnrs:
            payload = {"case_id": f"case-{pnr}", "pnr": pnr, "flights": [flight]}
            await schedule_job(
                session,
                deps.db,
                key=f"reply:offer-{pnr}",
                kind=JobKind.REPLY_DEADLINE,
                due_at=DUE,
                payload={"offer_id": f"offer-{pnr}"},
            )
            for kind in (JobKind.RECHECK, JobKind.REMINDER):
                await schedule_job(
                    session,
                    deps.db,
                    key=f"{kind.value}:case-{pnr}",
                    kind=kind,
                    due_at=DUE,
                    payload=payload,
                )
    return pnrs


@contextmanager
def _commits(agent: Agent) -> Iterator[list[int]]:
    counted = [0]

    def commit(connection: Any) -> None:
        counted[0] += 1

    engine = agent.deps.db.engine.sync_engine
    event.listen(engine, "commit", commit)
    try:
        yield counted
    finally:
        event.remove(engine, "commit", commit)


def _daemon(agent: Agent, *, batches: bool = True) -> Daemon:
    daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker(), follow=False))
    if not batches:  # one job at a time, as before batches
        daemon.scheduler.batch_handlers.clear()
    return daemon


async def _cancel(agent: Agent, flight: str) -> None:
    """The flight is cancelled on the board, nobody told yet (a change that raced the
    rebookings onto it)."""
    current = agent.deps.board.get(flight)
    assert current is not None
    cancelled = current.model_copy(
        update={"status": FlightStatus.CANCELLED, "event_id": "ev-raced", "emitted_at": NOW}
    )
    async with agent.deps.db.transaction() as session:
        await agent.deps.board.apply(session, cancelled)


async def _outcome(agent: Agent) -> dict[str, Any]:
    async with agent.deps.db.session() as session:
        messages = (
            await session.execute(
                select(OutboxRow.key, OutboxRow.topic, OutboxRow.payload).order_by(OutboxRow.id)
            )
        ).all()
        cases = (await session.execute(select(CaseRow.id, CaseRow.status))).all()
        jobs = (await session.execute(select(JobRow.key, JobRow.status))).all()
    return {
        "messages": sorted((key, topic, repr(payload)) for key, topic, payload in messages),
        "cases": sorted(cases),
        "jobs": sorted(jobs),
    }


async def test_the_jobs_of_one_moment_commit_a_few_times_whatever_their_number(
    agent: Agent,
) -> None:
    pnrs = await _follow_ups(agent, FLIES, 30)
    daemon = _daemon(agent)
    with _commits(agent) as commits:
        ran = await daemon.run_due_jobs(NOW)
    assert ran == 90
    # Before: each job's effects and its done mark committed apart, 180 and more.
    assert commits[0] <= 10, commits[0]
    outcome = await _outcome(agent)
    assert {status for _, status in outcome["jobs"]} == {JobStatus.DONE.value}
    # A reminder each (to each of a party's passengers); no re-check opened a case.
    assert {key for key, _, _ in outcome["messages"]} == set(pnrs)
    assert outcome["cases"] == []


async def test_a_batch_decides_as_the_jobs_one_by_one(world_template: Path, tmp_path: Path) -> None:
    outcomes = []
    for batches in (True, False):
        root = tmp_path / f"batches-{batches}"
        root.mkdir()
        copy_sqlite(world_template, root / "airline.sqlite")
        async with open_agent(Settings(data_dir=root), SimulatedClock(NOW, speed=0)) as agent:
            await _follow_ups(agent, FLIES, 6)
            # Rebooked onto a flight that was cancelled since: their reminders find it
            # broken and re-check instead; their re-checks open the same cases.
            await _follow_ups(agent, CANCELLED, 3)
            await _cancel(agent, CANCELLED)
            await _daemon(agent, batches=batches).run_due_jobs(NOW)
            outcomes.append(await _outcome(agent))
    batched, alone = outcomes
    assert len(batched["cases"]) == 3
    assert batched == alone


class Killed(BaseException):
    """The daemon is killed here: nothing after this point of the batch runs or commits."""


async def test_a_batch_killed_midway_runs_again_with_each_reminder_once(agent: Agent) -> None:
    pnrs = await _follow_ups(agent, FLIES, 8)
    first = _daemon(agent)
    send = first.followups.send_reminder
    sent: list[str] = []

    async def dies_at_the_fifth(session: Any, booking: Any, *args: Any) -> None:
        sent.append(booking.pnr)
        if len(sent) == 5:
            raise Killed
        await send(session, booking, *args)

    setattr(first.followups, "send_reminder", dies_at_the_fifth)  # noqa: B010
    with pytest.raises(Killed):
        await first.run_due_jobs(NOW)
    async with agent.deps.db.transaction() as session:  # the dead daemon's claims lapse
        for row in (await session.scalars(select(JobRow))).all():
            row.claimed_by = None
            row.claimed_until = None
    await _daemon(agent).run_due_jobs(NOW)
    outcome = await _outcome(agent)
    assert {key for key, _, _ in outcome["messages"]} == set(pnrs)
    assert len(outcome["messages"]) == len(set(outcome["messages"]))  # none twice
    assert {status for _, status in outcome["jobs"]} == {JobStatus.DONE.value}


async def test_the_batch_triage_finds_exactly_the_rechecks_that_open_a_case(
    agent: Agent,
) -> None:
    # A connection broken by a delay of its inbound flight, a cancelled flight, and a
    # flight that flies: the batch's one read must pick exactly what each re-check
    # alone opens a case for.
    booking = await passenger(agent, connecting=True)
    inbound = booking.segments[0].flight_key
    state = agent.deps.board.get(inbound)
    assert state is not None
    late = state.model_copy(
        update={
            "status": FlightStatus.DELAYED,
            "est_dep": state.est_dep + timedelta(hours=4),
            "est_arr": state.est_arr + timedelta(hours=4),
            "event_id": "ev-late",
            "emitted_at": NOW,
        }
    )
    async with agent.deps.db.transaction() as session:
        await agent.deps.board.apply(session, late)
    await _cancel(agent, FLIES)
    async with agent.deps.db.session() as session:
        targets = [
            (pnr, key)
            for key in (inbound, FLIES, CANCELLED)
            for pnr in await passengers_on(session, key)
        ]
    targets.append((booking.pnr, FLIES))  # not on it: nothing to open
    daemon = _daemon(agent)
    found = await daemon.may_open(targets)
    opened = {(pnr, key) for pnr, key in targets if await daemon.opener.recheck(pnr, key)}
    assert found == opened
    assert (booking.pnr, inbound) in opened
    assert any(key == FLIES for _, key in opened)
    assert not any(key == CANCELLED for _, key in opened)  # it flies, connections hold
