"""Disruption waves: material changes that arrive together, planned as one.

**What a wave is.** The consecutive material changes whose event time (`emitted_at`)
lies within `PlannerSettings.wave_window_seconds` of the wave's first; the first record
of any kind beyond that window closes it, and so does the source running dry (nothing
for `wave_dry_seconds` of wall time: the end of a backlog). A wave is a function of the
record sequence, not of poll timing: a restarted daemon reading the same records forms
the same waves. (Dryness is the one wall-clock input: on a live feed, where event time
follows wall time, it fires only when no record of the window is still to come; a stop
never closes a wave — its records stay uncommitted and form it again after a restart.)

**What opening one does**, in one transaction (`open_wave`), before any effect: the
board states, a disruption per flight the wave changed materially (its net change over
the wave: a cancellation reinstated within the wave is a delay) with its emission time,
one case per affected booking (a booking hit by several changes of the wave gets one
case, for the first), the planner's joint assignment (`agent.planner.place`, knowing
each customer's hard preferences, read from memory just before:
`agent.runtime.wave_preferences`) with every assigned seat held for its case and
recorded on the case, a job to release holds nobody confirmed, and the wave's record
(`WaveRow`: its records, the digest of the planner's inputs, the solver and its bound).
A daemon killed before the commit forms and plans the wave
again from the same durable state; killed after, it finds the cases pending with their
assignments and resumes them. Offsets are committed only once the wave's cases are
durable.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from agent.deps import AgentDeps
from agent.planner.inputs import TO_PLACE
from agent.planner.place import Need, place_cases
from agent.runtime.cases import OpenCase
from agent.scheduler import JobKind, schedule_job
from agent.state import CaseReason, CaseStatus
from agent.tables import CaseRow, DisruptionRow, WaveRow
from agent.triage import Affected, case_id, disruption_id
from airline.board import Change, classify
from airline.models import Preferences
from streams.base import Position, Received
from streams.events import FlightStatusEvent


@dataclass
class Wave:
    """The changes of one wave, in record order, and the records it spans."""

    first_at: datetime
    closes_at: datetime
    changes: list[tuple[Received, FlightStatusEvent, Change]] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    """Every record taken while the wave was open (material or not), to commit after it."""
    first_read_wall_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """Wall time (UTC) at which the daemon took the wave's first material record: where
    its wall-clock time to notify starts (triage and the wave's window included)."""

    @classmethod
    def starting(cls, event: FlightStatusEvent, window: timedelta) -> Wave:
        return cls(first_at=event.emitted_at, closes_at=event.emitted_at + window)

    def admits(self, event: FlightStatusEvent) -> bool:
        return event.emitted_at <= self.closes_at

    def add(self, record: Received, event: FlightStatusEvent, change: Change) -> None:
        self.changes.append((record, event, change))

    def net_changes(self) -> list[tuple[FlightStatusEvent, Change]]:
        """Per flight, what the wave changed in all: from its state before the wave to
        its last (a cancellation the same wave reinstates as a delay is a delay, not a
        cancellation to rebook). In order of each flight's first change."""
        first: dict[str, Change] = {}
        last: dict[str, tuple[FlightStatusEvent, Change]] = {}
        for _, event, change in self.changes:
            first.setdefault(change.flight_key, change)
            last[change.flight_key] = (event, change)
        net = []
        for key, opened in first.items():
            event, closing = last[key]
            if closing is opened:
                net.append((event, opened))
                continue
            kind = classify(opened.previous, closing.current)
            net.append(
                (
                    event,
                    Change(
                        flight_key=key,
                        kind=kind,
                        previous=opened.previous,
                        current=closing.current,
                    ),
                )
            )
        return net

    @property
    def id(self) -> str:
        """From the events it holds: the same records make the same wave id."""
        ids = "|".join(event.event_id for _, event, _ in self.changes)
        return "w-" + hashlib.sha256(ids.encode()).hexdigest()[:24]

    @property
    def planned_at(self) -> datetime:
        """The wave's decision time: its newest change's (the same in every run)."""
        return max(event.emitted_at for _, event, _ in self.changes)


def _where(position: Position) -> str:
    return f"{position.topic}/{position.partition}/{position.offset}"


async def open_wave(
    session: AsyncSession,
    deps: AgentDeps,
    wave: Wave,
    affected: list[tuple[Change, FlightStatusEvent, list[Affected]]],
    preferences: Mapping[str, Preferences] | None = None,
    *,
    preferences_missing: bool = False,
) -> tuple[list[OpenCase], WaveRow | None]:
    """Write the wave's disruptions, cases, plan and holds (module docstring).

    `affected` is triage's answer per change, in record order; `preferences`, the hard
    preferences of its bookings' customers by PNR, read before the transaction
    (`agent.runtime.wave_preferences`; a booking missing plans without;
    `preferences_missing`: memory did not answer, recorded on the wave). Returns the
    cases, most urgent first, and the wave's record (None: nobody was affected, nothing
    written).
    """
    preferences = preferences or {}
    now = wave.planned_at
    started = time.perf_counter()
    wave_id = wave.id
    seen: set[str] = set()
    opened: list[tuple[OpenCase, Affected]] = []
    # A re-check outside the wave may have opened a change's disruption and some of its
    # cases already (the system clock runs jobs at any time): those are not opened twice.
    disruptions = [disruption_id(change) for change, _, _ in affected]
    known = set(
        await session.scalars(select(DisruptionRow.id).where(DisruptionRow.id.in_(disruptions)))
    )
    existing = set(
        await session.scalars(select(CaseRow.id).where(CaseRow.disruption_id.in_(known)))
    )
    for (change, event, found), disruption in zip(affected, disruptions, strict=True):
        fresh = [
            a for a in found if a.pnr not in seen and case_id(disruption, a.pnr) not in existing
        ]
        if not fresh:
            continue
        seen.update(a.pnr for a in fresh)
        if disruption not in known:
            session.add(disruption_row(disruption, change, event, deps.clock.now(), wave_id))
        opened.extend(
            (
                OpenCase(
                    case_id(disruption, a.pnr),
                    a.pnr,
                    disruption,
                    change.flight_key,
                    a.reason.value,
                ),
                a,
            )
            for a in fresh
        )
    if not opened:
        return [], None
    await session.flush()  # the disruptions before the cases that refer to them
    opened.sort(key=lambda pair: (pair[1].priority, pair[0].pnr))
    needs = [
        Need(
            case.id,
            case.pnr,
            CaseReason(case.reason),
            case.flight_key,
            preferences.get(case.pnr),
        )
        for case, a in opened
        if a.reason in TO_PLACE
    ]
    placed = await place_cases(
        session,
        deps.schedule,
        deps.board,
        needs,
        deps.settings.planner,
        now=now,
        excluded={change.flight_key for change, _, _ in affected},
        wave_id=wave_id,
        postgres=not deps.db.is_sqlite,
    )
    cases = [
        OpenCase(c.id, c.pnr, c.disruption_id, c.flight_key, c.reason, placed.assignments.get(c.id))
        for c, _ in opened
    ]
    stamp = deps.clock.now()
    await session.execute(
        insert(CaseRow),
        [
            {
                "id": case.id,
                "disruption_id": case.disruption_id,
                "pnr": case.pnr,
                "reason": case.reason,
                "priority": a.priority,
                "status": CaseStatus.PENDING.value,
                "outcome": None,
                "created_at": stamp,
                "updated_at": stamp,
                "wave_id": wave_id,
                "assignment": case.assignment.model_dump(mode="json") if case.assignment else None,
            }
            for case, (_, a) in zip(cases, opened, strict=True)
        ],
    )
    if any(a.hold_id for a in placed.assignments.values()):
        await schedule_job(
            session,
            deps.db,
            key=f"holds:{wave_id}",
            kind=JobKind.HOLD_EXPIRY,
            due_at=now + timedelta(minutes=deps.settings.planner.hold_minutes),
            payload={"wave_id": wave_id},
        )
    plan = placed.plan
    row = WaveRow(
        id=wave_id,
        first_record=_where(wave.changes[0][0].position),
        last_record=_where(wave.positions[-1] if wave.positions else wave.changes[-1][0].position),
        records=max(len(wave.positions), len(wave.changes)),
        changes=[disruption_id(change) for change, _, _ in affected],
        digest=plan.digest,
        solver=plan.solver.value,
        objective=plan.objective,
        lower_bound=plan.lower_bound,
        parties=len(plan.placements),
        placed=sum(1 for p in plan.placements.values() if p.option is not None),
        first_emitted_at=wave.first_at,
        first_read_wall_at=wave.first_read_wall_at,
        preferences_missing=preferences_missing,
        planned_at=now,
        planned_wall_at=datetime.now(UTC),
        plan_seconds=round(time.perf_counter() - started, 4),
    )
    session.add(row)
    return cases, row


def disruption_row(
    disruption: str,
    change: Change,
    event: FlightStatusEvent | None,
    now: datetime,
    wave_id: str | None = None,
) -> DisruptionRow:
    current = change.current
    return DisruptionRow(
        id=disruption,
        flight_key=change.flight_key,
        event_id=event.event_id if event else current.event_id,
        kind=change.kind.value,
        detail={
            "status": current.status.value,
            "reason": current.reason,
            "shift_minutes": int(change.shift.total_seconds() // 60),
            "gate": current.gate,
            "old_gate": change.previous.gate,
        },
        detected_at=now,
        emitted_at=event.emitted_at if event else current.emitted_at,
        wave_id=wave_id,
    )


def case_rows(
    session: AsyncSession,
    disruption: str,
    flight_key: str,
    affected: list[Affected],
    now: datetime,
) -> list[OpenCase]:
    """Pending cases outside a wave (a re-check): they place themselves when they run."""
    cases = [
        OpenCase(case_id(disruption, a.pnr), a.pnr, disruption, flight_key, a.reason.value)
        for a in affected
    ]
    for case, a in zip(cases, affected, strict=True):
        session.add(
            CaseRow(
                id=case.id,
                disruption_id=disruption,
                pnr=a.pnr,
                reason=a.reason.value,
                priority=a.priority,
                status=CaseStatus.PENDING,
                created_at=now,
                updated_at=now,
            )
        )
    return cases
