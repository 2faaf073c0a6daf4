"""A passenger who answered with another offered option is told the move is booked.

The answer's rebooking (`agent.offers.OfferDesk._switch`) changes their trip; a switch
that fails goes to the desk. Without a message of its own a passenger could not tell the
two apart, and the offer listed the new flights only as a choice. So a switch that booked
is confirmed with the disruption's own "you are rebooked" message (the case's reason:
cancelled, diverted or missed connection), naming the new itinerary and nothing owed
again (what they are owed was told with the first rebooking and does not change with
their choice of flight).

Its idempotency key is the answer's (``notify:<offer>:option``): a replayed answer, or
one carried out again after a crash between the rebooking and this message, finds the
rebooking done (its own key) and the message already queued, and writes neither twice.
"""

from __future__ import annotations

from agent.nodes.common import describe_itinerary, original_day
from agent.state import CaseReason
from agent.tables import CaseRow, OfferRow
from airline import reservations
from airline.models import Cabin, Preferences
from tools.effects import ToolDeps
from tools.flights import Itinerary, leg_of
from tools.notifications import MessageKind, enqueue_for_booking, with_preferences

_REBOOKED = {
    CaseReason.CANCELLED: MessageKind.CANCELLED_REBOOKED,
    CaseReason.DIVERTED: MessageKind.DIVERTED_REBOOKED,
    CaseReason.MISSED_CONNECTION: MessageKind.MISSED_CONNECTION_REBOOKED,
}


def switch_key(offer_id: str) -> str:
    """The answer's rebooking key (`agent.offers`), so its message is keyed the same."""
    return f"{offer_id}:option"


async def confirm_switch(
    deps: ToolDeps, offer: OfferRow, flights: list[str], preferences: Preferences
) -> None:
    """Queue the message that confirms `flights` as the passenger's new trip."""
    original = deps.schedule.flights.get(offer.disruption_flight)
    reference = original_day(deps.schedule, offer.disruption_flight)
    async with deps.db.transaction() as session:
        case = await session.get(CaseRow, offer.case_id)
        reason = CaseReason(case.reason) if case is not None else CaseReason.CANCELLED
        booking = await reservations.load_booking(session, offer.pnr)
        customer = await reservations.load_customer(session, booking.customer_id)
        contact = with_preferences(customer, preferences)
        await enqueue_for_booking(
            session,
            idempotency_key=f"notify:{switch_key(offer.id)}",
            case_id=offer.case_id,
            booking=booking,
            contact=contact,
            kind=_REBOOKED.get(reason, MessageKind.CANCELLED_REBOOKED),
            fields={
                "flight": offer.disruption_flight.split("/")[0],
                "route": f"{original.origin}→{original.destination}" if original else "",
                "date": reference.isoformat() if reference else "",
                "itinerary": describe_itinerary(
                    deps.schedule,
                    as_booked(deps, flights, Cabin(offer.cabin)),
                    flights,
                    reference=reference,
                    language=contact.language,
                ),
            },
            at=deps.clock.now(),
        )


def as_booked(deps: ToolDeps, flights: list[str], cabin: Cabin) -> Itinerary | None:
    """The flights as an itinerary at the live board's times (the schedule's where the
    board has none), for the rebooking messages' one way of writing flights."""
    legs = []
    for key in flights:
        flight = deps.schedule.flights.get(key)
        if flight is None:
            return None  # written as bare flight numbers
        state = deps.board.get(key)
        legs.append(
            leg_of(
                flight,
                state.est_dep if state is not None else flight.sched_dep,
                state.est_arr if state is not None else flight.sched_arr,
            )
        )
    return Itinerary(legs=legs, cabin=cabin, seats=0)
