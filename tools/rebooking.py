"""A passenger's pick of another offered option: the offer-scoped, guarded rebooking.

The replies path (`agent.offers.OfferDesk`) moves a booking onto the option the
passenger chose with `rebook`, keyed on the offer (``<offer>:option``), not on the case:
it cannot repeat an effect of the act node, whose own rebooking runs in
`agent.nodes.act`. A refund the passenger asks for goes through `agent.choices`
(`tools.refunds`). The hold, refund, compensation and notification functions that stood
here beside it were reached by nothing (the act node does each of those, with its own
keys): a second path for an effect is a future double payment, so they are gone.

`rebook` runs in one transaction (the ledger row, and the event for `agent.actions`,
written with it) and answers with a `ToolResult`: ``ok`` (``replayed`` when the key had
been used), or ``retriable`` when the guard refuses the itinerary on live facts — the
same checks the act node's rebookings pass (`tools.policy.checks.rebook_violations`):
flights that can still be boarded, that connect legally, that start where the passenger
is and end where the journey ends, in the booked cabin, with a seat for every traveller,
arriving in time for the booking's next journey (`airline.journeys.next_journey_deadline`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from airline import reservations
from airline.journeys import journey_of_flight, next_journey_deadline
from airline.models import Booking, BookingStatus, Cabin, FlightStatus, Segment
from airline.sql_ports import SqlReservations
from tools.effects import (
    InTransaction,
    ToolDeps,
    ToolResult,
    ToolStatus,
    action_event,
    replayed,
    run_once,
)
from tools.policy.checks import Violation, only_seats_gone, rebook_violations

__all__ = ["ToolDeps", "ToolResult", "ToolStatus", "rebook"]


async def rebook(
    deps: ToolDeps,
    *,
    key: str,
    case_id: str,
    pnr: str,
    replace_seqs: Sequence[int],
    flights: Sequence[str],
    cabin: Cabin,
    and_then: InTransaction | None = None,
) -> ToolResult:
    """Move the booking off `replace_seqs` onto `flights`, once per `key`, if the policy
    checks pass on live facts (``retriable`` with the reasons when they do not).

    `and_then` runs in the rebooking's transaction once it is made (not on a replay):
    the caller closes there what was about the segments replaced, so a crash leaves
    both or neither."""
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
        replaced = sorted((active[seq] for seq in replace_seqs), key=lambda s: _dep(deps, s))
        bounds = _journey_bounds(deps, booking, replaced[0])
        problems = await rebook_violations(
            SqlReservations(session),
            deps.schedule,
            deps.board,
            flights=flights,
            replace_seqs=replace_seqs,
            cabin=cabin,
            broken_seqs=replace_seqs,
            origin=_where_the_passenger_is(deps, replaced[0]),
            destination=bounds.destination,
            booked_cabin=replaced[0].cabin,
            not_before=now,
            party=booking.seats_needed,
            arrive_by=bounds.arrive_by,
        )
        if problems:
            return _refused("rebook", problems)
        await reservations.rebook(
            session,
            pnr=pnr,
            replace_seqs=list(replace_seqs),
            new_flights=list(flights),
            cabin=cabin,
        )
        detail = {
            "kind": "rebook",
            "replace_seqs": list(replace_seqs),
            "flights": list(flights),
            "cabin": cabin.value,
        }
        await reservations.record_effect(
            session,
            idempotency_key=key,
            case_id=case_id,
            action="rebook",
            pnr=pnr,
            detail=detail,
            at=now,
        )
        session.add(action_event(key, case_id, pnr, "rebook", detail, now))
        if and_then is not None:
            await and_then(session)
        return ToolResult(
            status=ToolStatus.OK,
            action="rebook",
            message=f"booking {pnr} moved from segments {list(replace_seqs)} onto "
            f"{', '.join(flights)} in {cabin}",
            detail=detail,
        )

    return await run_once(deps, key, "rebook", work)


def _refused(action: str, problems: list[Violation]) -> ToolResult:
    seats_only = only_seats_gone(problems)
    return ToolResult(
        status=ToolStatus.RETRIABLE,
        action=action,
        error="no_seats" if seats_only else "refused",
        message="; ".join(map(str, problems)) + ("; pick another option" if seats_only else ""),
        detail={"violations": [str(p) for p in problems]},
    )


def _dep(deps: ToolDeps, segment: Segment) -> datetime:
    return deps.schedule.flights[segment.flight_key].sched_dep


def _where_the_passenger_is(deps: ToolDeps, first_replaced: Segment) -> str:
    """Where the new itinerary must start: the diversion airport, else the segment's origin."""
    state = deps.board.get(first_replaced.flight_key)
    if state is not None and state.status == FlightStatus.DIVERTED and state.diverted_to:
        return state.diverted_to
    return deps.schedule.flights[first_replaced.flight_key].origin


@dataclass(frozen=True)
class _Bounds:
    destination: str
    """Where the journey of the replaced segments ends (not the booking's last flight)."""
    arrive_by: datetime | None
    """The latest arrival that keeps the booking's next journey (None: none follows)."""


def _journey_bounds(deps: ToolDeps, booking: Booking, replaced: Segment) -> _Bounds:
    """Where, and by when, the new itinerary must arrive: the end of the replaced
    segment's journey, in time for the booking's next journey, as the daemon's
    rebookings must (`agent.planner.inputs.broken_segments`)."""
    trip = journey_of_flight(booking, replaced.flight_key, deps.schedule.flights)
    if trip is not None:
        deadline = next_journey_deadline(deps.schedule, deps.board, booking, trip.seq)
        return _Bounds(trip.destination, deadline)
    active = sorted(booking.active_segments, key=lambda s: _dep(deps, s))
    return _Bounds(deps.schedule.flights[active[-1].flight_key].destination, None)
