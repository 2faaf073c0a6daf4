"""A passenger's refund choice, carried out: the one effect that refunds a disrupted journey.

The passenger declined the re-routing (or the delayed flight) and took the refund their
rights give them: EU261/UK261 Art 8(1)(a) (a cancellation, or a delay of five hours or
more, Art 6(1)(iii)), US DOT 14 CFR Part 260 (a cancellation or significant change not
accepted), APPR s.17 / s.18. `refund_journey` checks on live facts that a rule gives the
refund now, and in one transaction, once per booking, journey and disrupted flight:

- gives back the seats of the disrupted journey and of the journeys after it (they serve
  no purpose without it; `tools.policy.refunds.refunded_journeys`), the whole booking's
  when nothing is left;
- records the refund in the ledger with its amount, the deadline the rules set (7 days;
  7 business days to a card or 20 days otherwise under 14 CFR 260; 30 under APPR) and
  who chose it, and announces it on `agent.actions`;
- pays the compensation owed for the journey if it was not paid yet (APPR s.19(2) pays
  CAD 400 / 125 when the ticket is refunded);
- confirms it to every recipient of the booking.

It is the tools' half of a choice; `agent.choices.take_refund` is the one place a
choice is taken (it also makes a pending approval of the booking stale).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from airline import reservations
from airline.journeys import journey_of_flight
from airline.models import BookingStatus, Preferences
from tools.case_facts import disruption_facts
from tools.effects import (
    InTransaction,
    ToolDeps,
    ToolResult,
    ToolStatus,
    action_event,
    compensation_key,
    record_and_announce,
    replayed,
    run_once,
)
from tools.notifications import MessageKind, enqueue_for_booking, with_preferences
from tools.plan import CompensateAction
from tools.policy.checks import owed_actions
from tools.policy.entitlements import (
    BookingFacts,
    DisruptionKind,
    EntitlementKind,
    Entitlements,
    PassengerChoice,
    entitlements,
)
from tools.policy.refunds import refund_cents, refund_due, refunded_journeys
from travel_agent.errors import NotFoundError

__all__ = ["RefundChoice", "refund_journey", "refund_key"]


class RefundChoice(BaseModel):
    """A passenger declines the alternative and takes the refund."""

    pnr: str
    flight_key: str = Field(description="the disrupted flight whose journey is refunded")
    chosen_at: datetime = Field(description="when the passenger chose (deadlines run from it)")
    chosen_by: str = Field(default="passenger", description="who recorded it: an operator")
    source: Literal["desk", "cli", "reply", "api"] = "desk"


def refund_key(pnr: str, journey: int, flight_key: str) -> str:
    """One refund per booking, journey and disrupted flight."""
    return f"refund:{pnr}:j{journey}:{flight_key}"


async def refund_journey(
    deps: ToolDeps,
    choice: RefundChoice,
    *,
    case_id: str | None = None,
    preferences: Preferences | None = None,
    and_then: InTransaction | None = None,
) -> ToolResult:
    """Carry out `choice` (see the module docstring); ``final`` when no rule gives the
    refund now or the booking is closed, ``ok`` (``replayed`` the second time) when done.
    The confirmation reaches the customer as `preferences` say (their stated wishes as
    memory has them now, `tools.notifications.stated_now`); `and_then` is written in the
    refund's transaction once it is made."""
    now = deps.clock.now()
    flights = deps.schedule.flights
    async with deps.db.session() as session:  # which journey: it does not change
        try:
            booking = await reservations.load_booking(session, choice.pnr)
        except NotFoundError as exc:
            return _final(str(exc), "not_found")
    found = journey_of_flight(booking, choice.flight_key, flights)
    if found is None:
        return _final(f"booking {choice.pnr} has no flight {choice.flight_key}", "not_found")
    journey = found.seq
    key = refund_key(choice.pnr, journey, choice.flight_key)

    async def work(session: AsyncSession) -> ToolResult:
        # Lock, then look for the key: a concurrent choice has committed by then, or not begun.
        await reservations.lock_booking(session, choice.pnr)
        booking = await reservations.load_booking(session, choice.pnr)
        trip = journey_of_flight(booking, choice.flight_key, flights)
        assert trip is not None and trip.seq == journey
        if (done := await reservations.effect_detail(session, key)) is not None:
            return replayed("refund", done)
        if booking.status != BookingStatus.ACTIVE:
            return _final(f"booking {choice.pnr} is {booking.status.value}", "booking_closed")
        customer = await reservations.load_customer(session, booking.customer_id)
        disruption = disruption_facts(
            deps.schedule, deps.board, booking, choice.flight_key, now=choice.chosen_at
        )
        # The passenger does not travel. A cancellation is still judged on the re-routing
        # offered (Art 5(1)(c), 7(2)); a delayed flight they do not take lands them nowhere.
        update: dict[str, Any] = {"choice": PassengerChoice.REFUND}
        if disruption.kind is not DisruptionKind.CANCELLED:
            update["actual_arr"] = None
        disruption = disruption.model_copy(update=update)
        facts = BookingFacts.from_booking(
            booking, tier=customer.tier, flight_key=choice.flight_key, flights=flights
        )
        owed = entitlements(facts, disruption, airports=deps.schedule.airports, config=deps.policy)
        rights = owed.of(kind=EntitlementKind.REFUND)
        if not rights:
            why = "; ".join(f"{n.citation}: {n.reason}" for n in owed.notes) or "none applies"
            return _final(f"no rule gives a refund for {choice.flight_key} now ({why})", "no_right")
        journeys = refunded_journeys(booking, trip.seq)
        amount = refund_cents(booking, journeys)
        due = refund_due(
            [r.regime for r in rights],
            chosen_at=choice.chosen_at,
            payment=booking.payment,
            config=deps.policy,
        )
        assert due is not None  # every regime that gives a refund sets its deadline
        every = set(journeys) >= {j.seq for j in booking.journeys} | {
            s.journey for s in booking.segments
        }
        case = case_id or f"choice:{choice.pnr}"
        detail: dict[str, Any] = {
            "flight_key": choice.flight_key,
            "journey": trip.seq,
            "citations": [r.citation for r in rights],
            "due_by": due.due_by.isoformat(),
            "due_citation": due.citation,
            "payment": booking.payment.value,
            "chosen_by": choice.chosen_by,
            "source": choice.source,
            "chosen_at": choice.chosen_at.isoformat(),
        }
        settled = await reservations.refund(
            session,
            key=key,
            case_id=case,
            pnr=choice.pnr,
            amount_cents=amount,
            reason=f"the passenger declined {choice.flight_key} and took the refund "
            f"({', '.join(r.citation for r in rights)})",
            now=now,
            journeys=None if every else journeys,
            detail=detail,
        )
        recorded = {**detail, **settled.model_dump(mode="json", exclude={"replayed"})}
        session.add(action_event(key, case, choice.pnr, "refund", recorded, now))
        paid = await _compensation_still_owed(session, owed, choice.pnr, trip.seq, case, now)
        flight = flights[choice.flight_key]
        days = math.ceil((due.due_by - choice.chosen_at) / timedelta(days=1))
        await enqueue_for_booking(
            session,
            idempotency_key=f"notify:{key}",
            case_id=case,
            booking=booking,
            contact=with_preferences(customer, preferences or Preferences()),
            kind=MessageKind.REFUND,
            fields={
                "flight": f"{flight.carrier}{flight.number}",
                "route": f"{flight.origin}→{flight.destination}",
                "date": flight.service_date.isoformat(),
                "amount": f"{amount / 100:.2f} {booking.currency}",
                "days": str(days),
            },
            at=now,
            # News that keeps until morning: it waits out the night where the flight leaves.
            departure=flight.sched_dep,
            departure_tz=deps.schedule.airports[flight.origin].tz,
        )
        if and_then is not None:
            await and_then(session)
        return ToolResult(
            status=ToolStatus.OK,
            action="refund",
            message=f"booking {choice.pnr}: journey(s) {journeys} refunded, "
            f"{amount / 100:.2f} {booking.currency}"
            + f", due by {due.due_by:%Y-%m-%d} ({due.citation})"
            + (f"; compensation {paid} paid" if paid else ""),
            detail=recorded,
        )

    return await run_once(deps, key, "refund", work)


async def _compensation_still_owed(
    session: AsyncSession, owed: Entitlements, pnr: str, journey: int, case: str, now: datetime
) -> str | None:
    """Pay the journey's compensation now if the rules owe it with the refund and no one
    paid it yet (APPR s.19(2)); the key is the one a case uses, so it is paid once."""
    key = compensation_key(pnr, journey)
    due = [a for a in owed_actions(owed, care=False) if isinstance(a, CompensateAction)]
    if not due or await reservations.effect_done(session, key):
        return None
    action = due[0]
    item = owed.compensation(action.regime)
    detail = action.model_dump(mode="json") | {"citation": item.citation if item else None}
    await record_and_announce(
        session, key=key, case_id=case, action="compensate", pnr=pnr, detail=detail, at=now
    )
    return f"{action.amount_cents / 100:.0f} {action.currency} × {action.passengers}"


def _final(message: str, error: str) -> ToolResult:
    return ToolResult(status=ToolStatus.FINAL, action="refund", error=error, message=message)
