"""When and whether a queued message reaches the passenger: quiet hours, newest news only,
once per change, on the channels they consented to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from airline.models import ChannelKind, ContactChannel, Customer
from airline.tables import LedgerRow
from app.migrate import open_database
from tools.channels.fallback import Route, RoutedMessage
from tools.notifications import (
    MessageFieldError,
    MessageKind,
    delivery_time,
    due,
    enqueue_notification,
    is_due,
)
from tools.tables import OutboxRow
from travel_agent.db import Database

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LATE = datetime(2026, 3, 1, 23, 30, tzinfo=BERLIN)  # 22:30 UTC
SEVEN = datetime(2026, 3, 2, 7, 0, tzinfo=BERLIN)  # 06:00 UTC
FIELDS: dict[str, Any] = {
    "flight": "XA102",
    "route": "FRA→LHR",
    "date": "2026-03-02",
    "new_dep": "11:15",
    "minutes": "105",
    "itinerary": "XA104 FRA 14:30 → LHR 15:45",
    "amount": "EUR 249.00",
    "days": "7",
}


# --- quiet hours ------------------------------------------------------------------------


def test_a_delay_ten_hours_ahead_composed_at_half_past_eleven_waits_until_seven() -> None:
    timing = delivery_time(
        MessageKind.DELAY, LATE, departure=LATE + timedelta(hours=10), departure_tz="Europe/Berlin"
    )
    assert timing.not_before == SEVEN
    assert timing.not_before is not None and timing.not_before.tzinfo is not None
    assert (timing.urgent, timing.zone) == (False, "Europe/Berlin")


@pytest.mark.parametrize(
    "kind",
    [
        MessageKind.CANCELLED_REBOOKED,
        MessageKind.CANCELLED_NO_ALTERNATIVE,
        MessageKind.DIVERTED_NO_ALTERNATIVE,
        MessageKind.MISSED_CONNECTION_REBOOKED,
        MessageKind.OFFER,
        MessageKind.CARE,
    ],
)
def test_urgent_kinds_go_at_once_even_at_night(kind: MessageKind) -> None:
    timing = delivery_time(
        kind, LATE, departure=LATE + timedelta(hours=10), departure_tz="Europe/Berlin"
    )
    assert (timing.not_before, timing.urgent) == (None, True)


@pytest.mark.parametrize("kind", [MessageKind.DELAY, MessageKind.GATE_CHANGE])
def test_a_departure_too_near_to_wait_for_morning_makes_a_message_urgent(
    kind: MessageKind,
) -> None:
    # At 07:00 the 08:59 departure would be less than 2 h away: tell them now.
    near = delivery_time(kind, LATE, departure=LATE + timedelta(hours=9, minutes=29), tz=BERLIN)
    assert (near.not_before, near.urgent) == (None, True)
    far = delivery_time(kind, LATE, departure=LATE + timedelta(hours=9, minutes=30), tz=BERLIN)
    assert far.not_before == SEVEN


def test_a_delay_or_gate_change_without_a_known_departure_is_urgent() -> None:
    for kind in (MessageKind.DELAY, MessageKind.GATE_CHANGE):
        assert delivery_time(kind, LATE, tz=BERLIN).not_before is None


def test_a_refund_confirmation_waits_for_morning_whatever_the_departure() -> None:
    assert delivery_time(MessageKind.REFUND, LATE, tz=BERLIN).not_before == SEVEN


@pytest.mark.parametrize(
    ("local", "held_until"),
    [
        (datetime(2026, 3, 1, 21, 59, tzinfo=BERLIN), None),
        (datetime(2026, 3, 1, 22, 0, tzinfo=BERLIN), SEVEN),
        (datetime(2026, 3, 2, 0, 5, tzinfo=BERLIN), SEVEN),
        (datetime(2026, 3, 2, 6, 59, tzinfo=BERLIN), SEVEN),
        (datetime(2026, 3, 2, 7, 0, tzinfo=BERLIN), None),
        (datetime(2026, 3, 2, 12, 0, tzinfo=BERLIN), None),
    ],
)
def test_quiet_hours_run_from_ten_at_night_to_seven_in_the_morning(
    local: datetime, held_until: datetime | None
) -> None:
    # Given in UTC, judged in Berlin.
    timing = delivery_time(MessageKind.REFUND, local.astimezone(UTC), departure_tz="Europe/Berlin")
    assert timing.not_before == held_until


def test_the_passengers_own_time_zone_wins_over_the_departure_airports() -> None:
    # 23:30 in Frankfurt is 17:30 for a passenger at home in New York.
    timing = delivery_time(MessageKind.REFUND, LATE, tz="America/New_York", departure_tz=BERLIN)
    assert (timing.not_before, timing.zone) == (None, "America/New_York")
    at_night_there = datetime(2026, 3, 1, 23, 30, tzinfo=NEW_YORK)
    held = delivery_time(MessageKind.REFUND, at_night_there, tz=NEW_YORK, departure_tz=BERLIN)
    assert held.not_before == datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK)


def test_an_unknown_zone_falls_back_to_the_departure_airport_and_then_to_now() -> None:
    fallback = delivery_time(MessageKind.REFUND, LATE, tz="Mars/Olympus", departure_tz=BERLIN)
    assert fallback.not_before == SEVEN
    assert delivery_time(MessageKind.REFUND, LATE).not_before is None


def test_seven_oclock_is_local_across_a_daylight_saving_change() -> None:
    # Berlin moves to CEST at 02:00 on 29 March 2026: 07:00 that morning is 05:00 UTC.
    night = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    held = delivery_time(MessageKind.REFUND, night, tz=BERLIN).not_before
    assert held == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        delivery_time(MessageKind.REFUND, datetime(2026, 3, 1, 23, 30))  # noqa: DTZ001


# --- the outbox -------------------------------------------------------------------------

EMAIL = ContactChannel(kind=ChannelKind.EMAIL, address="p@example.org", consent=True, priority=1)
SMS = ContactChannel(kind=ChannelKind.SMS, address="+4915100000", consent=True, priority=0)
HOOK = ContactChannel(
    kind=ChannelKind.WEBHOOK, address="https://h.example", consent=True, priority=2
)


def customer(*channels: ContactChannel, language: str = "de", id: str = "C999001") -> Customer:
    return Customer(id=id, name="Test Passenger", language=language, channels=list(channels))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'airline.sqlite'}") as database:
        yield database


async def enqueue(
    db: Database,
    key: str,
    *,
    kind: MessageKind = MessageKind.DELAY,
    at: datetime = LATE,
    who: Customer | None = None,
    pnr: str = "ABC123",
    fields: dict[str, Any] | None = None,
    about: str = "XA100/2026-03-01",
) -> bool:
    # A change decided at another time states another departure (identical words would
    # be no news, and not written).
    if fields is None:
        fields = FIELDS | {"new_dep": f"{at + timedelta(hours=3):%H:%M}"}
    async with db.transaction() as session:
        return await enqueue_notification(
            session,
            idempotency_key=key,
            case_id="c-test",
            pnr=pnr,
            customer=who or customer(EMAIL),
            kind=kind,
            fields=fields,
            at=at,
            departure=at + timedelta(hours=10),
            departure_tz="Europe/Berlin",
            about=about,
        )


async def outbox(db: Database) -> dict[str, OutboxRow]:
    async with db.session() as session:
        return {r.idempotency_key: r for r in await session.scalars(select(OutboxRow))}


async def ledger(db: Database) -> dict[str, LedgerRow]:
    async with db.session() as session:
        return {r.idempotency_key: r for r in await session.scalars(select(LedgerRow))}


async def test_a_quiet_hours_delay_is_stored_with_its_not_before_and_a_cancellation_without(
    db: Database,
) -> None:
    assert await enqueue(db, "notify:d1:C999001")
    assert await enqueue(db, "notify:d2:C999001", kind=MessageKind.CANCELLED_REBOOKED, pnr="XYZ789")
    rows = await outbox(db)
    delay, cancel = rows["notify:d1:C999001"].payload, rows["notify:d2:C999001"].payload
    assert datetime.fromisoformat(delay["not_before"]) == SEVEN
    assert (delay["meta"]["urgent"], delay["meta"]["time_zone"]) == (False, "Europe/Berlin")
    assert cancel["not_before"] is None and cancel["meta"]["urgent"] is True
    # The relay reads both as the message it delivers.
    assert RoutedMessage.model_validate(delay).body.startswith("Ihr Flug XA102")
    assert (await ledger(db))["notify:d1:C999001"].detail["not_before"] == delay["not_before"]


async def test_the_relay_filter_holds_a_message_until_its_not_before(db: Database) -> None:
    assert await enqueue(db, "notify:d1:C1", who=customer(EMAIL, id="C1"), pnr="AAA111")
    urgent = MessageKind.CANCELLED_NO_ALTERNATIVE
    assert await enqueue(
        db, "notify:d2:C2", kind=urgent, who=customer(EMAIL, id="C2"), pnr="BBB222"
    )
    async with db.transaction() as session:  # an agent.actions event has no not_before at all
        session.add(
            OutboxRow(
                idempotency_key="event:x",
                topic="agent.actions",
                key="CCC333",
                payload={},
                status="pending",
                attempts=0,
                created_at=LATE,
            )
        )

    async def deliverable(now: datetime) -> set[str]:
        async with db.session() as session:
            keys = await session.scalars(
                select(OutboxRow.idempotency_key).where(OutboxRow.status == "pending", due(now))
            )
            return set(keys)

    rows = await outbox(db)
    for now, expected in (
        (LATE, {"notify:d2:C2", "event:x"}),
        (SEVEN - timedelta(seconds=1), {"notify:d2:C2", "event:x"}),
        (SEVEN, {"notify:d1:C1", "notify:d2:C2", "event:x"}),
    ):
        assert await deliverable(now) == expected
        assert {k for k, row in rows.items() if is_due(row.payload, now)} == expected


async def test_a_newer_change_supersedes_the_pending_older_message(db: Database) -> None:
    assert await enqueue(db, "notify:d1:C999001")
    assert await enqueue(db, "notify:d2:C999001", at=LATE + timedelta(minutes=20))
    rows = await outbox(db)
    assert rows["notify:d1:C999001"].status == "superseded"
    assert rows["notify:d2:C999001"].status == "pending"
    assert rows["notify:d2:C999001"].payload["meta"]["supersedes"] == ["notify:d1:C999001"]
    # Both changes stay in the ledger: neither is ever queued again.
    entries = await ledger(db)
    assert set(entries) == {"notify:d1:C999001", "notify:d2:C999001"}
    assert entries["notify:d2:C999001"].detail["supersedes"] == ["notify:d1:C999001"]


async def test_a_delivered_message_is_never_superseded(db: Database) -> None:
    assert await enqueue(db, "notify:d1:C999001")
    async with db.transaction() as session:
        await session.execute(update(OutboxRow).values(status="sent"))
    assert await enqueue(db, "notify:d2:C999001", at=LATE + timedelta(minutes=20))
    rows = await outbox(db)
    assert (rows["notify:d1:C999001"].status, rows["notify:d2:C999001"].status) == (
        "sent",
        "pending",
    )
    assert rows["notify:d2:C999001"].payload["meta"]["supersedes"] == []


async def test_only_the_same_passengers_messages_on_the_same_booking_are_superseded(
    db: Database,
) -> None:
    other_booking = "notify:d1:C999001:other"
    other_passenger = "notify:d1:C999002"
    assert await enqueue(db, other_booking, pnr="XYZ789")
    assert await enqueue(db, other_passenger, who=customer(EMAIL, id="C999002"))
    assert await enqueue(db, "notify:d2:C999001", at=LATE + timedelta(minutes=20))
    rows = await outbox(db)
    assert {k: r.status for k, r in rows.items()} == {
        other_booking: "pending",
        other_passenger: "pending",
        "notify:d2:C999001": "pending",
    }


async def test_news_about_another_flight_never_supersedes_a_pending_message(
    db: Database,
) -> None:
    # "You are rebooked onto XA102" must reach the passenger even if XA102 then changes gate.
    assert await enqueue(db, "notify:d1:C999001", kind=MessageKind.DELAY)
    assert await enqueue(
        db, "notify:d2:C999001", at=LATE + timedelta(minutes=20), about="XA102/2026-03-01"
    )
    rows = await outbox(db)
    assert (rows["notify:d1:C999001"].status, rows["notify:d2:C999001"].status) == (
        "pending",
        "pending",
    )


async def test_an_older_change_arriving_late_is_superseded_at_birth(db: Database) -> None:
    assert await enqueue(db, "notify:d2:C999001", at=LATE + timedelta(minutes=20))
    assert await enqueue(db, "notify:d1:C999001", at=LATE)
    rows = await outbox(db)
    assert rows["notify:d2:C999001"].status == "pending"
    assert rows["notify:d1:C999001"].status == "superseded"
    assert rows["notify:d1:C999001"].payload["meta"]["superseded_by"] == "notify:d2:C999001"


async def test_the_same_change_twice_is_queued_once_and_changes_nothing(db: Database) -> None:
    assert await enqueue(db, "notify:d1:C999001")
    assert await enqueue(db, "notify:d2:C999001", at=LATE + timedelta(minutes=20))
    before = {k: (r.status, r.payload) for k, r in (await outbox(db)).items()}
    # The first change again, later and with other facts: already told, so nothing happens.
    again = await enqueue(
        db, "notify:d1:C999001", at=LATE + timedelta(hours=1), fields=FIELDS | {"minutes": "240"}
    )
    assert again is False
    assert {k: (r.status, r.payload) for k, r in (await outbox(db)).items()} == before
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(LedgerRow)) == 2


async def test_a_message_missing_a_field_writes_nothing(db: Database) -> None:
    with pytest.raises(MessageFieldError, match="gate"):
        await enqueue(db, "notify:d1:C999001", kind=MessageKind.GATE_CHANGE)
    assert await outbox(db) == {}
    assert await ledger(db) == {}


@pytest.mark.parametrize(
    ("tag", "language", "fell_back"),
    [("de-DE", "de", False), ("ZH", "zh", False), ("pt-BR", "en", True), ("", "en", True)],
)
async def test_the_payload_says_which_language_was_written_and_whether_it_fell_back(
    db: Database, tag: str, language: str, fell_back: bool
) -> None:
    assert await enqueue(db, "notify:d1:C999001", who=customer(EMAIL, language=tag))
    payload = (await outbox(db))["notify:d1:C999001"].payload
    assert payload["language"] == language
    assert payload["meta"]["requested_language"] == tag
    assert payload["meta"]["language_fallback"] is fell_back


async def test_the_preferred_consented_channel_goes_first_and_the_others_follow_in_order(
    db: Database,
) -> None:
    refused = ContactChannel(
        kind=ChannelKind.SMS, address="+4915199999", consent=False, priority=-1
    )
    assert await enqueue(db, "notify:d1:C999001", who=customer(HOOK, EMAIL, refused, SMS))
    row = (await outbox(db))["notify:d1:C999001"]
    message = RoutedMessage.model_validate(row.payload)
    assert (row.channel, message.channel, message.address) == ("sms", "sms", "+4915100000")
    assert message.alternatives == [
        Route(channel="email", address="p@example.org"),
        Route(channel="webhook", address="https://h.example"),
    ]
