"""Passenger messages: their language, the channel they agreed to, and never twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from airline.models import ChannelKind, ContactChannel, Customer
from airline.reservations import load_customer
from airline.tables import LedgerRow
from streams.events import TOPIC_NOTIFICATIONS
from tools.channels.base import OutboundMessage
from tools.notifications import MessageKind, choose_channel, compose, enqueue_notification
from tools.tables import OutboxRow
from travel_agent.db import Database

LANGUAGES = ("en", "de", "fr", "es", "zh")
ITINERARY = "XA104 FRA 14:30 → LHR 15:45"
# Exactly what the graph's nodes provide to every message.
FIELDS = {
    "flight": "XA102",
    "route": "FRA→LHR",
    "date": "2026-03-01",
    "new_dep": "10:05",
    "minutes": "105",
    "itinerary": ITINERARY,
}
NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def test_a_rebooking_reads_differently_in_each_language_and_names_both_flights() -> None:
    bodies = {}
    for language in LANGUAGES:
        subject, body = compose(MessageKind.CANCELLED_REBOOKED, language, FIELDS)
        assert "XA102" in subject
        assert "XA102" in body
        assert ITINERARY in body
        assert "2026-03-01" in body
        bodies[language] = body
    assert len(set(bodies.values())) == len(LANGUAGES)


def test_a_delay_message_gives_the_new_departure_and_minutes() -> None:
    for language in LANGUAGES:
        _, body = compose(MessageKind.DELAY, language, FIELDS)
        assert "10:05" in body and "105" in body, language


# The kinds the agent's reasoners send today; the others bring their own fields
# (test_notifications_templates.py).
AGENT_KINDS = [
    MessageKind.CANCELLED_REBOOKED,
    MessageKind.CANCELLED_NO_ALTERNATIVE,
    MessageKind.DIVERTED_REBOOKED,
    MessageKind.DIVERTED_NO_ALTERNATIVE,
    MessageKind.MISSED_CONNECTION_REBOOKED,
    MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE,
    MessageKind.DELAY,
]


@pytest.mark.parametrize("kind", AGENT_KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_composes_from_the_fields_the_agent_provides(
    kind: MessageKind, language: str
) -> None:
    subject, body = compose(kind, language, FIELDS)
    assert "XA102" in body and "XA102" in subject
    assert "{" not in body and "}" not in body


@pytest.mark.parametrize("language", ["pt", "nl", "", "pt-BR"])
def test_a_language_we_lack_falls_back_to_english(language: str) -> None:
    assert compose(MessageKind.CANCELLED_NO_ALTERNATIVE, language, FIELDS) == compose(
        MessageKind.CANCELLED_NO_ALTERNATIVE, "en", FIELDS
    )


def customer(*channels: ContactChannel, language: str = "de") -> Customer:
    return Customer(id="C999001", name="Test Passenger", language=language, channels=list(channels))


EMAIL = ContactChannel(kind=ChannelKind.EMAIL, address="p@example.org", consent=True, priority=1)
SMS = ContactChannel(kind=ChannelKind.SMS, address="+4915100000", consent=True, priority=0)


def test_the_preferred_channel_wins_whatever_the_order() -> None:
    assert choose_channel(customer(EMAIL, SMS)) == SMS
    assert choose_channel(customer(SMS, EMAIL)) == SMS


def test_a_channel_without_consent_is_never_used() -> None:
    no_sms = SMS.model_copy(update={"consent": False})
    assert choose_channel(customer(no_sms, EMAIL)) == EMAIL
    assert choose_channel(customer(no_sms)) is None
    assert choose_channel(customer()) is None


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


async def enqueue(db: Database, who: Customer, key: str = "notify:d1:C999001") -> bool:
    async with db.transaction() as session:
        return await enqueue_notification(
            session,
            idempotency_key=key,
            case_id="c-test",
            pnr="ABC123",
            customer=who,
            kind=MessageKind.CANCELLED_REBOOKED,
            fields=FIELDS,
            at=NOW,
        )


async def rows(db: Database, table: type[OutboxRow] | type[LedgerRow], key: str) -> int:
    async with db.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(table).where(table.idempotency_key == key)
        )
    return count or 0


async def test_a_notification_is_queued_once_per_key(db: Database) -> None:
    key = "notify:d1:C999001"
    who = customer(EMAIL, SMS.model_copy(update={"consent": False}))
    assert await enqueue(db, who, key) is True
    assert await enqueue(db, who, key) is False
    assert await rows(db, OutboxRow, key) == 1
    assert await rows(db, LedgerRow, key) == 1

    async with db.session() as session:
        row = await session.scalar(select(OutboxRow).where(OutboxRow.idempotency_key == key))
    assert row is not None
    assert (row.topic, row.status, row.key, row.channel) == (
        TOPIC_NOTIFICATIONS,
        "pending",
        "ABC123",
        "email",
    )
    message = OutboundMessage.model_validate(row.payload)
    assert message.address == "p@example.org"
    assert message.language == "de"
    assert (message.subject, message.body) == compose(MessageKind.CANCELLED_REBOOKED, "de", FIELDS)


async def test_another_change_is_another_message(db: Database) -> None:
    who = customer(EMAIL)
    assert await enqueue(db, who, "notify:d1:C999001")
    assert await enqueue(db, who, "notify:d2:C999001")


async def test_without_consent_the_message_goes_to_the_log_only(db: Database) -> None:
    key = "notify:d1:nobody"
    assert await enqueue(db, customer(SMS.model_copy(update={"consent": False})), key)
    async with db.session() as session:
        row = await session.scalar(select(OutboxRow).where(OutboxRow.idempotency_key == key))
    assert row is not None
    assert row.channel == "log"
    assert row.payload["address"] is None


async def test_a_seeded_customer_is_written_to_in_their_language(db: Database) -> None:
    async with db.session() as session:
        who = await load_customer(session, "C000001")
    assert await enqueue(db, who, "notify:d1:C000001")
    async with db.session() as session:
        row = await session.scalar(
            select(OutboxRow).where(OutboxRow.idempotency_key == "notify:d1:C000001")
        )
    assert row is not None
    assert row.customer_id == "C000001"
    assert row.payload["body"] == compose(MessageKind.CANCELLED_REBOOKED, who.language, FIELDS)[1]
    chosen = choose_channel(who)
    assert row.channel == (chosen.kind.value if chosen else "log")


async def test_a_message_repeating_the_latest_about_the_flight_is_not_sent(db: Database) -> None:
    """A second change that leaves the same words (a connection still broken, still no
    alternative) tells the passenger nothing: only the first is written."""
    who = customer(EMAIL)

    async def tell(key: str, fields: dict[str, str], about: str | None) -> bool:
        async with db.transaction() as session:
            return await enqueue_notification(
                session,
                idempotency_key=key,
                case_id="c-test",
                pnr="ABC123",
                customer=who,
                kind=MessageKind.CANCELLED_REBOOKED,
                fields=fields,
                at=NOW,
                about=about,
            )

    assert await tell("notify:d1:ABC123", FIELDS, "XA100/2026-03-01")
    assert not await tell("notify:d2:ABC123", FIELDS, "XA100/2026-03-01")
    assert await rows(db, OutboxRow, "notify:d2:ABC123") == 0
    other = {**FIELDS, "itinerary": FIELDS["itinerary"] + " (changed)"}
    assert await tell("notify:d3:ABC123", other, "XA100/2026-03-01")  # new words: news
    assert await tell("notify:d4:ABC123", FIELDS, "XB200/2026-03-01")  # another flight
    assert await tell("notify:d5:ABC123", FIELDS, None)  # about nothing: never compared
