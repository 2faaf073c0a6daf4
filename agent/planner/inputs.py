"""The one place that reads bookings into the planner's parties (`Party`).

What broke on a booking, where its passengers start again and from when
(`broken_segments`) is decided here for the planner and for the context node alike.
Today a booking carries one passenger and its final destination is its last segment's;
when bookings hold several passengers and journeys of their own, this module (and only
this one) changes: `seats` becomes the booking's passenger count, `destination` and
`scheduled_arrival` the journey's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agent.planner.model import Party
from agent.planner.objective import priority_weight
from agent.settings import PlannerSettings
from agent.state import CaseReason
from airline.airports import minimum_connection_time
from airline.board import LiveBoard
from airline.models import PRIORITY_SSR, Booking, LoyaltyTier, Preferences, Segment
from airline.schedule import Schedule

# A passenger needs this long to reach a new departure after we tell them.
REBOOKING_LEAD = timedelta(minutes=45)
# Alternatives may leave this much before the cancelled flight (EU261 Art 5(1)(c)(iii)).
EARLIER_DEPARTURE = timedelta(hours=1)
# A diverted aircraft's passengers need time to deplane before any onward flight.
DIVERSION_DEPLANE = timedelta(hours=1)
# The reasons whose itinerary no longer works: the planner places these.
TO_PLACE = frozenset({CaseReason.CANCELLED, CaseReason.DIVERTED, CaseReason.MISSED_CONNECTION})


@dataclass(frozen=True, slots=True)
class Broken:
    """What a disruption broke on a booking, and where its passengers start again."""

    replace: list[Segment]
    origin: str
    earliest_dep: datetime
    destination: str


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
    """The segments to replace, where the passenger starts again and from when; None
    when the disrupted flight is no longer on the booking or its connection holds."""
    segments = ordered_segments(schedule, booking)
    index = next((i for i, s in enumerate(segments) if s.flight_key == disrupted), None)
    if index is None or reason not in TO_PLACE:
        return None
    destination = schedule.flights[segments[-1].flight_key].destination
    flight = schedule.flights[disrupted]
    state = board.get(flight.key)
    if reason == CaseReason.CANCELLED:
        earliest = max(now + REBOOKING_LEAD, flight.sched_dep - EARLIER_DEPARTURE)
        return Broken(segments[index:], flight.origin, earliest, destination)
    if reason == CaseReason.DIVERTED:
        landed_at = (state.diverted_to if state else None) or flight.origin
        arrival = state.est_arr if state else flight.sched_arr
        return Broken(
            segments[index:], landed_at, max(now, arrival) + DIVERSION_DEPLANE, destination
        )
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
    return Broken(
        segments[index + 1 :], flight.destination, max(now, state.est_arr) + mct, destination
    )


def party_of(
    schedule: Schedule,
    booking: Booking,
    broken: Broken,
    *,
    tier: LoyaltyTier,
    reason: CaseReason,
    weights: PlannerSettings,
    preferences: Preferences | None = None,
) -> Party:
    """The party a booking's broken journey makes (see the module docstring)."""
    segments = ordered_segments(schedule, booking)
    last = schedule.flights[segments[-1].flight_key]
    first_broken = schedule.flights[broken.replace[0].flight_key]
    special = bool(PRIORITY_SSR & set(booking.ssr))
    return Party(
        ref=booking.pnr,
        seats=1,
        origin=broken.origin,
        destination=broken.destination,
        earliest_dep=broken.earliest_dep,
        cabin=broken.replace[0].cabin.value,
        carrier=first_broken.carrier,
        scheduled_arrival=last.sched_arr,
        weight=priority_weight(
            weights,
            special_needs=special,
            connection_at_risk=reason == CaseReason.MISSED_CONNECTION or len(broken.replace) > 1,
            tier=tier,
            fare=booking.fare.value,
        ),
        no_overnight=bool(preferences and preferences.avoid_overnight),
        exclude=frozenset(s.flight_key for s in broken.replace),
    )
