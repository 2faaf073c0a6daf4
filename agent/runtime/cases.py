"""The case lifecycle: run opened cases to durable, resume pending ones, park failures.

The stream pump (`agent.runtime.pump`) decides *when* cases open (a wave, a re-check);
this module runs them: the news-only cases that need no decision settled in bulk
(`agent.runtime.settle`: the graph's nodes, a batch per transaction), the others one
LangGraph run per case (thread id = case id) under bounded concurrency, acting in
priority order (`agent.turns`), each carrying the planner's assignment. Cases left
pending by a crash are resumed with the assignment recorded for them, never a fresh plan
from a half-changed inventory.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from langchain_core.runnables import RunnableConfig
from sqlalchemy import select, update

from agent.claims import CaseClaims
from agent.deps import AgentDeps
from agent.graph import CASE_DURABILITY, CaseGraph
from agent.metrics import Metrics
from agent.read_ahead import ReadAhead
from agent.runtime.finals import Final, record_finals
from agent.runtime.settle import settle
from agent.state import Assignment, CaseState, CaseStatus
from agent.tables import CaseRow, DisruptionRow
from agent.turns import Turns, take_turns
from airline.clock import EventTimeClock

log = logging.getLogger(__name__)

# A case that raises is retried this often before it is parked as failed, so one
# poisonous booking cannot hold the stream.
CASE_TRIES = 2


@dataclass
class DaemonStats:
    events: int = 0
    dead_lettered: int = 0
    stale: int = 0
    disruptions: int = 0
    waves: int = 0
    cases: int = 0
    settled: int = 0
    """Cases settled in bulk (`agent.runtime.settle`), of `cases`."""
    waves_without_preferences: int = 0
    """Waves planned without their customers' preferences: memory did not answer."""
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class OpenCase:
    id: str
    pnr: str
    disruption_id: str
    flight_key: str
    reason: str
    assignment: Assignment | None = None
    """The planner's assignment, recorded with the case (None: the case places itself
    through the planner when it needs a seat)."""

    def start(self) -> CaseState:
        """The state a first run of this case starts from (the graph's, or the bulk path's)."""
        state: CaseState = {
            "case_id": self.id,
            "pnr": self.pnr,
            "disruption_id": self.disruption_id,
            "flight_key": self.flight_key,
            "reason": self.reason,
        }
        if self.assignment is not None:
            state["assignment"] = self.assignment
        return state


class CaseLifecycle:
    """Runs cases to a durable end; shared by the pump, the re-checks and the resumes."""

    def __init__(
        self,
        deps: AgentDeps,
        graph: CaseGraph,
        claims: CaseClaims,
        stats: DaemonStats,
        *,
        metrics: Metrics | None = None,
        after_batch: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.deps = deps
        self.graph = graph
        self.claims = claims
        self.stats = stats
        self.metrics = metrics
        self._after_batch = after_batch
        self._slots = asyncio.Semaphore(deps.settings.concurrency)

    async def run(self, cases: list[OpenCase]) -> None:
        """Run cases (already sorted by urgency) under bounded concurrency."""
        started = time.perf_counter()
        self.stats.cases += len(cases)
        if self.metrics is not None:
            self.metrics.cases_opened(len(cases))
        outcomes: list[str] = []
        graphed = cases
        finals: list[Final] = []
        if self.deps.settings.settle_news_in_bulk:
            settled = await settle(self.deps, self.graph, cases)
            graphed = settled.to_graph
            finals = settled.finals
            self.stats.settled += len(settled.outcomes)
            outcomes += settled.outcomes.values()
            if self.metrics is not None:
                for outcome in settled.outcomes.values():
                    self.metrics.case_durable(outcome, time.perf_counter() - started)
                for action, seconds in settled.acts:
                    self.metrics.effect_done(action, seconds)
        turns = Turns(len(graphed))  # they act in the order triage gave them
        # Their bookings and customers are read ahead, a chunk of cases per query.
        deps = replace(self.deps, reads=ReadAhead(self.deps.db, [c.pnr for c in graphed]))
        outcomes += await asyncio.gather(
            *(self._run_measured(deps, case, started, turns, i) for i, case in enumerate(graphed))
        )
        # Every case is durable and its messages are in the outbox: only now the settled
        # cases' plans are recorded on their threads (their notices did not wait for it).
        await record_finals(self.graph, finals)
        await self.claims.release(case.id for case in cases)
        if self._after_batch is not None:
            await self._after_batch()  # the cases may have scheduled follow-ups
        self.stats.outcomes.update(outcomes)
        log.info(
            "%d cases durable in %.2f s: %s",
            len(cases),
            time.perf_counter() - started,
            ", ".join(f"{n} {o.replace('_', ' ')}" for o, n in Counter(outcomes).most_common()),
        )

    async def start_of(self, case_id: str) -> CaseState | None:
        """The state the case's first run starts from, read from its row (None: no such
        case): what a case that never wrote a checkpoint is run from again."""
        async with self.deps.db.session() as session:
            row = (
                await session.execute(
                    select(CaseRow, DisruptionRow.flight_key)
                    .join(DisruptionRow, DisruptionRow.id == CaseRow.disruption_id)
                    .where(CaseRow.id == case_id)
                )
            ).first()
        if row is None:
            return None
        case, flight_key = row
        assignment = Assignment.model_validate(case.assignment) if case.assignment else None
        return OpenCase(
            case.id, case.pnr, case.disruption_id, flight_key, case.reason, assignment
        ).start()

    async def resume_pending(self) -> int:
        """Run the pending cases no living daemon holds, disruption by disruption."""
        await self.claims.reap()
        async with self.deps.db.session() as session:
            rows = (
                await session.execute(
                    select(CaseRow, DisruptionRow.flight_key, DisruptionRow.detected_at)
                    .join(DisruptionRow, DisruptionRow.id == CaseRow.disruption_id)
                    .where(CaseRow.status == CaseStatus.PENDING)
                    .where(CaseRow.id.not_in(self.claims.held()))
                    # The order triage gave them, so scarce seats go to the same passengers.
                    .order_by(DisruptionRow.detected_at, CaseRow.priority, CaseRow.pnr)
                )
            ).all()
        batches: dict[str, list[OpenCase]] = {}
        detected: dict[str, datetime] = {}
        for case, flight_key, detected_at in rows:
            if not await self.claims.claim(case.id):  # another daemon took it just now
                continue
            # A wave's cases run together, as they would have; others by disruption.
            batch = case.wave_id or case.disruption_id
            batches.setdefault(batch, []).append(
                OpenCase(
                    case.id,
                    case.pnr,
                    case.disruption_id,
                    flight_key,
                    case.reason,
                    Assignment.model_validate(case.assignment) if case.assignment else None,
                )
            )
            detected[batch] = detected_at
        if batches:
            # These cases may be another daemon's, on flights whose news only it read.
            await self.deps.board.refresh(self.deps.db)
        for batch, cases in batches.items():
            if isinstance(self.deps.clock, EventTimeClock):
                self.deps.clock.follow(detected[batch])
            await self.run(cases)
        return sum(len(cases) for cases in batches.values())

    async def _run_measured(
        self, deps: AgentDeps, case: OpenCase, opened: float, turns: Turns, index: int
    ) -> str:
        take_turns(turns, index)
        try:
            outcome = await self._run_case(deps, case)
        finally:
            await turns.release(index)  # acted, parked, failed or had nothing to do
        if self.metrics is not None:
            self.metrics.case_durable(outcome, time.perf_counter() - opened)
        return outcome

    async def _run_case(self, deps: AgentDeps, case: OpenCase) -> str:
        config: RunnableConfig = {"configurable": {"thread_id": case.id}}
        if self.metrics is not None:
            config["callbacks"] = self.metrics.graph_callbacks()
        async with self._slots:
            for attempt in range(1, CASE_TRIES + 1):
                try:
                    snapshot = await self.graph.aget_state(config)
                    if snapshot.next:  # interrupted mid-graph: carry on where it stopped
                        result = await self.graph.ainvoke(
                            None, config, context=deps, durability=CASE_DURABILITY
                        )
                    elif "outcome" in snapshot.values:  # finished before; the row says so
                        return str(snapshot.values.get("outcome", "done"))
                    else:
                        result = await self.graph.ainvoke(
                            case.start(), config, context=deps, durability=CASE_DURABILITY
                        )
                    if "__interrupt__" in result:  # parked at an approval, checkpointed
                        return "awaiting_approval"
                    return str(result.get("outcome", "unknown"))
                except Exception:
                    log.exception("case %s failed (try %d of %d)", case.id, attempt, CASE_TRIES)
            await self._park_failed(case)
            return "failed"

    async def _park_failed(self, case: OpenCase) -> None:
        async with self.deps.db.transaction() as session:
            await session.execute(
                update(CaseRow)
                .where(CaseRow.id == case.id, CaseRow.status == CaseStatus.PENDING)
                .values(
                    status=CaseStatus.FAILED,
                    outcome="error",
                    updated_at=self.deps.clock.now(),
                    decided_wall_at=datetime.now(UTC),
                )
            )
