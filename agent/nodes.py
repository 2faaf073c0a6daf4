"""The graph's nodes: gather context · make a plan · guard it · act · remember.

Each node reads the live state it needs at the moment it runs (never a cached snapshot)
and returns only the keys it changes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from langgraph.runtime import Runtime
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from agent.autonomy import assess
from agent.deps import AgentDeps
from agent.scheduler import JobKind, schedule_job
from agent.state import (
    CareAction,
    CaseContext,
    CaseReason,
    CaseState,
    CaseStatus,
    CompensateAction,
    NotifyAction,
    Outcome,
    ProposedAction,
    RebookAction,
    RefundOfferAction,
    Verdict,
)
from airline.airports import minimum_connection_time
from airline.db import CaseRow
from airline.errors import NoSeatsError, NotFoundError
from airline.models import Cabin, Flight, Preferences, Segment
from airline.reservations import (
    effect_done,
    load_booking,
    load_customer,
    rebook,
    record_effect,
)
from airline.schedule import Schedule
from tools.case_facts import rerouted_entitlements
from tools.effects import action_event
from tools.flights import Itinerary, SearchRequest, find_alternatives
from tools.notifications import enqueue_notification, with_preferences
from tools.policy.guard import (
    NO_SEAT,
    check_money,
    complete_money,
    fallback_message,
    rebook_violations,
)
from tools.policy.results import CareItem, Entitlements

log = logging.getLogger(__name__)

# A passenger needs this long to reach a new departure after we tell them.
REBOOKING_LEAD = timedelta(minutes=45)
# Alternatives may leave this much before the cancelled flight (EU261 Art 5(1)(c)(iii)).
EARLIER_DEPARTURE = timedelta(hours=1)
# A diverted aircraft's passengers need time to deplane before any onward flight.
DIVERSION_DEPLANE = timedelta(hours=1)
MAX_ATTEMPTS = 3
# A rebooked itinerary is looked at again this soon (and again before it departs).
RECHECK_SOON = timedelta(minutes=2)


async def gather_context(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    deps = runtime.context
    schedule, board = deps.schedule, deps.board
    now = deps.clock.now()
    reason = CaseReason(state["reason"])
    async with deps.db.session() as session:
        booking = await load_booking(session, state["pnr"])
        customer = await load_customer(session, booking.customer_id)
        preferences, recalled = await _recall(deps, customer.id, state["case_id"])
        segments = sorted(
            booking.active_segments, key=lambda s: schedule.flights[s.flight_key].sched_dep
        )
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
            message_fields=_disruption_fields(schedule, disrupted, deps),
            preferences=preferences,
            memory=recalled,
        )
        index = next((i for i, s in enumerate(segments) if s.flight_key == disrupted.key), None)
        if index is None or reason in (CaseReason.DELAYED, CaseReason.GATE_CHANGE):
            return {"context": _with_entitlements(context, deps, None)}
        broken = _broken_segments(schedule, deps, reason, segments, index, now)
        if broken is None:
            return {"context": context}
        replace, origin, earliest = broken
        destination = schedule.flights[segments[-1].flight_key].destination
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
                carrier=disrupted.carrier,
                horizon=timedelta(hours=deps.settings.rebook_horizon_hours),
                other_carrier_after=deps.settings.other_carrier_after(customer.tier),
                exclude=frozenset(s.flight_key for s in replace),
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
    owed = _owed(context, deps, best.flight_keys if best else None, context.cabin)
    return context.model_copy(update={"entitlements": owed})


def _owed(
    context: CaseContext, deps: AgentDeps, flights: list[str] | None, cabin: Cabin | None
) -> Entitlements | None:
    try:
        return rerouted_entitlements(
            deps.schedule,
            deps.board,
            context.booking,
            tier=context.customer.tier,
            flight_key=context.disrupted_flight,
            now=context.now,
            replace_seqs=context.replace_seqs,
            new_flights=flights,
            cabin=cabin,
        )
    except NotFoundError:  # the flight is no longer on the booking: nothing is owed for it
        return None


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
        earliest = max(now + REBOOKING_LEAD, disrupted.sched_dep - EARLIER_DEPARTURE)
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


async def make_plan(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    plan = await runtime.context.reasoner.plan(state["context"])
    return {"plan": plan}


async def guard_plan(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Refuse what breaks policy or live facts; repair what can be; say what needs a human."""
    deps, context, plan = runtime.context, state["context"], state["plan"]
    approved: list[ProposedAction] = []
    violations: list[str] = []
    repairs: list[str] = []
    rebook_refused = False
    async with deps.db.session() as session:
        for action in plan.actions:
            if isinstance(action, RebookAction):
                if any(isinstance(a, RebookAction) for a in approved):
                    repairs.append("kept one rebooking of several: one itinerary per case")
                    continue
                found = await rebook_violations(
                    session,
                    deps.schedule,
                    deps.board,
                    flights=action.flights,
                    replace_seqs=action.replace_seqs,
                    cabin=action.cabin,
                    broken_seqs=context.replace_seqs,
                    origin=context.origin,
                    destination=context.destination,
                    booked_cabin=context.cabin,
                    not_before=context.earliest_dep,
                    allow_cabin_change=True,  # allowed, but a human decides (approve node)
                )
                if found:
                    violations.extend(found)
                    rebook_refused = True
                    continue
            approved.append(action)
    notifies = [a for a in approved if isinstance(a, NotifyAction)]
    if len(notifies) > 1:
        repairs.append(f"kept one of {len(notifies)} messages: one per passenger per change")
        approved = [a for a in approved if not isinstance(a, NotifyAction)] + notifies[:1]
    if rebook_refused:
        for i, action in enumerate(approved):
            if isinstance(action, NotifyAction) and action.message != (
                fallback := fallback_message(action.message)
            ):
                approved[i] = NotifyAction(message=fallback)
                repairs.append(f"message {action.message} became {fallback}: rebooking refused")
    rebooking = next((a for a in approved if isinstance(a, RebookAction)), None)
    owed = _owed(
        context,
        deps,
        rebooking.flights if rebooking else None,
        rebooking.cabin if rebooking else context.cabin,
    ) or Entitlements(regimes=(), distance_km=0)
    money = check_money(
        approved, owed, price_cents=context.booking.price_cents, currency=context.booking.currency
    )
    violations.extend(money.violations)
    repairs.extend(money.repairs)
    if plan.actions:  # a plan that acts pays what is owed, whichever reasoner made it
        # (compensation for a delay waits for the actual arrival it is judged on)
        money.approved, added = complete_money(
            money.approved, owed, compensation=context.reason != CaseReason.DELAYED
        )
        repairs.extend(added)
    limits = assess(
        plan, money.approved, context, deps.schedule, deps.settings.approvals, repairs=repairs
    )
    verdict = Verdict(
        approved=money.approved,
        violations=violations,
        repairs=repairs,
        needs_human=limits.reasons,
        cost_cents=limits.cost_cents,
    )
    if violations and all(v.startswith(NO_SEAT) for v in violations):
        # The seat went to another case after our search: search again rather than tell
        # the passenger there is no alternative.
        return {"verdict": verdict, "attempts": state.get("attempts", 0) + 1}
    return {"verdict": verdict}


def after_guard(state: CaseState) -> Literal["context", "approve"]:
    violations = state["verdict"].violations
    seats_gone = bool(violations) and all(v.startswith(NO_SEAT) for v in violations)
    return "context" if seats_gone and state.get("attempts", 0) < MAX_ATTEMPTS else "approve"


async def act(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Run the approved actions in one transaction, each once (idempotency keys)."""
    attempts = state.get("attempts", 0) + 1
    approved = state["verdict"].approved
    try:
        effects = await _apply(state, runtime.context, approved)
    except NoSeatsError as exc:
        if attempts < MAX_ATTEMPTS:
            # Another case took the last seat between our search and our booking.
            log.info("case %s lost a seat race (%s); searching again", state["case_id"], exc)
            return {"attempts": attempts, "effects": ["seat-race-lost"]}
        # Out of attempts: the passenger must still hear from us, with what is true now.
        log.warning(
            "case %s lost the seat race %d times; telling the passenger", state["case_id"], attempts
        )
        told: list[ProposedAction] = [
            NotifyAction(message=fallback_message(a.message))
            for a in approved
            if isinstance(a, NotifyAction)
        ]
        effects = ["seat-race-exhausted", *await _apply(state, runtime.context, told)]
    return {"effects": effects, "attempts": attempts}


async def _apply(state: CaseState, deps: AgentDeps, actions: list[ProposedAction]) -> list[str]:
    context = state["context"]
    case_id, pnr = state["case_id"], state["pnr"]
    now = deps.clock.now()
    effects: list[str] = []
    fields = dict(context.message_fields)
    async with deps.db.transaction() as session:
        for action in actions:
            if isinstance(action, RebookAction):
                key = f"{case_id}:rebook:v1"
                itinerary = next(
                    (a for a in context.alternatives if a.flight_keys == action.flights), None
                )
                fields["itinerary"] = _describe(deps.schedule, itinerary, action.flights)
                if await effect_done(session, key):
                    effects.append("rebook:already-done")
                    continue
                await rebook(
                    session,
                    pnr=pnr,
                    replace_seqs=action.replace_seqs,
                    new_flights=action.flights,
                    cabin=action.cabin,
                )
                detail = action.model_dump(mode="json")
                await record_effect(
                    session,
                    idempotency_key=key,
                    case_id=case_id,
                    action="rebook",
                    pnr=pnr,
                    detail=detail,
                    at=now,
                )
                session.add(action_event(key, case_id, pnr, "rebook", detail, now))
                await _follow_up(session, deps, case_id, pnr, action.flights, now)
                effects.append("rebook")
            elif isinstance(action, CompensateAction | CareAction | RefundOfferAction):
                done = await _record_money(session, deps, state, action, now)
                fields.update(_owed_fields(action, context))
                effects.append(action.kind if done else f"{action.kind}:already-done")
            elif isinstance(action, NotifyAction):
                disrupted = deps.schedule.flights[context.disrupted_flight]
                for other in actions:  # the message tells everything owed, whatever the order
                    if isinstance(other, CompensateAction | CareAction | RefundOfferAction):
                        fields.update(_owed_fields(other, context))
                sent = await enqueue_notification(
                    session,
                    idempotency_key=f"notify:{state['disruption_id']}:{context.customer.id}",
                    case_id=case_id,
                    pnr=pnr,
                    customer=with_preferences(context.customer, context.preferences),
                    kind=action.message,
                    fields=fields,
                    at=now,
                    departure=disrupted.sched_dep,
                    departure_tz=deps.schedule.airports[disrupted.origin].tz,
                    about=disrupted.key,
                )
                effects.append(f"notify:{action.message}" if sent else "notify:already-sent")
    return effects


async def _record_money(
    session: AsyncSession,
    deps: AgentDeps,
    state: CaseState,
    action: CompensateAction | CareAction | RefundOfferAction,
    now: datetime,
) -> bool:
    """Ledger the payment (or offer) once; False if it was already there."""
    key = f"{state['case_id']}:{action.kind}:v1"
    if await effect_done(session, key):
        return False
    detail = action.model_dump(mode="json")
    owed = state["context"].entitlements
    if isinstance(action, CompensateAction) and owed is not None:
        item = owed.compensation(action.regime)
        detail["citation"] = item.citation if item else None
    await record_effect(
        session,
        idempotency_key=key,
        case_id=state["case_id"],
        action=action.kind,
        pnr=state["pnr"],
        detail=detail,
        at=now,
    )
    session.add(action_event(key, state["case_id"], state["pnr"], action.kind, detail, now))
    return True


def _owed_fields(
    action: CompensateAction | CareAction | RefundOfferAction, context: CaseContext
) -> dict[str, str]:
    """What the passenger message says about money and care."""
    if isinstance(action, CompensateAction):
        item = context.entitlements.compensation(action.regime) if context.entitlements else None
        return {
            "compensation": f"{action.amount_cents / 100:.0f} {action.currency}",
            "citation": item.citation if item else action.regime.value.upper(),
        }
    if isinstance(action, CareAction):
        return {
            "care_meals": "yes" if CareItem.MEALS in action.items else "",
            "care_hotel": "yes" if CareItem.HOTEL in action.items else "",
        }
    return {"refund": f"{action.amount_cents / 100:.2f} {action.currency}"}


async def _follow_up(
    session: AsyncSession,
    deps: AgentDeps,
    case_id: str,
    pnr: str,
    flights: list[str],
    now: datetime,
) -> None:
    """A reminder before the new departure, and re-checks that it still flies."""
    first = deps.schedule.flights[flights[0]]
    timing = deps.settings.scheduler
    payload = {"case_id": case_id, "pnr": pnr, "flights": flights}
    remind_at = first.sched_dep - timedelta(minutes=timing.reminder_before_minutes)
    if remind_at > now:
        await schedule_job(
            session,
            deps.db,
            key=f"remind:{case_id}",
            kind=JobKind.REMINDER,
            due_at=remind_at,
            payload=payload,
        )
    # Soon: a change to the new flight that raced our rebooking found no one on it yet.
    for label, due in (
        ("soon", now + RECHECK_SOON),
        ("before", first.sched_dep - timedelta(minutes=timing.recheck_before_minutes)),
    ):
        if due >= now:
            await schedule_job(
                session,
                deps.db,
                key=f"recheck:{case_id}:{label}",
                kind=JobKind.RECHECK,
                due_at=due,
                payload=payload,
            )


def after_act(state: CaseState) -> Literal["context", "remember"]:
    lost_race = state.get("effects") == ["seat-race-lost"]  # and attempts remain
    return "context" if lost_race and state.get("attempts", 0) < MAX_ATTEMPTS else "remember"


async def remember(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Close the case with its outcome. (Customer memory joins here when it lands.)"""
    effects = state.get("effects", [])
    approved = state["verdict"].approved if "verdict" in state else []
    if any(e.startswith("rebook") for e in effects):
        outcome = Outcome.REBOOKED
    elif "seat-race-exhausted" in effects or any(
        isinstance(a, NotifyAction) and a.message.value.endswith("no_alternative") for a in approved
    ):
        outcome = Outcome.NO_ALTERNATIVE
    elif any(e.startswith("notify") for e in effects):
        outcome = Outcome.NOTIFIED
    else:
        outcome = Outcome.NOTHING_TO_DO
    deps = runtime.context
    async with deps.db.transaction() as session:
        await session.execute(
            update(CaseRow)
            # A case closed before keeps its outcome if it is ever run again.
            .where(
                CaseRow.id == state["case_id"],
                CaseRow.status.in_([CaseStatus.PENDING, CaseStatus.AWAITING_APPROVAL]),
            )
            .values(
                status=CaseStatus.DONE,
                outcome=outcome.value,
                updated_at=deps.clock.now(),
            )
        )
    return {"outcome": outcome.value}


def _local(schedule: Schedule, airport: str, instant: datetime) -> str:
    return instant.astimezone(ZoneInfo(schedule.airports[airport].tz)).strftime("%H:%M")


def _disruption_fields(schedule: Schedule, flight: Flight, deps: AgentDeps) -> dict[str, str]:
    state = deps.board.get(flight.key)
    delay = (state.est_dep - flight.sched_dep) if state else timedelta()
    return {
        "flight": f"{flight.carrier}{flight.number}",
        "route": f"{flight.origin}→{flight.destination}",
        "date": flight.service_date.isoformat(),
        "new_dep": _local(schedule, flight.origin, state.est_dep if state else flight.sched_dep),
        "minutes": str(max(0, int(delay.total_seconds() // 60))),
        "itinerary": "",
        "gate": (state.gate if state else None) or "",
    }


def _describe(schedule: Schedule, itinerary: Itinerary | None, flights: list[str]) -> str:
    """e.g. "XA123 FRA 14:05 → LHR 14:50" with local times, legs joined by " / "."""
    if itinerary is None:
        return " / ".join(flights)
    return " / ".join(
        f"{leg.flight_key.split('/')[0]} {leg.origin} {_local(schedule, leg.origin, leg.dep)}"
        f" → {leg.destination} {_local(schedule, leg.destination, leg.arr)}"
        for leg in itinerary.legs
    )
