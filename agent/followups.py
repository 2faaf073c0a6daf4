"""What happens to a case after its first run: decisions, staleness, scheduled jobs.

- **Decided approvals** (by an operator through `ApprovalDesk`, by staleness, or by a
  deadline) are applied by resuming the parked graph with the decision as the answer to
  its `interrupt()`. Any daemon may do it, after claiming the case; `applied_at` records
  that it ran, so a decision takes effect once.
- **Staleness**: when a flight changes again, every pending approval about it (the
  disrupted flight, or a flight its proposal books) goes stale and its case plans again.
- **Scheduled jobs** (`agent.scheduler`): an approval deadline expires the approval (the
  safe default then runs); a re-check soon after a rebooking opens a case when the new
  itinerary is itself disrupted; before the new departure the itinerary is checked again
  and, if it still flies, the passenger reminded; when a wave's holds expire, the seats
  no case confirmed go back to inventory.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent.approvals import DECIDED, ApprovalStatus
from agent.claims import CaseClaims
from agent.deps import AgentDeps
from agent.graph import CASE_DURABILITY, CaseGraph
from agent.recheck_triage import GONE
from agent.scheduler import Handler, JobKind
from agent.state import CaseState
from agent.tables import ApprovalRow
from airline.board import LiveBoard
from airline.clock import Clock, EventTimeClock
from airline.holds import release_expired_holds
from airline.models import Booking, Customer
from airline.reservations import load_booking, load_customer
from tools.notifications import MessageKind, enqueue_for_booking, stated_now, with_preferences
from travel_agent.errors import NotFoundError
from travel_agent.redact import passenger

log = logging.getLogger(__name__)


def _at(clock: Clock, instant: datetime) -> AbstractContextManager[None]:
    """`EventTimeClock.at`; a wall or simulated clock keeps its time."""
    return clock.at(instant) if isinstance(clock, EventTimeClock) else nullcontext()


# What resumes a parked case, by the approval's status.
RESUMABLE = (*DECIDED, ApprovalStatus.STALE, ApprovalStatus.EXPIRED)

Recheck = Callable[[str, str], Awaitable[int]]
"""(pnr, flight_key) -> cases opened: triage the booking against the flight's live state."""
StartOf = Callable[[str], Awaitable[CaseState | None]]
"""case id -> the state its first run starts from (None: no such case)."""


class FollowUps:
    def __init__(
        self,
        deps: AgentDeps,
        graph: CaseGraph,
        claims: CaseClaims,
        recheck: Recheck,
        *,
        start_of: StartOf | None = None,
    ) -> None:
        self.deps = deps
        self.graph = graph
        self.claims = claims
        self._recheck = recheck
        self._start_of = start_of

    # --- approvals --------------------------------------------------------------------

    async def resume_decided(self) -> int:
        """Run on every case whose approval was decided (or went stale, or expired)."""
        async with self.deps.db.session() as session:
            rows = (
                await session.execute(
                    select(
                        ApprovalRow.id,
                        ApprovalRow.case_id,
                        ApprovalRow.decision,
                        ApprovalRow.proposal,
                        ApprovalRow.created_at,
                    )
                    .where(
                        ApprovalRow.status.in_([s.value for s in RESUMABLE]),
                        ApprovalRow.applied_at.is_(None),
                    )
                    .order_by(ApprovalRow.decided_at, ApprovalRow.id)
                )
            ).all()
        resumed = 0
        for approval_id, case_id, decision, proposal, opened_at in rows:
            if not await self.claims.claim(case_id):
                continue  # another daemon is on it
            try:
                await self._resume(
                    approval_id,
                    case_id,
                    dict(decision or {"verdict": "stale"}),
                    proposal,
                    opened_at,
                )
                resumed += 1
            except Exception:
                log.exception("resuming case %s with approval %s failed", case_id, approval_id)
            finally:
                await self.claims.release([case_id])
        return resumed

    async def _resume(
        self,
        approval_id: str,
        case_id: str,
        decision: dict[str, Any],
        proposal: dict[str, Any] | None,
        opened_at: datetime,
    ) -> None:
        config: RunnableConfig = {"configurable": {"thread_id": case_id}}
        snapshot = await self.graph.aget_state(config)
        if not snapshot.values and self._start_of is not None:
            # No checkpoint at all: the daemon died after the approval's transaction and
            # before the case's exit checkpoint. The case is no longer pending (the
            # approval parked it), so nothing else would run it again, and marking the
            # decision applied would leave it awaiting forever. Run it from its start: it
            # parks at this same approval (the id is the case's and revision's; the row
            # keeps its decision), then takes the answer below — unless what it proposes
            # now is not what the operator saw, which is then planned afresh.
            start = await self._start_of(case_id)
            if start is not None:
                # At the time the approval was opened, on a clock that follows the stream:
                # a deadline job runs this later in event time, where a case judged anew
                # could propose otherwise only because time moved (crash variance).
                with _at(self.deps.clock, opened_at):
                    await self.graph.ainvoke(
                        start, config, context=self.deps, durability=CASE_DURABILITY
                    )
                snapshot = await self.graph.aget_state(config)
                if decision.get("verdict") in ("approve", "default") and not _proposes(
                    snapshot.values, proposal
                ):
                    decision = {"verdict": "stale"}
        if snapshot.next and not snapshot.interrupts:
            # Cases run with "exit" durability: the parked state and its interrupt are two
            # writes, and a daemon killed between them left "approve is next" and no
            # interrupt. Run on to the approval again (everything before `interrupt()` is
            # idempotent), so the answer below finds the case parked at it.
            await self.graph.ainvoke(None, config, context=self.deps, durability=CASE_DURABILITY)
            snapshot = await self.graph.aget_state(config)
        asked = [
            i.value.get("approval_id") for i in snapshot.interrupts if isinstance(i.value, dict)
        ]
        if asked == [approval_id]:  # parked at this approval: answer it
            await self.graph.ainvoke(
                Command(resume=decision), config, context=self.deps, durability=CASE_DURABILITY
            )
        # else: resumed before by a daemon that died before marking it — since finished, or
        # parked at a newer approval, which this answer is not for: nothing to redo
        async with self.deps.db.transaction() as session:
            await session.execute(
                update(ApprovalRow)
                .where(ApprovalRow.id == approval_id)
                .values(applied_at=self.deps.clock.now())
            )
        log.info("case %s resumed with %s (%s)", case_id, decision.get("verdict"), approval_id)

    async def stale_for(self, flight_key: str) -> int:
        """Pending approvals about `flight_key` go stale: their cases will plan again."""
        async with self.deps.db.session() as session:
            pending = (
                await session.execute(
                    select(ApprovalRow.id, ApprovalRow.flight_key, ApprovalRow.proposal).where(
                        ApprovalRow.status == ApprovalStatus.PENDING.value
                    )
                )
            ).all()
        stale = [
            approval_id
            for approval_id, disrupted, proposal in pending
            if disrupted == flight_key or flight_key in _booked_flights(proposal)
        ]
        if not stale:
            return 0
        async with self.deps.db.transaction() as session:
            await session.execute(
                update(ApprovalRow)
                .where(
                    ApprovalRow.id.in_(stale),
                    ApprovalRow.status == ApprovalStatus.PENDING.value,
                )
                .values(
                    status=ApprovalStatus.STALE.value,
                    decided_by="agent",
                    decided_at=self.deps.clock.now(),
                    decision={"verdict": "stale", "reason": f"{flight_key} changed again"},
                )
            )
        log.info("%d approvals went stale: %s changed again", len(stale), flight_key)
        return len(stale)

    # --- scheduled jobs ---------------------------------------------------------------

    def handlers(self) -> dict[JobKind, Handler]:
        return {
            JobKind.APPROVAL_DEADLINE: self.deadline_passed,
            JobKind.REMINDER: self.remind,
            JobKind.RECHECK: self.recheck,
            JobKind.HOLD_EXPIRY: self.release_expired_holds,
            JobKind.REPLY_DEADLINE: self.reply_deadline_passed,
        }

    async def release_expired_holds(self, payload: dict[str, Any]) -> None:
        """Seats held for cases that never confirmed them go back to inventory."""
        async with self.deps.db.transaction() as session:
            released = await release_expired_holds(session, self.deps.clock.now())
        if released:
            log.info("%d expired seat holds released (%s)", len(released), payload)

    async def reply_deadline_passed(self, payload: dict[str, Any]) -> None:
        """A passenger did not answer their offer in time: the default runs."""
        from agent.offers import OfferDesk
        from tools.effects import ToolDeps

        deps = self.deps
        desk = OfferDesk(ToolDeps(deps.db, deps.schedule, deps.board, deps.clock))
        await desk.deadline_passed(payload)

    async def deadline_passed(self, payload: dict[str, Any]) -> None:
        """No operator decided in time: the approval expires and the default runs."""
        verdict = "approve" if self.deps.settings.approvals.on_deadline == "approve" else "default"
        async with self.deps.db.transaction() as session:
            result = await session.execute(
                update(ApprovalRow)
                .where(
                    ApprovalRow.id == payload["approval_id"],
                    ApprovalRow.status == ApprovalStatus.PENDING.value,
                )
                .values(
                    status=ApprovalStatus.EXPIRED.value,
                    decided_by="scheduler",
                    decided_at=self.deps.clock.now(),
                    decision={"verdict": verdict, "reason": "deadline passed"},
                )
            )
        if result.rowcount:  # type: ignore[attr-defined]
            log.warning("approval %s expired: the %s ran", payload["approval_id"], verdict)

    async def remind(self, payload: dict[str, Any]) -> None:
        """Before a rebooked passenger's new departure, if the trip is still as booked;
        on the channel and in the language they want as memory says now (they may have
        said since the case ran, in their answer to its offer)."""
        deps = self.deps
        flights: list[str] = payload["flights"]
        # Read before the write lock: memory may take a while to answer.
        preferences = await stated_now(deps.memory, deps.db, payload["pnr"])
        async with deps.db.transaction() as session:
            try:
                booking: Booking | None = await load_booking(session, payload["pnr"])
            except NotFoundError:
                booking = None
            verdict = reminder_verdict(deps.board, booking, flights)
            if verdict == "remind":
                assert booking is not None
                customer = await load_customer(session, booking.customer_id)
                await self.send_reminder(
                    session,
                    booking,
                    with_preferences(customer, preferences),
                    flights,
                    payload["case_id"],
                )
        if verdict == "broken":  # the new itinerary broke after all: a case for it
            await self.recheck(payload)

    async def send_reminder(
        self,
        session: AsyncSession,
        booking: Booking,
        contact: Customer,
        flights: list[str],
        case_id: str,
    ) -> None:
        """The reminder of `flights` to `booking`'s passengers, in `session`, through
        `contact` (the customer as their stated preferences say to reach them)."""
        deps = self.deps
        state = deps.board.get(flights[0])
        if state is None:
            return
        first = deps.schedule.flights[flights[0]]
        origin_tz = deps.schedule.airports[first.origin].tz
        await enqueue_for_booking(
            session,
            idempotency_key=reminder_key(case_id),
            case_id=case_id,
            booking=booking,
            contact=contact,
            kind=MessageKind.REMINDER,
            fields={
                "flight": f"{first.carrier}{first.number}",
                "route": f"{first.origin}→{first.destination}",
                "date": first.service_date.isoformat(),
                "new_dep": state.est_dep.astimezone(ZoneInfo(origin_tz)).strftime("%H:%M"),
                "gate": state.gate or "",
            },
            at=deps.clock.now(),
            departure=first.sched_dep,
            departure_tz=origin_tz,
        )

    async def recheck(self, payload: dict[str, Any]) -> None:
        """The new itinerary, checked again on the live board; a case if it broke."""
        await self.recheck_one(payload)

    async def recheck_one(self, payload: dict[str, Any]) -> int:
        """`recheck`, saying how many cases it opened."""
        key = recheck_target(self.deps.board, payload["flights"])
        opened = await self._recheck(payload["pnr"], key)
        if opened:
            state = self.deps.board.get(key)
            broke = (
                f"{key} is {state.status.value}"
                if state is not None and state.status in GONE
                else "the connection broke"
            )
            log.info("re-check of %s: %s", passenger(payload["pnr"]), broke)
        return opened


def reminder_key(case_id: str) -> str:
    """The idempotency key of a case's reminder (one per rebooking case)."""
    return f"remind:{case_id}"


def recheck_target(board: LiveBoard, flights: list[str]) -> str:
    """The flight a re-check triages the booking against: the first of `flights`
    cancelled or diverted, else the first (a delay that broke a connection is found
    from there)."""
    for key in flights:
        state = board.get(key)
        if state is not None and state.status in GONE:
            return key
    return flights[0]


def reminder_verdict(
    board: LiveBoard, booking: Booking | None, flights: list[str]
) -> Literal["skip", "remind", "broken"]:
    """What a reminder of `flights` does: nothing when the booking is gone or rebooked
    again since (that case's own follow-ups take over), a re-check when the first
    flight no longer flies, else the reminder."""
    if booking is None or not set(flights) <= {s.flight_key for s in booking.active_segments}:
        return "skip"
    state = board.get(flights[0])
    return "broken" if state is None or not state.flyable else "remind"


def _booked_flights(proposal: dict[str, Any]) -> set[str]:
    return {
        key
        for action in proposal.get("actions", [])
        if action.get("kind") == "rebook"
        for key in action.get("flights", [])
    }


def _proposes(values: dict[str, Any], proposal: dict[str, Any] | None) -> bool:
    """Does the parked case propose the actions the approval shows?"""
    verdict = values.get("verdict")
    if verdict is None or proposal is None:
        return False
    return [a.model_dump(mode="json") for a in verdict.approved] == proposal.get("actions")
