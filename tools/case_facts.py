"""The policy engine's facts about one disrupted booking, read from live state.

`tools.policy` rules are pure functions of a `Disruption` and `BookingFacts`; this module
builds those from what the airline systems hold now: the booking (its original segments
and any rebooking), the static schedule, and the live board's status, reason and
estimated times.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from airline.board import FlightState, LiveBoard
from airline.journeys import JourneyView, journey_of_flight
from airline.models import Booking, Cabin, FlightStatus, LoyaltyTier, ReasonCode, Segment
from airline.reservations import load_booking, load_customer
from airline.schedule import Schedule
from tools.policy.entitlements import (
    BookingFacts,
    Disruption,
    DisruptionKind,
    Entitlements,
    PassengerChoice,
    PolicyConfig,
    entitlements,
)
from tools.policy.nights import stays_the_night
from travel_agent.errors import NotFoundError


async def passenger_entitlements(
    session: AsyncSession,
    schedule: Schedule,
    board: LiveBoard,
    *,
    pnr: str,
    flight_key: str,
    now: datetime,
    policy: PolicyConfig | None = None,
    kind: DisruptionKind | None = None,
) -> Entitlements:
    """What the passenger of `pnr` is owed for the disruption of `flight_key`, from live facts.

    Args:
        now: when the passenger is told (the notice the rules judge).
        kind: the kind of disruption; by default read from the live board.

    Raises:
        NotFoundError: no such booking, flight, or no segment of the booking on the flight.
    """
    booking = await load_booking(session, pnr)
    customer = await load_customer(session, booking.customer_id)
    facts = BookingFacts.from_booking(
        booking, tier=customer.tier, flight_key=flight_key, flights=schedule.flights
    )
    disruption = disruption_facts(schedule, board, booking, flight_key, now=now, kind=kind)
    return entitlements(facts, disruption, airports=schedule.airports, config=policy)


def disruption_facts(
    schedule: Schedule,
    board: LiveBoard,
    booking: Booking,
    flight_key: str,
    *,
    now: datetime,
    kind: DisruptionKind | None = None,
    journey: JourneyView | None = None,
) -> Disruption:
    """The policy engine's view of one disruption of one booking, read from the live board
    (`journey`: the booking's `journey_of_flight(flight_key)`, when the caller has it).

    The disruption is judged on the journey the flight is on (`airline.journeys`): its
    origin, final destination and ticketed arrival; the booking's other journeys play no
    part. What the passenger flies instead is the journey's rebooked segments if there
    are any, else the disrupted flight itself (with its live times); a cancellation
    without rebooking offered nothing (yet).

    Raises:
        NotFoundError: no such flight, or the booking has no segment on it.
    """
    flights = schedule.flights
    disrupted = flights.get(flight_key)
    trip = journey
    if trip is None and disrupted is not None:
        trip = journey_of_flight(booking, flight_key, flights)
    on_it = [s for s in booking.segments if s.flight_key == flight_key]
    if disrupted is None or trip is None or not on_it:
        raise NotFoundError(f"booking {booking.pnr} has no segment on {flight_key}")
    state = board.get(flight_key)
    if kind is None:
        status = state.status if state else FlightStatus.SCHEDULED
        kind = {
            FlightStatus.CANCELLED: DisruptionKind.CANCELLED,
            FlightStatus.DIVERTED: DisruptionKind.DIVERTED,
        }.get(status, DisruptionKind.DELAYED)

    def live(key: str) -> tuple[datetime, datetime]:
        known = board.get(key)
        if known is not None:
            return known.est_dep, known.est_arr
        return flights[key].sched_dep, flights[key].sched_arr

    # Everything is judged on the journey the flight is on (Bossen, C-559/16: first
    # origin to final destination; Folkerts, C-11/11: the arrival there), not on the
    # booking's other journeys.
    original, rebooked, active = trip.ticketed, trip.added, trip.active
    flown = {s.flight_key for s in active}
    destination = trip.destination
    actual_dep: datetime | None = None
    actual_arr: datetime | None = None
    journey_earlier: timedelta | None = None
    # A delay of a flight the passenger still flies is that flight's own, even on a
    # journey an earlier case re-routed: its departure is the delayed flight's, never the
    # re-routing's first flight against this one's schedule (found-deadline-s1-w21-fam:
    # XU104, delayed 35 min, read as leaving 3 h 45 early, so no 14 CFR 259.8 duty).
    delayed_itself = kind is DisruptionKind.DELAYED and flight_key in flown
    if rebooked and not delayed_itself:
        actual_dep = live(rebooked[0].flight_key)[0]
        actual_arr = live(rebooked[-1].flight_key)[1]
        # Art 5(1)(c) asks whether the passenger leaves no earlier than booked: for a
        # connection that is the journey's first departure as re-routed (a leg kept, or a
        # new flight from the first airport) against the journey's booked one, never a
        # flight from one airport against the cancelled flight from another.
        journey_earlier = flights[original[0].flight_key].sched_dep - live(active[0].flight_key)[0]
    elif kind is not DisruptionKind.CANCELLED:
        actual_dep = live(flight_key)[0]
        if kind is not DisruptionKind.DIVERTED and active:
            actual_arr = live(active[-1].flight_key)[1]
    # The night (`tools.policy.nights`) is read where the passenger waits: for the
    # re-routing's first flight, or for the delayed flight itself.
    overnight: bool | None = None
    kept = [s.flight_key for s in active if s.flight_key not in {r.flight_key for r in rebooked}]
    if rebooked and not delayed_itself and actual_dep is not None:
        overnight = _stays_the_night(
            schedule,
            planned=next((s.flight_key for s in original if s.flight_key not in flown), None),
            leaves_on=rebooked[0].flight_key,
            leaves_at=actual_dep,
            arrived=_arrival_at(schedule, live, kept, state, rebooked[0].flight_key, actual_dep),
        )
    elif actual_dep is not None and kind in (
        DisruptionKind.DELAYED,
        DisruptionKind.MISSED_CONNECTION,
    ):
        overnight = _stays_the_night(
            schedule,
            planned=flight_key,
            leaves_on=flight_key,
            leaves_at=actual_dep,
            arrived=_arrival_at(schedule, live, kept, state, flight_key, actual_dep),
        )
    try:
        reason = ReasonCode(state.reason) if state and state.reason else ReasonCode.OTHER
    except ValueError:
        reason = ReasonCode.OTHER
    return Disruption(
        kind=kind,
        reason=reason,
        carrier=disrupted.carrier,
        origin=trip.origin,
        destination=destination,
        flight_origin=disrupted.origin,
        flight_destination=disrupted.destination,
        sched_dep=disrupted.sched_dep,
        journey_sched_dep=flights[original[0].flight_key].sched_dep,
        sched_arr=flights[original[-1].flight_key].sched_arr,
        actual_dep=actual_dep,
        journey_departs_earlier_by=journey_earlier,
        actual_arr=actual_arr,
        notice_at=now,
        carrier_aware_at=state.emitted_at if state else None,
        cabin_booked=on_it[0].cabin,
        cabin_flown=rebooked[0].cabin if rebooked else None,
        connections_booked=len(original) - 1,
        connections_offered=len(active) - 1 if rebooked else None,
        alt_origin=flights[active[0].flight_key].origin if rebooked else None,
        alt_destination=flights[active[-1].flight_key].destination
        if rebooked
        else _diverted_to(schedule, state, kind),
        alternative_offered=bool(rebooked) or kind is not DisruptionKind.CANCELLED,
        overnight=overnight,
        choice=_choice_made(kind, rebooked, state),
    )


def _choice_made(
    kind: DisruptionKind, rebooked: Sequence[Segment], state: FlightState | None
) -> PassengerChoice:
    """A passenger whose delayed flight had left before they heard of the delay flew on
    it: the choice of a refund instead of travelling (EU261 Art 6(1)(iii) with Art
    8(1)(a), 14 CFR Part 260, APPR s.17) was made by travelling. What the delay owes
    otherwise (care, as reimbursement; compensation, by the arrival) stands."""
    if kind is DisruptionKind.DELAYED and not rebooked and state is not None:
        if state.left_before_news:
            return PassengerChoice.TRAVEL
    return PassengerChoice.UNDECIDED


def _stays_the_night(
    schedule: Schedule,
    *,
    planned: str | None,
    leaves_on: str,
    leaves_at: datetime,
    arrived: datetime | None,
) -> bool | None:
    """Whether the passenger stays a night where `leaves_on` leaves from (at `leaves_at`).

    The wait (`tools.policy.nights`) starts when the passenger would have left anyway,
    the departure as planned of `planned` (Art 5(1)(b): "the departure as planned for the
    cancelled flight"; for a re-routing the first booked flight it replaces, for a delay
    the flight itself), or when they get there if that is later (`arrived`: a late inbound
    at the transfer airport, a diversion). It is read on the clock of the airport where
    they wait: a missed connection waits at the transfer airport, not where the inbound
    left the day before (a night flight into a morning connection was read as a hotel
    night), and a diverted passenger flown back waits at the diversion airport, not on the
    clock of the airport the re-routing replaced (which put a morning departure from
    Zurich on the evening before in Los Angeles). None: nothing planned is replaced (the
    disrupted flight's own times decide, `tools.policy.facts.overnight`).
    """
    if planned is None:
        return None
    flights, airports = schedule.flights, schedule.airports
    ready = flights[planned].sched_dep
    if arrived is not None:
        ready = max(ready, arrived)
    return stays_the_night(ready, leaves_at, airports[flights[leaves_on].origin].tz)


def _arrival_at(
    schedule: Schedule,
    live: Callable[[str], tuple[datetime, datetime]],
    kept: Sequence[str],
    state: FlightState | None,
    leaves_on: str,
    leaves_at: datetime,
) -> datetime | None:
    """When the passenger reaches the airport `leaves_on` leaves from: the (estimated)
    arrival there of a flight they keep (the inbound of a connection), or of the disrupted
    flight diverted there (`state`). None: their journey starts there."""
    flights = schedule.flights
    airport = flights[leaves_on].origin
    times = [
        live(key)[1]
        for key in kept
        if flights[key].destination == airport and live(key)[1] <= leaves_at
    ]
    if state is not None and state.status is FlightStatus.DIVERTED and state.diverted_to == airport:
        times.append(state.est_arr)
    return max(times, default=None)


def _diverted_to(schedule: Schedule, state: FlightState | None, kind: DisruptionKind) -> str | None:
    """Where a diverted flight leaves a passenger nobody has rebooked: their journey, as
    flown, ends there, not at its destination (a different arrival airport is a significant
    change, 14 CFR 260.2). None when not diverted, or the airport is unknown."""
    if kind is not DisruptionKind.DIVERTED or state is None or state.diverted_to is None:
        return None
    return state.diverted_to if state.diverted_to in schedule.airports else None


def rerouted_entitlements(
    schedule: Schedule,
    board: LiveBoard,
    booking: Booking,
    *,
    tier: LoyaltyTier,
    flight_key: str,
    now: datetime,
    replace_seqs: Sequence[int],
    new_flights: Sequence[str] | None,
    cabin: Cabin | None,
    policy: PolicyConfig | None = None,
) -> Entitlements:
    """What the passenger would be owed if `replace_seqs` were replaced by `new_flights`.

    The rules judge the re-routing that is *offered* (EU261 Art 5(1)(c), 7(2)), so the
    reasoner can learn the price of an option, and the guard can check a plan's money
    against the option the plan actually books. `new_flights=None`: nothing is offered.

    Raises:
        NotFoundError: no such flight, or the booking has no segment on `flight_key`.
    """
    # The journey the flight is on, found once for the three that read it (a flight not
    # in the schedule: none, and `disruption_facts` says so).
    trip = (
        journey_of_flight(booking, flight_key, schedule.flights)
        if flight_key in schedule.flights
        else None
    )
    disruption = disruption_facts(schedule, board, booking, flight_key, now=now, journey=trip)
    if new_flights:
        flights = schedule.flights

        def live(key: str) -> tuple[datetime, datetime]:
            known = board.get(key)
            return (
                (known.est_dep, known.est_arr)
                if known
                else (
                    flights[key].sched_dep,
                    flights[key].sched_arr,
                )
            )

        on_journey = trip.active if trip is not None else booking.active_segments
        kept = [s for s in on_journey if s.seq not in set(replace_seqs)]
        journey = [*(s.flight_key for s in kept), *new_flights]
        journey.sort(key=lambda key: live(key)[0])
        disruption = disruption.model_copy(
            update={
                "actual_dep": live(new_flights[0])[0],
                # The journey leaves when its first flight as offered does (Art 5(1)(c)).
                "journey_departs_earlier_by": None
                if trip is None or not trip.ticketed
                else flights[trip.ticketed[0].flight_key].sched_dep - live(journey[0])[0],
                "actual_arr": live(new_flights[-1])[1],
                "cabin_flown": cabin,
                "connections_offered": len(journey) - 1,
                "alt_origin": flights[journey[0]].origin,
                "alt_destination": flights[journey[-1]].destination,
                "alternative_offered": True,
                "overnight": _stays_the_night(
                    schedule,
                    planned=next(
                        (s.flight_key for s in on_journey if s.seq in set(replace_seqs)), None
                    ),
                    leaves_on=new_flights[0],
                    leaves_at=live(new_flights[0])[0],
                    arrived=_arrival_at(
                        schedule,
                        live,
                        [s.flight_key for s in kept],
                        board.get(flight_key),
                        new_flights[0],
                        live(new_flights[0])[0],
                    ),
                ),
            }
        )
    elif disruption.kind in (DisruptionKind.CANCELLED, DisruptionKind.DIVERTED):
        # Nothing offered: a cancelled passenger does not travel, a diverted one is not
        # carried on from the diversion airport; either way no alternative was offered.
        disruption = disruption.model_copy(
            update={"actual_dep": None, "actual_arr": None, "alternative_offered": False}
        )
    facts = BookingFacts.from_booking(
        booking, tier=tier, flight_key=flight_key, flights=schedule.flights, journey=trip
    )
    return entitlements(facts, disruption, airports=schedule.airports, config=policy)
