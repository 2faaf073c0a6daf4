"""On event time, a follow-up job decides at its due time, whatever the wall clock did.

A daemon reading a backlog jumps its event clock from record to record, and the clock
runs on with wall time between two `follow()`s. Due jobs ran at the record that reached
them, at that record's time plus the wall time every job before them took, and were
claimed by that drifting `now()`: on the storm-day benchmark 7 000 jobs due in a night
without records ran at the morning's first record, the last 3 min "late" (8 on a loaded
machine), and a slow job let the next ones, due after a record not yet applied, run
before it. Now the jobs due by the record's time run, each at its own due time: their
decisions are the same in every run, on any machine, and after a restart.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from agent.runtime import Daemon
from agent.scheduler import JobKind, schedule_job
from agent.tables import JobRow, JobStatus
from airline.clock import EventTimeClock
from airline.models import Flight, FlightStatus
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.base import Position, Received
from streams.embedded import EmbeddedBroker, EmbeddedSource, StoredRecord
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, ReasonCode, encode
from travel_agent.db import copy_sqlite

NOW = datetime(2026, 3, 1, 3, 30, tzinfo=UTC)
SPEED = 600.0  # one wall second is ten event minutes: a slow job moves the clock far
DELAY = timedelta(minutes=90)
MIN = timedelta(minutes=1)


@dataclass
class Seen:
    """What each job saw when it started: the clock, and the delayed flight's departure
    (a list per job: a job run twice would show)."""

    decided: dict[str, list[datetime]] = field(default_factory=dict)
    departure: dict[str, list[datetime]] = field(default_factory=dict)


def _flight(agent: Agent) -> Flight:
    return min(
        (
            f
            for f in agent.deps.schedule.flights.values()
            if f.sched_dep >= NOW + timedelta(hours=5)
        ),
        key=lambda f: (f.sched_dep, f.key),
    )


def _heartbeat(flight: Flight, n: int, at: datetime) -> FlightStatusEvent:
    return FlightStatusEvent.about(
        flight, event_id=f"beat-{n}", status=FlightStatus.SCHEDULED, emitted_at=at
    )


def _delay(flight: Flight, at: datetime, event_id: str = "delay") -> FlightStatusEvent:
    return FlightStatusEvent.about(
        flight,
        event_id=event_id,
        status=FlightStatus.DELAYED,
        reason=ReasonCode.WEATHER,
        emitted_at=at,
        est_dep=flight.sched_dep + DELAY,
        est_arr=flight.sched_arr + DELAY,
    )


async def _broker(events: list[FlightStatusEvent]) -> EmbeddedBroker:
    broker = EmbeddedBroker()
    for event in events:
        await broker.append(
            TOPIC_FLIGHT_STATUS, StoredRecord(event.flight_key.encode(), encode(event), {})
        )
    await broker.close()  # a backlog: the source ends after it
    return broker


async def _schedule(agent: Agent, jobs: dict[str, datetime]) -> None:
    async with agent.deps.db.transaction() as session:
        for key, due in jobs.items():
            await schedule_job(
                session,
                agent.deps.db,
                key=key,
                kind=JobKind.REPLY_DEADLINE,
                due_at=due,
                payload={"key": key},
            )


def _daemon(
    agent: Agent, clock: EventTimeClock, broker: EmbeddedBroker, seen: Seen, slow: dict[str, float]
) -> Daemon:
    daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(broker))
    flight = _flight(agent)

    async def job(payload: dict[str, Any]) -> None:
        key = payload["key"]
        seen.decided.setdefault(key, []).append(clock.now())
        state = agent.deps.board.get(flight.key)
        assert state is not None
        seen.departure.setdefault(key, []).append(state.est_dep)
        await asyncio.sleep(slow.get(key, 0.0))  # wall time: the clock runs on meanwhile

    daemon.scheduler.register(JobKind.REPLY_DEADLINE, job)
    return daemon


async def test_jobs_due_in_a_quiet_stretch_each_decide_at_their_due_time(
    world_template: Path, tmp_path: Path
) -> None:
    copy_sqlite(world_template, tmp_path / "airline.sqlite")
    clock = EventTimeClock(NOW, speed=SPEED)
    async with open_agent(Settings(data_dir=tmp_path), clock) as agent:
        flight = _flight(agent)
        # An hour without records, four jobs due in it, each taking 3 event minutes.
        broker = await _broker([_heartbeat(flight, 0, NOW), _heartbeat(flight, 1, NOW + 60 * MIN)])
        due = {f"job-{n}": NOW + (10 + 10 * n) * MIN for n in range(4)}
        await _schedule(agent, due)
        seen = Seen()
        daemon = _daemon(agent, clock, broker, seen, dict.fromkeys(due, 0.3))
        await asyncio.wait_for(daemon.run(asyncio.Event()), timeout=600)

    # Before: all at 04:30 (the record that reached them) plus the jobs before them.
    lag = {key: seen.decided[key][0] - at for key, at in due.items()}
    assert all(timedelta(0) <= late < timedelta(minutes=1) for late in lag.values()), lag


async def test_a_slow_job_does_not_bring_the_next_forward_past_a_record(
    world_template: Path, tmp_path: Path
) -> None:
    seen = await _run_storm(world_template, tmp_path / "run", crash=False)
    # The second job is due after the delay's record: it sees the delay, at its due time.
    # (Before: the first job's 12 event minutes of wall time moved `now()` past its due
    # time, and it ran before the delay was applied.)
    assert seen.departure["late"] == [seen.departure["early"][0] + DELAY]
    assert seen.decided["late"][0] - (NOW + 20 * MIN) < timedelta(minutes=1)


async def test_a_crash_leaves_the_jobs_deciding_the_same(
    world_template: Path, tmp_path: Path
) -> None:
    uninterrupted = await _run_storm(world_template, tmp_path / "a", crash=False)
    restarted = await _run_storm(world_template, tmp_path / "b", crash=True)
    # The same jobs saw the same flight at the same decision times (a job the kill cut
    # short runs again: at least once, as its effects are idempotent).
    assert _distinct(restarted.departure) == _distinct(uninterrupted.departure)
    assert _distinct(_minutes(restarted.decided)) == _distinct(_minutes(uninterrupted.decided))


async def test_a_job_that_fails_leaves_the_clock_at_the_stream_time(
    world_template: Path, tmp_path: Path
) -> None:
    # Before, the clock was set to the job's due time and only put back after the
    # jobs: a job that raised (a cancel at a stop, a kill in a test) left it there.
    copy_sqlite(world_template, tmp_path / "airline.sqlite")
    clock = EventTimeClock(NOW, speed=SPEED)
    async with open_agent(Settings(data_dir=tmp_path), clock) as agent:
        await _schedule(agent, {"due": NOW - 30 * MIN})
        daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(await _broker([])))
        decided: list[datetime] = []

        async def killed(payload: dict[str, Any]) -> None:
            decided.append(clock.followed)
            raise Killed

        daemon.scheduler.register(JobKind.REPLY_DEADLINE, killed)
        streamed = NOW + 5 * MIN
        clock.follow(streamed)
        try:
            await daemon.run_due_jobs()
        except Killed:
            pass
        assert decided == [NOW - 30 * MIN]
        assert clock.followed == streamed


class Killed(BaseException):
    """The daemon is killed here (nothing below this point of the job runs or commits)."""


def _minutes(decided: dict[str, list[datetime]]) -> dict[str, list[datetime]]:
    # Each decides at its due time plus the few event seconds its own start takes.
    return {
        key: [at.replace(second=0, microsecond=0) for at in ats] for key, ats in decided.items()
    }


def _distinct(seen: dict[str, list[datetime]]) -> dict[str, set[datetime]]:
    return {key: set(values) for key, values in seen.items()}


async def _run_storm(template: Path, root: Path, *, crash: bool) -> Seen:
    """A delay at 03:41 (its own wave) between a job due at 03:40 that takes 12 event
    minutes and one due at 03:50; the wave closes at 04:00 (a restatement of the delay).

    With `crash`, a first daemon takes the stream up to the delay — the jobs due by then,
    then the wave written with its cases pending and no record committed — and is killed
    there, or sooner if it starts the second job (which was due after the delay: before,
    the first job's wall time brought it forward); a second daemon reads the whole
    backlog again."""
    _world(template, root)
    clock = EventTimeClock(NOW, speed=SPEED)
    seen = Seen()
    async with open_agent(Settings(data_dir=root), clock) as agent:
        flight = _flight(agent)
        events = [
            _heartbeat(flight, 0, NOW),
            _delay(flight, NOW + 11 * MIN),
            _delay(flight, NOW + 30 * MIN, "delay-restated"),
        ]
        await _schedule(agent, {"early": NOW + 10 * MIN, "late": NOW + 20 * MIN})
        slow = {"early": 1.2}
        if crash:
            first = _daemon(agent, clock, await _broker(events), seen, slow)

            async def killed(payload: dict[str, Any]) -> None:
                if payload["key"] == "late":
                    raise Killed
                await early(payload)

            early = first.scheduler.handlers[JobKind.REPLY_DEADLINE]
            first.scheduler.register(JobKind.REPLY_DEADLINE, killed)
            clock.follow(NOW + 11 * MIN)  # the delay's record is in hand
            try:
                await first.run_due_jobs()
                opened = await first.open_cases_for(
                    [Received(Position(TOPIC_FLIGHT_STATUS, 0, 1), b"", None, event=events[1])]
                )
                assert opened, "the delay opens cases: a wave with work left pending"
            except Killed:
                # A killed daemon's claims are given back when its process is gone.
                async with agent.deps.db.transaction() as session:
                    await session.execute(
                        update(JobRow)
                        .where(JobRow.status == JobStatus.DUE.value)
                        .values(claimed_by=None, claimed_until=None)
                    )
        daemon = _daemon(agent, clock, await _broker(events), seen, slow)
        await asyncio.wait_for(daemon.run(asyncio.Event()), timeout=600)
    return seen


def _world(template: Path, root: Path) -> None:
    root.mkdir()
    copy_sqlite(template, root / "airline.sqlite")
