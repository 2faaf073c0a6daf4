"""Approvals: a case above the autonomy limits parks at `interrupt()` until a human decides.

Each test runs the real graph and daemon on the seeded world (SQLite, simulated clock):
park, list, decide (approve / edit / reject), go stale when the flight changes again, and
expire at a deadline on simulated time.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableConfig
from sqlalchemy import delete, select, update

from agent.approvals import (
    ApprovalClosedError,
    ApprovalDesk,
    ApprovalStatus,
    Decision,
)
from agent.nodes.approve import (
    _open_approval,
    _tell_while_deciding,
    legal_notice_deadline,
    pending_notice_key,
)
from agent.runtime import Daemon
from agent.tables import ApprovalRow, CaseRow, JobRow
from airline.clock import EventTimeClock, SimulatedClock
from airline.models import Booking, FlightStatus
from airline.reservations import load_booking
from airline.tables import LedgerRow
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSink, EmbeddedSource
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode
from tests.unit.test_case_graph import CANCELLED, NOW, cancel_and_open, passenger
from tools.tables import OutboxRow


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW, speed=0)


@pytest.fixture
async def agent(world_path: Path, tmp_path: Path, clock: SimulatedClock) -> AsyncIterator[Agent]:
    settings = Settings(data_dir=tmp_path, agent={"approvals": {"all_rebookings": True}})
    assert settings.db_url.endswith(str(world_path))
    async with open_agent(settings, clock) as opened:
        yield opened


def daemon(agent: Agent, broker: EmbeddedBroker | None = None) -> Daemon:
    return Daemon(agent.deps, agent.graph, EmbeddedSource(broker or EmbeddedBroker(), follow=False))


async def ledger(agent: Agent, pnr: str) -> list[str]:
    async with agent.deps.db.session() as session:
        rows = await session.scalars(select(LedgerRow.action).where(LedgerRow.pnr == pnr))
        return sorted(rows)


async def case_row(agent: Agent, case_id: str) -> tuple[str, str | None]:
    async with agent.deps.db.session() as session:
        row = await session.get(CaseRow, case_id)
        assert row is not None
        return row.status, row.outcome


async def parked(agent: Agent) -> tuple[Daemon, str, str]:
    """One cancelled passenger's case, parked at its approval: (daemon, pnr, approval id)."""
    booking = await passenger(agent, connecting=False)
    case = await cancel_and_open(agent, booking.pnr)
    runner = daemon(agent)
    await runner.run_cases([case])
    assert dict(runner.stats.outcomes) == {"awaiting_approval": 1}
    pending = await ApprovalDesk(agent.deps.db, agent.deps.clock).pending()
    assert len(pending) == 1
    return runner, booking.pnr, pending[0].id


async def test_a_case_above_the_limits_parks_with_everything_an_operator_needs(
    agent: Agent,
) -> None:
    _, pnr, approval_id = await parked(agent)
    approval = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)

    assert approval.status is ApprovalStatus.PENDING
    assert approval.pnr == pnr and approval.flight_key == CANCELLED
    assert approval.why == ["every rebooking needs an operator (approvals.all_rebookings)"]
    kinds = [a["kind"] for a in approval.proposal["actions"]]
    assert kinds[:2] == ["rebook", "notify"] and "compensate" in kinds
    assert approval.options and approval.options[0]["flight_keys"]
    assert any(e["citation"].startswith("EU261") for e in approval.entitlements)
    assert approval.rationale.startswith("option 1, ")
    # The deadline is 30 minutes out, or earlier if the new flight leaves sooner.
    assert NOW < approval.deadline <= NOW + timedelta(minutes=30)
    # Nothing ran yet; the case waits, durable, and a deadline job is scheduled.
    assert await ledger(agent, pnr) == []
    assert await case_row(agent, approval.case_id) == ("awaiting_approval", None)
    async with agent.deps.db.session() as session:
        jobs = (await session.scalars(select(JobRow.key))).all()
    assert f"deadline:{approval_id}" in jobs


async def test_approving_completes_the_case_once(agent: Agent) -> None:
    runner, pnr, approval_id = await parked(agent)
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    approval = await desk.decide(approval_id, Decision(verdict="approve"), operator="maria")
    assert (approval.status, approval.decided_by) == (ApprovalStatus.APPROVED, "maria")

    assert await runner.apply_decisions() == 1
    assert await case_row(agent, approval.case_id) == ("done", "rebooked")
    assert await ledger(agent, pnr) == ["care", "compensate", "notify", "rebook", "refund_offer"]
    booking = await load_booking_of(agent, pnr)
    assert [s.flight_key for s in booking.active_segments] == approval.options[0]["flight_keys"]
    assert (await desk.get(approval_id)).applied_at is not None

    # Applied once: neither the daemon nor a second decision does it again.
    assert await runner.apply_decisions() == 0
    with pytest.raises(ApprovalClosedError, match="approved \\(by maria\\)"):
        await desk.decide(approval_id, Decision(verdict="reject", reason="late"), operator="x")
    assert await ledger(agent, pnr) == ["care", "compensate", "notify", "rebook", "refund_offer"]


async def test_a_daemon_killed_before_the_interrupt_was_written_still_applies_the_decision(
    agent: Agent, tmp_path: Path
) -> None:
    """With "exit" durability the parked case's checkpoint and its interrupt are two writes;
    a daemon killed between them left a checkpoint that says "approve is next" and no
    interrupt. The decision must still run the case, once (seen in the Kafka kill test)."""
    runner, pnr, approval_id = await parked(agent)
    approval = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)
    with sqlite3.connect(Settings(data_dir=tmp_path).checkpoint_path) as checkpoints:
        checkpoints.execute("DELETE FROM writes WHERE thread_id = ?", (approval.case_id,))
    config: RunnableConfig = {"configurable": {"thread_id": approval.case_id}}
    snapshot = await agent.graph.aget_state(config)
    assert snapshot.next and not snapshot.interrupts, "the crash's state, as left"

    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    await desk.decide(approval_id, Decision(verdict="approve"), operator="maria")
    assert await runner.apply_decisions() == 1
    assert await case_row(agent, approval.case_id) == ("done", "rebooked")
    assert await ledger(agent, pnr) == ["care", "compensate", "notify", "rebook", "refund_offer"]
    assert await runner.apply_decisions() == 0


def forget_checkpoints(tmp_path: Path, case_id: str) -> None:
    """The crash's state: the approval committed, the case's exit checkpoint never written."""
    with sqlite3.connect(Settings(data_dir=tmp_path).checkpoint_path) as checkpoints:
        for table in ("writes", "checkpoints"):
            checkpoints.execute(f"DELETE FROM {table} WHERE thread_id = ?", (case_id,))


async def test_a_daemon_killed_before_the_case_was_checkpointed_still_applies_the_decision(
    agent: Agent, tmp_path: Path
) -> None:
    """Killed between the approval's transaction and the exit checkpoint: the case is
    awaiting (not pending, so no restart runs it) and has no checkpoint to resume. The
    decision runs it from its start to the same approval and applies, once."""
    runner, pnr, approval_id = await parked(agent)
    approval = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)
    forget_checkpoints(tmp_path, approval.case_id)
    config: RunnableConfig = {"configurable": {"thread_id": approval.case_id}}
    assert not (await agent.graph.aget_state(config)).values, "the crash's state, as left"

    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    await desk.decide(approval_id, Decision(verdict="approve"), operator="maria")
    assert await runner.apply_decisions() == 1
    assert await case_row(agent, approval.case_id) == ("done", "rebooked")
    assert await ledger(agent, pnr) == ["care", "compensate", "notify", "rebook", "refund_offer"]
    assert await runner.apply_decisions() == 0


async def test_a_case_run_again_to_its_approval_keeps_what_it_was_opened_with(
    agent: Agent, clock: SimulatedClock
) -> None:
    """Run again up to an approval written before a crash, on a clock the stream has
    moved on (hours later, past the legal deadline to inform): the approval's deadline,
    its deadline job and its interim notice stay as they were written, together."""
    _, _, approval_id = await parked(agent)
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    approval = await desk.get(approval_id)
    config: RunnableConfig = {"configurable": {"thread_id": approval.case_id}}
    state = (await agent.graph.aget_state(config)).values
    jobs_before = await due_times(agent)
    notices_before = await pending_notices(agent, pending_notice_key(state))

    clock.advance(timedelta(hours=4))
    async with agent.deps.persistence.transaction() as work:
        await _open_approval(work, state, agent.deps, approval_id, approval.revision)

    assert (await desk.get(approval_id)).deadline == approval.deadline
    assert await due_times(agent) == jobs_before
    assert await pending_notices(agent, pending_notice_key(state)) == notices_before == 0


@pytest.mark.parametrize(
    ("before_legal", "told"), [(timedelta(0), True), (timedelta(seconds=1), False)]
)
async def test_the_interim_notice_goes_when_the_decision_may_come_at_the_legal_deadline_or_later(
    agent: Agent, before_legal: timedelta, told: bool
) -> None:
    """A decision that may come at the legal deadline to inform is told after it: the
    passenger is told now (a strict comparison hung on the milliseconds the clock had
    moved), as news about the disrupted flight, so triage counts them told and a later
    message about it supersedes this one undelivered."""
    _, _, approval_id = await parked(agent)
    approval = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)
    config: RunnableConfig = {"configurable": {"thread_id": approval.case_id}}
    state = (await agent.graph.aget_state(config)).values
    legal = legal_notice_deadline(state["verdict"].approved, state["context"])
    assert legal is not None
    key = pending_notice_key(state)
    async with agent.deps.db.session() as session:
        await session.execute(delete(OutboxRow).where(OutboxRow.idempotency_key.startswith(key)))
        await session.commit()

    async with agent.deps.persistence.transaction() as work:
        deadline = legal.due - before_legal
        await _tell_while_deciding(work, state, agent.deps, deadline, agent.deps.clock.now())

    async with agent.deps.db.session() as session:
        rows = (
            await session.scalars(
                select(OutboxRow).where(OutboxRow.idempotency_key.startswith(key))
            )
        ).all()
    assert len(rows) == (1 if told else 0)
    if told:
        assert rows[0].payload["meta"]["about"] == state["context"].disrupted_flight


async def due_times(agent: Agent) -> dict[str, object]:
    async with agent.deps.db.session() as session:
        rows = await session.execute(select(JobRow.key, JobRow.due_at))
        return {key: due for key, due in rows}


async def pending_notices(agent: Agent, key: str) -> int:
    async with agent.deps.db.session() as session:
        keys = await session.scalars(select(OutboxRow.idempotency_key))
        return sum(1 for k in keys if k.startswith(key))


async def test_a_case_run_again_from_its_start_decides_at_the_time_of_its_first_run(
    world_path: Path, tmp_path: Path
) -> None:
    """On a clock that follows the stream, a case killed before its exit checkpoint is
    run again when its approval is decided, which may be hours on in event time: its
    context is gathered at the time the approval was opened, as in the run never
    killed, and the stream's time is back afterwards."""
    clock = EventTimeClock(NOW)
    settings = Settings(data_dir=tmp_path, agent={"approvals": {"all_rebookings": True}})
    async with open_agent(settings, clock) as agent:
        runner, _, approval_id = await parked(agent)
        desk = ApprovalDesk(agent.deps.db, clock)
        approval = await desk.get(approval_id)
        config: RunnableConfig = {"configurable": {"thread_id": approval.case_id}}
        first = (await agent.graph.aget_state(config)).values["context"].now
        forget_checkpoints(tmp_path, approval.case_id)
        later = NOW + timedelta(hours=2)
        clock.follow(later)

        await desk.decide(approval_id, Decision(verdict="approve"), operator="maria")
        assert await runner.apply_decisions() == 1
        again = (await agent.graph.aget_state(config)).values["context"].now
        assert abs(again - first) < timedelta(minutes=1) < later - first
        assert clock.followed == later
        assert await case_row(agent, approval.case_id) == ("done", "rebooked")


async def test_a_case_run_again_that_proposes_otherwise_plans_afresh_instead(
    agent: Agent, tmp_path: Path
) -> None:
    """Run again from its start, the case proposes other actions than the approval showed
    (here: the stored proposal is altered): the operator's approval is not applied to
    what they did not see; the case plans again under a new approval."""
    runner, pnr, approval_id = await parked(agent)
    approval = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)
    forget_checkpoints(tmp_path, approval.case_id)
    seen = {**approval.proposal, "actions": approval.proposal["actions"][1:]}
    async with agent.deps.db.transaction() as session:
        await session.execute(
            update(ApprovalRow).where(ApprovalRow.id == approval_id).values(proposal=seen)
        )

    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    await desk.decide(approval_id, Decision(verdict="approve"), operator="maria")
    await runner.apply_decisions()
    assert await ledger(agent, pnr) == []  # nothing the operator did not see ran
    pending = await desk.pending()
    assert [(a.case_id, a.revision) for a in pending] == [(approval.case_id, 1)]


async def load_booking_of(agent: Agent, pnr: str) -> Booking:
    async with agent.deps.db.session() as session:
        return await load_booking(session, pnr)


async def test_an_edit_books_the_option_the_operator_chose(agent: Agent) -> None:
    runner, pnr, approval_id = await parked(agent)
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    approval = await desk.get(approval_id)
    assert len(approval.options) >= 2
    with pytest.raises(ValueError, match="does not exist"):
        await desk.decide(approval_id, Decision(verdict="edit", option=99), operator="maria")

    second = approval.options[1]["flight_keys"]
    with pytest.raises(ValueError, match=r"option 2 is .*, not XZ999: nothing was booked"):
        await desk.decide(
            approval_id, Decision(verdict="edit", option=2, flight="XZ999"), operator="maria"
        )

    # Options are numbered from 1, as the desk shows them: 2 is the second.
    flight = second[0].split("/")[0]
    decided = await desk.decide(
        approval_id, Decision(verdict="edit", option=2, flight=flight), operator="maria"
    )
    assert decided.decision is not None and decided.decision.flights == second
    await runner.apply_decisions()

    assert await case_row(agent, approval.case_id) == ("done", "rebooked")
    booking = await load_booking_of(agent, pnr)
    assert [s.flight_key for s in booking.active_segments] == second


async def test_a_rejection_runs_no_rebooking_and_tells_the_passenger_the_truth(
    agent: Agent,
) -> None:
    runner, pnr, approval_id = await parked(agent)
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    with pytest.raises(ValueError, match="needs a reason"):
        Decision(verdict="reject")
    await desk.decide(
        approval_id, Decision(verdict="reject", reason="customer called"), operator="maria"
    )
    await runner.apply_decisions()

    approval = await desk.get(approval_id)
    assert await case_row(agent, approval.case_id) == ("done", "no_alternative")
    assert "rebook" not in await ledger(agent, pnr)
    async with agent.deps.db.session() as session:
        kinds = (
            await session.scalars(
                select(OutboxRow.payload["kind"].as_string()).where(
                    OutboxRow.key == pnr, OutboxRow.channel.is_not(None)
                )
            )
        ).all()
    assert kinds == ["cancelled_no_alternative"]


async def test_an_approval_goes_stale_when_its_flight_changes_and_the_case_plans_again(
    agent: Agent,
) -> None:
    runner, pnr, approval_id = await parked(agent)
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    proposed = (await desk.get(approval_id)).options[0]["flight_keys"][0]

    # The flight the agent proposed is delayed by an hour: a real event on the stream.
    broker = EmbeddedBroker()
    state = agent.deps.board.get(proposed)
    assert state is not None
    flight = agent.deps.schedule.flights[proposed]
    event = FlightStatusEvent.about(
        flight,
        event_id="ev-delay-proposed",
        status=FlightStatus.DELAYED,
        est_dep=state.est_dep + timedelta(hours=1),
        est_arr=state.est_arr + timedelta(hours=1),
        emitted_at=NOW + timedelta(minutes=1),
    )
    await EmbeddedSink(broker).send(TOPIC_FLIGHT_STATUS, proposed, encode(event))
    listener = daemon(agent, broker)
    await listener.run(asyncio.Event())  # the source ends with the stream (follow=False)

    old = await desk.get(approval_id)
    assert old.status is ApprovalStatus.STALE and old.decided_by == "agent"
    # An operator who still clicks is refused, and told why.
    with pytest.raises(
        ApprovalClosedError, match=f"is stale.*{proposed} changed again.*the case plans again"
    ):
        await desk.decide(approval_id, Decision(verdict="approve"), operator="maria")
    await listener.apply_decisions()
    assert (await desk.get(approval_id)).applied_at is not None
    # Planned again on the live board: a new approval (next revision) for the same case.
    [renewed] = await desk.pending()
    assert (renewed.case_id, renewed.revision) == (old.case_id, 1)
    assert await ledger(agent, pnr) == []

    # Had the daemon died before marking the stale approval applied, it would be resumed
    # again: its answer is not the new approval's, which keeps waiting for an operator.
    async with agent.deps.db.transaction() as session:
        await session.execute(
            update(ApprovalRow).where(ApprovalRow.id == approval_id).values(applied_at=None)
        )
    assert await runner.apply_decisions() == 1
    assert [a.id for a in await desk.pending()] == [renewed.id]
    snapshot = await agent.graph.aget_state({"configurable": {"thread_id": old.case_id}})
    assert [i.value for i in snapshot.interrupts] == [{"approval_id": renewed.id}]
    assert await case_row(agent, old.case_id) == ("awaiting_approval", None)


async def test_a_deadline_on_simulated_time_runs_the_safe_default(
    agent: Agent, clock: SimulatedClock
) -> None:
    runner, pnr, approval_id = await parked(agent)
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    approval = await desk.get(approval_id)

    assert await runner.scheduler.run_due() == 0  # not yet
    clock.advance(approval.deadline - clock.now() + timedelta(seconds=1))
    assert await runner.scheduler.run_due() >= 1
    expired = await desk.get(approval_id)
    assert (expired.status, expired.decided_by) == (ApprovalStatus.EXPIRED, "scheduler")

    await runner.apply_decisions()
    # "Every rebooking asks" is about trust, not policy: the guarded plan runs.
    assert await case_row(agent, approval.case_id) == ("done", "rebooked")
    assert "rebook" in await ledger(agent, pnr)
    assert await runner.scheduler.run_due() == 0  # the deadline job fired once


async def test_a_deadline_on_a_board_that_moved_runs_nothing_and_plans_again(
    agent: Agent, clock: SimulatedClock
) -> None:
    """The safe default's last row (`agent.autonomy.safe_default`): the flight the
    approval proposes is cancelled in a way no stream record marked the approval stale
    for (the board moved under it). At the deadline nothing of the plan runs — no
    rebooking, no money, no message — the approval ends stale with the reason, and the
    case plans again on the live board, under a new approval."""
    runner, pnr, approval_id = await parked(agent)
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    approval = await desk.get(approval_id)
    proposed = approval.options[0]["flight_keys"][0]
    state = agent.deps.board.get(proposed)
    assert state is not None
    gone = state.model_copy(
        update={"status": FlightStatus.CANCELLED, "event_id": "ev-gone", "emitted_at": NOW}
    )
    async with agent.deps.db.transaction() as session:
        await agent.deps.board.apply(session, gone)
    assert (await desk.get(approval_id)).status is ApprovalStatus.PENDING  # nobody marked it

    clock.advance(approval.deadline - clock.now() + timedelta(seconds=1))
    assert await runner.scheduler.run_due() >= 1
    assert (await desk.get(approval_id)).status is ApprovalStatus.EXPIRED
    await runner.apply_decisions()

    ended = await desk.get(approval_id)
    assert ended.status is ApprovalStatus.STALE
    assert ended.decision is not None
    assert f"{proposed} is cancelled" in (ended.decision.reason or "")
    assert await ledger(agent, pnr) == []
    [renewed] = await desk.pending()
    assert (renewed.case_id, renewed.revision) == (approval.case_id, 1)
    assert all(proposed not in option["flight_keys"] for option in renewed.options)


async def test_a_deadline_after_another_case_rebooked_the_booking_plans_again(
    agent: Agent, clock: SimulatedClock
) -> None:
    """While the approval waits, another case of the booking (a later disruption of
    another of its flights: gen-s151-w22) rebooks it off the segments the proposal
    replaces. At the deadline the safe default would book over segments the booking no
    longer holds (`swap_segments` refuses: the resume failed at every follow-up tick and
    the case's held seat stayed taken until the hold expired); the approval goes stale
    instead, with the reason, and the case plans again from the itinerary it has now."""
    runner, pnr, approval_id = await parked(agent)
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    approval = await desk.get(approval_id)
    elsewhere = approval.options[1]["flight_keys"]
    async with agent.deps.persistence.transaction() as work:
        booking = await work.reservations.load_booking(pnr)
        await work.reservations.rebook(
            pnr=pnr,
            replace_seqs=[s.seq for s in booking.active_segments],
            new_flights=elsewhere,
            cabin=booking.active_segments[0].cabin,
        )

    clock.advance(approval.deadline - clock.now() + timedelta(seconds=1))
    assert await runner.scheduler.run_due() >= 1
    assert await runner.apply_decisions() == 1

    ended = await desk.get(approval_id)
    assert ended.status is ApprovalStatus.STALE and ended.applied_at is not None
    assert ended.decision is not None
    assert f"{pnr} no longer holds segment" in (ended.decision.reason or "")
    status, _ = await case_row(agent, approval.case_id)
    assert status != "awaiting_approval" or [a.revision for a in await desk.pending()] == [1]
    assert "rebook" not in await ledger(agent, pnr)
    booking = await load_booking_of(agent, pnr)
    assert [s.flight_key for s in booking.active_segments] == elsewhere
    assert await runner.apply_decisions() == 0  # nothing left to resume, nothing failing


async def test_two_schedulers_fire_a_due_job_once(agent: Agent, clock: SimulatedClock) -> None:
    first, _, approval_id = await parked(agent)
    second = daemon(agent)
    clock.advance(timedelta(hours=1))
    ran = [await first.scheduler.run_due(), await second.scheduler.run_due()]
    async with agent.deps.db.session() as session:
        job = await session.scalar(select(JobRow).where(JobRow.key == f"deadline:{approval_id}"))
    assert job is not None and (job.status, job.attempts) == ("done", 1)
    assert sum(ran) == ran[0] >= 1


async def test_without_limits_the_agent_acts_alone(world_path: Path, tmp_path: Path) -> None:
    async with open_agent(Settings(data_dir=tmp_path), SimulatedClock(NOW, speed=0)) as agent:
        booking = await passenger(agent, connecting=False)
        case = await cancel_and_open(agent, booking.pnr)
        runner = daemon(agent)
        await runner.run_cases([case])
        assert dict(runner.stats.outcomes) == {"rebooked": 1}
        async with agent.deps.db.session() as session:
            assert (await session.scalars(select(ApprovalRow))).all() == []


async def test_the_card_shows_the_booked_trip_and_why_the_first_option_ranks_first(
    agent: Agent,
) -> None:
    from dashboard.cards import card_of

    _runner, _pnr, approval_id = await parked(agent)
    approval = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)

    card = card_of(approval, None, None)

    assert [leg.flight_key for leg in card.booked if leg.broken] == [approval.flight_key]
    assert card.why is not None and card.why.startswith("option 1, ")
    first = " + ".join(k.split("/")[0] for k in approval.options[0]["flight_keys"])
    assert first in card.why
    if len(approval.options) > 1:  # and the next best, with what separates them
        assert "option 2, " in card.why and "ranks first because" in card.why
    assert [o.number for o in card.options] == list(range(1, len(approval.options) + 1))
