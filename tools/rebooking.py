"""Guarded writes for a passenger's answer to an offer (another option, a refund).

Kept for the replies path (`agent.offers`, `tools.declines`), whose keys are scoped to
the offer (``<offer>:option``), not to the case: it cannot repeat an effect of the act
node. The LangChain write tools that wrapped these functions with case-scoped keys (and
were never reached) are gone; the agent's own effects run in the act node. Folding these
functions and the act node's into one set is the next step of the one-effect-path work.

Thin async functions over `airline.reservations` and `airline.holds`, shaped for a
planner: each runs in one transaction (its ledger row, and its event for
`agent.actions`, written with it) and answers with a `ToolResult` whose status says
what to do next:

- ``ok``: done (``replayed`` when the key had been used: nothing was done again);
- ``retriable``: the planner can fix it: no seat left, so pick another option; the hold
  expired, so hold again; an argument named something that does not exist;
- ``final``: nothing the planner can do changes it (the booking is closed).

Rebookings and holds are checked against the live board first (the guard's rules for a
rebooking); compensation is checked against what `tools.policy.entitlements` says the
passenger is owed, on live facts (`tools.case_facts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from airline import holds, reservations
from airline.journeys import journey_of_flight
from airline.models import Booking, BookingStatus, Cabin, FlightStatus, Segment
from tools.case_facts import passenger_entitlements
from tools.effects import (
    ToolDeps,
    ToolResult,
    ToolStatus,
    action_event,
    failure,
    record_and_announce,
    replayed,
    run_once,
)
from tools.notifications import FieldValue, MessageKind, enqueue_for_booking
from tools.policy.entitlements import DisruptionKind, Regime
from tools.policy.guard import NO_SEAT, rebook_violations
from travel_agent.errors import NotFoundError, ReservationError, TravelAgentError

__all__ = [
    "ToolDeps",
    "ToolResult",
    "ToolStatus",
    "compensate",
    "hold",
    "notify",
    "rebook",
    "refund",
]


# --- holds and rebookings -------------------------------------------------------------


async def hold(
    deps: ToolDeps,
    *,
    key: str,
    case_id: str,
    pnr: str,
    flights: Sequence[str],
    cabin: Cabin,
    party: int = 1,
    minutes: int = 15,
) -> ToolResult:
    """Hold seats on `flights` for `minutes`; ``retriable`` when a flight cannot be had."""
    unboardable = _unboardable(deps, flights)
    if unboardable:
        return _refused("hold", unboardable)
    now = deps.clock.now()

    async def work(session: AsyncSession) -> ToolResult:
        held = await holds.hold_seats(
            session,
            key=key,
            case_id=case_id,
            pnr=pnr,
            flights=flights,
            cabin=cabin,
            party=party,
            expires_at=now + timedelta(minutes=minutes),
            now=now,
        )
        detail = held.model_dump(mode="json", exclude={"replayed"})
        if not held.replayed:
            session.add(action_event(key, case_id, pnr, "hold", detail, now))
        return ToolResult(
            status=ToolStatus.OK,
            action="hold",
            message=f"held {party} {cabin} seat(s) on {', '.join(flights)} until "
            f"{held.expires_at:%H:%M}Z as {held.id}",
            replayed=held.replayed,
            detail=detail,
        )

    return await run_once(deps, key, "hold", work)


async def rebook(
    deps: ToolDeps,
    *,
    key: str,
    case_id: str,
    pnr: str,
    replace_seqs: Sequence[int],
    flights: Sequence[str],
    cabin: Cabin,
    hold_id: str | None = None,
) -> ToolResult:
    """Move the booking off `replace_seqs` onto `flights` (confirming `hold_id` if given).

    The rebooking must pass the guard's live checks: flights that can still be boarded,
    that connect legally, that end where the booking ends, in the booked cabin, with a
    seat (unless the seats are held).
    """
    now = deps.clock.now()

    async def work(session: AsyncSession) -> ToolResult:
        # Lock, then look for the key: a concurrent call with the same key has committed
        # by the time the lock is ours (PostgreSQL), so it is found, not done twice.
        await reservations.lock_booking(session, pnr)
        if (done := await reservations.effect_detail(session, key)) is not None:
            return replayed("rebook", done)
        booking = await reservations.load_booking(session, pnr)
        if booking.status != BookingStatus.ACTIVE:
            raise reservations.BookingClosedError(pnr, booking.status.value)
        active = {s.seq: s for s in booking.active_segments}
        missing = [seq for seq in replace_seqs if seq not in active]
        if not replace_seqs or missing:
            return ToolResult(
                status=ToolStatus.RETRIABLE,
                action="rebook",
                error="not_found",
                message=f"booking {pnr} has no active segment {missing or '(none given)'}; "
                f"its active segments are {sorted(active)}",
            )
        if hold_id is not None:
            held = await holds.load_hold(session, hold_id)
            if held.pnr != pnr or held.flights != list(flights) or held.cabin != cabin:
                return ToolResult(
                    status=ToolStatus.RETRIABLE,
                    action="rebook",
                    error="invalid_request",
                    message=f"hold {hold_id} is for {held.pnr} on {held.flights} in "
                    f"{held.cabin}, not for this rebooking",
                )
        replaced = sorted((active[seq] for seq in replace_seqs), key=lambda s: _dep(deps, s))
        problems = await rebook_violations(
            session,
            deps.schedule,
            deps.board,
            flights=flights,
            replace_seqs=replace_seqs,
            cabin=cabin,
            broken_seqs=replace_seqs,
            origin=_where_the_passenger_is(deps, replaced[0]),
            destination=_final_destination(deps, booking, replaced[0]),
            booked_cabin=replaced[0].cabin,
            not_before=now,
            party=booking.seats_needed,
        )
        if hold_id is not None:
            problems = [p for p in problems if not p.startswith(NO_SEAT)]  # ours, held
        if problems:
            return _refused("rebook", problems)
        if hold_id is not None:
            await holds.confirm_hold(
                session,
                key=key,
                case_id=case_id,
                hold_id=hold_id,
                replace_seqs=replace_seqs,
                now=now,
            )
        else:
            await reservations.rebook(
                session,
                pnr=pnr,
                replace_seqs=list(replace_seqs),
                new_flights=list(flights),
                cabin=cabin,
            )
        detail: dict[str, Any] = {
            "kind": "rebook",
            "replace_seqs": list(replace_seqs),
            "flights": list(flights),
            "cabin": cabin.value,
        }
        if hold_id is None:
            await reservations.record_effect(
                session,
                idempotency_key=key,
                case_id=case_id,
                action="rebook",
                pnr=pnr,
                detail=detail,
                at=now,
            )
        else:
            detail["hold_id"] = hold_id
        session.add(action_event(key, case_id, pnr, "rebook", detail, now))
        return ToolResult(
            status=ToolStatus.OK,
            action="rebook",
            message=f"booking {pnr} moved from segments {list(replace_seqs)} onto "
            f"{', '.join(flights)} in {cabin}",
            detail=detail,
        )

    return await run_once(deps, key, "rebook", work)


# --- refunds and compensation ---------------------------------------------------------


async def refund(
    deps: ToolDeps,
    *,
    key: str,
    case_id: str,
    pnr: str,
    amount_cents: int | None,
    reason: str,
) -> ToolResult:
    """Refund the booking (`amount_cents` None: the whole ticket) and give back its seats."""
    now = deps.clock.now()

    async def work(session: AsyncSession) -> ToolResult:
        amount = amount_cents
        if amount is None and (amount := await _price(session, pnr, key)) is None:
            raise NotFoundError(f"no booking {pnr}")
        settled = await reservations.refund(
            session,
            key=key,
            case_id=case_id,
            pnr=pnr,
            amount_cents=amount,
            reason=reason,
            now=now,
        )
        detail = settled.model_dump(mode="json", exclude={"replayed"})
        if not settled.replayed:
            session.add(action_event(key, case_id, pnr, "refund", detail, now))
        return ToolResult(
            status=ToolStatus.OK,
            action="refund",
            message=f"booking {pnr} refunded {settled.amount_cents / 100:.2f} "
            f"{settled.currency}; {len(settled.released)} seat(s) back in inventory",
            replayed=settled.replayed,
            detail=detail,
        )

    return await run_once(deps, key, "refund", work)


async def compensate(
    deps: ToolDeps,
    *,
    key: str,
    case_id: str,
    pnr: str,
    flight_key: str,
    amount_cents: int,
    currency: str,
    regime: Regime,
    citation: str,
    approved_by: str | None = None,
    kind: DisruptionKind | None = None,
) -> ToolResult:
    """Record a compensation payment, refused above the entitlement unless a human approved.

    The entitlement is computed now from live facts (`tools.case_facts`); an amount
    above it, or in another currency, is paid only with `approved_by` set.
    """
    now = deps.clock.now()

    async def work(session: AsyncSession) -> ToolResult:
        if (done := await reservations.effect_detail(session, key)) is not None:
            return replayed("compensate", done)
        owed = await passenger_entitlements(
            session,
            deps.schedule,
            deps.board,
            pnr=pnr,
            flight_key=flight_key,
            now=now,
            policy=deps.policy,
            kind=kind,
        )
        item = owed.compensation(regime)
        owed_cents = (item.amount_cents or 0) if item else 0
        owed_currency = (item.currency or currency) if item else currency
        within = amount_cents <= owed_cents and currency == owed_currency
        if not within and approved_by is None:
            if item is not None:
                why = f"{regime.name} owes {owed_cents / 100:.2f} {owed_currency} ({item.citation})"
            else:
                why = f"{regime.name} owes no compensation here" + "".join(
                    f"; {n.citation}: {n.reason}" for n in owed.notes if n.regime == regime
                )
            return ToolResult(
                status=ToolStatus.RETRIABLE,
                action="compensate",
                error="above_entitlement",
                message=f"{amount_cents / 100:.2f} {currency} is above the entitlement: {why}. "
                "Offer at most that, or send the case for an operator's approval",
                detail={"owed_cents": owed_cents, "currency": owed_currency},
            )
        detail = {
            "amount_cents": amount_cents,
            "currency": currency,
            "regime": regime.value,
            "citation": citation,
            "flight_key": flight_key,
            "entitled_cents": owed_cents,
            "entitled_citation": item.citation if item else None,
            "approved_by": approved_by,
        }
        await record_and_announce(
            session,
            key=key,
            case_id=case_id,
            action="compensate",
            pnr=pnr,
            detail=detail,
            at=now,
        )
        return ToolResult(
            status=ToolStatus.OK,
            action="compensate",
            message=f"compensation of {amount_cents / 100:.2f} {currency} for {pnr} "
            f"under {citation}",
            detail=detail,
        )

    return await run_once(deps, key, "compensate", work)


# --- notifications --------------------------------------------------------------------


async def notify(
    deps: ToolDeps,
    *,
    key: str,
    case_id: str,
    pnr: str,
    flight_key: str,
    message: MessageKind,
    fields: Mapping[str, FieldValue] | None = None,
) -> ToolResult:
    """Put a message to the passenger in the outbox (trip fields are filled in from live state)."""
    now = deps.clock.now()
    flight = deps.schedule.flights.get(flight_key)
    if flight is None:
        return failure("notify", NotFoundError(f"no flight {flight_key}"))
    state = deps.board.get(flight_key)
    dep = state.est_dep if state else flight.sched_dep
    zone = ZoneInfo(deps.schedule.airports[flight.origin].tz)
    trip: dict[str, FieldValue] = {
        "flight": f"{flight.carrier}{flight.number}",
        "route": f"{flight.origin}→{flight.destination}",
        "date": flight.service_date.isoformat(),
        "new_dep": dep.astimezone(zone).strftime("%H:%M"),
        "minutes": str(max(0, int((dep - flight.sched_dep).total_seconds() // 60))),
    }

    async def work(session: AsyncSession) -> ToolResult:
        booking = await reservations.load_booking(session, pnr)
        customer = await reservations.load_customer(session, booking.customer_id)
        try:
            sent = await enqueue_for_booking(
                session,
                idempotency_key=key,
                case_id=case_id,
                booking=booking,
                contact=customer,
                kind=message,
                fields={**trip, **(fields or {})},
                at=now,
            )
        except ReservationError:
            raise
        except TravelAgentError as exc:
            # The message cannot be composed from these fields: the planner can add them.
            return ToolResult(
                status=ToolStatus.RETRIABLE,
                action="notify",
                error="invalid_message",
                message=str(exc),
            )
        return ToolResult(
            status=ToolStatus.OK,
            action="notify",
            message=f"{message} message for {pnr} queued" if sent else "already sent",
            replayed=not sent,
            detail={"message": message.value, "key": key},
        )

    return await run_once(deps, key, "notify", work)


# --- helpers --------------------------------------------------------------------------


def _refused(action: str, problems: list[str]) -> ToolResult:
    seats_only = all(p.startswith(NO_SEAT) for p in problems)
    return ToolResult(
        status=ToolStatus.RETRIABLE,
        action=action,
        error="no_seats" if seats_only else "refused",
        message="; ".join(problems) + ("; pick another option" if seats_only else ""),
        detail={"violations": problems},
    )


def _unboardable(deps: ToolDeps, flights: Sequence[str]) -> list[str]:
    problems = []
    for key in flights:
        state = deps.board.get(key)
        if key not in deps.schedule.flights or state is None:
            problems.append(f"no such flight {key}")
        elif not state.flyable:
            problems.append(f"{key} is {state.status.value} on the live board")
    return problems


async def _price(session: AsyncSession, pnr: str, key: str) -> int | None:
    """The ticket price, for a full refund (None: no such booking, unless already refunded)."""
    if (done := await reservations.effect_detail(session, key)) is not None:
        return int(done.get("amount_cents", 0))
    try:
        return (await reservations.load_booking(session, pnr)).price_cents
    except NotFoundError:
        return None


def _dep(deps: ToolDeps, segment: Segment) -> datetime:
    return deps.schedule.flights[segment.flight_key].sched_dep


def _where_the_passenger_is(deps: ToolDeps, first_replaced: Segment) -> str:
    """Where the new itinerary must start: the diversion airport, else the segment's origin."""
    state = deps.board.get(first_replaced.flight_key)
    if state is not None and state.status == FlightStatus.DIVERTED and state.diverted_to:
        return state.diverted_to
    return deps.schedule.flights[first_replaced.flight_key].origin


def _final_destination(deps: ToolDeps, booking: Booking, replaced: Segment) -> str:
    """Where the journey of the replaced segment ends (not the booking's last flight)."""
    trip = journey_of_flight(booking, replaced.flight_key, deps.schedule.flights)
    if trip is not None:
        return trip.destination
    active = sorted(booking.active_segments, key=lambda s: _dep(deps, s))
    return deps.schedule.flights[active[-1].flight_key].destination
