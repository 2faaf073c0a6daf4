"""Offers a later change replaced: closed at the source, refused at the use, told.

An offer is about the flights booked when it was made (`OfferRow.booked`); it can be
kept or switched only while the booking still holds them. Both ends see to it, because
neither is enough alone:

- *closed at the source*: a later case that takes those flights off the booking (a
  rebooking off a flight cancelled since, a re-diversion's re-placement or release, an
  operator's edit: all through the act node) closes the offer ``superseded`` in the
  transaction of that change (`supersede_offers`). The desk, the deadline job and the
  demo passengers see it closed from the instant the booking changed, and the booking's
  newest open offer is the one its passenger was sent last.
- *refused at the use*: ``accept`` and ``option`` check the booking against the offer
  before anything is written (`still_held`, in `agent.offers.OfferDesk`). A switch
  replaces the booked flights' segments: on a booking that no longer holds them it would
  replace nothing and add option N beside what the later case booked (a double booking).
  The check catches any change the source did not close (one made outside the act node,
  a path added later) and closes the offer then.

A stale answer is neither carried out nor dropped: it goes to the operator desk
(``offer_replaced``) and the passenger, who wrote and is waiting, hears in one message
(`tell_offer_replaced`, kind ``offer_replaced``):

- that their answer changed nothing, because their trip changed after that message;
- what the journey holds now: the newer offer's flights and its options 2..N, numbered
  as that offer numbers them (so the next "2" they send is the option 2 they read), or
  the flights the journey holds if they can still be flown; with none, that the latest
  message says what they may choose (a journey given up is back on the disrupted flight,
  whose message offered the refund).

Once per offer (``notify:<offer>:replaced``): a second stale answer goes to the desk
without a second copy of the same news.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent.approvals import stale_replaced
from agent.nodes.common import describe_itinerary, describe_option, local_time, original_day
from agent.switch_notice import as_booked
from agent.tables import OfferRow, OfferStatus
from airline import reservations
from airline.board import UNBOARDABLE
from airline.holds import release_case_holds
from airline.models import Booking, Cabin, FlightStatus, Preferences
from tools.effects import InTransaction, ToolDeps
from tools.notifications import FieldValue, MessageKind, enqueue_for_booking, with_preferences
from travel_agent.db import Database

__all__ = [
    "held_flights",
    "newer_offer",
    "still_held",
    "supersede_offers",
    "switch_closes",
    "tell_offer_replaced",
]

log = logging.getLogger(__name__)


async def supersede_offers(
    session: AsyncSession,
    *,
    pnr: str,
    replaced: Sequence[str],
    by_case: str,
    at: datetime,
) -> list[str]:
    """Close, ``superseded``, the open offers of `pnr` about any of the flights `replaced`
    took off the booking; in the transaction of that change. Returns their ids.

    An offer is matched by its booked flights, not by the booking: an offer about
    another journey of the same booking stays open (its flights are still held)."""
    gone = set(replaced)
    if not gone:
        return []
    # Only offer rows can change what these statements read or write. The session's other
    # pending changes (the rebooking's segments and hold, just changed) wait for the
    # commit's one flush: flushed here, by the query's autoflush, they cost two UPDATEs
    # per rebooking, a tenth of a settled batch's CPU (`agent.runtime.settle`).
    if any(isinstance(row, OfferRow) for row in (*session.new, *session.dirty)):
        await session.flush()
    with session.no_autoflush:
        rows = (
            await session.execute(
                select(OfferRow.id, OfferRow.booked).where(
                    OfferRow.pnr == pnr, OfferRow.status == OfferStatus.OPEN
                )
            )
        ).all()
        stale = [offer for offer, booked in rows if gone.intersection(booked)]
        if stale:
            await session.execute(
                update(OfferRow)
                .where(OfferRow.id.in_(stale), OfferRow.status == OfferStatus.OPEN)
                .values(
                    status=OfferStatus.SUPERSEDED.value,
                    answered_at=at,
                    outcome={"choice": "superseded", "by": by_case, "replaced": sorted(gone)},
                )
            )
    if stale:
        log.debug("offers %s of %s superseded by %s", stale, pnr, by_case)
    return stale


def switch_closes(
    offer: OfferRow, replace_seqs: Sequence[int], by_case: str, at: datetime
) -> InTransaction:
    """What a switch to another option of `offer` (off `replace_seqs`, its booked flights)
    closes in its own transaction (`tools.rebooking.rebook`'s `and_then`), as the act
    node does for its rebookings: another case's approval about those flights can no
    longer run, so it goes stale and its held seat goes back (`agent.approvals`)."""

    async def close(session: AsyncSession) -> None:
        for case in await stale_replaced(
            session,
            pnr=offer.pnr,
            replaced_seqs=replace_seqs,
            replaced_flights=offer.booked,
            by_case=by_case,
            at=at,
        ):
            await release_case_holds(session, case, at)

    return close


async def still_held(db: Database, offer: OfferRow) -> bool:
    """Does the booking still hold every flight `offer` was made about?"""
    async with db.session() as session:
        booking = await reservations.load_booking(session, offer.pnr)
    held = {s.flight_key for s in booking.active_segments}
    return held.issuperset(offer.booked)


async def newer_offer(db: Database, offer: OfferRow) -> OfferRow | None:
    """The booking's open offer made since `offer`, whose flights it still holds."""
    async with db.session() as session:
        booking = await reservations.load_booking(session, offer.pnr)
        newer = (
            await session.scalars(
                select(OfferRow)
                .where(
                    OfferRow.pnr == offer.pnr,
                    OfferRow.status == OfferStatus.OPEN,
                    OfferRow.id != offer.id,
                    OfferRow.created_at >= offer.created_at,
                )
                .order_by(OfferRow.created_at.desc())
            )
        ).all()
    held = {s.flight_key for s in booking.active_segments}
    return next((row for row in newer if held.issuperset(row.booked)), None)


def held_flights(booking: Booking, offer: OfferRow) -> list[str]:
    """The flights the journey `offer` was made about holds now, in order."""
    journeys = {s.journey for s in booking.segments if s.flight_key in offer.booked}
    return [s.flight_key for s in booking.active_segments if s.journey in journeys]


async def tell_offer_replaced(
    deps: ToolDeps, offer: OfferRow, preferences: Preferences, case_id: str
) -> str:
    """Queue the `offer_replaced` message about `offer` (with the booking's open offer
    that replaced it, if any: `newer_offer`), under the answer's `case_id`; returns what
    the desk reads of it."""
    newer = await newer_offer(deps.db, offer)
    schedule = deps.schedule
    reference = original_day(schedule, offer.disruption_flight)
    original = schedule.flights.get(offer.disruption_flight)
    async with deps.db.transaction() as session:
        booking = await reservations.load_booking(session, offer.pnr)
        customer = await reservations.load_customer(session, booking.customer_id)
        contact = with_preferences(customer, preferences)
        language = contact.language
        held = list(newer.booked) if newer is not None else held_flights(booking, offer)
        if not _flyable(deps, held):
            held = []  # a journey given up: the latest message says what they may choose
        fields: dict[str, FieldValue] = {
            "flight": offer.disruption_flight.split("/")[0],
            "route": f"{original.origin}→{original.destination}" if original else "",
            "date": reference.isoformat() if reference else "",
        }
        if held:
            cabin = Cabin(newer.cabin if newer is not None else offer.cabin)
            fields["itinerary"] = describe_itinerary(
                schedule,
                as_booked(deps, held, cabin),
                held,
                reference=reference,
                language=language,
            )
        if newer is not None and held:
            first = schedule.flights.get(newer.booked[0])
            # Options 2..N in the newer offer's order (as its message numbered them).
            fields["others"] = [
                describe_option(schedule, it, reference=reference, language=language)
                for flights in (o["flights"] for o in newer.options[1:])
                if (it := as_booked(deps, list(flights), Cabin(newer.cabin))) is not None
            ]
            if first is not None:
                fields["answer_by"] = local_time(
                    schedule, first.origin, newer.deadline, reference=reference, language=language
                )
        await enqueue_for_booking(
            session,
            idempotency_key=f"notify:{offer.id}:replaced",
            case_id=case_id,
            booking=booking,
            contact=contact,
            kind=MessageKind.OFFER_REPLACED,
            fields=fields,
            at=deps.clock.now(),
        )
    now_holds = f"now holds {', '.join(held)}" if held else "holds no flight it can fly"
    see_newer = f"; the open offer is {newer.id}" if newer is not None else ""
    return (
        f"offer {offer.id} was replaced by a later change of the booking, nothing done; "
        f"the journey {now_holds}{see_newer} (passenger told)"
    )


def _flyable(deps: ToolDeps, flights: list[str]) -> bool:
    """Can every one of `flights` still be flown, as the live board has them?"""
    for key in flights:
        state = deps.board.get(key)
        if state is not None and state.status in UNBOARDABLE - _ABOARD:
            return False
    return bool(flights)


_ABOARD = frozenset({FlightStatus.DEPARTED, FlightStatus.ARRIVED})
"""A departed or landed leg of the journey is one the passenger is on or has flown."""
