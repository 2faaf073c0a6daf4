"""The guard: every plan, from any reasoner, is checked against live facts before it runs.

A rebooking must go onto flights that exist, that the live board says can still be
boarded, that chain from the case's origin to its destination with legal connections,
in the booked cabin, with a seat free now. What fails is refused with a reason, never run;
what can be repaired is (a "rebooked" message whose rebooking was refused becomes a
"no alternative" message) and the repair is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from sqlalchemy.ext.asyncio import AsyncSession

from airline.airports import minimum_connection_time
from airline.board import LiveBoard
from airline.models import Cabin
from airline.reservations import available_seats
from airline.schedule import Schedule
from tools.notifications import MessageKind

# The one refusal that searching again can cure: the seat went to another case meanwhile.
NO_SEAT = "no seat left"

# Rebooked messages and the message to send instead when the rebooking cannot run.
_FALLBACK = {
    MessageKind.CANCELLED_REBOOKED: MessageKind.CANCELLED_NO_ALTERNATIVE,
    MessageKind.DIVERTED_REBOOKED: MessageKind.DIVERTED_NO_ALTERNATIVE,
    MessageKind.MISSED_CONNECTION_REBOOKED: MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE,
}


async def rebook_violations(
    session: AsyncSession,
    schedule: Schedule,
    board: LiveBoard,
    *,
    flights: Sequence[str],
    replace_seqs: Sequence[int],
    cabin: Cabin,
    broken_seqs: Sequence[int],
    origin: str | None,
    destination: str | None,
    booked_cabin: Cabin | None,
    not_before: datetime | None = None,
) -> list[str]:
    """Every reason this rebooking must not run (empty when it may).

    Args:
        flights: the proposed itinerary, in order.
        replace_seqs: the segments the plan takes off the booking.
        cabin: the cabin the plan books.
        broken_seqs: the segments the case found broken.
        origin: where the passenger is (or will be) when the new itinerary starts.
        destination: the booking's final destination.
        booked_cabin: the cabin the passenger paid for.
        not_before: the earliest the passenger can make a departure (a model may propose
            a flight that the board has not yet marked as gone, but the clock has).
    """
    problems: list[str] = []
    if not broken_seqs:
        return ["the case has no broken segment to replace"]
    if sorted(replace_seqs) != sorted(broken_seqs):
        problems.append(
            f"replaces segments {sorted(replace_seqs)}, but {sorted(broken_seqs)} broke"
        )
    if booked_cabin is not None and cabin != booked_cabin:
        problems.append(f"changes cabin from {booked_cabin} to {cabin}: needs a human")
    legs = [schedule.flights.get(key) for key in flights]
    unknown = [key for key, leg in zip(flights, legs, strict=True) if leg is None]
    if unknown:
        return [*problems, f"no such flight {', '.join(unknown)}"]
    known = [leg for leg in legs if leg is not None]
    for leg in known:
        state = board.get(leg.key)
        if state is None or not state.flyable:
            status = state.status.value if state else "unknown"
            problems.append(f"{leg.key} is {status} on the live board")
        elif not_before is not None and leg is known[0] and state.est_dep < not_before:
            problems.append(
                f"{leg.key} leaves at {state.est_dep:%H:%M}Z, before the passenger can make it "
                f"({not_before:%H:%M}Z)"
            )
    if known[0].origin != origin:
        problems.append(f"starts at {known[0].origin}, the passenger is at {origin}")
    if known[-1].destination != destination:
        problems.append(f"ends at {known[-1].destination}, not {destination}")
    for first, second in pairwise(known):
        if first.destination != second.origin:
            problems.append(f"{first.key} and {second.key} do not connect")
            continue
        first_state, second_state = board.get(first.key), board.get(second.key)
        if first_state is None or second_state is None:
            continue
        mct = minimum_connection_time(
            schedule.airports[first.destination],
            international=schedule.is_international(
                first.destination, first.origin, second.destination
            ),
        )
        if second_state.est_dep - first_state.est_arr < mct:
            problems.append(f"connection at {first.destination} is shorter than {mct}")
    seats = await available_seats(session, [leg.key for leg in known], cabin)
    for leg in known:
        if seats.get(leg.key, 0) < 1:
            problems.append(f"{NO_SEAT} in {cabin} on {leg.key}")
    return problems


def fallback_message(kind: MessageKind) -> MessageKind:
    """The message to send when the rebooking it announces was refused."""
    return _FALLBACK.get(kind, kind)
