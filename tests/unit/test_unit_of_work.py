"""The unit-of-work port on SQLite (the embedded default); the same contract runs on
PostgreSQL in tests/integration/test_postgres.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.unit.unit_of_work_contract import CHECKS
from travel_agent.db import Database


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__.removeprefix("check_"))
async def test_the_unit_of_work_on_sqlite(
    db: Database, check: Callable[[Database], Awaitable[None]]
) -> None:
    await check(db)
