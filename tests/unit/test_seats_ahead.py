"""Seats left read ahead for a batch (`agent.seats_ahead`) answer as a live read does,
without a statement, until a seat is taken: forgotten, every read is live again; a
flight or cabin not read ahead is read live; a batch settled in bulk reads its cases'
seats in one query rather than two per rebooked case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event

from agent.runtime import settle as settle_module
from agent.seats_ahead import SeatsAhead
from agent.sql_work import SqlPersistence
from airline.inventory import available_seats, take_seats
from airline.models import Cabin
from travel_agent.db import Database

CANCELLED = "XA102/2026-03-01"  # FRA→LHR 08:20 UTC
LATER_DIRECT = "XA104/2026-03-01"  # FRA→LHR 13:30 UTC


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


def _seat_reads(db: Database) -> list[str]:
    """The seats-left queries run from now on."""
    statements: list[str] = []

    def count(*args: object) -> None:
        text = str(args[2])
        if "capacity - " in text and text.lstrip().upper().startswith("SELECT"):
            statements.append(text)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    return statements


async def _live(db: Database, keys: list[str], cabin: Cabin) -> dict[str, int]:
    async with db.session() as session:
        return await available_seats(session, keys, cabin)


async def test_read_ahead_answers_as_live_without_a_statement(db: Database) -> None:
    keys = [CANCELLED, LATER_DIRECT, "XA000/2026-03-01"]  # the last: no such flight
    ahead = await SeatsAhead.read(
        SqlPersistence(db), [(k, c) for k in keys for c in (Cabin.ECONOMY, Cabin.BUSINESS)]
    )
    reads = _seat_reads(db)
    for cabin in (Cabin.ECONOMY, Cabin.BUSINESS):
        assert await ahead.available_seats(keys, cabin) == await _live(db, keys, cabin)
    assert len(reads) == 2  # the two live reads only
    assert await ahead.available_seats([LATER_DIRECT], Cabin.ECONOMY)
    assert len(reads) == 2


async def test_a_flight_not_read_ahead_is_read_live(db: Database) -> None:
    ahead = await SeatsAhead.read(SqlPersistence(db), [(LATER_DIRECT, Cabin.ECONOMY)])
    reads = _seat_reads(db)
    both = [CANCELLED, LATER_DIRECT]
    assert await ahead.available_seats(both, Cabin.ECONOMY) == await _live(db, both, Cabin.ECONOMY)
    assert await ahead.available_seats([LATER_DIRECT], Cabin.BUSINESS) == await _live(
        db, [LATER_DIRECT], Cabin.BUSINESS
    )
    assert len(reads) == 4  # each asked live, and each checked live


async def test_forgotten_it_reads_a_seat_taken_since(db: Database) -> None:
    ahead = await SeatsAhead.read(SqlPersistence(db), [(LATER_DIRECT, Cabin.ECONOMY)])
    before = await ahead.available_seats([LATER_DIRECT], Cabin.ECONOMY)
    async with db.transaction() as session:
        await take_seats(session, [LATER_DIRECT], Cabin.ECONOMY, 1)
    ahead.forget()
    after = await ahead.available_seats([LATER_DIRECT], Cabin.ECONOMY)
    assert after == {LATER_DIRECT: before[LATER_DIRECT] - 1}


def test_a_batch_reads_the_seats_of_its_assignments() -> None:
    """The flights a batch reads ahead are those its cases' contexts ask about."""
    from agent.runtime.cases import OpenCase
    from agent.state import Assignment

    placed = Assignment(flights=["F1", "F2"], cabin=Cabin.BUSINESS, ranked=[["F3"], ["F1", "F2"]])
    unplaced = Assignment(ranked=[["F4"]])
    cases = [
        OpenCase("c1", "P1", "d", "X", "cancelled", placed),
        OpenCase("c2", "P2", "d", "X", "cancelled", unplaced),
        OpenCase("c3", "P3", "d", "X", "delayed", None),
    ]
    wanted = set(settle_module._assigned_seats(cases))
    assert wanted == {
        ("F1", Cabin.BUSINESS),
        ("F2", Cabin.BUSINESS),
        ("F3", Cabin.BUSINESS),
        ("F4", Cabin.ECONOMY),
    }


async def test_a_settled_batch_reads_seats_once_not_per_case(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deciding a batch asks the seats left on its assignments' flights in one query per
    cabin; the context and guard of each rebooked case read none of their own."""
    from agent.runtime import cases
    from agent.settings import AgentSettings
    from tests.unit.test_settle import copy_of, opened, storm

    batches = 0
    during: list[str] = []
    rebooked = 0

    async with opened(copy_of(world_template, tmp_path, "bulk"), AgentSettings()) as (
        agent,
        daemon,
    ):
        reads = _seat_reads(agent.deps.db)

        async def counting(*args: object) -> settle_module.Settled:
            nonlocal batches, rebooked
            before = len(reads)
            done = await settle_module.settle(*args)  # type: ignore[arg-type]
            during.extend(reads[before:])
            batches += 1
            rebooked += sum(1 for o in done.outcomes.values() if o == "rebooked")
            return done

        monkeypatch.setattr(cases, "settle", counting)
        await storm(agent, daemon)
    assert rebooked >= 5, rebooked
    # One read per cabin of a batch (economy and business at most), not two per case.
    assert len(during) <= 2 * batches, (len(during), batches, rebooked)
