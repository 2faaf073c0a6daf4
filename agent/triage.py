"""Triage: who does a change affect, and how urgently?

Most urgent first means: departure soonest, then (as minutes of head start) reduced
mobility and unaccompanied minors, a connection at risk, loyalty tier and fare.

Cancellations and diversions affect everyone on the flight. A delay affects connecting
passengers whose onward flight now leaves before the minimum connection time (they need
a rebooking), and everyone else on the flight once it is long enough to announce. A gate
change is news for everyone on a flight leaving within three hours. **News is judged
against what the passenger was told** (the departure the last message about the flight
stated, `told_about`), not against the previous event: a delay that creeps past the
notice threshold in small steps is told once it is past it, a told delay is told again
once the departure has moved `RENOTICE_SHIFT` from what was told (14 CFR 259.8's 30
minutes; smaller moves are not news and wait for the next message), and a departure
earlier than told by a board-material shift is news (the passenger would miss it). So a
move the board calls progress still reaches triage while the flight is late enough to
have been announced (`triage_kind`). A cancelled flight reinstated is news for those
still booked on it and told it was gone. Landing three hours or more late at the
journey's final destination opens a case for the compensation owed. Other progress opens
no case: triage is cheap, and non-material changes end here.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent.state import CaseReason
from airline.airports import minimum_connection_time
from airline.board import (
    MATERIAL_SHIFT,
    Change,
    ChangeKind,
    FlightState,
    LiveBoard,
    is_rediverted,
)
from airline.models import (
    PRIORITY_SSR,
    BookingStatus,
    FareFamily,
    FlightStatus,
    LoyaltyTier,
    SegmentStatus,
)
from airline.reservations import passengers_on
from airline.schedule import Schedule
from airline.tables import BookingRow, CustomerRow, SegmentRow
from streams.events import TOPIC_NOTIFICATIONS
from tools.policy.waits import wait_reached
from tools.tables import OutboxRow, OutboxStatus

# Minutes of urgency a tier is worth when seats are scarce (higher tiers first).
_TIER_PRIORITY = {
    LoyaltyTier.NONE: 0,
    LoyaltyTier.SILVER: 30,
    LoyaltyTier.GOLD: 60,
    LoyaltyTier.PLATINUM: 120,
}
_CONNECTION_AT_RISK = 60
# Reduced mobility and unaccompanied minors first of all when seats are scarce; a
# flexible fare paid for it.
_SPECIAL_NEEDS = 240
_FARE_PRIORITY = {FareFamily.FLEX.value: 20, FareFamily.BASIC.value: -10}
# A gate change is news for passengers about to fly; further out the gate changes again.
GATE_NEWS_AHEAD = timedelta(hours=3)
# The kinds of change that open cases; recoveries and progress end at the board.
TRIAGED = frozenset(
    {
        ChangeKind.CANCELLATION,
        ChangeKind.DIVERSION,
        ChangeKind.DELAY,
        ChangeKind.GATE_CHANGE,
        ChangeKind.RECOVERY,
        ChangeKind.REINSTATEMENT,
        ChangeKind.ARRIVED_LATE,
    }
)
# Arriving this late (or later) at the final destination owes compensation (EU261 and
# UK261 per Sturgeon, C-402/07; APPR s.19 from 3 h), judged on the actual arrival.
LATE_ARRIVAL = timedelta(hours=3)
RENOTICE_SHIFT = timedelta(minutes=30)
"""A departure this far from what the passenger was last told is a new change of status
to tell of: 14 CFR 259.8 owes notice of a delay of 30 minutes or more (DOMAIN.md, US DOT),
so a told delay that moves less is not news yet (at night it would only wake them)."""


def arrival_kind(previous: FlightState, current: FlightState, schedule: Schedule) -> ChangeKind:
    """An arrival 3 h or more late matters (compensation); `classify` cannot tell, not
    knowing the schedule, and calls every arrival progress."""
    if (
        current.status == FlightStatus.ARRIVED
        and previous.status != FlightStatus.ARRIVED
        and current.est_arr - schedule.flights[current.flight_key].sched_arr >= LATE_ARRIVAL
    ):
        return ChangeKind.ARRIVED_LATE
    return ChangeKind.PROGRESS


def triage_kind(
    previous: FlightState,
    current: FlightState,
    kind: ChangeKind,
    schedule: Schedule,
    delay_notify: timedelta,
) -> ChangeKind:
    """What triage makes of a change the board classified as `kind`.

    The board calls a move under its `MATERIAL_SHIFT` progress (it cannot know what
    anyone was told); while the flight is late enough to be announced, such a move is
    a delay or recovery for triage, which compares it with what each passenger was told
    (steps of ten minutes add up to news). An arrival may be a late one (`arrival_kind`).
    """
    if kind != ChangeKind.PROGRESS:
        return kind
    if current.status == FlightStatus.ARRIVED:
        return arrival_kind(previous, current, schedule)
    flight = schedule.flights.get(current.flight_key)
    shift = current.est_dep - previous.est_dep
    if flight is None or not shift or not current.flyable:
        return kind
    if max(current.est_dep, previous.est_dep) - flight.sched_dep < delay_notify:
        return kind  # late by less than anyone is told of, before and after
    return ChangeKind.DELAY if shift > timedelta(0) else ChangeKind.RECOVERY


def delay_is_news(
    departure: datetime, told: datetime | None, sched_dep: datetime, delay_notify: timedelta
) -> bool:
    """A departure `departure` is news for a passenger told `told` (None: told of no
    departure): late enough to announce, and either never told of a delay that long or
    moved `RENOTICE_SHIFT` from what they were told, or past a wait from which the
    regulations owe more (`tools.policy.waits`)."""
    if departure - sched_dep < delay_notify:
        return False
    if told is None or told - sched_dep < delay_notify:
        return True
    if abs(departure - told) >= RENOTICE_SHIFT:
        return True
    # A small move past a wait from which the regulations owe more (115 min told, now
    # 125: meals under EU261 Art 6(1)(a)) is news for what is owed, not for the time.
    return wait_reached(told - sched_dep, departure - sched_dep)


def recovery_is_news(departure: datetime, told: datetime) -> bool:
    """The flight now leaves a board-material shift earlier than the passenger was told:
    believing the later time they would miss it."""
    return told - departure >= MATERIAL_SHIFT


def is_gate_news(state: FlightState) -> bool:
    """Is the gate `state` announces news to its passengers (they fly within the window)?

    Judged at the change's own time (`emitted_at`), not at the decision clock: that
    clock is the wave's newest event on any partition, so how far other flights' records
    had moved it would decide whether a passenger hears of the new gate (and a replay,
    or a run under load, that groups records into waves differently would decide
    otherwise). The change and the board decide, nothing else.
    """
    return timedelta(0) < state.est_dep - state.emitted_at <= GATE_NEWS_AHEAD


@dataclass(frozen=True, slots=True)
class Affected:
    pnr: str
    reason: CaseReason
    priority: int
    """Lower runs first: minutes until the passenger must travel, less tier and risk bonuses."""


def disruption_id(change: Change) -> str:
    return f"{change.flight_key}@{change.current.event_id}"


def case_id(disruption: str, pnr: str) -> str:
    """Deterministic, so a redelivered event maps onto the cases it already opened."""
    return "c-" + hashlib.sha256(f"{disruption}|{pnr}".encode()).hexdigest()[:24]


async def affected_bookings(
    session: AsyncSession,
    change: Change,
    schedule: Schedule,
    board: LiveBoard,
    *,
    now: datetime,
    delay_notify: timedelta,
    only: AbstractSet[str] | None = None,
) -> list[Affected]:
    """The bookings `change` affects, most urgent first; with `only`, those bookings'
    entries alone (each booking is judged on its own rows, so it is the same entry: a
    re-check of one itinerary reads one booking's segments, messages and tier, not those
    of everyone on the flight, and the re-checks of one moment read theirs together)."""
    if change.kind not in TRIAGED:
        return []
    pnrs = await passengers_on(session, change.flight_key)
    if is_rediverted(change.previous, change.current):
        # Those already re-routed from the airport first announced land elsewhere now:
        # their re-routing is placed again from the new one (`stale_rerouting`).
        first = change.previous.diverted_to
        assert first is not None  # a re-diversion replaces an announced airport
        rerouted = await rerouted_from(session, schedule, change.flight_key, first)
        pnrs = sorted(set(pnrs) | set(rerouted))
    if only is not None:
        pnrs = [pnr for pnr in pnrs if pnr in only]
    if not pnrs:
        return []
    itineraries = await _itineraries(session, pnrs, schedule, change.flight_key)
    told = (
        await told_about(session, pnrs, change.flight_key) if change.kind in _TOLD_MATTERS else {}
    )
    bonuses = await _bonuses(session, pnrs)
    flight = schedule.flights[change.flight_key]
    current = change.current
    affected: list[Affected] = []
    for pnr in pnrs:
        keys = itineraries.get(pnr, [flight.key])
        minutes_left = int((current.est_dep - now).total_seconds() // 60)
        bonus = bonuses[pnr]
        if change.kind == ChangeKind.CANCELLATION:
            affected.append(Affected(pnr, CaseReason.CANCELLED, minutes_left - bonus))
            continue
        if change.kind == ChangeKind.DIVERSION:
            affected.append(Affected(pnr, CaseReason.DIVERTED, minutes_left - bonus))
            continue
        if change.kind == ChangeKind.RECOVERY:
            # Only those told of a later departure need the news that it is sooner (told
            # by a message that stated none: the departure before this change).
            if pnr in told and recovery_is_news(
                current.est_dep, told[pnr] or change.previous.est_dep
            ):
                affected.append(Affected(pnr, CaseReason.RECOVERED, minutes_left - bonus))
            continue
        if change.kind == ChangeKind.REINSTATEMENT:
            # Still booked on it (not rebooked off it, not refunded), and told it was
            # cancelled: it flies after all. (Whoever heard nothing yet needs no news.)
            if pnr in told:
                affected.append(Affected(pnr, CaseReason.REINSTATED, minutes_left - bonus))
            continue
        if change.kind == ChangeKind.ARRIVED_LATE:
            if keys and keys[-1] == flight.key:  # the journey's final destination, late
                affected.append(Affected(pnr, CaseReason.ARRIVED_LATE, 1440 - bonus))
            continue
        if change.kind == ChangeKind.GATE_CHANGE:
            if is_gate_news(current):
                affected.append(Affected(pnr, CaseReason.GATE_CHANGE, minutes_left + 480))
            continue
        onward = onward_of(keys, flight.key)
        if onward is not None and connection_broken(schedule, board, flight.key, onward):
            onward_state = board.get(onward)
            dep = onward_state.est_dep if onward_state else schedule.flights[onward].sched_dep
            urgency = int((dep - now).total_seconds() // 60) - bonus - _CONNECTION_AT_RISK
            affected.append(Affected(pnr, CaseReason.MISSED_CONNECTION, urgency))
        elif delay_is_news(current.est_dep, told.get(pnr), flight.sched_dep, delay_notify):
            affected.append(Affected(pnr, CaseReason.DELAYED, minutes_left - bonus + 240))
    affected.sort(key=lambda a: (a.priority, a.pnr))
    return affected


async def rerouted_from(
    session: AsyncSession, schedule: Schedule, flight_key: str, airport: str
) -> list[str]:
    """Active bookings rebooked off `flight_key` (no longer holding it) whose re-routing,
    the journey's active flights leaving after it was due to, starts at `airport`."""
    off_it = (
        select(SegmentRow.pnr)
        .join(BookingRow, BookingRow.pnr == SegmentRow.pnr)
        .where(
            SegmentRow.flight_key == flight_key,
            SegmentRow.status == SegmentStatus.REPLACED.value,
            BookingRow.status == BookingStatus.ACTIVE.value,
        )
    )
    rows = await session.execute(
        select(SegmentRow.pnr, SegmentRow.flight_key, SegmentRow.journey, SegmentRow.status)
        .where(SegmentRow.pnr.in_(off_it))
        .order_by(SegmentRow.pnr, SegmentRow.seq)
    )
    by_pnr: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for pnr, key, journey, status in rows:
        by_pnr[pnr].append((key, journey, status))
    due = schedule.flights[flight_key].sched_dep
    found: list[str] = []
    for pnr, segments in by_pnr.items():
        if any(k == flight_key and s == SegmentStatus.ACTIVE.value for k, _, s in segments):
            continue  # still on it: found as a passenger
        journey = next(j for k, j, _ in segments if k == flight_key)
        after = sorted(
            (
                schedule.flights[k]
                for k, j, s in segments
                if j == journey
                and s == SegmentStatus.ACTIVE.value
                and schedule.flights[k].sched_dep >= due
            ),
            key=lambda f: f.sched_dep,
        )
        if after and after[0].origin == airport:
            found.append(pnr)
    return found


async def _itineraries(
    session: AsyncSession, pnrs: list[str], schedule: Schedule, flight_key: str
) -> dict[str, list[str]]:
    """Each booking's active flight keys on the journey that holds `flight_key`, in
    departure order (one query for all): a return flight is not an onward connection,
    and the outbound's last flight reaches the outbound's final destination."""
    rows = await session.execute(
        select(SegmentRow.pnr, SegmentRow.flight_key, SegmentRow.journey).where(
            SegmentRow.pnr.in_(pnrs), SegmentRow.status == SegmentStatus.ACTIVE.value
        )
    )
    return journeys_holding(rows, schedule, flight_key)


def journeys_holding(
    segments: Iterable[tuple[str, str, int]], schedule: Schedule, flight_key: str
) -> dict[str, list[str]]:
    """From active segments (pnr, flight key, journey), each booking's flight keys on
    the journey that holds `flight_key`, in departure order (bookings without it absent)."""
    by_journey: dict[tuple[str, int], list[str]] = defaultdict(list)
    on_it: dict[str, int] = {}
    for pnr, key, journey in segments:
        by_journey[pnr, journey].append(key)
        if key == flight_key:
            on_it[pnr] = journey
    by_pnr: dict[str, list[str]] = {}
    for pnr, journey in on_it.items():
        keys = by_journey[pnr, journey]
        keys.sort(key=lambda k: schedule.flights[k].sched_dep)
        by_pnr[pnr] = keys
    return by_pnr


_TOLD_MATTERS = frozenset({ChangeKind.REINSTATEMENT, ChangeKind.DELAY, ChangeKind.RECOVERY})


async def told_about(
    session: AsyncSession, pnrs: list[str], flight_key: str
) -> dict[str, datetime | None]:
    """The bookings sent (or about to be sent) news about `flight_key`, each with the
    departure its latest such message stated (None: it stated none, e.g. a cancellation)."""
    rows = await session.execute(
        select(OutboxRow.key, OutboxRow.payload["meta"]["departure_told"].as_string())
        .where(
            OutboxRow.topic == TOPIC_NOTIFICATIONS,
            OutboxRow.key.in_(pnrs),
            OutboxRow.status.in_((OutboxStatus.PENDING, OutboxStatus.SENT)),
            OutboxRow.payload["meta"]["about"].as_string() == flight_key,
        )
        .order_by(OutboxRow.created_at, OutboxRow.id)
    )
    told: dict[str, datetime | None] = {}
    for pnr, departure in rows:
        told[pnr] = datetime.fromisoformat(departure) if departure else None
    return told


async def _bonuses(session: AsyncSession, pnrs: list[str]) -> dict[str, int]:
    """Minutes of urgency each booking is worth: special needs, tier, fare."""
    rows = await session.execute(
        select(BookingRow.pnr, CustomerRow.tier, BookingRow.fare, BookingRow.ssr)
        .join(CustomerRow, CustomerRow.id == BookingRow.customer_id)
        .where(BookingRow.pnr.in_(pnrs))
    )
    return {
        pnr: _TIER_PRIORITY[LoyaltyTier(tier)]
        + _FARE_PRIORITY.get(fare, 0)
        + (_SPECIAL_NEEDS if PRIORITY_SSR & set(ssr or ()) else 0)
        for pnr, tier, fare, ssr in rows
    }


def onward_of(keys: list[str], flight_key: str) -> str | None:
    index = keys.index(flight_key)
    return keys[index + 1] if index + 1 < len(keys) else None


def connection_broken(schedule: Schedule, board: LiveBoard, inbound: str, onward: str) -> bool:
    first, second = schedule.flights[inbound], schedule.flights[onward]
    first_state, second_state = board.get(inbound), board.get(onward)
    arrival = first_state.est_arr if first_state else first.sched_arr
    departure = second_state.est_dep if second_state else second.sched_dep
    hub = schedule.airports[first.destination]
    mct = minimum_connection_time(
        hub, international=schedule.is_international(hub.iata, first.origin, second.destination)
    )
    return departure - arrival < mct
