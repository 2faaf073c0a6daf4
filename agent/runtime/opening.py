"""Opening cases: triage a wave's net changes (or a re-check's) into recorded cases.

`open` writes a wave — board, disruptions, cases, the planner's assignment and holds,
the wave's record — in one transaction (`agent.runtime.waves.open_wave`); `recheck`
opens the one case a scheduled re-check finds. Neither runs the cases: the pump hands
them to the case lifecycle (`agent.runtime.cases`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from agent.claims import CaseClaims
from agent.deps import AgentDeps
from agent.metrics import Metrics
from agent.recheck_triage import recheck_candidates
from agent.runtime.cases import DaemonStats, OpenCase
from agent.runtime.wave_preferences import PLACING, read_wave_preferences
from agent.runtime.waves import Wave, case_rows, disruption_row, open_wave
from agent.tables import CaseRow, DisruptionRow
from agent.triage import TRIAGED, Affected, affected_bookings, case_id, disruption_id, triage_kind
from airline.board import Change, ChangeKind
from airline.models import FlightStatus
from streams.events import FlightStatusEvent

log = logging.getLogger(__name__)

StaleFor = Callable[[str], Awaitable[int]]
"""flight key -> approvals made stale (`FollowUps.stale_for`)."""


class CaseOpener:
    def __init__(
        self,
        deps: AgentDeps,
        claims: CaseClaims,
        stats: DaemonStats,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self.deps = deps
        self.claims = claims
        self.stats = stats
        self.metrics = metrics
        self.board_shared: Callable[[], bool] = lambda: False
        """Whether other daemons read part of the stream (then news of some flights
        reaches this board only through the database): set by the composition root."""

    async def open(self, wave: Wave, stale_for: StaleFor) -> list[OpenCase]:
        """Write the wave (board, disruptions, cases, plan, holds) in one transaction."""
        deps = self.deps
        if self.board_shared():
            # Plan on every flight as committed, not as this daemon last heard of it: a
            # flight another daemon cancelled must not be offered as an alternative.
            await deps.board.refresh(deps.db)
        for flight_key in dict.fromkeys(c.flight_key for _, _, c in wave.changes):
            # Anything an operator was asked about this flight is out of date now.
            await stale_for(flight_key)
        now = wave.planned_at
        net = self.net(wave)
        # Before the transaction: one batched read of memory, not a profile per customer
        # under the write lock (`agent.runtime.wave_preferences`).
        preferences = await read_wave_preferences(
            deps,
            (change.flight_key for _, change in net if change.kind in PLACING),
            wave_id=wave.id,
        )
        if preferences is None:
            self.stats.waves_without_preferences += 1
            if self.metrics is not None:
                self.metrics.wave_without_preferences()
        try:
            async with deps.db.transaction() as session:
                unsaved = deps.board.unsaved
                await deps.board.save(session, unsaved)
                affected = [
                    (change, event, await self.affected(session, change, now))
                    for event, change in net
                ]
                cases, row = await open_wave(
                    session,
                    deps,
                    wave,
                    affected,
                    preferences or {},
                    preferences_missing=preferences is None,
                )
                await self.claims.add(session, [case.id for case in cases])
        except BaseException:
            for _, _, change in wave.changes:
                await deps.board.reload(deps.db, change.flight_key)
            raise
        deps.board.saved(unsaved)
        if row is None:
            return []
        self.stats.waves += 1
        self.stats.disruptions += len({c.disruption_id for c in cases})
        if self.metrics is not None:  # the disruptions that opened cases, by kind
            opened = {c.disruption_id for c in cases}
            for change, _, _ in affected:
                if disruption_id(change) in opened:
                    self.metrics.disruption_opened(change.kind.value)
        log.info(
            "wave %s: %d changes, %d cases, %d of %d placed (%s, %.3f s, objective/bound %.4f)",
            row.id,
            len(wave.changes),
            len(cases),
            row.placed,
            row.parties,
            row.solver,
            row.plan_seconds,
            row.objective / row.lower_bound if row.lower_bound else 1.0,
        )
        return cases

    def net(self, wave: Wave) -> list[tuple[FlightStatusEvent, Change]]:
        """The wave's net change per flight, as `_apply` would classify it."""
        net = []
        for event, change in wave.net_changes():
            kind = triage_kind(
                change.previous,
                change.current,
                change.kind,
                self.deps.schedule,
                timedelta(minutes=self.deps.settings.delay_notify_minutes),
            )
            if kind in TRIAGED:
                net.append((event, change.model_copy(update={"kind": kind})))
        return net

    async def affected(
        self,
        session: AsyncSession,
        change: Change,
        now: datetime,
        only: AbstractSet[str] | None = None,
    ) -> list[Affected]:
        """The bookings `change` affects (with `only`, those bookings' entries alone), as
        triage finds them on the live board."""
        deps = self.deps
        return await affected_bookings(
            session,
            change,
            deps.schedule,
            deps.board,
            now=now,
            delay_notify=timedelta(minutes=deps.settings.delay_notify_minutes),
            only=only,
        )

    async def may_open(self, targets: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Of `targets` (a booking, the flight its re-check triages it against), those
        whose `recheck` may open a case, read together (the re-checks of one moment:
        `agent.recheck_triage`); the others' re-checks open nothing."""
        async with self.deps.db.session() as session:
            return await recheck_candidates(session, self.deps.schedule, self.deps.board, targets)

    async def recheck(self, pnr: str, flight_key: str) -> list[OpenCase]:
        """Triage one booking against a flight's live state, as if its change came now.

        Used by the scheduled re-checks of rebooked itineraries: a change that raced the
        rebooking found no one on the new flight then. Opens the case triage would have
        opened (same id), unless it exists; returns it, for the caller to run.
        """
        deps = self.deps
        change = self._recheck_change(flight_key)
        if change is None:
            return []
        disruption = disruption_id(change)
        now = deps.clock.now()
        async with deps.db.transaction() as session:
            affected = [
                a
                for a in _opens(change, await self.affected(session, change, now, only={pnr}))
                if a.pnr == pnr
            ]
            if not affected:
                return []
            if await session.get(CaseRow, case_id(disruption, pnr)) is not None:
                return []
            if await session.get(DisruptionRow, disruption) is None:
                session.add(disruption_row(disruption, change, None, now))
                await session.flush()
            cases = case_rows(session, disruption, change.flight_key, affected, now)
            await self.claims.add(session, [case.id for case in cases])
        return cases

    def _recheck_change(self, flight_key: str) -> Change | None:
        """A flight's live state as the change a re-check triages (None: not on the board)."""
        state = self.deps.board.get(flight_key)
        if state is None:
            return None
        kind = {
            FlightStatus.CANCELLED: ChangeKind.CANCELLATION,
            FlightStatus.DIVERTED: ChangeKind.DIVERSION,
        }.get(state.status, ChangeKind.DELAY)
        return Change(flight_key=flight_key, kind=kind, previous=state, current=state)


def _opens(change: Change, affected: list[Affected]) -> list[Affected]:
    """Those a re-check opens a case for: a delay was announced when it happened; only a
    broken connection is new."""
    if change.kind != ChangeKind.DELAY:
        return affected
    return [a for a in affected if a.reason.value != "delayed"]
