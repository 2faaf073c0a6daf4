"""Who is told about a change of a booking with several passengers: one message to the
booking's contact for the whole party, and one more to each passenger who left a
consented contact of their own (issue 14, "one message per booking contact unless a
passenger has their own contact")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from airline.models import (
    Booking,
    Cabin,
    ChannelKind,
    ContactChannel,
    Customer,
    Passenger,
    PassengerType,
    Segment,
)
from app.migrate import open_database
from tools.notifications import MessageKind
from tools.notifications.outbox import enqueue_for_booking
from tools.notifications.recipients import booking_recipients
from tools.tables import OutboxRow
from travel_agent.db import Database

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
CONTACT = Customer(
    id="C1",
    name="Ingrid Dahl",
    language="en",
    channels=[ContactChannel(kind=ChannelKind.EMAIL, address="ingrid@example.com", consent=True)],
)
PHONE = ContactChannel(kind=ChannelKind.SMS, address="+4790000000", consent=True)
NO_CONSENT = ContactChannel(kind=ChannelKind.SMS, address="+4790000001", consent=False)
FAMILY = Booking(
    pnr="DAHL03",
    customer_id="C1",
    price_cents=57_000,
    passengers=[
        Passenger(seq=1, name="Ingrid Dahl"),
        Passenger(seq=2, name="Mette Berg", contact=[NO_CONSENT]),  # not to be used
        Passenger(seq=3, name="Jonas Lie", contact=[PHONE], language="nb"),
        Passenger(seq=4, name="Ola Lie", type=PassengerType.INFANT, on_lap_of=3),
    ],
    segments=[Segment(seq=1, flight_key="XA104/2026-03-01", cabin=Cabin.ECONOMY)],
)
FIELDS = {
    "flight": "XA104",
    "route": "FRA→LHR",
    "date": "2026-03-01",
    "itinerary": "XA106 FRA 14:00 → LHR 15:15",
}


def test_the_contact_and_each_passenger_with_a_consented_contact_of_their_own() -> None:
    contact, jonas = booking_recipients(FAMILY, CONTACT)
    assert contact is CONTACT
    assert (jonas.id, jonas.name, jonas.language) == ("DAHL03-P3", "Jonas Lie", "nb")
    assert jonas.channels == [PHONE]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'airline.sqlite'}") as database:
        yield database


async def test_one_change_is_one_message_per_recipient_once(db: Database) -> None:
    async def tell() -> int:
        async with db.transaction() as session:
            return await enqueue_for_booking(
                session,
                idempotency_key="notify:c1:DAHL03",
                case_id="c1",
                booking=FAMILY,
                contact=CONTACT,
                kind=MessageKind.CANCELLED_REBOOKED,
                fields=FIELDS,
                at=NOW,
            )

    assert await tell() == 2
    assert await tell() == 0  # the same change again: nobody is told twice
    async with db.session() as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
    assert [(r.idempotency_key, r.customer_id, r.channel) for r in rows] == [
        ("notify:c1:DAHL03", "C1", "email"),
        ("notify:c1:DAHL03:P3", "DAHL03-P3", "sms"),
    ]
