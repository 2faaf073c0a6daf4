"""The relay with the fallback patch: a failing channel falls back to the next consented
one, the row names the channel that delivered, and a final failure is not retried."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.relay import OutboxRelay
from airline.clock import SimulatedClock
from airline.models import ChannelKind, ContactChannel, Customer
from app.migrate import open_database
from streams.embedded import EmbeddedBroker, EmbeddedSink
from tests.integration.test_channels import (
    Mailbox,
    Sleeps,
    WebhookReceiver,
    smtp_channel,
    smtp_server,
    webhook_channel,
)
from tools.channels.base import Channel
from tools.channels.log import LogChannel
from tools.channels.smtp import message_id
from tools.notifications import MessageKind, enqueue_notification
from tools.tables import OutboxRow

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
FIELDS = {
    "flight": "XA102",
    "route": "FRA→LHR",
    "date": "2026-03-01",
    "new_dep": "10:05",
    "minutes": "105",
    "itinerary": "XA104 FRA 14:30 → LHR 15:45",
}


async def test_relay_falls_back_records_the_channel_and_does_not_retry_final_failures(
    tmp_path: Path,
) -> None:
    sleeps, mailbox = Sleeps(), Mailbox(refuse={"gone@example.org"})
    with smtp_server(mailbox) as server:
        async with (
            open_database(f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite'}") as db,
            WebhookReceiver([500]) as receiver,
            webhook_channel(sleeps) as webhook,
            smtp_channel(server) as email,
        ):
            reachable = Customer(
                id="C1",
                name="A",
                language="zh",
                channels=[
                    ContactChannel(
                        kind=ChannelKind.WEBHOOK, address=receiver.url, consent=True, priority=0
                    ),
                    ContactChannel(
                        kind=ChannelKind.EMAIL, address="a@example.org", consent=True, priority=1
                    ),
                ],
            )
            gone = Customer(
                id="C2",
                name="B",
                language="en",
                channels=[
                    ContactChannel(
                        kind=ChannelKind.EMAIL, address="gone@example.org", consent=True, priority=0
                    ),
                ],
            )
            async with db.transaction() as session:
                for key, who in (("k:reachable", reachable), ("k:gone", gone)):
                    await enqueue_notification(
                        session,
                        idempotency_key=key,
                        case_id="c",
                        pnr="ABC123",
                        customer=who,
                        kind=MessageKind.CANCELLED_REBOOKED,
                        fields=FIELDS,
                        at=NOW,
                    )
            channels: dict[str, Channel] = {"webhook": webhook, "email": email}
            relay = OutboxRelay(
                db, EmbeddedSink(EmbeddedBroker()), channels, LogChannel(), SimulatedClock(NOW)
            )
            await relay.drain_once()
            async with db.session() as session:
                rows = {r.idempotency_key: r for r in await session.scalars(select(OutboxRow))}
    assert (rows["k:reachable"].status, rows["k:reachable"].channel) == ("sent", "email")
    assert (rows["k:gone"].status, rows["k:gone"].attempts) == ("failed", 1)
    assert "550" in (rows["k:gone"].last_error or "")
    assert len(receiver.requests) == 4
    assert mailbox.by_message_id() == {message_id("k:reachable", "example.com"): 1}
    assert mailbox.rcpt_calls == 2
