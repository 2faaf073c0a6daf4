"""A scenario-format world written to SQLite and opened with its schedule and board,
for tests that plan on a handful of flights of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from airline.board import LiveBoard
from airline.schedule import Schedule
from app.migrate import open_database
from evals.scenario_world import WorldSpec
from evals.world import write
from travel_agent.db import Database


@asynccontextmanager
async def opened_world(
    spec: WorldSpec, directory: Path
) -> AsyncIterator[tuple[Database, Schedule, LiveBoard]]:
    path = directory / "airline.sqlite"
    url = f"sqlite+aiosqlite:///{path}"
    await write(spec, path, open_database=lambda p: open_database(url))
    async with Database(url) as db:
        schedule = await Schedule.load(db)
        board = LiveBoard()
        await board.load(db)
        yield db, schedule, board
