"""The act node's effects that change what a booking holds: a rebooking (the planner's
held seats confirmed, or fresh seats for another option) and the giving up of a
re-routing its passengers can no longer reach; with `record_and_announce`, the ledger row
and `agent.actions` event every effect of the act node writes. Each runs inside the act
node's one transaction (`agent.work.UnitOfWork`), so a crash leaves all of a case's
effects or none of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.state import ALREADY_DONE, CaseState, Effect, RebookAction
from agent.work import UnitOfWork


async def rebook(
    work: UnitOfWork, state: CaseState, action: RebookAction, key: str, now: datetime
) -> None:
    """Confirm the held assignment, or give the hold back and take the chosen seats."""
    case_id, pnr = state["case_id"], state["pnr"]
    assignment = state["context"].assignment
    detail = action.model_dump(mode="json")
    if (
        assignment is not None
        and assignment.hold_id is not None
        and action.flights == assignment.flights
        and action.cabin == assignment.cabin
    ):
        await work.reservations.confirm_hold(
            key=key,
            case_id=case_id,
            hold_id=assignment.hold_id,
            replace_seqs=action.replace_seqs,
            now=now,
        )
        detail["hold_id"] = assignment.hold_id
        # The confirmation wrote the ledger row: only the event is left to write.
        await work.outbox.announce(
            key=key, case_id=case_id, pnr=pnr, action="rebook", detail=detail, at=now
        )
        return
    # Closed flights are refused before the hold's seats go back: a rebooking locks the
    # board rows before any seat (`airline.closed_flights`), or it and a wave writing
    # those rows could each wait for the other.
    await work.reservations.refuse_closed_flights(action.flights)
    await work.reservations.release_case_holds(case_id, now)
    await work.reservations.rebook(
        pnr=pnr,
        replace_seqs=action.replace_seqs,
        new_flights=action.flights,
        cabin=action.cabin,
    )
    await record_and_announce(
        work, key=key, case_id=case_id, action="rebook", pnr=pnr, detail=detail, at=now
    )


async def give_up_unreachable(work: UnitOfWork, state: CaseState, now: datetime) -> str:
    """Give up a re-routing the passenger cannot reach, nothing booked in its place: the
    flight it was found from re-diverted, and its passengers were put down elsewhere
    (`agent.planner.rediverted`). Kept, it would hold a seat they cannot use, be
    reminded of as their trip and contradict the "no alternative" they are told; the
    re-routing owed is one from where they are (EU261/UK261 Art 8(1)(b)), and with none
    the refund (Art 8(1)(a), 14 CFR Part 260). So the booking goes back on the diverted
    flight, as its passengers still aboard with no alternative hold it: a refund then
    covers the journey, and a later re-diversion finds them aboard again."""
    key = f"{state['case_id']}:release:v1"
    if await work.ledger.done(key):
        return Effect.RELEASE.record(ALREADY_DONE)
    context = state["context"]
    flight = context.disrupted_flight
    cabin = next(s.cabin for s in context.booking.segments if s.flight_key == flight)
    released = [s.flight_key for s in context.booking.segments if s.seq in context.replace_seqs]
    await work.reservations.return_to_flight(
        pnr=state["pnr"], replace_seqs=context.replace_seqs, flight_key=flight, cabin=cabin
    )
    await record_and_announce(
        work,
        key=key,
        case_id=state["case_id"],
        action="release",
        pnr=state["pnr"],
        detail={
            "replace_seqs": context.replace_seqs,
            "released": released,
            "flights": [flight],
            "cabin": cabin.value,
        },
        at=now,
    )
    # The offer made with the re-routing was about flights the booking no longer holds.
    await close_what_it_replaced(work, state, context.replace_seqs, released, now)
    return Effect.RELEASE.record()


async def close_what_it_replaced(
    work: UnitOfWork,
    state: CaseState,
    replace_seqs: list[int],
    replaced: list[str],
    now: datetime,
) -> None:
    """In the transaction that took `replace_seqs` (flights `replaced`) off the booking,
    close what was about them: the booking's open offers (`agent.offer_replaced`), and
    the pending approvals of its other cases that can no longer be carried out, whose
    held seats go back now (an approval waits for an operator for up to hours, and a
    seat it holds for a plan that cannot run is kept from every other passenger). Their
    cases plan again when the approvals loop resumes them, as after any stale answer."""
    case_id, pnr = state["case_id"], state["pnr"]
    await work.cases.supersede_offers(pnr=pnr, replaced=replaced, by_case=case_id, at=now)
    stale = await work.cases.stale_replaced_approvals(
        pnr=pnr, replaced_seqs=replace_seqs, replaced_flights=replaced, by_case=case_id, at=now
    )
    for other in stale:
        await work.reservations.release_case_holds(other, now)


async def record_and_announce(
    work: UnitOfWork,
    *,
    key: str,
    case_id: str,
    action: str,
    pnr: str,
    detail: dict[str, Any],
    at: datetime,
) -> None:
    """The effect's ledger row and its `agent.actions` event, in the effect's transaction
    (as `tools.effects.record_and_announce` writes them)."""
    await work.ledger.record(key=key, case_id=case_id, action=action, pnr=pnr, detail=detail, at=at)
    await work.outbox.announce(
        key=key, case_id=case_id, pnr=pnr, action=action, detail=detail, at=at
    )
