"""`passenger.replies` in one process (the demo's): published, routed once, bad records skipped."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.offers import OfferDesk
from agent.replies import route_replies
from agent.tables import OfferRow, ReplyRow
from app.demo_passengers import answer_open_offers, scripted_answer
from streams.replies import TOPIC_PASSENGER_REPLIES, EmbeddedReplies, PassengerReply, encode_reply
from tests.fakes.offers import Offered, offered_booking, world_deps
from tests.integration.helpers import wait_until
from tools.effects import ToolDeps
from travel_agent.db import Database


@pytest.fixture
async def deps(world_path: Path) -> AsyncIterator[ToolDeps]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as db:
        yield await world_deps(db)


async def test_replies_are_routed_in_order_once_and_garbage_is_skipped(deps: ToolDeps) -> None:
    offered: Offered = await offered_booking(deps)
    stream, stop = EmbeddedReplies(), asyncio.Event()
    router = asyncio.create_task(route_replies(stream, OfferDesk(deps), stop))
    answer = PassengerReply(
        reply_id="sms:1",
        pnr=offered.pnr,
        channel="sms",
        choice="option",
        option=2,
        received_at=deps.clock.now(),
    )
    for raw in (b"{not json", encode_reply(answer), encode_reply(answer)):
        await stream.send(TOPIC_PASSENGER_REPLIES, offered.pnr, raw)

    async def all_done() -> bool:
        return stream.committed == 2

    await wait_until("three records committed", all_done, within=60)
    stop.set()
    assert await router == 2
    async with deps.db.session() as session:
        offer = await session.get(OfferRow, offered.offer_id)
        answers = (await session.scalars(ReplyRow.__table__.select())).all()
    assert offer is not None and offer.status == "changed" and len(answers) == 1


def test_the_demo_passengers_answer_a_deterministic_share() -> None:
    answers = Counter(
        (scripted_answer(f"OF-{n:010d}", 3) or ("silent", None))[0] for n in range(4000)
    )
    assert answers["silent"] > answers["option"] > answers["decline"] > 0
    assert answers["text"] > 0 and answers["accept"] > 0
    assert scripted_answer("OF-0000000001", 3) == scripted_answer("OF-0000000001", 3)


async def test_the_demo_passengers_publish_each_answer_once(deps: ToolDeps) -> None:
    offered = await offered_booking(deps)
    stream, answered = EmbeddedReplies(), set[str]()
    rounds = [await answer_open_offers(deps.db, stream, deps.clock, answered) for _ in range(3)]

    expected = 1 if scripted_answer(offered.offer_id, len(offered.options)) else 0
    assert rounds == [expected, 0, 0] and answered == {offered.offer_id}
