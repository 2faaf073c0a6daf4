"""The act node: run the approved actions in one transaction, each once (idempotency
keys), schedule the follow-ups of a rebooking, and close the case in that transaction.

This is the one path by which the agent changes bookings and pays (there is no second
set of write tools). Everything it writes goes through one unit of work
(`deps.persistence.transaction()`, `agent.work`): the airline's reservations and
ledger, the tools' outbox and the agent's cases, bound to one transaction. A rebooking
onto the planner's assignment confirms the seats held for the case
(`Reservations.confirm_hold`: `airline.holds.confirm_hold`), so it cannot lose them; a
rebooking onto another option (an operator's edit) gives the hold back and takes fresh
seats; a case that ends without a rebooking gives its hold back, and gives up a
re-routing its passengers can no longer reach (both in `agent.nodes.booking_changes`).
A seat that cannot be had after all (another option full, a hold expired, a flight
another daemon cancelled) sends the case back to the planner.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Literal

from langgraph.runtime import Runtime

from agent.deps import AgentDeps
from agent.nodes.approve import pending_notice_key
from agent.nodes.booking_changes import (
    close_what_it_replaced,
    give_up_unreachable,
    rebook,
    record_and_announce,
)
from agent.nodes.closing import case_outcome
from agent.nodes.common import (
    MAX_ATTEMPTS,
    describe_itinerary,
    describe_option,
    local_time,
    original_day,
)
from agent.nodes.effect_keys import (
    care_prefix,
    journey_of,
    ledger_keys,
    money_key,
    notify_key,
    rebook_key,
)
from agent.offer_terms import other_options, reply_deadline
from agent.scheduler import JobKind
from agent.state import (
    ALREADY_DONE,
    ALREADY_SENT,
    CareAction,
    CaseContext,
    CaseState,
    CompensateAction,
    Effect,
    NotifyAction,
    Outcome,
    ProposedAction,
    RebookAction,
    RefundOfferAction,
)
from agent.turns import my_turn
from agent.work import UnitOfWork
from airline.reservations import FlightClosedError, HoldExpiredError
from tools.notifications import FieldValue, message_deadline, with_preferences
from tools.policy.checks import (
    fallback_message,
)
from tools.policy.results import CareItem
from travel_agent.errors import NoSeatsError

log = logging.getLogger(__name__)

# A rebooked itinerary is looked at again this soon (and again before it departs).
RECHECK_SOON = timedelta(minutes=2)


async def act(state: CaseState, runtime: Runtime[AgentDeps]) -> CaseState:
    """Run the approved actions in one transaction, each once (idempotency keys)."""
    attempts = state.get("attempts", 0) + 1
    approved = state["verdict"].approved
    try:
        async with my_turn():  # more urgent passengers of the same disruption first
            effects, outcome = await _apply(state, runtime.context, approved)
    except (NoSeatsError, HoldExpiredError, FlightClosedError) as exc:
        if attempts < MAX_ATTEMPTS:
            # Another case took the last seat between our search and our booking, or
            # another daemon closed a flight of the plan (`airline.closed_flights`): the
            # planner places the case again, on the board as committed.
            # Per passenger: DEBUG. The wave's line counts what became of them.
            log.debug("case %s lost a seat race (%s); searching again", state["case_id"], exc)
            return {"attempts": attempts, "effects": [Effect.SEAT_RACE_LOST.record()]}
        # Out of attempts: the passenger must still hear from us, with what is true now.
        log.warning(
            "case %s lost the seat race %d times; telling the passenger", state["case_id"], attempts
        )
        told: list[ProposedAction] = [
            NotifyAction(message=fallback_message(a.message))
            for a in approved
            if isinstance(a, NotifyAction)
        ]
        effects, outcome = await _apply(
            state, runtime.context, told, before=[Effect.SEAT_RACE_EXHAUSTED.record()]
        )
    return {"effects": effects, "attempts": attempts, "outcome": outcome.value}


async def _apply(
    state: CaseState,
    deps: AgentDeps,
    actions: list[ProposedAction],
    *,
    before: list[str] | None = None,
) -> tuple[list[str], Outcome]:
    """Carry out `actions` and close the case, in one transaction: the effects (after
    `before`, effects already had) and the outcome."""
    context = state["context"]
    case_id, pnr = state["case_id"], state["pnr"]
    now = deps.clock.now()
    effects: list[str] = list(before or [])
    fields: dict[str, FieldValue] = dict(context.message_fields)
    async with deps.persistence.transaction() as work:
        await work.ledger.read_ahead(ledger_keys(state, actions))
        for action in actions:
            if isinstance(action, RebookAction):
                key = rebook_key(case_id)
                itinerary = next(
                    (a for a in context.alternatives if a.flight_keys == action.flights), None
                )
                fields["itinerary"] = describe_itinerary(
                    deps.schedule,
                    itinerary,
                    action.flights,
                    reference=original_day(deps.schedule, context.disrupted_flight),
                    language=context.customer.language,
                )
                if await work.ledger.done(key):
                    effects.append(Effect.REBOOK.record(ALREADY_DONE))
                    continue
                await rebook(work, state, action, key, now)
                # Open offers and other cases' approvals about the flights taken off
                # close with the change, and those approvals' held seats go back.
                gone = set(action.replace_seqs)
                replaced = [s.flight_key for s in context.booking.segments if s.seq in gone]
                await close_what_it_replaced(work, state, action.replace_seqs, replaced, now)
                await _follow_up(work, deps, case_id, pnr, action.flights, now)
                # The passenger may answer: keep it, take another option, or a refund.
                first = deps.schedule.flights[action.flights[0]]
                await work.cases.open_offer(
                    case_id=case_id,
                    pnr=pnr,
                    disruption_flight=context.disrupted_flight,
                    booked=action.flights,
                    alternatives=context.alternatives,
                    cabin=action.cabin,
                    departure=first.sched_dep,
                    now=now,
                )
                # ... until the offer's deadline, which the message tells them.
                fields["answer_by"] = local_time(
                    deps.schedule,
                    first.origin,
                    reply_deadline(now, first.sched_dep),
                    reference=original_day(deps.schedule, context.disrupted_flight),
                    language=context.customer.language,
                )
                # Options 2..N as the offer numbers them (the same function picks and
                # orders them), so "reply 2" is the option 2 the desk shows.
                fields["others"] = [
                    describe_option(
                        deps.schedule,
                        other,
                        reference=original_day(deps.schedule, context.disrupted_flight),
                        language=context.customer.language,
                    )
                    for other in other_options(action.flights, context.alternatives)
                ]
                effects.append(Effect.REBOOK.record())
            elif isinstance(action, CareAction):
                given = await _record_care(work, state, action, now)
                fields.update(_owed_fields(action, context))
                effects.append(Effect.CARE.record(None if given else ALREADY_DONE))
            elif isinstance(action, CompensateAction | RefundOfferAction):
                done = await _record_money(work, state, action, now)
                fields.update(_owed_fields(action, context))
                effects.append(Effect(action.kind).record(None if done else ALREADY_DONE))
            elif isinstance(action, NotifyAction):
                disrupted = deps.schedule.flights[context.disrupted_flight]
                for other in actions:  # the message tells everything owed, whatever the order
                    if isinstance(other, CompensateAction | CareAction | RefundOfferAction):
                        fields.update(_owed_fields(other, context))
                # One message to the booking's contact, and one to each passenger with a
                # contact of their own; a legal deadline beats their quiet hours.
                sent = await work.outbox.enqueue_for_booking(
                    idempotency_key=notify_key(state),
                    case_id=case_id,
                    booking=context.booking,
                    contact=with_preferences(context.customer, context.preferences),
                    kind=action.message,
                    fields=fields,
                    at=now,
                    departure=disrupted.sched_dep,
                    departure_tz=deps.schedule.airports[disrupted.origin].tz,
                    about=disrupted.key,
                    departure_told=_departure_told(context, deps),
                    deadline=None
                    if await work.ledger.done(pending_notice_key(state))
                    else message_deadline(action.message, context.entitlements),
                )
                effects.append(Effect.NOTIFY.record(action.message.value if sent else ALREADY_SENT))
        if not any(isinstance(a, RebookAction) for a in actions):
            await work.reservations.release_case_holds(case_id, now)  # the seat goes back
            if context.unreachable:
                effects.append(await give_up_unreachable(work, state, now))
        outcome = case_outcome(effects, state["verdict"].approved)
        await work.cases.close_case(case_id, outcome, now)
    return effects, outcome


async def _record_care(
    work: UnitOfWork, state: CaseState, action: CareAction, now: datetime
) -> bool:
    """Give the care items not yet given on this journey; False if every one already was.

    Care is owed for the passenger's wait, not per case: meals given on a delay are not
    given again when the flight is then cancelled, but the hotel the cancellation's
    overnight wait adds (Art 9(1)(b)) is, though the meals came first. The key names the
    items it gives, so a re-run after a crash finds them given and gives nothing twice.
    """
    prefix = care_prefix(state)
    given = {str(i) for d in await work.ledger.details_under(prefix) for i in d["items"]}
    new = sorted(item for item in action.items if item.value not in given)
    if not new:
        return False
    detail = action.model_dump(mode="json")
    detail.update(items=[item.value for item in new], journey=journey_of(state["context"]))
    await record_and_announce(
        work,
        key=prefix + "+".join(item.value for item in new) + ":v2",
        case_id=state["case_id"],
        action=action.kind,
        pnr=state["pnr"],
        detail=detail,
        at=now,
    )
    return True


async def _record_money(
    work: UnitOfWork,
    state: CaseState,
    action: CompensateAction | RefundOfferAction,
    now: datetime,
) -> bool:
    """Ledger the payment (or offer) once; False if it was already there."""
    key = money_key(state, action.kind)
    if await work.ledger.done(key):
        return False
    detail = action.model_dump(mode="json")
    owed = state["context"].entitlements
    if isinstance(action, CompensateAction) and owed is not None:
        item = owed.compensation(action.regime)
        detail["citation"] = item.citation if item else None
    await record_and_announce(
        work,
        key=key,
        case_id=state["case_id"],
        action=action.kind,
        pnr=state["pnr"],
        detail=detail,
        at=now,
    )
    return True


def _departure_told(context: CaseContext, deps: AgentDeps) -> datetime | None:
    """The departure of the disrupted flight the message states (the context's state of
    it, which the message's fields were written from): what the passenger now believes.
    None once the flight is gone."""
    key = context.disrupted_flight
    state = context.flights.get(key) or deps.board.get(key)
    return state.est_dep if state is not None and state.flyable else None


def _owed_fields(
    action: CompensateAction | CareAction | RefundOfferAction, context: CaseContext
) -> dict[str, str]:
    """What the passenger message says about money and care."""
    if isinstance(action, CompensateAction):
        item = context.entitlements.compensation(action.regime) if context.entitlements else None
        return {
            "compensation": (f"{action.passengers} × " if action.passengers > 1 else "")
            + f"{action.amount_cents / 100:.0f} {action.currency}",
            "citation": item.citation if item else action.regime.value.upper(),
        }
    if isinstance(action, CareAction):
        return {
            "care_meals": "yes" if CareItem.MEALS in action.items else "",
            "care_hotel": "yes" if CareItem.HOTEL in action.items else "",
        }
    return {"refund": f"{action.amount_cents / 100:.2f} {action.currency}"}


async def _follow_up(
    work: UnitOfWork,
    deps: AgentDeps,
    case_id: str,
    pnr: str,
    flights: list[str],
    now: datetime,
) -> None:
    """A re-check soon after (a change to the new flight that raced this rebooking found
    no one on it yet), and before the new departure a re-check and a reminder."""
    first = deps.schedule.flights[flights[0]]
    payload = {"case_id": case_id, "pnr": pnr, "flights": flights}
    before = timedelta(minutes=deps.settings.scheduler.reminder_before_minutes)
    jobs = [(f"recheck:{case_id}", JobKind.RECHECK, now + RECHECK_SOON)]
    if first.sched_dep - before > now + RECHECK_SOON:
        jobs.append((f"remind:{case_id}", JobKind.REMINDER, first.sched_dep - before))
    for key, kind, due in jobs:
        await work.cases.schedule_job(key=key, kind=kind, due_at=due, payload=payload)


async def after_act(state: CaseState) -> Literal["context", "remember"]:
    # async, though it awaits nothing: a sync one would run on a thread (`after_guard`).
    lost_race = state.get("effects") == [Effect.SEAT_RACE_LOST.record()]  # and attempts remain
    return "context" if lost_race and state.get("attempts", 0) < MAX_ATTEMPTS else "remember"
