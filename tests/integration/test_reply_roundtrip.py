"""A passenger answers, end to end on a real Kafka broker and real HTTP.

The offer goes out over the webhook channel (signed) to the passenger's own endpoint — a
local receiver — which answers "option 2" with a signed POST to our inbound endpoint;
that publishes to `passenger.replies` on Kafka; the reply router consumes it and the
offer's desk moves the booking, once. Then: the receiver's request sent again (a
replayed signature) and an unsigned one are refused, the same record delivered twice on
the topic changes nothing, and a passenger's words delivered twice are remembered once.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agent.offers import OfferDesk
from agent.replies import KafkaReplies, route_replies
from agent.tables import OfferRow, ReplyRow
from airline.reservations import load_booking
from airline.tables import LedgerRow
from app.replies_server import create_replies_app
from dashboard.server import DeskServer
from streams.kafka import KafkaSink, KafkaSource
from streams.replies import PassengerReply, encode_reply
from tests.fakes.memory import DictMemory
from tests.fakes.offers import Offered, offered_booking, world_deps
from tests.integration.helpers import KafkaProbe, wait_until
from tools.channels.base import OutboundMessage
from tools.channels.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookChannel,
    sign,
    verify_signature,
)
from tools.effects import ToolDeps
from travel_agent.db import Database

pytestmark = pytest.mark.integration

OUR_SECRET = "our-outbound-webhook-secret"
PASSENGER_SECRET = "the-passengers-reply-secret"


class PassengerEndpoint:
    """The passenger's webhook: checks our signature, then answers with their choice."""

    def __init__(self) -> None:
        self.offers: list[dict[str, Any]] = []
        self.sent: list[tuple[bytes, dict[str, str]]] = []
        self.answers: list[int] = []
        self.reply_to = ""
        self._tasks: set[asyncio.Task[None]] = set()

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            body = await request.body()
            if not verify_signature(
                OUR_SECRET,
                body,
                request.headers.get(SIGNATURE_HEADER),
                request.headers.get(TIMESTAMP_HEADER),
            ):
                return Response(status_code=401)
            self.offers.append(json.loads(body))
            task = asyncio.create_task(self.answer(self.offers[-1]["pnr"]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return Response(status_code=204)

        return Starlette(routes=[Route("/hook", receive, methods=["POST"])])

    async def answer(self, pnr: str) -> None:
        import time

        body = json.dumps({"pnr": pnr, "choice": "option", "option": 2}).encode()
        at = int(time.time())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(at),
            SIGNATURE_HEADER: sign(PASSENGER_SECRET, body, at),
            "Idempotency-Key": f"answer-{pnr}",
        }
        self.sent.append((body, headers))
        async with httpx.AsyncClient() as client:
            answered = await client.post(self.reply_to, content=body, headers=headers)
        self.answers.append(answered.status_code)


@pytest.fixture
async def deps(world_path: Path) -> AsyncIterator[ToolDeps]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as db:
        yield await world_deps(db)


async def count(deps: ToolDeps, table: Any, *where: Any) -> int:
    async with deps.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def test_an_answer_round_trip_runs_the_choice_once(
    kafka_bootstrap: str, deps: ToolDeps
) -> None:
    offered: Offered = await offered_booking(deps)
    topic = f"test-replies-{uuid.uuid4().hex[:8]}"
    async with KafkaProbe(kafka_bootstrap) as probe:
        await probe.create_topic(topic, 1)
        await probe.create_topic(topic + ".dlq", 1)
    passenger = PassengerEndpoint()
    stop = asyncio.Event()
    async with (
        KafkaSink(kafka_bootstrap) as sink,
        KafkaSource(
            kafka_bootstrap,
            sink=sink,
            topic=topic,
            dead_letter_topic=topic + ".dlq",
            group_id=topic,
            commit_interval=0,
        ) as source,
        DeskServer(
            create_replies_app(
                deps.db, sink.send, webhook_secret=PASSENGER_SECRET, now=deps.clock.now, topic=topic
            ),
            port=0,
        ) as inbound,
        DeskServer(passenger.app(), port=0) as receiver,
        WebhookChannel(OUR_SECRET, require_https=False) as webhook,
    ):
        passenger.reply_to = f"{inbound.url}/replies/webhook"
        memory = DictMemory()
        desk = OfferDesk(deps, memory)
        router = asyncio.create_task(route_replies(KafkaReplies(source), desk, stop))

        await webhook.deliver(
            OutboundMessage(
                idempotency_key=f"offer:{offered.offer_id}",
                customer_id="C",
                pnr=offered.pnr,
                kind="cancelled_rebooked",
                channel="webhook",
                address=f"{receiver.url}/hook",
                language="en",
                subject="Your new flight",
                body="Reply 1 to keep it, 2 or 3 for another flight, REFUND for your money.",
            )
        )

        async def moved() -> bool:
            # Moved, and the answer recorded: the rebooking commits first, then the
            # confirmation is queued and the answer written, so wait for all of it.
            async with deps.db.session() as session:
                booking = await load_booking(session, offered.pnr)
                answered = await session.get(ReplyRow, f"webhook:answer-{offered.pnr}")
            on_option_2 = [s.flight_key for s in booking.active_segments] == offered.options[1]
            return on_option_2 and answered is not None

        async def state() -> str:
            async with deps.db.session() as session:
                results = [
                    (r.result, r.received_at)
                    for r in (await session.scalars(select(ReplyRow))).all()
                ]
                offer = await session.get(OfferRow, offered.offer_id)
            deadline = offer.deadline if offer else None
            return f"answers {passenger.answers}, replies {results}, deadline {deadline}"

        await wait_until("the booking on option 2", moved, stall=120, describe=state)
        assert passenger.answers == [202]

        # The same signed request again, and one without a signature: refused.
        body, headers = passenger.sent[0]
        async with httpx.AsyncClient() as client:
            replayed = await client.post(passenger.reply_to, content=body, headers=headers)
            unsigned = await client.post(
                passenger.reply_to,
                content=body,
                headers={k: v for k, v in headers.items() if k != SIGNATURE_HEADER}
                | {"Idempotency-Key": "another"},
            )
        assert (replayed.status_code, unsigned.status_code) == (409, 401)

        # The same record delivered twice on the topic, then a marker to wait for.
        async with deps.db.session() as session:
            first = await session.get(ReplyRow, f"webhook:answer-{offered.pnr}")
        assert first is not None
        duplicate = PassengerReply(
            reply_id=first.reply_id,
            pnr=offered.pnr,
            channel="webhook",
            choice="option",
            option=3,
            received_at=first.received_at,
        )
        wish = duplicate.model_copy(
            update={
                "reply_id": "webhook:wish",
                "choice": "text",
                "option": None,
                "text": "Text me from now on, please.",
            }
        )
        marker = duplicate.model_copy(
            update={"reply_id": "marker", "choice": "text", "option": None}
        )
        await sink.send(topic, offered.pnr, encode_reply(duplicate))
        await sink.send(topic, offered.pnr, b"not a reply at all")
        await sink.send(topic, offered.pnr, encode_reply(wish))
        await sink.send(topic, offered.pnr, encode_reply(wish))  # a wish delivered twice
        await sink.send(topic, offered.pnr, encode_reply(marker))

        async def marker_seen() -> bool:
            return await count(deps, ReplyRow, ReplyRow.reply_id == "marker") == 1

        await wait_until("the marker reply handled", marker_seen, stall=120)
        stop.set()
        await router

    assert await moved()
    assert (
        await count(deps, LedgerRow, LedgerRow.idempotency_key == f"{offered.offer_id}:option") == 1
    )
    # The answer, the wish, the marker; the wish remembered once, as the passenger's.
    assert await count(deps, ReplyRow, ReplyRow.pnr == offered.pnr) == 3
    (remembered,) = memory.records.values()
    assert remembered.text == "Text me from now on, please."
    assert remembered.metadata["author"] == "webhook-reply" and memory.writes == 1
    async with deps.db.session() as session:
        offer = await session.get(OfferRow, offered.offer_id)
    assert offer is not None and offer.status == "changed"
    assert passenger.offers[0]["pnr"] == offered.pnr
