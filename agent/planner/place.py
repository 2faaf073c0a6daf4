"""Placing cases: read their bookings, plan them jointly, hold the assigned seats.

`place_cases` runs inside the caller's transaction, which is what makes a plan race-free:
the seats it plans with are read in that transaction (locked ``FOR UPDATE`` on
PostgreSQL; SQLite has one writer), and the seats it assigns are held in it
(`airline.holds.hold_many`) before it commits. No other case can take them after, so a
case never finds its assigned seat gone; and a daemon killed before the commit plans
the same wave again from the same durable state, one killed after finds the plan
recorded (`CaseRow.assignment`) and resumes it.

The unit placed is a booking's party, or a group of linked bookings merged into one
(`agent.planner.linked.merge_linked`): its passengers travel together, so the plan gives
the whole party seats on one itinerary; each booking holds its own seats on it. A group
no itinerary can take whole is planned again as its members, each at their own priority
(`plan_apart`).
A case placed alone joins its linked companions' itinerary or leaves room for them
(`agent.planner.companions`).

The daemon calls it once per wave; the context node calls it for one case when that
case has no assignment it can use (a re-check, a stale approval, a seat given up).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent.planner.companions import companions_of
from agent.planner.inputs import (
    Broken,
    broken_segments,
    held_seats,
    party_of,
)
from agent.planner.linked import link_key, merge_linked
from agent.planner.model import Option, Party, Seat, WavePlan
from agent.planner.options import Network
from agent.planner.risk import RiskMap
from agent.planner.solve import plan_wave
from agent.settings import PlannerSettings
from agent.state import Assignment, CaseReason
from airline.board import LiveBoard
from airline.holds import HoldRequest, hold_many
from airline.inventory import write_given_back
from airline.models import Cabin, Preferences
from airline.reservations import customer_tiers, load_bookings
from airline.schedule import Schedule
from airline.tables import InventoryRow


@dataclass(frozen=True, slots=True)
class Need:
    """A case the planner must place."""

    case_id: str
    pnr: str
    reason: CaseReason
    flight_key: str
    """The disrupted flight."""
    preferences: Preferences | None = None


@dataclass(frozen=True)
class Placed:
    plan: WavePlan
    assignments: dict[str, Assignment]
    """By case id; every need has one (`flights` empty: no seat within the horizon)."""
    seconds: float


def hold_key(case_id: str, generation: str) -> str:
    """The key of a case's hold: ``w`` for the wave's, ``r<revision>a<attempt>`` for a
    re-plan's (the same run retried makes the same key, so the same hold)."""
    return f"{case_id}:hold:{generation}"


async def place_cases(
    session: AsyncSession,
    schedule: Schedule,
    board: LiveBoard,
    needs: Sequence[Need],
    weights: PlannerSettings,
    *,
    now: datetime,
    excluded: Collection[str] = (),
    wave_id: str | None = None,
    generation: str = "w",
    postgres: bool = False,
    join_companions: bool = False,
) -> Placed:
    """Plan `needs` jointly and hold the assigned seats, in `session`'s transaction.

    `join_companions`: the needs are planned apart from their linked bookings (a re-plan
    of one case), so each looks its companions up (`agent.planner.companions`) to join
    their itinerary or leave room for them."""
    started = time.perf_counter()
    bookings = await load_bookings(session, sorted({n.pnr for n in needs}))
    tiers = await customer_tiers(session, sorted({b.customer_id for b in bookings.values()}))
    alone: list[Party] = []
    broken: dict[str, Broken] = {}
    by_pnr: dict[str, Need] = {}
    links: dict[str, Hashable] = {}
    phantoms: set[str] = set()
    for need in needs:
        booking = bookings.get(need.pnr)
        if booking is None or need.pnr in by_pnr:
            continue
        found = broken_segments(schedule, board, need.reason, booking, need.flight_key, now)
        if found is None:
            continue
        by_pnr[need.pnr] = need
        broken[need.pnr] = found
        links[need.pnr] = link_key(booking.customer_id, found)
        party = party_of(
            schedule,
            booking,
            found,
            tier=tiers[booking.customer_id],
            reason=need.reason,
            weights=weights,
            preferences=need.preferences,
            board=board,
        )
        if join_companions:
            found_with = await companions_of(
                session, schedule, board, booking, found, need.reason, need.flight_key, now
            )
            party = dc_replace(party, together=found_with.anchor)
            for other, theirs in found_with.phantoms:
                if other.pnr in links:
                    continue
                phantoms.add(other.pnr)
                links[other.pnr] = links[need.pnr]
                alone.append(
                    party_of(
                        schedule,
                        other,
                        theirs,
                        tier=tiers[booking.customer_id],
                        reason=need.reason,
                        weights=weights,
                        board=board,
                    )
                )
        alone.append(party)
    parties, members_of = merge_linked(alone, links)
    group_of = {m.ref: ref for ref, members in members_of.items() for m in members}
    horizon = timedelta(hours=weights.horizon_hours)
    network, options = await _options_on_committed(
        session, schedule, board, parties, horizon, excluded, now
    )
    capacity = await _seats_left(
        session, {seat for opts in options.values() for o in opts for seat in o.seats}, postgres
    )
    plan = plan_wave(parties, options, capacity, weights)
    # A linked group no itinerary can take whole travels apart rather than not at all:
    # each passenger's right to re-routing is their own (EU261 Art 8(1)(b)). Its members
    # are then planned with the rest of the wave, each at their own priority, not on the
    # seats the others left (a seat the group could not use whole must not go to a
    # lower-priority passenger ahead of a member who could take it alone). Splitting one
    # group may leave another unplaced: it splits in the next round (each round splits at
    # least one group more, so it ends). A companion planned only for room, not placed
    # here, travels apart on its own case.
    split: set[str] = set()
    while unplaced := [
        ref
        for ref, ms in members_of.items()
        if len(ms) > 1 and ref not in split and not plan.placed(ref)
    ]:
        split.update(unplaced)
        more = {
            m.ref: network.options(m, horizon)
            for ref in unplaced
            for m in members_of[ref]
            if m.ref not in phantoms
        }
        new_seats = {seat for opts in more.values() for o in opts for seat in o.seats}
        capacity.update(await _seats_left(session, new_seats - capacity.keys(), postgres))
        options.update(more)
        plan = plan_apart(plan, parties, members_of, split, phantoms, options, capacity, weights)
    requests: list[HoldRequest] = []
    assignments: dict[str, Assignment] = {}
    for need in needs:
        placement = plan.placements.get(need.pnr) or plan.placements.get(
            group_of.get(need.pnr, need.pnr)
        )
        if by_pnr.get(need.pnr) is not need or placement is None:
            continue
        option = placement.option
        hold_id: str | None = None
        if option is not None:
            key = hold_key(need.case_id, generation)
            # A seat for each of the party on every flight: they travel together.
            seats = bookings[need.pnr].seats_needed
            # The seats it has on a flight its broken segments share with the new way
            # are its own there (the planner credited them: `Party.held`): kept.
            kept = tuple(
                f
                for f, c, _ in held_seats(bookings[need.pnr], broken[need.pnr])
                if f in option.flights and c == option.cabin
            )
            requests.append(
                HoldRequest(key, need.case_id, need.pnr, option.flights, option.cabin, seats, kept)
            )
        assignments[need.case_id] = Assignment(
            flights=list(option.flights) if option else [],
            cabin=Cabin(option.cabin) if option else Cabin(broken[need.pnr].replace[0].cabin),
            hold_id=hold_id,
            ranked=[list(o.flights) for o in placement.ranked],
            wave_id=wave_id,
        )
    expires = now + timedelta(minutes=weights.hold_minutes)
    held = await hold_many(session, requests, expires_at=expires, now=now)
    for request, hold_id in zip(requests, held, strict=True):
        assignments[request.case_id] = assignments[request.case_id].model_copy(
            update={"hold_id": hold_id}
        )
    return Placed(plan, assignments, time.perf_counter() - started)


async def _options_on_committed(
    session: AsyncSession,
    schedule: Schedule,
    board: LiveBoard,
    parties: Sequence[Party],
    horizon: timedelta,
    excluded: Collection[str],
    now: datetime,
) -> tuple[Network, dict[str, list[Option]]]:
    """Each party's options, on flights whose committed board rows the board has taken.

    The board is fresh only for the partitions this daemon reads: another daemon may
    have committed a flight's cancellation since this board was last refreshed. So the
    flights the options name are checked against their committed rows in this
    transaction (`LiveBoard.take_committed`); if any was newer, the board (the daemon's
    own: it keeps the news) has it now and the options are found again on it, until
    every flight they name has been checked (each round checks only flights not checked
    before, so it ends). A cancellation committed after the read is refused when the
    booking is moved (`airline.closed_flights`, which says why that closes the race)."""
    checked: set[str] = set()
    while True:
        network = Network(schedule, board, excluded=excluded, risk=RiskMap(schedule, board, now))
        options = {p.ref: network.options(p, horizon) for p in parties}
        named = {f for opts in options.values() for o in opts for f in o.flights} - checked
        checked |= named
        if not await board.take_committed(session, named):
            return network, options


def plan_apart(
    plan: WavePlan,
    parties: Sequence[Party],
    members_of: Mapping[str, Sequence[Party]],
    split: Collection[str],
    phantoms: Collection[str],
    options: Mapping[str, Sequence[Option]],
    capacity: Mapping[Seat, int],
    weights: PlannerSettings,
) -> WavePlan:
    """The wave planned again with the linked groups in `split` as their members (but
    `phantoms`, companions planned only for room), every party and member jointly on the
    whole `capacity`: a member competes for seats at its own priority. `options` holds the
    members' options too. The digest stays `plan`'s (the wave's inputs)."""
    wave = [p for p in parties if p.ref not in split] + [
        m for ref in sorted(split) for m in members_of[ref] if m.ref not in phantoms
    ]
    return dc_replace(plan_wave(wave, options, capacity, weights), digest=plan.digest)


async def _seats_left(
    session: AsyncSession, seats: Collection[Seat], postgres: bool
) -> dict[Seat, int]:
    """Seats left per (flight, cabin), read in the planning transaction (and locked on
    PostgreSQL, in key order, until it ends)."""
    if not seats:
        return {}
    flights = sorted({flight for flight, _ in seats})
    query = (
        select(
            InventoryRow.flight_key, InventoryRow.cabin, InventoryRow.capacity, InventoryRow.sold
        )
        .where(InventoryRow.flight_key.in_(flights))
        .order_by(InventoryRow.flight_key, InventoryRow.cabin)
    )
    if postgres:
        query = query.with_for_update()
    await write_given_back(session)  # seats a batch gave back count (`give_back_seats`)
    rows = await session.execute(query)
    return {(f, c): cap - sold for f, c, cap, sold in rows if (f, c) in seats}
