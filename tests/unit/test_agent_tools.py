"""The agent's LangChain tools on the seeded world: read-only, typed, clear refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import BaseTool
from pydantic import BaseModel

from airline.board import LiveBoard
from airline.clock import SimulatedClock
from airline.models import Cabin, FlightStatus
from airline.schedule import Schedule
from airline.tables import InventoryRow
from tools.agent_tools import READ_ONLY_TOOLS, build_tools, parse_result
from tools.effects import ToolDeps, ToolResult, ToolStatus
from travel_agent.db import Database

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
CANCELLED = "XA102/2026-03-01"  # FRA→LHR 08:20 UTC


@pytest.fixture
async def deps(world_path: Path) -> AsyncIterator[ToolDeps]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as db:
        board = LiveBoard()
        await board.load(db)
        yield ToolDeps(
            db=db,
            schedule=await Schedule.load(db),
            board=board,
            clock=SimulatedClock(NOW, speed=0),
        )


@pytest.fixture
def tools(deps: ToolDeps) -> dict[str, BaseTool]:
    return {tool.name: tool for tool in build_tools(deps)}


async def call(tools: dict[str, BaseTool], name: str, **args: Any) -> ToolResult:
    return parse_result(await tools[name].ainvoke(args))


async def cancel(deps: ToolDeps, flight_key: str = CANCELLED, reason: str = "technical") -> None:
    current = deps.board.get(flight_key)
    assert current is not None
    cancelled = current.model_copy(
        update={
            "status": FlightStatus.CANCELLED,
            "reason": reason,
            "event_id": f"ev-cancel-{flight_key}",
            "emitted_at": NOW,
        }
    )
    async with deps.db.transaction() as session:
        assert await deps.board.apply(session, cancelled) is not None


async def sold(deps: ToolDeps, flight_key: str) -> int:
    async with deps.db.session() as session:
        row = await session.get(InventoryRow, (flight_key, Cabin.ECONOMY.value))
        assert row is not None
        return row.sold


def test_four_read_only_tools_with_pydantic_arguments_and_no_write_tool(
    tools: dict[str, BaseTool],
) -> None:
    # One write path: a model proposes effects in a plan; only the act node carries them out.
    assert set(tools) == READ_ONLY_TOOLS
    assert len(tools) == 4
    for name, tool in tools.items():
        assert isinstance(tool.args_schema, type) and issubclass(tool.args_schema, BaseModel)
        assert tool.metadata == {"read_only": True}, name
        assert tool.description


async def test_flight_status_reads_the_live_board_and_seats(
    deps: ToolDeps, tools: dict[str, BaseTool]
) -> None:
    result = await call(tools, "get_flight_status", flight_key=CANCELLED)
    assert result.status == ToolStatus.OK
    assert result.detail["status"] == "scheduled"
    seats_left = result.detail["seats_left"]["economy"]
    async with deps.db.session() as session:
        row = await session.get_one(InventoryRow, (CANCELLED, "economy"))
    assert seats_left == row.capacity - row.sold

    await cancel(deps)
    result = await call(tools, "get_flight_status", flight_key=CANCELLED)
    assert (result.detail["status"], result.detail["reason"]) == ("cancelled", "technical")

    missing = await call(tools, "get_flight_status", flight_key="XA999/2026-03-01")
    assert (missing.status, missing.error) == (ToolStatus.RETRIABLE, "not_found")


async def test_a_tool_with_bad_arguments_returns_a_clear_error(
    tools: dict[str, BaseTool],
) -> None:
    output = await tools["find_alternatives"].ainvoke(
        {
            "origin": "frankfurt",
            "destination": "LHR",
            "earliest_dep": NOW.isoformat(),
            "cabin": "first",
            "seats": 2,
        }
    )
    result = parse_result(output)
    assert (result.status, result.error) == (ToolStatus.RETRIABLE, "invalid_arguments")
    fields = {e["field"] for e in result.detail["errors"]}
    assert fields == {"origin", "cabin", "seats"}
    assert result.message.startswith("invalid arguments for find_alternatives: ")
    assert "cabin: Input should be 'economy', 'premium' or 'business'" in result.message
    assert "seats: Extra inputs are not permitted" in result.message


async def test_lookup_policy_finds_extraordinary_circumstances_for_a_storm(
    tools: dict[str, BaseTool],
) -> None:
    result = await call(tools, "lookup_policy", query="storm cancellation compensation")
    assert result.status == ToolStatus.OK
    first = result.detail["passages"][0]
    assert first["citation"].startswith("EU261 Art 5(3)")
    assert "extraordinary" in first["title"].lower()
    assert len(result.detail["passages"]) == 3
