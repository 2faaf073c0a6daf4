"""The overview lists the passengers' answers that went to the operator desk, so an
operator learns that someone wrote without knowing whom to look up; answers the offers
desk carried out are not listed, and the words are shown escaped, as data."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agent.offers import OfferDesk
from airline.tables import BookingRow
from streams.replies import PassengerReply
from tests.fakes.desk_client import open_desk
from tests.fakes.offers import offered_booking, world_deps
from travel_agent.db import Database

WORDS = "<b>I can't do overnight flights</b>, can someone call me?"


async def answered(world_path: Path) -> str:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as db:
        deps = await world_deps(db)
        offered = await offered_booking(deps)
        for n, said in enumerate(
            [{"choice": "option", "option": 2, "text": "2"}, {"choice": "text", "text": WORDS}]
        ):
            reply = PassengerReply.model_validate(
                {
                    "reply_id": f"sms:{n}",
                    "pnr": offered.pnr,
                    "channel": "sms",
                    "received_at": deps.clock.now(),
                    **said,
                }
            )
            await OfferDesk(deps).answer(reply)
        async with db.session() as session:
            booking = await session.get(BookingRow, offered.pnr)
        assert booking is not None
        return booking.customer_id


def test_the_overview_lists_the_answers_for_the_desk(world_path: Path) -> None:
    customer = asyncio.run(answered(world_path))
    with open_desk(world_path) as desk:
        desk.login("vera")
        page = desk.client.get("/").text

    panel = page[page.index('id="answers"') :]
    panel = panel[: panel.index("</section>")]
    assert f'href="/customers/{customer}#conversation"' in panel
    assert "&lt;b&gt;I can&#39;t do overnight flights&lt;/b&gt;, can someone call me?" in panel
    assert "<b>I can" not in panel
    assert "to the operator desk: the passenger wrote" in panel
    assert "moved to option 2" not in panel  # carried out: nothing for the desk
    assert 'data-figure="answers-for-desk">1<' in panel
