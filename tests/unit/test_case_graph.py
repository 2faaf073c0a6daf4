"""One case through the LangGraph graph with the SQLite checkpointer, on the seeded world."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.serde import jsonplus
from sqlalchemy import select, update

from agent.graph import build_graph, sqlite_checkpointer
from agent.nodes.common import MAX_ATTEMPTS
from agent.planner.inputs import REBOOKING_LEAD
from agent.reasoners.rules import RulesReasoner
from agent.runtime import Daemon, OpenCase
from agent.state import (
    Assignment,
    CaseContext,
    CaseReason,
    CaseState,
    CaseStatus,
    NotifyAction,
    Plan,
    RebookAction,
    Verdict,
)
from agent.tables import CaseRow, DisruptionRow
from agent.triage import case_id, disruption_id
from airline.board import Change, FlightState
from airline.clock import SimulatedClock
from airline.models import Booking, Cabin, FlightStatus
from airline.ports import Seats
from airline.reservations import HoldExpiredError, load_booking, passengers_on
from airline.sql_ports import SqlReservations
from airline.tables import InventoryRow, LedgerRow
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource
from streams.events import TOPIC_AGENT_ACTIONS, TOPIC_NOTIFICATIONS
from tools.flights import Itinerary
from tools.notifications import MessageKind
from tools.policy.validate import Validated, validate
from tools.tables import OutboxRow

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
CANCELLED = "XA102/2026-03-01"  # FRA→LHR, 08:20 UTC, about a hundred passengers


@pytest.fixture
def settings(world_path: Path, tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path)
    assert settings.db_url == f"sqlite+aiosqlite:///{world_path}"
    return settings


@pytest.fixture
async def agent(settings: Settings) -> AsyncIterator[Agent]:
    async with open_agent(settings, SimulatedClock(NOW, speed=0)) as opened:
        yield opened


async def cancel_and_open(agent: Agent, pnr: str) -> OpenCase:
    """Cancel the flight and open one passenger's case, as the daemon does: one transaction."""
    deps = agent.deps
    current = deps.board.get(CANCELLED)
    assert current is not None
    cancelled = current.model_copy(
        update={
            "status": FlightStatus.CANCELLED,
            "reason": "technical",
            "event_id": "ev-cancel",
            "emitted_at": NOW,
        }
    )
    async with deps.db.transaction() as session:
        change = await deps.board.apply(session, cancelled)
        assert isinstance(change, Change)
        disruption = disruption_id(change)
        session.add(
            DisruptionRow(
                id=disruption,
                flight_key=CANCELLED,
                event_id=cancelled.event_id,
                kind=change.kind.value,
                detail={"status": "cancelled"},
                detected_at=NOW,
            )
        )
        await session.flush()
        case = OpenCase(case_id(disruption, pnr), pnr, disruption, CANCELLED, "cancelled")
        session.add(
            CaseRow(
                id=case.id,
                disruption_id=disruption,
                pnr=pnr,
                reason=case.reason,
                priority=0,
                status=CaseStatus.PENDING,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    return case


async def passenger(agent: Agent, *, connecting: bool) -> Booking:
    """An economy passenger of the flight: travelling only on it, or connecting onto it."""
    async with agent.deps.db.session() as session:
        for pnr in await passengers_on(session, CANCELLED):
            booking = await load_booking(session, pnr)
            keys = [s.flight_key for s in booking.segments]
            cabins = {s.cabin for s in booking.segments}
            if (
                cabins == {Cabin.ECONOMY}
                and keys[-1] == CANCELLED
                and (len(keys) == 2) == connecting
            ):
                return booking
    raise AssertionError("the seeded world has such a passenger")


def daemon(agent: Agent) -> Daemon:
    return Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker(), follow=False))


def config(case: OpenCase) -> RunnableConfig:
    return {"configurable": {"thread_id": case.id}}


def start(case: OpenCase) -> CaseState:
    return {
        "case_id": case.id,
        "pnr": case.pnr,
        "disruption_id": case.disruption_id,
        "flight_key": case.flight_key,
        "reason": case.reason,
    }


@dataclass(frozen=True)
class World:
    """Everything an effect could have changed, to compare before and after."""

    booking: Booking
    ledger: list[tuple[str, str]]
    outbox: list[tuple[str, str]]
    sold: list[tuple[str, str, int]]
    case: tuple[str, str | None]


async def observe(agent: Agent, case: OpenCase) -> World:
    async with agent.deps.db.session() as session:
        ledger = await session.execute(
            select(LedgerRow.action, LedgerRow.idempotency_key).where(LedgerRow.pnr == case.pnr)
        )
        outbox = await session.execute(
            select(OutboxRow.topic, OutboxRow.idempotency_key).where(OutboxRow.key == case.pnr)
        )
        sold = await session.execute(
            select(InventoryRow.flight_key, InventoryRow.cabin, InventoryRow.sold)
            .where(InventoryRow.sold > 0)
            .order_by(InventoryRow.flight_key, InventoryRow.cabin)
        )
        row = await session.get(CaseRow, case.id)
        assert row is not None
        return World(
            booking=await load_booking(session, case.pnr),
            ledger=sorted((a, k) for a, k in ledger),
            outbox=sorted((t, k) for t, k in outbox),
            sold=[(k, c, n) for k, c, n in sold],
            case=(row.status, row.outcome),
        )


def assert_flyable_rebooking(agent: Agent, booking: Booking, *, origin: str) -> list[str]:
    """The booking's new trip from `origin` to LHR, on flights that can be flown."""
    schedule, board = agent.deps.schedule, agent.deps.board
    replaced = [s for s in booking.segments if s.flight_key == CANCELLED]
    assert [s.status.value for s in replaced] == ["replaced"]
    new = [s for s in booking.active_segments if s.seq > replaced[0].seq]
    assert new, "the booking got new segments"
    flights = [schedule.flights[s.flight_key] for s in new]
    assert flights[0].origin == origin
    assert flights[-1].destination == "LHR"
    for segment in new:
        state = board.get(segment.flight_key)
        assert state is not None and state.flyable
        assert segment.cabin == Cabin.ECONOMY
    assert board.get(new[0].flight_key).est_dep >= NOW + REBOOKING_LEAD  # type: ignore[union-attr]
    return [s.flight_key for s in new]


@pytest.mark.parametrize("connecting", [False, True], ids=["direct", "connecting"])
async def test_a_cancelled_passenger_is_rebooked_and_told_once(
    agent: Agent, connecting: bool
) -> None:
    booking = await passenger(agent, connecting=connecting)
    case = await cancel_and_open(agent, booking.pnr)

    outcomes = await _run(agent, [case])
    assert outcomes == {"rebooked": 1}

    after = await observe(agent, case)
    assert after.case == ("done", "rebooked")
    new_flights = assert_flyable_rebooking(agent, after.booking, origin="FRA")
    if connecting:
        # The feeder into FRA still works and stays on the booking.
        feeder = booking.segments[0].flight_key
        assert after.booking.active_segments[0].flight_key == feeder
    # A technical cancellation on the day: EU261 compensation and care, paid unasked, and
    # the refund the passenger may take instead of the re-routing (Art 8(1)), offered.
    assert [a for a, _ in after.ledger] == [
        "care",
        "compensate",
        "notify",
        "rebook",
        "refund_offer",
    ]
    # One message to the contact, one to each passenger with a contact of their own.
    told = 1 + sum(p.own_contact for p in booking.passengers)
    notifications = [TOPIC_NOTIFICATIONS] * told
    assert sorted(t for t, _ in after.outbox) == [TOPIC_AGENT_ACTIONS] * 4 + notifications
    async with agent.deps.db.session() as session:
        paid = await session.scalar(
            select(LedgerRow.detail).where(
                LedgerRow.pnr == case.pnr, LedgerRow.action == "compensate"
            )
        )
    assert paid is not None
    assert (paid["regime"], paid["amount_cents"], paid["currency"]) == ("eu261", 25000, "EUR")

    async with agent.deps.db.session() as session:
        message = await session.scalar(
            select(OutboxRow.payload).where(
                OutboxRow.key == case.pnr, OutboxRow.topic == TOPIC_NOTIFICATIONS
            )
        )
    assert message is not None
    assert message["kind"] == "cancelled_rebooked"
    assert "XA102" in message["body"]
    for key in new_flights:
        assert key.split("/")[0] in message["body"]


async def _run(agent: Agent, cases: Sequence[OpenCase]) -> dict[str, int]:
    runner = daemon(agent)
    await runner.run_cases(list(cases))
    return dict(runner.stats.outcomes)


async def test_running_the_case_again_changes_nothing(agent: Agent) -> None:
    booking = await passenger(agent, connecting=False)
    case = await cancel_and_open(agent, booking.pnr)
    await _run(agent, [case])
    done = await observe(agent, case)
    assert done.case == ("done", "rebooked")

    # The daemon again (e.g. a resumed or repeated run): the checkpoint says it is finished.
    assert await _run(agent, [case]) == {"rebooked": 1}
    assert await observe(agent, case) == done

    # The same thread invoked from the start again.
    await agent.graph.ainvoke(start(case), config(case), context=agent.deps)
    again = await observe(agent, case)
    assert (again.booking, again.ledger, again.outbox, again.sold) == (
        done.booking,
        done.ledger,
        done.outbox,
        done.sold,
    )

    # A fresh graph that has never seen the case (its checkpoints lost) with the same case id.
    await build_graph().ainvoke(start(case), config(case), context=agent.deps)
    fresh = await observe(agent, case)
    assert (fresh.booking, fresh.ledger, fresh.outbox, fresh.sold) == (
        done.booking,
        done.ledger,
        done.outbox,
        done.sold,
    )


@pytest.mark.parametrize("graph", ["same-thread", "fresh-graph"])
async def test_a_case_finished_before_keeps_its_outcome_when_invoked_again(
    agent: Agent, graph: str
) -> None:
    booking = await passenger(agent, connecting=False)
    case = await cancel_and_open(agent, booking.pnr)
    await _run(agent, [case])
    runner = agent.graph if graph == "same-thread" else build_graph()
    await runner.ainvoke(start(case), config(case), context=agent.deps)
    assert (await observe(agent, case)).case == ("done", "rebooked")


async def test_a_daemon_killed_after_acting_does_not_act_twice(agent: Agent) -> None:
    booking = await passenger(agent, connecting=False)
    case = await cancel_and_open(agent, booking.pnr)

    # The process dies right after the act transaction commits, before `remember` (and,
    # with checkpoints only at the end of a run, before any checkpoint of this run).
    await agent.graph.ainvoke(
        start(case), config(case), context=agent.deps, interrupt_after=["act"]
    )
    done = await observe(agent, case)
    # The case was closed in that transaction, with its effects: nothing is left to run.
    assert done.case == ("done", "rebooked")
    assert [action for action, _key in done.ledger] == [
        "care",
        "compensate",
        "notify",
        "rebook",
        "refund_offer",
    ]
    assert await daemon(agent).resume_pending() == 0

    # Even run again from the very start (what a lost checkpoint would lead to), nothing
    # is done twice: the live booking is on its new flight already, so there is nothing
    # to do, every effect is keyed anyway, and the case keeps its outcome.
    again: RunnableConfig = {"configurable": {"thread_id": f"{case.id}:again"}}
    result = await agent.graph.ainvoke(start(case), again, context=agent.deps)
    assert (result["effects"], result["outcome"]) == ([], "nothing_to_do")
    assert await observe(agent, case) == done


async def test_the_checkpoint_revives_our_types_without_warnings(
    agent: Agent,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # LangGraph warns once per type and process; forget earlier warnings so ours show.
    monkeypatch.setattr(jsonplus, "_warned_unregistered_types", set())
    monkeypatch.setattr(jsonplus, "_warned_blocked_types", set())
    monkeypatch.setattr(jsonplus, "_warned_unreconstructable_types", set())
    caplog.set_level(logging.WARNING)

    booking = await passenger(agent, connecting=True)
    case = await cancel_and_open(agent, booking.pnr)
    await _run(agent, [case])

    # Another process reading the checkpoint file, e.g. a restarted daemon.
    async with sqlite_checkpointer(settings.checkpoint_path) as saver:
        snapshot = await build_graph(saver).aget_state(config(case))
    values = snapshot.values

    context, plan, verdict = values["context"], values["plan"], values["verdict"]
    assert isinstance(context, CaseContext)
    assert isinstance(plan, Plan)
    assert isinstance(verdict, Verdict)
    assert context.reason is CaseReason.CANCELLED
    assert isinstance(context.booking, Booking)
    assert context.booking.pnr == booking.pnr
    assert all(isinstance(s, FlightState) for s in context.flights.values())
    assert context.alternatives and isinstance(context.alternatives[0], Itinerary)
    assert context.cabin is Cabin.ECONOMY
    assert isinstance(verdict.approved[0], RebookAction)
    assert context.now == NOW and context.now.tzinfo is not None
    assert values["outcome"] == "rebooked"

    complaints = [
        r.getMessage()
        for r in caplog.records
        if "unregistered" in r.getMessage()
        or "Blocked" in r.getMessage()
        or "reconstruct" in r.getMessage()
    ]
    assert complaints == []


async def test_a_flight_sold_out_after_the_guard_keeps_the_seat_held_for_the_case(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    booking = await passenger(agent, connecting=False)
    case = await cancel_and_open(agent, booking.pnr)
    lost: list[str] = []

    async def another_case_takes_the_seat(seats: Seats, *args: Any, **kwargs: Any) -> Validated:
        checked = await validate(seats, *args, **kwargs)
        rebooking = next((a for a in checked.approved if isinstance(a, RebookAction)), None)
        if not lost and rebooking is not None:  # right after the guard looked, once
            lost.append(rebooking.flights[0])
            await sell_out(agent, rebooking.flights[0], rebooking.cabin)
        return checked

    # The guard checks the plan through this name; the planner and the booking do not.
    monkeypatch.setattr("agent.nodes.guard.validate", another_case_takes_the_seat)

    assert await _run(agent, [case]) == {"rebooked": 1}
    after = await observe(agent, case)
    new_flights = assert_flyable_rebooking(agent, after.booking, origin="FRA")
    assert lost[0] in new_flights  # the planner held it: nobody else could take it
    # The refund EU261 gives instead of travelling (Art 8(1)(a)) is offered beside it.
    assert [a for a, _ in after.ledger] == [
        "care",
        "compensate",
        "notify",
        "rebook",
        "refund_offer",
    ]
    async with agent.deps.db.session() as session:
        row = await session.get_one(InventoryRow, (lost[0], Cabin.ECONOMY.value))
    assert row.sold == row.capacity


class FillingReasoner:
    """The rules reasoner, while another case takes the last seats of its first choice."""

    name = "rules"

    def __init__(self) -> None:
        self.agent: Agent | None = None
        self.taken: list[str] = []

    async def plan(self, context: CaseContext) -> Plan:
        assert self.agent is not None
        if not self.taken and context.alternatives:
            self.taken = context.alternatives[0].flight_keys
            for key in self.taken:
                await sell_out(self.agent, key, Cabin.ECONOMY)
        return await RulesReasoner().plan(context)


async def test_a_flight_filled_while_the_reasoner_thinks_keeps_the_held_seat(
    settings: Settings,
) -> None:
    reasoner = FillingReasoner()
    async with open_agent(settings, SimulatedClock(NOW, speed=0), reasoner=reasoner) as agent:
        reasoner.agent = agent
        booking = await passenger(agent, connecting=False)
        case = await cancel_and_open(agent, booking.pnr)
        outcomes = await _run(agent, [case])
        assert reasoner.taken
        assert outcomes == {"rebooked": 1}
        after = await observe(agent, case)
        new_flights = assert_flyable_rebooking(agent, after.booking, origin="FRA")
        assert new_flights == reasoner.taken


async def sell_out(agent: Agent, flight_key: str, cabin: Cabin) -> None:
    async with agent.deps.db.transaction() as session:
        await session.execute(
            update(InventoryRow)
            .where(InventoryRow.flight_key == flight_key, InventoryRow.cabin == cabin.value)
            .values(sold=InventoryRow.capacity)
        )


async def test_a_passenger_who_loses_every_seat_race_is_still_told(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    booking = await passenger(agent, connecting=False)
    case = await cancel_and_open(agent, booking.pnr)
    tries: list[str] = []

    async def always_gone(reservations: SqlReservations, **kwargs: object) -> None:
        hold_id = kwargs["hold_id"]
        assert isinstance(hold_id, str)
        tries.append(hold_id)
        raise HoldExpiredError(hold_id, "expired")

    # Every confirmation finds its held seats gone (a fault: holds do not vanish); the
    # planner places the case again each time, then it is told the truth.
    monkeypatch.setattr(SqlReservations, "confirm_hold", always_gone)

    assert await _run(agent, [case]) == {"no_alternative": 1}
    # The bulk path (`agent.runtime.settle`) tries the planner's hold first; losing it
    # rolls its batch back, and the case runs its graph, which tries that hold again and
    # then a new one each time, MAX_ATTEMPTS in all.
    assert tries[0] == tries[1] and len(tries) == MAX_ATTEMPTS + 1
    assert len(set(tries)) == MAX_ATTEMPTS  # a new hold each
    after = await observe(agent, case)
    assert after.case == ("done", "no_alternative")
    assert [a for a, _ in after.ledger] == ["notify"]
    async with agent.deps.db.session() as session:
        kind = await session.scalar(
            select(OutboxRow.payload["kind"].as_string()).where(
                OutboxRow.key == case.pnr, OutboxRow.topic == TOPIC_NOTIFICATIONS
            )
        )
    assert kind == "cancelled_no_alternative"


class RefusedRebookingReasoner:
    """A plan announcing a rebooking onto a flight that does not exist, message first."""

    name = "rules"

    async def plan(self, context: CaseContext) -> Plan:
        return Plan(
            actions=[
                NotifyAction(message=MessageKind.CANCELLED_REBOOKED),
                RebookAction(
                    replace_seqs=context.replace_seqs,
                    flights=["XZ999/2026-03-01"],
                    cabin=context.cabin or Cabin.ECONOMY,
                ),
            ],
            rationale="rebook onto a flight nobody flies",
            reasoner=self.name,
        )


async def test_a_refused_rebooking_falls_back_to_a_ranked_alternative(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No seat held by the planner (its assignment is not there to fall back on): the
    guard still does not tell the passenger there is no alternative while the search
    ranked one that can run; the message, listed first, goes out after the rebooking it
    announces, with the itinerary in it."""
    monkeypatch.setattr(Assignment, "placed", property(lambda self: False))
    async with open_agent(
        settings, SimulatedClock(NOW, speed=0), reasoner=RefusedRebookingReasoner()
    ) as agent:
        booking = await passenger(agent, connecting=False)
        case = await cancel_and_open(agent, booking.pnr)
        assert await _run(agent, [case]) == {"rebooked": 1}
        after = await observe(agent, case)
        new_flights = assert_flyable_rebooking(agent, after.booking, origin="FRA")
        async with agent.deps.db.session() as session:
            message = await session.scalar(
                select(OutboxRow.payload).where(
                    OutboxRow.key == case.pnr, OutboxRow.topic == TOPIC_NOTIFICATIONS
                )
            )
    assert message is not None and message["kind"] == "cancelled_rebooked"
    assert all(key.split("/")[0] in message["body"] for key in new_flights)
