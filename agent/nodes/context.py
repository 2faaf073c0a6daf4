"""The context node: everything the reasoner decides on, read live at decision time.

The booking, the live state of its flights, what broke on the journey the disrupted
flight is on, where its passengers start again and by when they must arrive
(`agent.planner.inputs`), the planner's assignment (seats held for the whole party) and
next-best options as
itineraries on the live board, what the passenger is owed (with citations) and what
customer memory recalls. The case searches nothing of its own: the wave planner placed
it with everyone else the wave disrupted, and when that placement cannot stand (a seat
given up, a stale approval, a re-check outside any wave) the planner places it again,
alone, against live inventory (`agent.planner.place`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from langgraph.runtime import Runtime

from agent.deps import AgentDeps
from agent.nodes.common import case_facts, local_time
from agent.planner.avoidance import breaks_avoidance
from agent.planner.inputs import Broken, broken_segments, ordered_segments
from agent.planner.options import red_eye
from agent.planner.place import Need, hold_key
from agent.seats_ahead import seats_for
from agent.state import (
    Assignment,
    CaseContext,
    CaseReason,
    CaseState,
)
from airline.holds import hold_id_for
from airline.models import Booking, Cabin, Customer, Flight, Preferences
from airline.ports import Seats
from airline.schedule import Schedule
from airline.zones import zone
from tools.flights import Itinerary, Leg, SearchRequest
from tools.plan import StartAgain
from tools.policy.results import Entitlements
from tools.policy.validate import owed_for
from tools.ranking import Ranking, explain

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


async def gather_context(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    deps = runtime.context
    schedule, board = deps.schedule, deps.board
    now = deps.clock.now()
    reason = CaseReason(state["reason"])
    read = await deps.reads.take(state["pnr"]) if deps.reads is not None else None
    if read is None:
        async with deps.persistence.reading() as work:
            booking = await work.reservations.load_booking(state["pnr"])
            customer = await work.reservations.load_customer(booking.customer_id)
    else:
        booking, customer = read
    preferences, recalled = await _recall(deps, customer.id, state["case_id"])
    segments = ordered_segments(schedule, booking)
    flights = {s.flight_key: st for s in segments if (st := board.get(s.flight_key))}
    disrupted = schedule.flights[state["flight_key"]]
    context = CaseContext(
        now=now,
        reason=reason,
        disrupted_flight=disrupted.key,
        booking=booking,
        customer=customer,
        flights=flights,
        replace_seqs=[],
        message_fields=_disruption_fields(schedule, disrupted, deps, customer.language),
        preferences=preferences,
        memory=recalled,
    )
    on_booking = any(s.flight_key == disrupted.key for s in segments)
    # Off the booking, only a re-routing a re-diversion left behind is broken
    # (`agent.planner.inputs.stale_rerouting`): it is placed again like the flight itself.
    broken = (
        None
        if reason in NEWS_ONLY
        else broken_segments(schedule, board, reason, booking, disrupted.key, now)
    )
    if reason in NEWS_ONLY or (not on_booking and broken is None):
        return {"context": _with_entitlements(context, deps, None)}
    if broken is None:
        return {"context": context}
    assignment = state.get("assignment")
    if not _usable(state, assignment, deps, preferences):
        if deps.seats is not None:  # placing it holds a seat: the batch's read is stale
            deps.seats.forget()
        assignment = await _replan(state, deps, reason, preferences, now)
    assert assignment is not None
    async with seats_for(deps.persistence, deps.seats) as seats:
        alternatives = await _itineraries(seats, deps, assignment, booking.seats_needed)
    context = context.model_copy(
        update={
            "replace_seqs": [s.seq for s in broken.replace],
            "origin": broken.origin,
            "destination": broken.destination,
            "earliest_dep": broken.earliest_dep,
            "arrive_by": broken.arrive_by,
            "also_from": _also_from(broken),
            "unreachable": broken.unreachable,
            "cabin": broken.replace[0].cabin,
            "alternatives": alternatives,
            "assignment": assignment,
            "ranking": _ranking(
                deps, alternatives, assignment, broken, disrupted, customer, booking, preferences
            ),
        }
    )
    best = alternatives[0] if assignment.placed and alternatives else None
    return {
        "context": _with_entitlements(context, deps, best),
        "assignment": assignment,
    }


def _also_from(broken: Broken) -> StartAgain | None:
    """The broken journey's second start, in the plan's terms (segments, not flights)."""
    restart = broken.also_from
    if restart is None:
        return None
    return StartAgain(
        replace_seqs=[s.seq for s in restart.replace],
        origin=restart.origin,
        earliest_dep=restart.earliest_dep,
    )


def _ranking(
    deps: AgentDeps,
    alternatives: list[Itinerary],
    assignment: Assignment,
    broken: Broken,
    disrupted: Flight,
    customer: Customer,
    booking: Booking,
    preferences: Preferences,
) -> Ranking | None:
    """The card's "why option 1": the options in the ranking's terms, the planner's
    order kept (it is a joint plan; `tools.ranking.explain` says when they differ)."""
    request = SearchRequest(
        origin=broken.origin,
        destination=broken.destination,
        earliest_dep=broken.earliest_dep,
        cabin=broken.replace[0].cabin,
        carrier=disrupted.carrier,
        other_carrier_after=deps.settings.other_carrier_after(customer.tier),
        preferences=_needs(preferences, booking),
    )
    return explain(alternatives, request, deps.schedule, planned=assignment.placed)


def _usable(
    state: CaseState, assignment: Assignment | None, deps: AgentDeps, preferences: Preferences
) -> bool:
    """The wave's assignment stands on the first pass, while its flights can still be
    boarded and it keeps the customer's hard preferences as memory holds them now. The
    wave planned knowing them (`agent.runtime.wave_preferences`), so a breach here means
    memory could not answer the wave, or changed since; after a lost seat or a stale
    approval, or when the assignment breaks a preference, the planner places the case
    again, knowing them."""
    if assignment is None or state.get("attempts", 0) or state.get("revision", 0):
        return False
    if preferences.avoid_overnight and red_eye(deps.schedule, deps.board, assignment.flights):
        return False
    if breaks_avoidance(deps.schedule, assignment.flights, preferences):
        return False
    return all((st := deps.board.get(key)) is not None and st.flyable for key in assignment.flights)


async def _replan(
    state: CaseState,
    deps: AgentDeps,
    reason: CaseReason,
    preferences: Preferences,
    now: datetime,
) -> Assignment:
    """Place this one case now against live inventory, holding its seat: the planner,
    not a search of the case's own, decides where it goes. Its earlier holds go back."""
    generation = f"r{state.get('revision', 0)}a{state.get('attempts', 0)}"
    need = Need(state["case_id"], state["pnr"], reason, state["flight_key"], preferences)
    async with deps.persistence.transaction() as work:
        await work.reservations.release_case_holds(
            state["case_id"], now, keep=hold_id_for(hold_key(need.case_id, generation))
        )
        placed = await work.place(
            deps.schedule,
            deps.board,
            [need],
            deps.settings.planner,
            now=now,
            generation=generation,
            join_companions=True,
        )
    return placed.assignments.get(state["case_id"]) or Assignment()


async def _itineraries(
    seats: Seats, deps: AgentDeps, assignment: Assignment, party: int
) -> list[Itinerary]:
    """The assignment (first) and the next-best options, as itineraries on the live board
    (their seats: those left, and on the assignment the `party`'s own, held for it)."""
    wanted = [assignment.flights] if assignment.placed else []
    wanted += [flights for flights in assignment.ranked if flights != assignment.flights]
    cabin = assignment.cabin or Cabin.ECONOMY
    counts = await seats.available_seats(sorted({k for f in wanted for k in f}), cabin)
    found = []
    for i, flights in enumerate(wanted):
        legs = [_leg(deps, key) for key in flights]
        if any(leg is None for leg in legs):
            continue
        left = min(counts.get(key, 0) for key in flights)
        if i == 0 and assignment.placed:
            left += party  # the party's own held seats
        found.append(Itinerary(legs=[leg for leg in legs if leg], cabin=cabin, seats=left))
    return found


def _leg(deps: AgentDeps, key: str) -> Leg | None:
    flight, state = deps.schedule.flights.get(key), deps.board.get(key)
    if flight is None or state is None:
        return None
    return Leg(
        flight_key=key,
        carrier=flight.carrier,
        origin=flight.origin,
        destination=flight.destination,
        dep=state.est_dep,
        arr=state.est_arr,
    )


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
    return owed_for(deps.schedule, deps.board, facts, flights, cabin, memo=deps.owed)


def _disruption_fields(
    schedule: Schedule, flight: Flight, deps: AgentDeps, language: str
) -> dict[str, str]:
    state = deps.board.get(flight.key)
    departure_zone = zone(schedule.airports[flight.origin].tz)
    arrival_zone = zone(schedule.airports[flight.destination].tz)
    delay = (state.est_dep - flight.sched_dep) if state else timedelta()
    return {
        "flight": f"{flight.carrier}{flight.number}",
        "route": f"{flight.origin}→{flight.destination}",
        "date": flight.service_date.isoformat(),
        "new_dep": local_time(
            schedule,
            flight.origin,
            state.est_dep if state else flight.sched_dep,
            # A delay past midnight says which day the flight now leaves.
            reference=flight.sched_dep.astimezone(departure_zone).date(),
            language=language,
        ),
        "minutes": str(max(0, int(delay.total_seconds() // 60))),
        "itinerary": "",
        "gate": (state.gate if state else None) or "",
        # News of a flight that had already left (a late record, or one that says it
        # departed) reaches passengers in the air: it tells when they land, not when
        # they leave, and care as something to claim back, not to show at a desk.
        "departed": "yes" if state is not None and state.left_before_news else "",
        "new_arr": local_time(
            schedule,
            flight.destination,
            state.est_arr if state else flight.sched_arr,
            reference=flight.sched_arr.astimezone(arrival_zone).date(),
            language=language,
        ),
    }


def _needs(preferences: Preferences, booking: Booking) -> Preferences:
    """The preferences the ranking's words use, with the booking's service requests as
    needs (a WCHR on the booking counts as much as a wheelchair remembered in memory)."""
    codes = {"WCHR": "wheelchair", "WCHS": "wheelchair", "WCHC": "wheelchair"}
    needs = [
        codes[c] for c in booking.ssr if c in codes and codes[c] not in preferences.accessibility
    ]
    if not needs:
        return preferences
    return preferences.model_copy(update={"accessibility": [*preferences.accessibility, *needs]})
