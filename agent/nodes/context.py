"""The context node: everything the reasoner decides on, read live at decision time.

The booking, the live state of its flights, what broke and where the passenger starts
again, ranked alternatives on the live board, what the passenger is owed (with
citations) and what customer memory recalls.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from langgraph.runtime import Runtime

from agent.deps import AgentDeps
from agent.nodes.common import case_facts, local_time
from agent.state import (
    CaseContext,
    CaseReason,
    CaseState,
)
from airline.airports import minimum_connection_time
from airline.journeys import JourneyView, journey_of_flight
from airline.models import Booking, Cabin, Flight, FlightStatus, Preferences, Segment
from airline.reservations import (
    load_booking,
    load_customer,
)
from airline.schedule import Schedule
from tools.flights import Itinerary, SearchRequest, find_alternatives
from tools.policy.eu261 import rerouting_window
from tools.policy.results import Entitlements
from tools.policy.validate import owed_for

log = logging.getLogger(__name__)

# Reasons whose itinerary still works: nothing to search, only news and what is owed.
NEWS_ONLY = frozenset(
    {
        CaseReason.DELAYED,
        CaseReason.GATE_CHANGE,
        CaseReason.RECOVERED,
        CaseReason.ARRIVED_LATE,
        CaseReason.REINSTATED,
    }
)
# A passenger needs this long to reach a new departure after we tell them.
REBOOKING_LEAD = timedelta(minutes=45)
# Alternatives may leave this much before the cancelled flight when it was cancelled two
# weeks ahead or more (no window spares compensation then; Art 5(1)(c)(ii)'s is kept).
EARLIER_DEPARTURE = timedelta(hours=2)
# A diverted aircraft's passengers need time to deplane before any onward flight.
DIVERSION_DEPLANE = timedelta(hours=1)


async def gather_context(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    deps = runtime.context
    schedule, board = deps.schedule, deps.board
    now = deps.clock.now()
    reason = CaseReason(state["reason"])
    async with deps.db.session() as session:
        booking = await load_booking(session, state["pnr"])
        customer = await load_customer(session, booking.customer_id)
        preferences, recalled = await _recall(deps, customer.id, state["case_id"])
        everything = sorted(
            booking.active_segments, key=lambda s: schedule.flights[s.flight_key].sched_dep
        )
        flights = {s.flight_key: st for s in everything if (st := board.get(s.flight_key))}
        disrupted = schedule.flights[state["flight_key"]]
        # What the disruption breaks is the journey it is on; the booking's other
        # journeys (a return, the next city) keep their segments.
        journey = journey_of_flight(booking, disrupted.key, schedule.flights)
        segments = journey.active if journey is not None else everything
        context = CaseContext(
            now=now,
            reason=reason,
            disrupted_flight=disrupted.key,
            booking=booking,
            customer=customer,
            flights=flights,
            replace_seqs=[],
            message_fields=_disruption_fields(schedule, disrupted, deps),
            preferences=preferences,
            memory=recalled,
        )
        index = next((i for i, s in enumerate(segments) if s.flight_key == disrupted.key), None)
        if index is None or reason in NEWS_ONLY:
            return {"context": _with_entitlements(context, deps, None)}
        broken = _broken_segments(schedule, deps, reason, segments, index, now)
        if broken is None:
            return {"context": context}
        replace, origin, earliest = broken
        destination = (
            journey.destination
            if journey is not None
            else schedule.flights[segments[-1].flight_key].destination
        )
        cabin = replace[0].cabin
        alternatives = await find_alternatives(
            session,
            schedule,
            board,
            SearchRequest(
                origin=origin,
                destination=destination,
                earliest_dep=earliest,
                cabin=cabin,
                party=booking.seats_needed,
                carrier=disrupted.carrier,
                horizon=timedelta(hours=deps.settings.rebook_horizon_hours),
                other_carrier_after=deps.settings.other_carrier_after(customer.tier),
                exclude=frozenset(s.flight_key for s in replace),
                preferences=_needs(preferences, booking),
                arrive_by=_before_next_journey(schedule, deps, booking, journey, everything),
            ),
        )
    context = context.model_copy(
        update={
            "replace_seqs": [s.seq for s in replace],
            "origin": origin,
            "destination": destination,
            "earliest_dep": earliest,
            "cabin": cabin,
            "alternatives": alternatives,
        }
    )
    return {"context": _with_entitlements(context, deps, alternatives[0] if alternatives else None)}


async def _recall(deps: AgentDeps, customer_id: str, case_id: str) -> tuple[Preferences, list[str]]:
    """The customer's preferences and recent history from memory (none without memory).

    Memory is advice, never a reason to fail a case: if it cannot answer, the case runs
    on the booking alone and says so in the log.
    """
    if deps.memory is None:
        return Preferences(), []
    try:
        profile = await deps.memory.profile(customer_id, history=5)
    except Exception:
        log.exception("case %s: customer memory did not answer; going on without", case_id)
        return Preferences(), []
    return profile.preferences, [
        f"{r.at:%Y-%m-%d} {r.kind.value}: {r.text}" for r in profile.history
    ]


def _with_entitlements(
    context: CaseContext, deps: AgentDeps, best: Itinerary | None
) -> CaseContext:
    """What the passenger is owed if rebooked onto `best` (or as things stand)."""
    found = owed(context, deps, best.flight_keys if best else None, context.cabin)
    return context.model_copy(update={"entitlements": found})


def owed(
    context: CaseContext, deps: AgentDeps, flights: list[str] | None, cabin: Cabin | None
) -> Entitlements | None:
    facts = case_facts(context, deps.settings.policy)
    return owed_for(deps.schedule, deps.board, facts, flights, cabin)


def _broken_segments(
    schedule: Schedule,
    deps: AgentDeps,
    reason: CaseReason,
    segments: list[Segment],
    index: int,
    now: datetime,
) -> tuple[list[Segment], str, datetime] | None:
    """The segments to replace, where the passenger starts again, and from when."""
    disrupted = schedule.flights[segments[index].flight_key]
    state = deps.board.get(disrupted.key)
    if reason == CaseReason.CANCELLED:
        if state is not None and state.status != FlightStatus.CANCELLED:
            return None  # reinstated since the case opened (a stale approval re-planned)
        earlier = earlier_departure(now, disrupted)
        earliest = max(now + REBOOKING_LEAD, disrupted.sched_dep - earlier)
        return segments[index:], disrupted.origin, earliest
    if reason == CaseReason.DIVERTED:
        landed_at = (state.diverted_to if state else None) or disrupted.origin
        arrival = state.est_arr if state else disrupted.sched_arr
        return segments[index:], landed_at, max(now, arrival) + DIVERSION_DEPLANE
    # Missed connection: check again on the live board; the delay may have shrunk since.
    if index + 1 >= len(segments) or state is None:
        return None
    onward = schedule.flights[segments[index + 1].flight_key]
    onward_state = deps.board.get(onward.key)
    hub = schedule.airports[disrupted.destination]
    mct = minimum_connection_time(
        hub,
        international=schedule.is_international(hub.iata, disrupted.origin, onward.destination),
    )
    onward_dep = onward_state.est_dep if onward_state else onward.sched_dep
    if onward_dep - state.est_arr >= mct:
        return None
    return segments[index + 1 :], disrupted.destination, max(now, state.est_arr) + mct


def earlier_departure(now: datetime, disrupted: Flight) -> timedelta:
    """How much before the cancelled flight an alternative may leave: the Art 5(1)(c)
    window of the notice the passenger gets now (1 h under seven days, 2 h from seven),
    so the re-routing offered is one the regulation counts as close to the schedule."""
    window = rerouting_window(disrupted.sched_dep - now)
    return window.earlier if window is not None else EARLIER_DEPARTURE


def _before_next_journey(
    schedule: Schedule,
    deps: AgentDeps,
    booking: Booking,
    journey: JourneyView | None,
    segments: list[Segment],
) -> datetime | None:
    """The latest a re-accommodated journey may arrive so that the booking's next journey
    (the return of a return trip) still works: its first flight's departure, less the
    minimum connection time at its airport. None when no journey follows."""
    if journey is None:
        return None
    later = [s for s in segments if s.journey > journey.seq]
    if not later:
        return None
    first = schedule.flights[later[0].flight_key]
    state = deps.board.get(first.key)
    departs = state.est_dep if state else first.sched_dep
    airport = schedule.airports[first.origin]
    return departs - minimum_connection_time(
        airport, international=schedule.is_international(airport.iata, first.destination)
    )


def _disruption_fields(schedule: Schedule, flight: Flight, deps: AgentDeps) -> dict[str, str]:
    state = deps.board.get(flight.key)
    delay = (state.est_dep - flight.sched_dep) if state else timedelta()
    return {
        "flight": f"{flight.carrier}{flight.number}",
        "route": f"{flight.origin}→{flight.destination}",
        "date": flight.service_date.isoformat(),
        "new_dep": local_time(
            schedule, flight.origin, state.est_dep if state else flight.sched_dep
        ),
        "minutes": str(max(0, int(delay.total_seconds() // 60))),
        "itinerary": "",
        "gate": (state.gate if state else None) or "",
    }


def _needs(preferences: Preferences, booking: Booking) -> Preferences:
    """The preferences the search ranks by, with the booking's service requests as needs
    (a WCHR on the booking counts as much as a wheelchair remembered in memory)."""
    codes = {"WCHR": "wheelchair", "WCHS": "wheelchair", "WCHC": "wheelchair"}
    needs = [
        codes[c] for c in booking.ssr if c in codes and codes[c] not in preferences.accessibility
    ]
    if not needs:
        return preferences
    return preferences.model_copy(update={"accessibility": [*preferences.accessibility, *needs]})
