"""The one place that reads bookings into the planner's parties (`Party`).

What broke on a booking, where its passengers start again, from when, where they must
get to and by when (`broken_segments`) is decided here for the planner and for the
context node alike. The unit is the booking's party: its passengers travel together, so
a party needs a seat for each passenger but lap infants (`Booking.seats_needed`) on
every flight. What a disruption breaks is the journey the disrupted flight is on
(`airline.journeys`): the party is re-accommodated to that journey's final destination,
its delay measured against that journey's arrival, and it must arrive in time for the
booking's next journey (the return of a return trip) to leave; an option arriving later
is none (no seat then means the refund a rule gives is offered instead). The booking's
other journeys keep their segments. A missed connection whose late leg has not left
has two starts (`Restart`): the hub after the late leg lands, or the late leg's origin,
replacing it too.

Bookings linked as travelling together are merged into one party by
`agent.planner.linked`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from agent.planner.avoidance import avoided_airports
from agent.planner.model import Party, Start
from agent.planner.objective import priority_weight
from agent.planner.rediverted import stale_rerouting
from agent.settings import PlannerSettings
from agent.state import CaseReason
from airline.airports import minimum_connection_time
from airline.board import LiveBoard
from airline.journeys import journey_of_flight, next_journey_deadline
from airline.models import (
    PRIORITY_SSR,
    Booking,
    Flight,
    FlightStatus,
    LoyaltyTier,
    Preferences,
    Segment,
    SegmentStatus,
)
from airline.schedule import Schedule
from tools.policy.eu261 import rerouting_window
from tools.policy.fares import TIER_RANK

REBOOKING_LEAD = timedelta(minutes=30)
"""The least time between telling a passenger of a new departure and that departure, for
a cancellation and a diversion alike, in this one place. A diverted aircraft's
passengers are told on landing at the alternate (the MVT diversion message): leaving
the aircraft and reaching another gate is what a minimum connection time covers
(typically 30-45 min, DOMAIN.md), so they need no more than anyone told at the
airport. A passenger told at home is covered by the Art 5(1)(c) window below, not by
this lead. The oracle reads the same 30 min (`evals.oracle.journeys.LEAD`): with the
planner's former 1 h after a diversion (and 45 min after a cancellation), a seat
leaving 30-60 min after the news was one the oracle counted and the agent never
offered (seed 7, world 56)."""
# Alternatives may leave this much before the cancelled flight when it was cancelled two
# weeks ahead or more (no window spares compensation then; Art 5(1)(c)(ii)'s is kept).
EARLIER_DEPARTURE = timedelta(hours=2)
# The reasons whose itinerary no longer works: the planner places these.
TO_PLACE = frozenset({CaseReason.CANCELLED, CaseReason.DIVERTED, CaseReason.MISSED_CONNECTION})


@dataclass(frozen=True, slots=True)
class Broken:
    """What a disruption broke on a booking, and where its passengers start again."""

    replace: list[Segment]
    """The broken journey's segments to replace (never another journey's)."""
    origin: str
    earliest_dep: datetime
    destination: str
    """The broken journey's final destination."""
    scheduled_arrival: datetime
    """When the broken journey was to arrive there (delay is measured from it)."""
    arrive_by: datetime | None = None
    """The latest arrival that keeps the booking's next journey (None: none follows)."""
    also_from: Restart | None = None
    """A second start, replacing more (`Restart`); None: `origin` is the only one."""
    unreachable: bool = False
    """`replace` is a re-routing its passengers can no longer reach (`stale_rerouting`):
    a case that books nothing in its place gives it up (`agent.nodes.act`)."""


@dataclass(frozen=True, slots=True)
class Restart:
    """The other start of a journey broken ahead of where its passengers still are: a
    missed connection whose late leg has not left (its origin, replacing the late leg
    too, as a cancellation of it would: an earlier flight to the hub may make the onward
    flight the late leg will miss), or a cancelled leg after legs that have not left (the
    first of them, replacing them too). Keeping those legs is the `Broken` itself."""

    replace: list[Segment]
    origin: str
    earliest_dep: datetime


def ordered_segments(schedule: Schedule, booking: Booking) -> list[Segment]:
    """The booking's active segments in departure order."""
    return sorted(booking.active_segments, key=lambda s: schedule.flights[s.flight_key].sched_dep)


def broken_segments(
    schedule: Schedule,
    board: LiveBoard,
    reason: CaseReason,
    booking: Booking,
    disrupted: str,
    now: datetime,
) -> Broken | None:
    """The segments to replace, where the passengers start again and from when, where to
    and by when; None when the disrupted flight is no longer on the booking, its
    connection holds, or a cancelled flight was reinstated since."""
    everything = ordered_segments(schedule, booking)
    # What the disruption breaks is the journey it is on; the booking's other journeys
    # (a return, the next city) keep their segments.
    journey = journey_of_flight(booking, disrupted, schedule.flights)
    segments = journey.active if journey is not None else everything
    index = next((i for i, s in enumerate(segments) if s.flight_key == disrupted), None)
    stale = stale_rerouting(schedule, board, reason, segments, disrupted)
    if stale:
        index, segments = 0, stale  # rebooked off it, put down elsewhere since
    if index is None or reason not in TO_PLACE:
        return None
    end = schedule.flights[segments[-1].flight_key]
    destination = journey.destination if journey is not None else end.destination
    arrive_by = (
        next_journey_deadline(schedule, board, booking, journey.seq)
        if journey is not None
        else None
    )
    flight = schedule.flights[disrupted]
    state = board.get(flight.key)

    def broken(
        replace: list[Segment], origin: str, earliest: datetime, also: Restart | None = None
    ) -> Broken:
        return Broken(replace, origin, earliest, destination, end.sched_arr, arrive_by, also)

    def instead_of(at: int) -> datetime:
        """The earliest departure replacing the journey's segment `at` and what follows
        it, from that segment's origin."""
        replaced = schedule.flights[segments[at].flight_key]
        earliest = now + REBOOKING_LEAD
        if not _under_way(schedule, board, booking, disrupted, now):
            earliest = max(earliest, replaced.sched_dep - earlier_departure(now, replaced))
        if at > 0:
            # The passengers reach the flight's airport on the leg before it, which
            # stands: the new onward flight must leave a connection after it.
            earliest = max(
                earliest, _connection_from(schedule, board, segments[at - 1], destination)
            )
        return earliest

    def instead_of_it() -> datetime:
        """The earliest departure replacing the disrupted flight itself, from its origin."""
        return instead_of(index)

    if reason == CaseReason.CANCELLED:
        if state is not None and state.status != FlightStatus.CANCELLED:
            return None  # reinstated since the case opened (a stale approval re-planned)
        # While the legs before the cancelled one have not left, the passengers are still
        # at the journey's first of them: a way from there replacing those legs too may
        # reach the destination where nothing leaves the cancelled flight's airport
        # (found-stranded-s79-w4: BOS-LAX-JFK, LAX-JFK cancelled, BOS-JFK direct free).
        home = index
        while home > 0 and _not_left(board, schedule, segments[home - 1], now):
            home -= 1
        also = None
        if home < index:
            start = schedule.flights[segments[home].flight_key].origin
            also = Restart(segments[home:], start, instead_of(home))
        return broken(segments[index:], flight.origin, instead_of_it(), also)
    if reason == CaseReason.DIVERTED:
        # The passengers are where the aircraft went, from the diversion message on:
        # onward options start there, not at the original destination's arrival time
        # (which would miss a connection leaving the alternate within hours).
        # The message says where the aircraft is (sent on landing at the alternate); its
        # estimated arrival is still the original destination's, so it says nothing of
        # when the passengers are free: they are told now.
        landed_at = (state.diverted_to if state else None) or flight.origin
        found = broken(segments[index:], landed_at, now + REBOOKING_LEAD)
        return replace(found, unreachable=True) if stale else found
    # Missed connection: check again on the live board; the delay may have shrunk since.
    if index + 1 >= len(segments) or state is None:
        return None
    onward = schedule.flights[segments[index + 1].flight_key]
    onward_state = board.get(onward.key)
    hub = schedule.airports[flight.destination]
    mct = minimum_connection_time(
        hub, international=schedule.is_international(hub.iata, flight.origin, onward.destination)
    )
    onward_dep = onward_state.est_dep if onward_state else onward.sched_dep
    if onward_dep - state.est_arr >= mct:
        return None
    # Its passengers are still at its origin while the late leg has not left (the board
    # says so, and its time has not passed): an earlier flight to the hub (or another
    # way) replacing it too may save the journey.
    at_origin = state.flyable and state.est_dep > now
    also = Restart(segments[index:], flight.origin, instead_of_it()) if at_origin else None
    return broken(segments[index + 1 :], flight.destination, max(now, state.est_arr) + mct, also)


def _not_left(board: LiveBoard, schedule: Schedule, segment: Segment, now: datetime) -> bool:
    """Has the segment's flight still to leave, with its passengers at its origin?"""
    state = board.get(segment.flight_key)
    if state is None:
        return schedule.flights[segment.flight_key].sched_dep > now
    return state.flyable and state.est_dep > now


def _under_way(
    schedule: Schedule, board: LiveBoard, booking: Booking, disrupted: str, now: datetime
) -> bool:
    """Has the broken journey begun (a flight of it, flown, diverted or since replaced,
    left before now)? Its passengers are at a connecting or diversion airport, not at
    home planning for the booked departure, and take the first seat out: the window of
    how much earlier an alternative may leave is for a passenger who has not set out.
    A cancelled flight never left: a passenger rebooked off this morning's cancelled
    flight onto tomorrow's has not set out (counting it let an alternative leave hours
    before the one cancelled next, and under the connection from the leg before it)."""
    journeys = {s.journey for s in booking.segments if s.flight_key == disrupted}

    def left(key: str) -> bool:
        state = board.get(key)
        return schedule.flights[key].sched_dep <= now and (
            state is None or state.status != FlightStatus.CANCELLED
        )

    return any(
        s.journey in journeys
        and s.flight_key != disrupted
        and s.flight_key in schedule.flights
        and left(s.flight_key)
        for s in booking.segments
    )


def _connection_from(
    schedule: Schedule, board: LiveBoard, inbound: Segment, destination: str
) -> datetime:
    """The earliest an onward flight may leave after the `inbound` segment lands: its
    (estimated) arrival plus the connecting airport's minimum connection time, as the
    options' own connections are checked (`agent.planner.options`)."""
    flight = schedule.flights[inbound.flight_key]
    state = board.get(flight.key)
    if state is not None and state.status in (FlightStatus.CANCELLED, FlightStatus.DIVERTED):
        return datetime.min.replace(tzinfo=flight.sched_arr.tzinfo)  # its own case places them
    arrives = state.est_arr if state is not None else flight.sched_arr
    hub = schedule.airports[flight.destination]
    return arrives + minimum_connection_time(
        hub, international=schedule.is_international(hub.iata, flight.origin, destination)
    )


def earlier_departure(now: datetime, disrupted: Flight) -> timedelta:
    """How much before the cancelled flight an alternative may leave: the Art 5(1)(c)
    window of the notice the passenger gets now (1 h under seven days, 2 h from seven),
    so the re-routing offered is one the regulation counts as close to the schedule."""
    window = rerouting_window(disrupted.sched_dep - now)
    return window.earlier if window is not None else EARLIER_DEPARTURE


def party_of(
    schedule: Schedule,
    booking: Booking,
    broken: Broken,
    *,
    tier: LoyaltyTier,
    reason: CaseReason,
    weights: PlannerSettings,
    preferences: Preferences | None = None,
    board: LiveBoard | None = None,
) -> Party:
    """The party a booking's broken journey makes (see the module docstring); with the
    `board`, it knows how many flights of the journey it already lost."""
    first_broken = schedule.flights[broken.replace[0].flight_key]
    special = bool(PRIORITY_SSR & set(booking.ssr))
    return Party(
        ref=booking.pnr,
        seats=booking.seats_needed,
        origin=broken.origin,
        destination=broken.destination,
        earliest_dep=broken.earliest_dep,
        cabin=broken.replace[0].cabin.value,
        carrier=first_broken.carrier,
        scheduled_arrival=broken.scheduled_arrival,
        arrive_by=broken.arrive_by,
        weight=priority_weight(
            weights,
            special_needs=special,
            connection_at_risk=reason == CaseReason.MISSED_CONNECTION or len(broken.replace) > 1,
            tier=tier,
            fare=booking.fare.value,
        ),
        art11=special,
        tier_order=TIER_RANK[tier] if weights.tiers_in_order else 0,
        no_overnight=bool(preferences and preferences.avoid_overnight),
        avoid_airports=avoided_airports(preferences),
        avoid_carriers=frozenset(preferences.avoid_carriers if preferences else ()),
        # Only the broken segment itself: a later segment of the broken journey that still
        # flies (the onward flight after a cancelled feeder) may be part of the new way,
        # on the seat the booking holds there (`held`, credited to this party alone).
        exclude=frozenset({broken.replace[0].flight_key}),
        lost_before=lost_before(board, booking, broken) if board is not None else 0,
        held=held_seats(booking, broken),
        also_from=_start_of(broken.also_from),
    )


def _start_of(restart: Restart | None) -> Start | None:
    """The planner's view of a second start: the late leg it replaces is not taken again
    from there (kept, it is the party's first start)."""
    if restart is None:
        return None
    return Start(restart.origin, restart.earliest_dep, frozenset({restart.replace[0].flight_key}))


def held_seats(booking: Booking, broken: Broken) -> tuple[tuple[str, str, int], ...]:
    """The seats the booking holds on the segments a new itinerary replaces (the broken
    journey's, from the broken one on): a new itinerary on one of those flights again, in
    the same cabin, keeps them, so the planner credits them to this party. Without it a
    party holding the last seats on its onward flight found none there when its inbound
    went (they were sold, to it), and was told "no alternative" (found-priority-s1-w128)."""
    return tuple(
        sorted({(s.flight_key, s.cabin.value, booking.seats_needed) for s in broken.replace})
    )


def lost_before(board: LiveBoard, booking: Booking, broken: Broken) -> int:
    """The broken journey's flights the booking was already rebooked off because they were
    cancelled or diverted (its replaced segments the board shows gone): how often this
    party has been moved onto a flight that went too."""
    journey = broken.replace[0].journey
    return sum(
        1
        for s in booking.segments
        if s.journey == journey
        and s.status == SegmentStatus.REPLACED
        and (state := board.get(s.flight_key)) is not None
        and state.status in (FlightStatus.CANCELLED, FlightStatus.DIVERTED)
    )
