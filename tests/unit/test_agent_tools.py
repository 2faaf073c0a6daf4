"""The agent's LangChain tools on the seeded world: schemas, effects once, clear refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import BaseTool
from pydantic import BaseModel
from sqlalchemy import func, select, update

from airline.board import LiveBoard
from airline.clock import SimulatedClock
from airline.holds import release_expired_holds
from airline.models import Booking, BookingStatus, Cabin, FlightStatus
from airline.reservations import load_booking, passengers_on
from airline.schedule import Schedule
from airline.tables import InventoryRow, LedgerRow
from streams.events import TOPIC_AGENT_ACTIONS
from tools.agent_tools import READ_ONLY_TOOLS, WRITE_TOOLS, build_tools, parse_result
from tools.effects import ToolDeps, ToolResult, ToolStatus
from tools.tables import OutboxRow
from travel_agent.db import Database

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
CANCELLED = "XA102/2026-03-01"  # FRA→LHR 08:20 UTC
LATER_DIRECT = "XA104/2026-03-01"  # FRA→LHR 13:30 UTC
CASE = "case-tools-1"


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


@pytest.fixture
async def booking(deps: ToolDeps) -> Booking:
    """An economy passenger whose whole trip is the FRA→LHR flight."""
    async with deps.db.session() as session:
        for pnr in await passengers_on(session, CANCELLED):
            found = await load_booking(session, pnr)
            trip = [(s.flight_key, s.cabin) for s in found.segments]
            if trip == [(CANCELLED, Cabin.ECONOMY)] and found.seats_needed == 1:
                return found
    raise AssertionError(f"no economy passenger on {CANCELLED}")


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


async def inventory(deps: ToolDeps) -> list[tuple[str, str, int]]:
    async with deps.db.session() as session:
        rows = await session.execute(
            select(InventoryRow.flight_key, InventoryRow.cabin, InventoryRow.sold).order_by(
                InventoryRow.flight_key, InventoryRow.cabin
            )
        )
        return [(key, cabin, n) for key, cabin, n in rows]


async def count(deps: ToolDeps, model: type[LedgerRow] | type[OutboxRow], *where: Any) -> int:
    async with deps.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def reread(deps: ToolDeps, pnr: str) -> Booking:
    async with deps.db.session() as session:
        return await load_booking(session, pnr)


def test_nine_tools_with_pydantic_arguments_marked_read_only_or_write(
    tools: dict[str, BaseTool],
) -> None:
    assert set(tools) == READ_ONLY_TOOLS | WRITE_TOOLS
    assert len(tools) == 9
    assert not READ_ONLY_TOOLS & WRITE_TOOLS
    for name, tool in tools.items():
        assert isinstance(tool.args_schema, type) and issubclass(tool.args_schema, BaseModel)
        assert tool.metadata == {"read_only": name in READ_ONLY_TOOLS}
        assert tool.description
    assert {"case_id", "pnr", "replace_seqs", "flights", "cabin", "hold_id"} == set(
        tools["rebook"].args
    )
    assert tools["hold_seats"].args["party"]["minimum"] == 1


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


async def test_search_then_rebook_moves_the_passenger_once(
    deps: ToolDeps, tools: dict[str, BaseTool], booking: Booking
) -> None:
    await cancel(deps)
    found = await call(
        tools,
        "find_alternatives",
        origin="FRA",
        destination="LHR",
        earliest_dep=(NOW + timedelta(hours=1)).isoformat(),
        carrier="XA",
    )
    assert found.status == ToolStatus.OK
    options = found.detail["itineraries"]
    assert options and all(CANCELLED not in o["flights"] for o in options), "live board wins"
    best = options[0]["flights"]
    before = {key: await sold(deps, key) for key in [*best, CANCELLED]}

    args = {
        "case_id": CASE,
        "pnr": booking.pnr,
        "replace_seqs": [1],
        "flights": best,
        "cabin": "economy",
    }
    done = await call(tools, "rebook", **args)

    assert done.status == ToolStatus.OK, done.message
    assert not done.replayed
    after = await reread(deps, booking.pnr)
    assert [s.flight_key for s in after.active_segments] == best
    assert await sold(deps, CANCELLED) == before[CANCELLED] - 1
    assert all([await sold(deps, key) == before[key] + 1 for key in best])
    assert await count(deps, LedgerRow, LedgerRow.idempotency_key == f"{CASE}:rebook:v1") == 1
    assert await count(deps, OutboxRow, OutboxRow.topic == TOPIC_AGENT_ACTIONS) == 1

    seats = await inventory(deps)
    again = await call(tools, "rebook", **args)
    assert (again.status, again.replayed) == (ToolStatus.OK, True)
    assert await inventory(deps) == seats
    assert await reread(deps, booking.pnr) == after


async def test_rebook_onto_a_cancelled_flight_is_refused_with_the_reason(
    deps: ToolDeps, tools: dict[str, BaseTool], booking: Booking
) -> None:
    await cancel(deps)
    await cancel(deps, LATER_DIRECT, reason="weather")
    seats = await inventory(deps)
    result = await call(
        tools,
        "rebook",
        case_id=CASE,
        pnr=booking.pnr,
        replace_seqs=[1],
        flights=[LATER_DIRECT],
        cabin="economy",
    )
    assert (result.status, result.error) == (ToolStatus.RETRIABLE, "refused")
    assert f"{LATER_DIRECT} is cancelled on the live board" in result.message
    assert await inventory(deps) == seats
    assert await reread(deps, booking.pnr) == booking


async def test_rebook_onto_a_full_flight_says_pick_another_option(
    deps: ToolDeps, tools: dict[str, BaseTool], booking: Booking
) -> None:
    await cancel(deps)
    async with deps.db.transaction() as session:
        await session.execute(
            update(InventoryRow)
            .where(InventoryRow.flight_key == LATER_DIRECT, InventoryRow.cabin == "economy")
            .values(sold=InventoryRow.capacity)
        )
    result = await call(
        tools,
        "rebook",
        case_id=CASE,
        pnr=booking.pnr,
        replace_seqs=[1],
        flights=[LATER_DIRECT],
        cabin="economy",
    )
    assert (result.status, result.error) == (ToolStatus.RETRIABLE, "no_seats")
    assert "pick another option" in result.message
    assert await reread(deps, booking.pnr) == booking


async def test_a_write_tool_with_bad_arguments_returns_a_clear_error(
    deps: ToolDeps, tools: dict[str, BaseTool], booking: Booking
) -> None:
    seats = await inventory(deps)
    output = await tools["rebook"].ainvoke(
        {
            "case_id": CASE,
            "pnr": "abc",
            "replace_seqs": [],
            "flights": [LATER_DIRECT],
            "cabin": "first",
            "seats": 2,
        }
    )
    result = parse_result(output)
    assert (result.status, result.error) == (ToolStatus.RETRIABLE, "invalid_arguments")
    fields = {e["field"] for e in result.detail["errors"]}
    assert fields == {"pnr", "replace_seqs", "cabin", "seats"}
    assert result.message.startswith("invalid arguments for rebook: ")
    assert "pnr: String should match pattern" in result.message
    assert "cabin: Input should be 'economy', 'premium' or 'business'" in result.message
    assert "seats: Extra inputs are not permitted" in result.message
    assert await inventory(deps) == seats
    assert await count(deps, LedgerRow) == 0

    refund = parse_result(
        await tools["offer_refund"].ainvoke(
            {"case_id": CASE, "pnr": booking.pnr, "amount_cents": -5, "reason": "x"}
        )
    )
    assert refund.error == "invalid_arguments"
    assert {e["field"] for e in refund.detail["errors"]} == {"amount_cents", "reason"}
    assert (await reread(deps, booking.pnr)).status == BookingStatus.ACTIVE


async def test_a_held_seat_is_confirmed_by_rebook_without_taking_it_twice(
    deps: ToolDeps, tools: dict[str, BaseTool], booking: Booking
) -> None:
    await cancel(deps)
    before = await sold(deps, LATER_DIRECT)
    held = await call(
        tools,
        "hold_seats",
        case_id=CASE,
        pnr=booking.pnr,
        flights=[LATER_DIRECT],
        cabin="economy",
    )
    assert held.status == ToolStatus.OK, held.message
    assert await sold(deps, LATER_DIRECT) == before + 1

    done = await call(
        tools,
        "rebook",
        case_id=CASE,
        pnr=booking.pnr,
        replace_seqs=[1],
        flights=[LATER_DIRECT],
        cabin="economy",
        hold_id=held.detail["id"],
    )
    assert done.status == ToolStatus.OK, done.message
    assert await sold(deps, LATER_DIRECT) == before + 1
    assert [s.flight_key for s in (await reread(deps, booking.pnr)).active_segments] == [
        LATER_DIRECT
    ]


async def test_an_expired_hold_asks_to_hold_again(
    deps: ToolDeps, tools: dict[str, BaseTool], booking: Booking
) -> None:
    args = {
        "case_id": CASE,
        "pnr": booking.pnr,
        "flights": [LATER_DIRECT],
        "cabin": "economy",
        "minutes": 5,
    }
    before = await sold(deps, LATER_DIRECT)
    first = await call(tools, "hold_seats", **args)
    assert first.status == ToolStatus.OK
    assert isinstance(deps.clock, SimulatedClock)
    deps.clock.advance(timedelta(minutes=10))
    async with deps.db.transaction() as session:
        assert await release_expired_holds(session, deps.clock.now()) == [first.detail["id"]]
    assert await sold(deps, LATER_DIRECT) == before

    replay = await call(tools, "hold_seats", **args)
    assert (replay.status, replay.error) == (ToolStatus.RETRIABLE, "hold_expired")
    assert "attempt=2" in replay.message
    again = await call(tools, "hold_seats", **args, attempt=2)
    assert again.status == ToolStatus.OK
    assert again.detail["id"] != first.detail["id"]
    assert await sold(deps, LATER_DIRECT) == before + 1


async def test_compensation_is_refused_above_the_entitlement_unless_approved(
    deps: ToolDeps, tools: dict[str, BaseTool], booking: Booking
) -> None:
    await cancel(deps, reason="technical")
    owed = await call(tools, "entitlements", pnr=booking.pnr, flight_key=CANCELLED)
    assert owed.status == ToolStatus.OK
    (compensation,) = [i for i in owed.detail["items"] if i["kind"] == "compensation"]
    assert (compensation["regime"], compensation["amount_cents"]) == ("eu261", 25000)

    args = {
        "pnr": booking.pnr,
        "flight_key": CANCELLED,
        "currency": "EUR",
        "regime": "eu261",
        "citation": compensation["citation"],
    }
    above = await call(tools, "issue_compensation", case_id=CASE, amount_cents=60000, **args)
    assert (above.status, above.error) == (ToolStatus.RETRIABLE, "above_entitlement")
    assert "EU261 owes 250.00 EUR" in above.message
    assert await count(deps, LedgerRow, LedgerRow.action == "compensate") == 0

    paid = await call(tools, "issue_compensation", case_id=CASE, amount_cents=25000, **args)
    assert paid.status == ToolStatus.OK, paid.message
    again = await call(tools, "issue_compensation", case_id=CASE, amount_cents=25000, **args)
    assert again.replayed
    assert await count(deps, LedgerRow, LedgerRow.action == "compensate") == 1

    approved = await call(
        tools,
        "issue_compensation",
        case_id="case-tools-2",
        amount_cents=60000,
        approved_by="operator:ana",
        **args,
    )
    assert approved.status == ToolStatus.OK
    assert approved.detail["approved_by"] == "operator:ana"


async def test_no_compensation_for_a_storm(
    deps: ToolDeps, tools: dict[str, BaseTool], booking: Booking
) -> None:
    await cancel(deps, reason="weather")
    refused = await call(
        tools,
        "issue_compensation",
        case_id=CASE,
        pnr=booking.pnr,
        flight_key=CANCELLED,
        amount_cents=25000,
        currency="EUR",
        regime="eu261",
        citation="EU261 Art 7(1)(a)",
    )
    assert refused.error == "above_entitlement"
    assert "Art 5(3)" in refused.message


async def test_refund_gives_the_seat_back_once(
    deps: ToolDeps, tools: dict[str, BaseTool], booking: Booking
) -> None:
    before = await sold(deps, CANCELLED)
    args = {"case_id": CASE, "pnr": booking.pnr, "reason": "the passenger took the refund"}
    done = await call(tools, "offer_refund", **args)
    assert done.status == ToolStatus.OK, done.message
    assert done.detail["amount_cents"] == booking.price_cents
    assert (await reread(deps, booking.pnr)).status == BookingStatus.REFUNDED
    assert await sold(deps, CANCELLED) == before - 1
    again = await call(tools, "offer_refund", **args)
    assert (again.status, again.replayed) == (ToolStatus.OK, True)
    assert await sold(deps, CANCELLED) == before - 1
    other = await call(tools, "offer_refund", **(args | {"case_id": "case-tools-2"}))
    assert (other.status, other.error) == (ToolStatus.FINAL, "booking_closed")


async def test_send_notification_queues_one_message(
    deps: ToolDeps, tools: dict[str, BaseTool], booking: Booking
) -> None:
    await cancel(deps)
    args = {
        "case_id": CASE,
        "pnr": booking.pnr,
        "flight_key": CANCELLED,
        "message": "cancelled_no_alternative",
    }
    sent = await call(tools, "send_notification", **args)
    assert sent.status == ToolStatus.OK, sent.message
    again = await call(tools, "send_notification", **args)
    assert again.replayed
    assert await count(deps, OutboxRow, OutboxRow.key == booking.pnr) == 1


async def test_lookup_policy_finds_extraordinary_circumstances_for_a_storm(
    tools: dict[str, BaseTool],
) -> None:
    result = await call(tools, "lookup_policy", query="storm cancellation compensation")
    assert result.status == ToolStatus.OK
    first = result.detail["passages"][0]
    assert first["citation"].startswith("EU261 Art 5(3)")
    assert "extraordinary" in first["title"].lower()
    assert len(result.detail["passages"]) == 3
