"""A disruption wave through the real daemon: several cancellations at once, scarce seats.

Three of the six AMS→FRA flights of the seeded day are cancelled by records emitted at
the same instant: one wave, some 400 passengers, fewer seats left on the remaining
flights than passengers. The wave planner must place them jointly: no oversell, nobody
on a flight the same wave cancelled, the higher priorities first, nobody told "no
alternative" while a seat exists, the same plan for the same records, and a daemon
killed after the plan was recorded resumes that plan rather than planning again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from agent.planner.inputs import broken_segments
from agent.planner.objective import priority_weight
from agent.runtime import CaseLifecycle, Daemon
from agent.state import CaseReason
from agent.tables import CaseRow, WaveRow
from airline.clock import EventTimeClock
from airline.models import PRIORITY_SSR, FlightStatus, LoyaltyTier
from airline.reservations import load_booking, load_bookings
from airline.tables import BookingRow, CustomerRow, InventoryRow, LedgerRow
from app.settings import Settings
from app.wiring import Agent, open_agent
from streams.base import Position, Received
from streams.embedded import EmbeddedBroker, EmbeddedSource
from streams.events import TOPIC_FLIGHT_STATUS, FlightStatusEvent, ReasonCode, encode
from tools.flights import SearchRequest, find_alternatives
from travel_agent.db import Database, copy_sqlite

NOW = datetime(2026, 3, 1, 3, 30, tzinfo=UTC)
CANCELLED = ("XA201/2026-03-01", "XB1042/2026-03-01", "XA203/2026-03-01")  # AMS→FRA


@asynccontextmanager
async def opened(path: Path) -> AsyncIterator[tuple[Agent, Daemon]]:
    settings = Settings(data_dir=path)
    async with open_agent(settings, EventTimeClock(NOW)) as agent:
        yield agent, Daemon(agent.deps, agent.graph, EmbeddedSource(EmbeddedBroker()))


async def storm(agent: Agent, daemon: Daemon) -> None:
    """The cancellations, as the stream hands them over, then the end of the backlog."""
    for n, key in enumerate(CANCELLED):
        flight = agent.deps.schedule.flights[key]
        event = FlightStatusEvent.about(
            flight,
            event_id=f"wave-{n}",
            status=FlightStatus.CANCELLED,
            reason=ReasonCode.WEATHER,
            emitted_at=NOW,
        )
        record = Received(Position(TOPIC_FLIGHT_STATUS, 0, n), encode(event), key.encode(), event)
        await daemon.handle(record)
    await daemon.close_wave()


async def scarce(agent: Agent, *, left: int) -> None:
    """Every other departure from AMS keeps only `left` economy seats."""
    others = [f.key for f in agent.deps.schedule.departures("AMS") if f.key not in CANCELLED]
    async with agent.deps.db.transaction() as session:
        await session.execute(
            update(InventoryRow)
            .where(InventoryRow.flight_key.in_(others), InventoryRow.cabin == "economy")
            .values(sold=InventoryRow.capacity - left)
        )


@dataclass(frozen=True)
class Outcome:
    cases: dict[str, tuple[str, str | None, Any]]  # id -> (pnr, outcome, assignment)
    ledger: set[tuple[str, str]]  # (action, key)
    digest: str | None


async def outcome(agent: Agent) -> Outcome:
    async with agent.deps.db.session() as session:
        cases = {
            row.id: (row.pnr, row.outcome, row.assignment)
            for row in (await session.scalars(select(CaseRow))).all()
        }
        ledger = {
            (action, key)
            for action, key in await session.execute(
                select(LedgerRow.action, LedgerRow.idempotency_key)
            )
        }
        digest = await session.scalar(select(WaveRow.digest))
    return Outcome(cases, ledger, digest)


@pytest.fixture
def world(world_template: Path, tmp_path: Path) -> Path:
    return world_template


def copy_of(world: Path, root: Path, name: str) -> Path:
    (root / name).mkdir()
    copy_sqlite(world, root / name / "airline.sqlite")
    return root / name


async def test_a_wave_shares_scarce_seats_by_priority_and_strands_nobody(
    world: Path, tmp_path: Path
) -> None:
    async with opened(copy_of(world, tmp_path, "run")) as (agent, daemon):
        deps = agent.deps
        await scarce(agent, left=3)
        await storm(agent, daemon)
        assert daemon.stats.waves == 1
        result = await outcome(agent)
        outcomes = defaultdict(int)
        for _, out, _ in result.cases.values():
            outcomes[out] += 1
        # (None: parked for an operator, e.g. another carrier's seat above the limit)
        assert set(outcomes) <= {"rebooked", "no_alternative", None}, outcomes
        assert outcomes["no_alternative"] > 0, "seats are scarcer than passengers"
        # Counted in seats: a booking's party takes one each (lap infants none).
        async with deps.db.session() as session:
            rebooked = [pnr for pnr, out, _ in result.cases.values() if out == "rebooked"]
            seats_rebooked = sum(
                booking.seats_needed
                for booking in (await load_bookings(session, rebooked)).values()
            )
        assert seats_rebooked > 100

        async with deps.db.session() as session:
            over = (
                await session.execute(
                    select(InventoryRow.flight_key).where(InventoryRow.sold > InventoryRow.capacity)
                )
            ).all()
            assert not over
            rebooked_onto = [
                detail["flights"]
                for detail in await session.scalars(
                    select(LedgerRow.detail).where(LedgerRow.action == "rebook")
                )
            ]
            assert len(rebooked_onto) == outcomes["rebooked"]
            onto_cancelled = [f for f in rebooked_onto if set(f) & set(CANCELLED)]
            assert not onto_cancelled, "nobody rebooked onto a flight the wave cancelled"

            # Nobody is told "no alternative" while a seat exists within the horizon.
            stranded = [pnr for pnr, out, _ in result.cases.values() if out == "no_alternative"]
            for pnr in stranded:
                booking = await load_booking(session, pnr)
                cancelled = next(s for s in booking.segments if s.flight_key in CANCELLED)
                broken = broken_segments(
                    deps.schedule,
                    deps.board,
                    CaseReason.CANCELLED,
                    booking,
                    cancelled.flight_key,
                    NOW,
                )
                assert broken is not None
                found = await find_alternatives(
                    session,
                    deps.schedule,
                    deps.board,
                    SearchRequest(
                        origin=broken.origin,
                        destination=broken.destination,
                        earliest_dep=broken.earliest_dep,
                        cabin=cancelled.cabin,
                        party=booking.seats_needed,
                        arrive_by=broken.arrive_by,
                        horizon=deps.settings.planner.horizon_hours * _HOUR,
                        other_carrier_after=_HOUR * 0,
                    ),
                )
                assert not found, (
                    f"{pnr} was told no alternative, but {found[0].flight_keys} has a seat"
                )

            # Higher priority first: among parties of one size with the same journey and
            # cabin, no one left without seats outranks anyone placed. (A party larger than
            # the seats left may lose to a smaller one: the planner never splits it.)
            weights = await _weights(agent, [pnr for pnr, _, _ in result.cases.values()])
        by_journey: dict[tuple[str, ...], dict[str, list[float]]] = defaultdict(
            lambda: {"placed": [], "unplaced": []}
        )
        for pnr, out, assignment in result.cases.values():
            journey, weight = weights[pnr]
            placed = bool(assignment and assignment["flights"])
            assert (out == "no_alternative") == (not placed)
            by_journey[journey]["placed" if placed else "unplaced"].append(weight)
        contested = [j for j, w in by_journey.items() if w["placed"] and w["unplaced"]]
        assert contested, "some journey had both placed and unplaced passengers"
        for journey in contested:
            w = by_journey[journey]
            assert max(w["unplaced"]) <= min(w["placed"]), journey


class Killed(Exception):
    """The daemon dies here (in-process: the next daemon opens the same files afresh)."""


@pytest.mark.parametrize("acted", [0, 150], ids=["before-any-case", "mid-wave"])
async def test_the_same_records_give_the_same_plan_and_a_restart_resumes_it(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, acted: int
) -> None:
    async with opened(copy_of(world, tmp_path, "first")) as (agent, daemon):
        await storm(agent, daemon)
        reference = await outcome(agent)
    assert reference.digest is not None

    # The same records again, but the daemon dies once the wave is recorded: before any
    # case has run (its seats held, nothing rebooked yet), or after `acted` of them.
    crashed = copy_of(world, tmp_path, "crashed")
    real_run = CaseLifecycle.run

    async def killed(self: CaseLifecycle, cases: list[Any]) -> None:
        if acted:
            await real_run(self, cases[:acted])
        raise Killed

    monkeypatch.setattr(CaseLifecycle, "run", killed)
    async with opened(crashed) as (agent, daemon):
        with pytest.raises(Killed):
            await storm(agent, daemon)
        recorded = await outcome(agent)
    assert recorded.digest == reference.digest, "the same inputs, the same digest"
    assert {k: v[2] for k, v in recorded.cases.items()} == {
        k: v[2] for k, v in reference.cases.items()
    }, "the same records, the same assignment"
    assert sum(1 for _, out, _ in recorded.cases.values() if out is not None) <= acted
    monkeypatch.setattr(CaseLifecycle, "run", real_run)

    # Meanwhile seats open up on the earliest remaining flight: planning again now would
    # move passengers there. A restarted daemon resumes the recorded plan instead.
    async with opened(crashed) as (agent, daemon):
        async with agent.deps.db.transaction() as session:
            await session.execute(
                update(InventoryRow)
                .where(InventoryRow.flight_key == "XB1040/2026-03-01")
                .values(sold=0)
            )
        resumed = await daemon.resume_pending()
        assert resumed == len(reference.cases) - acted
        await storm(agent, daemon)  # the uncommitted records again: already on the board
        assert daemon.stats.waves == 0
        after = await outcome(agent)
    assert after.cases == reference.cases, "identical cases, outcomes and assignments"
    assert after.ledger == reference.ledger, "identical effects, once each"


_HOUR = datetime(2026, 1, 1, 1, tzinfo=UTC) - datetime(2026, 1, 1, tzinfo=UTC)


async def _weights(agent: Agent, pnrs: list[str]) -> dict[str, tuple[tuple[str, ...], float]]:
    """Each booking's journey (its flights, cabin and party size) and priority weight."""
    weights = agent.deps.settings.planner
    found: dict[str, tuple[tuple[str, ...], float]] = {}
    async with agent.deps.db.session() as session:
        rows = await session.execute(
            select(BookingRow.pnr, BookingRow.fare, BookingRow.ssr, CustomerRow.tier)
            .join(CustomerRow, CustomerRow.id == BookingRow.customer_id)
            .where(BookingRow.pnr.in_(pnrs))
        )
        for pnr, fare, ssr, tier in rows:
            booking = await load_booking(session, pnr)
            journey = (
                tuple(f"{s.flight_key}:{s.cabin.value}" for s in booking.segments if s.seq == 1)
                + tuple(
                    sorted(
                        agent.deps.schedule.flights[s.flight_key].destination
                        for s in booking.segments
                        if s.seq > 1 or s.flight_key not in CANCELLED
                    )
                )
                + (f"party:{booking.seats_needed}",)
            )
            found[pnr] = (
                journey,
                priority_weight(
                    weights,
                    special_needs=bool(PRIORITY_SSR & set(ssr or ())),
                    connection_at_risk=len({s.seq for s in booking.segments if s.seq <= 2}) > 1,
                    tier=LoyaltyTier(tier),
                    fare=fare,
                ),
            )
    return found


@pytest.mark.parametrize("when", ["before_the_refresh", "after_the_refresh"])
async def test_a_daemon_sharing_the_stream_plans_on_flights_another_daemon_cancelled(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """Two daemons split the topic's partitions: each hears the news of its own flights
    only. The other daemon cancels every remaining AMS→FRA flight; this one, planning its
    own cancellations next, must not rebook anyone onto them. The other daemon commits
    before this one refreshes its board for the wave (the refresh takes the news), or
    just after, before the wave holds seats (only the plan's own read of the committed
    board rows, in the wave's transaction, can see it: without it, this run rebooks
    passengers onto the cancelled flights)."""
    path = copy_of(world, tmp_path, "run")
    async with opened(path) as (agent, daemon):
        daemon.opener.board_shared = lambda: True
        schedule = agent.deps.schedule
        others = [
            f.key
            for f in schedule.departures("AMS")
            if f.destination == "FRA" and f.key not in CANCELLED
        ]
        assert others, "the seeded day has more AMS→FRA flights"

        async def cancel_elsewhere() -> None:
            async with opened(path) as (_, other):
                for n, key in enumerate(others):
                    event = FlightStatusEvent.about(
                        schedule.flights[key],
                        event_id=f"other-{n}",
                        status=FlightStatus.CANCELLED,
                        reason=ReasonCode.WEATHER,
                        emitted_at=NOW,
                    )
                    record = Received(
                        Position(TOPIC_FLIGHT_STATUS, 1, n), encode(event), None, event
                    )
                    await other.handle(record)
                await other.close_wave()

        if when == "before_the_refresh":
            await cancel_elsewhere()
        else:
            refresh = agent.deps.board.refresh
            refreshed: list[int] = []

            async def refresh_then_cancelled_elsewhere(db: Database) -> int:
                taken = await refresh(db)
                if not refreshed:
                    await cancel_elsewhere()
                refreshed.append(taken)
                return taken

            monkeypatch.setattr(agent.deps.board, "refresh", refresh_then_cancelled_elsewhere)
        await storm(agent, daemon)
        if when == "after_the_refresh":
            assert refreshed, "the wave refreshed the board before it planned"
        async with agent.deps.db.session() as session:
            onto = [
                flight
                for detail in await session.scalars(
                    select(LedgerRow.detail).where(LedgerRow.action == "rebook")
                )
                for flight in detail["flights"]
            ]
        # The plan's read of the committed rows is the daemon's news too.
        known = {key: state.status for key in others if (state := agent.deps.board.get(key))}
    assert onto, "passengers were rebooked"
    onto_cancelled = sorted(set(onto) & set(others))
    assert not onto_cancelled, f"rebooked onto flights cancelled elsewhere: {onto_cancelled}"
    assert known == dict.fromkeys(others, FlightStatus.CANCELLED)


async def test_a_rebalance_between_records_keeps_the_open_waves_news(
    world: Path, tmp_path: Path
) -> None:
    """Partitions are assigned while a wave is still open (its states wait in memory for
    the wave's transaction): catching up takes what other daemons committed and keeps the
    wave's own news, so its gate-change cases are told the new gate."""
    async with opened(copy_of(world, tmp_path, "run")) as (agent, daemon):
        key = CANCELLED[0]
        flight = agent.deps.schedule.flights[key]
        event = FlightStatusEvent.about(
            flight, event_id="gate-1", status=FlightStatus.GATE_CHANGE, gate="E5", emitted_at=NOW
        )
        await daemon.handle(
            Received(Position(TOPIC_FLIGHT_STATUS, 0, 0), encode(event), key.encode(), event)
        )
        daemon.partitions_assigned(frozenset({0}))
        await daemon.catch_up()
        await daemon.close_wave()
        state = agent.deps.board.get(key)
        assert state is not None and state.gate == "E5"
        async with agent.deps.db.session() as session:
            statuses = set(
                await session.scalars(select(CaseRow.status).where(CaseRow.reason == "gate_change"))
            )
    assert statuses == {"done"}, statuses
