"""Who hears about a change, and on which channel.

One message per booking contact: the booking's customer hears about a change for the
whole party, unless a passenger left a consented contact of their own, who then hears
too, in their own language (`booking_recipients`). A recipient is reached on their
preferred consented channel; the contact's stated preferences (customer memory) may move
a consented channel first (or a refused one last) or change the language, never override
consent. A message sent after the case ran (a reminder, a refund's confirmation) reads
them as they stand then (`stated_now`): the passenger may have said since, in their
answer to the offer ("text me from now on").
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from airline.models import Booking, ContactChannel, Customer, Preferences
from airline.tables import BookingRow

if TYPE_CHECKING:
    from memory.base import CustomerMemory
    from travel_agent.db import Database

log = logging.getLogger(__name__)


async def stated_now(memory: CustomerMemory | None, db: Database, pnr: str) -> Preferences:
    """The stated preferences of `pnr`'s customer as memory has them now; none without
    memory or when it does not answer (memory is advice: the message still goes, as the
    profile says). Read it outside a write transaction: memory may take a while."""
    if memory is None:
        return Preferences()
    async with db.session() as session:
        customer_id = await session.scalar(
            select(BookingRow.customer_id).where(BookingRow.pnr == pnr)
        )
    if customer_id is None:
        return Preferences()
    try:
        return (await memory.profile(customer_id, history=0)).preferences
    except Exception:
        log.exception("customer memory did not answer; reaching the customer as on file")
        return Preferences()


def with_preferences(customer: Customer, preferences: Preferences) -> Customer:
    """The customer as their stated preferences say to reach them.

    A preferred language replaces the profile's; a preferred channel goes first and a
    refused one after every other, but only among channels the customer consented to (a
    preference never overrides consent, either way).
    """
    update: dict[str, Any] = {}
    if preferences.language:
        update["language"] = preferences.language
    channels = customer.channels
    if preferences.channel is not None and any(
        c.kind == preferences.channel and c.consent for c in channels
    ):
        channels = [
            c.model_copy(update={"priority": -1}) if c.kind == preferences.channel else c
            for c in channels
        ]
    refused = set(preferences.refused_channels) - {preferences.channel}
    if any(c.kind in refused for c in channels):
        # Last, not removed: when a refused channel is the only one they consented to, it
        # is still used, since a disruption notice must reach the passenger.
        last = max((c.priority for c in channels), default=0) + 1
        channels = [
            c.model_copy(update={"priority": last}) if c.kind in refused else c for c in channels
        ]
    if channels is not customer.channels:
        update["channels"] = channels
    return customer.model_copy(update=update) if update else customer


def choose_channel(customer: Customer) -> ContactChannel | None:
    """The passenger's preferred channel among those they consented to, if any."""
    allowed = [c for c in customer.channels if c.consent]
    return min(allowed, key=lambda c: c.priority) if allowed else None


def passenger_recipient_id(pnr: str, seq: int) -> str:
    """How a passenger with a contact of their own is named in the outbox: ``PNR123-P2``."""
    return f"{pnr}-P{seq}"


def booking_recipients(booking: Booking, contact: Customer) -> list[Customer]:
    """Everyone told about a change of `booking`: its contact first, then each passenger
    with a consented contact of their own, as a recipient of their own (their name, their
    language, or else the contact's)."""
    found = [contact]
    for passenger in booking.passengers:
        if not passenger.own_contact:
            continue
        found.append(
            Customer(
                id=passenger_recipient_id(booking.pnr, passenger.seq),
                name=passenger.name or contact.name,
                language=passenger.language or contact.language,
                tier=contact.tier,
                channels=list(passenger.contact),
            )
        )
    return found
