"""Live pages: the poller notices approvals, case states and board changes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from agent.tables import CaseRow
from airline.tables import BoardRow
from dashboard.live import LiveFeed
from tests.fakes.desk import park_case
from tests.fakes.desk_client import NOW
from travel_agent.db import Database


async def test_each_change_is_announced_once_under_its_topic(world_path: Path) -> None:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as db:
        followed = []
        feed = LiveFeed(db, on_board_time=followed.append)
        assert await feed.poll() == frozenset()  # the first look sets the baseline
        assert await feed.poll() == frozenset()

        approval = await park_case(db, now=NOW)
        assert await feed.poll() == {"approvals", "cases", "figures"}
        assert await feed.poll() == frozenset()

        async with db.transaction() as session:
            await session.execute(
                update(CaseRow)
                .where(CaseRow.id == approval.case_id)
                .values(status="done", updated_at=NOW + timedelta(minutes=1))
            )
        assert await feed.poll() == {"cases", "figures"}

        async with db.session() as session:
            flight = await session.get(BoardRow, approval.flight_key)
            assert flight is not None
            newest = flight.last_emitted_at + timedelta(hours=30)
        async with db.transaction() as session:
            await session.execute(
                update(BoardRow)
                .where(BoardRow.flight_key == approval.flight_key)
                .values(status="cancelled", last_event_id="e-test", last_emitted_at=newest)
            )
        assert await feed.poll() == {"board", "figures"}
        assert feed.events_per_minute > 0
        assert followed[-1] == newest


async def test_subscribers_hear_changes_and_the_end(world_path: Path) -> None:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as db:
        feed = LiveFeed(db)
        await feed.poll()
        async with feed.subscribe() as queue:
            await park_case(db, now=NOW)
            feed._publish(await feed.poll())
            assert "approvals" in (queue.get_nowait() or ())
            feed.close()
            assert queue.get_nowait() is None
        async with db.session() as session:
            assert (await session.scalars(select(CaseRow.status))).all() == ["awaiting_approval"]
