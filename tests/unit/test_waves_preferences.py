"""A wave plans with its customers' hard preferences, read from memory before it opens.

XA100 (AMS → MUC) is cancelled; its two passengers compete for two seats: one on the
earliest way, via Frankfurt (XA200 + XA210), one on the evening's direct XA300. The gold
customer outranks the other and would take the earliest seat, but has told us never to
connect in Frankfurt. Planned without memory, the wave gave the gold customer the
Frankfurt seat and the other the direct one; the gold customer's case then found the
breach and went back to the planner, which had only the Frankfurt seat left to give
(the direct one held for the other). Read before the wave (one batched memory read),
the preference is in the joint plan: the gold customer gets the direct flight, the other
the Frankfurt connection, and no case goes back to the planner.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from agent.nodes import context
from agent.runtime import CaseLifecycle, Daemon
from agent.tables import CaseRow, WaveRow
from airline.clock import EventTimeClock
from airline.models import FlightStatus, Preferences
from airline.reservations import load_booking
from airline.tables import BoardRow
from app.migrate import open_database
from app.settings import Settings
from app.wiring import Agent, open_agent
from evals.scenario_world import WorldSpec
from evals.world import write
from memory.base import CustomerProfile, MemoryKind, Recalled
from memory.errors import MemoryUnavailableError
from streams.base import Position, Received
from streams.embedded import EmbeddedBroker, EmbeddedSource
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, ReasonCode, encode
from travel_agent.db import copy_sqlite

DAY = "2026-03-01"
NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
CANCELLED = f"XA100/{DAY}"
VIA_FRANKFURT = [f"XA200/{DAY}", f"XA210/{DAY}"]
DIRECT = [f"XA300/{DAY}"]
AVOIDS_FRANKFURT = Preferences(avoid_airports=["FRA"])


def _flight(number: str, origin: str, destination: str, dep: str, arr: str) -> dict[str, object]:
    return {
        "flight": number,
        "from": origin,
        "to": destination,
        "dep": f"{DAY}T{dep}:00+00:00",
        "arr": f"{DAY}T{arr}:00+00:00",
        "cabins": {"economy": 8},
    }


@pytest.fixture
async def world(tmp_path: Path) -> Path:
    spec = WorldSpec.model_validate(
        {
            "seed": "empty",
            "date": DAY,
            "start": "07:00",
            "flights": [
                _flight("XA100", "AMS", "MUC", "10:00", "11:15"),
                _flight("XA200", "AMS", "FRA", "10:30", "11:30"),
                _flight("XA210", "FRA", "MUC", "13:00", "14:00"),
                _flight("XA300", "AMS", "MUC", "17:00", "18:15"),
            ],
            "customers": [
                {"id": "C1", "name": "Gold Avoider", "tier": "gold"},
                {"id": "C2", "name": "Plain Traveller"},
            ],
            "bookings": [
                {"pnr": "AVOIDS", "customer": "C1", "segments": [{"flight": "XA100"}]},
                {"pnr": "PLAIN1", "customer": "C2", "segments": [{"flight": "XA100"}]},
            ],
            # One seat on each way: the two passengers cannot both take the earliest.
            "inventory": [
                {"flight": "XA200", "seats_left": 1},
                {"flight": "XA210", "seats_left": 1},
                {"flight": "XA300", "seats_left": 1},
            ],
        }
    )
    directory = tmp_path / "run"
    directory.mkdir()
    path = directory / "airline.sqlite"
    await write(spec, path, open_database=lambda p: open_database(f"sqlite+aiosqlite:///{p}"))
    return directory


def copy_of(world: Path, name: str) -> Path:
    (world.parent / name).mkdir()
    copy_sqlite(world / "airline.sqlite", world.parent / name / "airline.sqlite")
    return world.parent / name


class RememberedPreferences:
    """Customer memory holding one customer's refusal of Frankfurt; `down` makes the
    batched read fail as an unreachable store does."""

    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.batched_reads: list[list[str]] = []

    def _of(self, customer_id: str) -> Preferences:
        return AVOIDS_FRANKFURT if customer_id == "C1" else Preferences()

    async def record(self, customer_id: str, kind: MemoryKind, text: str, **_: Any) -> str:
        return "m"

    async def recall(self, customer_id: str, query: str, k: int = 5) -> list[Recalled]:
        return []

    async def forget(self, customer_id: str) -> int:
        return 0

    async def profile(self, customer_id: str, *, history: int = 10) -> CustomerProfile:
        return CustomerProfile(
            customer_id=customer_id, preferences=self._of(customer_id), history=[]
        )

    async def preferences_of(self, customer_ids: Sequence[str]) -> dict[str, Preferences]:
        if self.down:
            raise MemoryUnavailableError("customer memory is unreachable")
        self.batched_reads.append(list(customer_ids))
        return {c: self._of(c) for c in customer_ids}

    async def prune(self, older_than: datetime) -> int:
        return 0

    async def close(self) -> None:
        return None


@asynccontextmanager
async def opened(directory: Path, memory: RememberedPreferences) -> AsyncIterator[Daemon]:
    settings = Settings(data_dir=directory)
    agent: Agent
    async with open_agent(settings, EventTimeClock(NOW), memory=memory) as agent:  # type: ignore[arg-type]
        yield Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker()))


async def cancel(daemon: Daemon) -> None:
    flight = daemon.deps.schedule.flights[CANCELLED]
    event = FlightStatusEvent.about(
        flight,
        event_id="cancel-xa100",
        status=FlightStatus.CANCELLED,
        reason=ReasonCode.CREW,
        emitted_at=NOW,
    )
    record = Received(Position(TOPIC_FLIGHT_STATUS, 0, 0), encode(event), b"XA100", event)
    await daemon.handle(record)
    await daemon.close_wave()


@pytest.fixture
def replans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cases the context node sent back to the planner."""
    sent: list[str] = []
    original = context._replan

    async def counted(state: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(state["pnr"])
        return await original(state, *args, **kwargs)

    monkeypatch.setattr(context, "_replan", counted)
    return sent


async def _flown(daemon: Daemon, pnr: str) -> list[str]:
    async with daemon.deps.db.session() as session:
        booking = await load_booking(session, pnr)
    return [s.flight_key for s in booking.active_segments]


async def test_the_wave_plans_with_a_refused_connection_and_no_case_goes_back(
    world: Path, replans: list[str]
) -> None:
    memory = RememberedPreferences()
    async with opened(world, memory) as daemon:
        await cancel(daemon)

        assert memory.batched_reads == [["C1", "C2"]], "one read for the whole wave"
        async with daemon.deps.db.session() as session:
            assigned = {
                pnr: assignment["flights"]
                for pnr, assignment in await session.execute(
                    select(CaseRow.pnr, CaseRow.assignment)
                )
            }
            digest = await session.scalar(select(WaveRow.digest))
        assert assigned == {"AVOIDS": DIRECT, "PLAIN1": VIA_FRANKFURT}
        assert digest is not None
        assert replans == [], "the joint plan kept the preference: nothing to send back"
        assert await _flown(daemon, "AVOIDS") == DIRECT
        assert await _flown(daemon, "PLAIN1") == VIA_FRANKFURT
        assert daemon.stats.waves_without_preferences == 0
        async with daemon.deps.db.session() as session:
            assert await session.scalar(select(WaveRow.preferences_missing)) is False


class Killed(Exception):
    """The daemon dies here."""


async def test_a_restart_after_the_wave_resumes_the_plan_it_made_with_the_preferences(
    world: Path, replans: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed once the wave is recorded, before any case ran: the restarted daemon
    resumes the recorded assignment (planned with the preferences, so nothing to send
    back), and ends as the uninterrupted run did."""
    async with opened(copy_of(world, "reference"), RememberedPreferences()) as daemon:
        await cancel(daemon)
        reference = await _recorded(daemon)

    crashed = copy_of(world, "crashed")

    async def killed(self: CaseLifecycle, cases: list[Any]) -> None:
        raise Killed

    with monkeypatch.context() as patched:
        patched.setattr(CaseLifecycle, "run", killed)
        async with opened(crashed, RememberedPreferences()) as daemon:
            with pytest.raises(Killed):
                await cancel(daemon)
            recorded = await _recorded(daemon)
    assert recorded[0] == reference[0], "the same inputs, preferences included: one digest"
    assert {pnr: flights for pnr, (flights, _) in recorded[1].items()} == {
        pnr: flights for pnr, (flights, _) in reference[1].items()
    }

    memory = RememberedPreferences()
    async with opened(crashed, memory) as daemon:
        assert await daemon.resume_pending() == 2
        assert memory.batched_reads == [], "a recorded wave is resumed, not planned again"
        assert await _recorded(daemon) == reference
    assert replans == []


async def _recorded(daemon: Daemon) -> tuple[str | None, dict[str, tuple[Any, str | None]]]:
    async with daemon.deps.db.session() as session:
        digest = await session.scalar(select(WaveRow.digest))
        cases = {
            row.pnr: (row.assignment["flights"] if row.assignment else None, row.outcome)
            for row in (await session.scalars(select(CaseRow))).all()
        }
    return digest, cases


async def test_memory_that_cannot_answer_plans_the_wave_without_and_says_so(
    world: Path, replans: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Memory down for the wave's read: the wave is planned and its cases run all the
    same (the case's own check then finds the breach, as before the wave read memory)."""
    async with opened(world, RememberedPreferences(down=True)) as daemon:
        await cancel(daemon)

        assert daemon.stats.waves == 1
        assert daemon.stats.waves_without_preferences == 1
        assert "planning 2 bookings without their preferences" in caplog.text
        async with daemon.deps.db.session() as session:
            cases = (await session.scalars(select(CaseRow))).all()
            # Recorded with the wave, for an audit after the logs have rolled over.
            assert await session.scalar(select(WaveRow.preferences_missing)) is True
        assert {c.pnr for c in cases} == {"AVOIDS", "PLAIN1"}
        assert all(c.outcome for c in cases)
        # Planned blind, the gold customer took the Frankfurt seat and went back.
        assert replans == ["AVOIDS"]


class KilledHere(BaseException):
    """SIGKILL: nothing after this point of the daemon runs (not caught as a failure)."""


class CheckpointThenKilled(RememberedPreferences):
    """A slow memory read before the wave's transaction, during which the daemon's
    periodic checkpoint runs; the daemon is killed before the transaction."""

    def __init__(self) -> None:
        super().__init__()
        self.daemon: Daemon | None = None

    async def preferences_of(self, customer_ids: Sequence[str]) -> dict[str, Preferences]:
        assert self.daemon is not None
        await self.daemon.checkpoint()  # what `_checkpoint_periodically` does meanwhile
        raise KilledHere


async def test_a_checkpoint_while_the_wave_reads_memory_writes_none_of_its_news(
    world: Path,
) -> None:
    """The wave's news stays out of the stored board until its cases are written with it:
    a checkpoint that ran while the wave read memory wrote the cancellation to the board,
    the kill that followed lost the wave, and the restarted daemon, reading the record
    again, found nothing new on the board and told nobody (chaos, session 12: a gate
    change's 84 passengers never told)."""
    memory = CheckpointThenKilled()
    async with opened(world, memory) as daemon:
        memory.daemon = daemon
        with pytest.raises(KilledHere):
            await cancel(daemon)
        async with daemon.deps.db.session() as session:
            stored = await session.scalar(
                select(BoardRow.status).where(BoardRow.flight_key == CANCELLED)
            )
        assert stored != FlightStatus.CANCELLED

    async with opened(world, RememberedPreferences()) as daemon:
        await cancel(daemon)
        async with daemon.deps.db.session() as session:
            cases = (await session.scalars(select(CaseRow.pnr))).all()
    assert sorted(cases) == ["AVOIDS", "PLAIN1"]
