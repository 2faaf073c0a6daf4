"""A rebooking keeps the seats its booking has on a flight the new itinerary flies again.

A party re-planned onto another inbound and the same onward flight holds no second seat
on the onward flight (it may be full: with its own seat); confirming moves its seat onto
the new segment, releasing gives nothing back there (`SeatHoldRow.kept`); a rebooking
without a hold (an operator's other option) keeps it too (`airline.inventory.rebook`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from airline.holds import HoldRequest, confirm_hold, hold_many, release_hold
from airline.inventory import rebook
from airline.models import Booking, Cabin, SegmentStatus
from airline.tables import InventoryRow
from tests.unit.test_holds import (
    LATER_DIRECT,
    NOW,
    VIA_AMS,
    confirm,
    economy_passengers,
    hold,
    reread,
    sold,
)
from travel_agent.db import Database
from travel_agent.errors import NoSeatsError

INBOUND, ONWARD = VIA_AMS
OTHER_INBOUND = LATER_DIRECT  # the hold layer checks seats, not routes


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


@pytest.fixture
async def connecting(db: Database) -> Booking:
    """A booking on INBOUND+ONWARD (segments 2 and 3), the onward flight full since."""
    booking = (await economy_passengers(db))[0]
    held = await hold(db, booking.pnr, key="case-0:hold:a", flights=list(VIA_AMS))
    await confirm(db, held.id, key="case-0:rebook:v1")
    async with db.transaction() as session:
        await session.execute(
            update(InventoryRow)
            .where(InventoryRow.flight_key == ONWARD, InventoryRow.cabin == "economy")
            .values(sold=InventoryRow.capacity)
        )
    return booking


def request(pnr: str, kept: tuple[str, ...]) -> HoldRequest:
    return HoldRequest(
        "case-1:hold:w", "case-1", pnr, (OTHER_INBOUND, ONWARD), Cabin.ECONOMY.value, 1, kept
    )


async def hold_kept(db: Database, pnr: str, kept: tuple[str, ...] = (ONWARD,)) -> str:
    async with db.transaction() as session:
        (hold_id,) = await hold_many(
            session, [request(pnr, kept)], expires_at=NOW + timedelta(minutes=15), now=NOW
        )
    return hold_id


async def test_without_keeping_its_seat_the_party_finds_the_onward_flight_full(
    db: Database, connecting: Booking
) -> None:
    with pytest.raises(NoSeatsError):
        await hold_kept(db, connecting.pnr, kept=())


async def test_confirm_moves_the_kept_seat_onto_the_new_segment(
    db: Database, connecting: Booking
) -> None:
    full, inbound, other = (
        await sold(db, ONWARD),
        await sold(db, INBOUND),
        await sold(db, OTHER_INBOUND),
    )
    hold_id = await hold_kept(db, connecting.pnr)
    assert await sold(db, ONWARD) == full, "the kept seat is the booking's own"
    assert await sold(db, OTHER_INBOUND) == other + 1

    async with db.transaction() as session:
        await confirm_hold(
            session,
            key="case-1:rebook:v1",
            case_id="case-1",
            hold_id=hold_id,
            replace_seqs=[2, 3],
            now=NOW,
        )

    assert await sold(db, ONWARD) == full
    assert await sold(db, INBOUND) == inbound - 1
    assert await sold(db, OTHER_INBOUND) == other + 1
    after = await reread(db, connecting.pnr)
    active = sorted(s.flight_key for s in after.segments if s.status == SegmentStatus.ACTIVE)
    assert active == sorted([OTHER_INBOUND, ONWARD])


async def test_releasing_gives_back_only_what_the_hold_took(
    db: Database, connecting: Booking
) -> None:
    full, other = await sold(db, ONWARD), await sold(db, OTHER_INBOUND)
    hold_id = await hold_kept(db, connecting.pnr)
    async with db.transaction() as session:
        await release_hold(session, key="case-1:release", hold_id=hold_id, now=NOW)
    assert await sold(db, ONWARD) == full, "the booking still has its onward seat"
    assert await sold(db, OTHER_INBOUND) == other


async def test_a_rebooking_without_a_hold_keeps_the_seat_too(
    db: Database, connecting: Booking
) -> None:
    full, inbound, other = (
        await sold(db, ONWARD),
        await sold(db, INBOUND),
        await sold(db, OTHER_INBOUND),
    )
    async with db.transaction() as session:
        await rebook(
            session,
            pnr=connecting.pnr,
            replace_seqs=[2, 3],
            new_flights=[OTHER_INBOUND, ONWARD],
            cabin=Cabin.ECONOMY,
        )
    assert (await sold(db, ONWARD), await sold(db, INBOUND), await sold(db, OTHER_INBOUND)) == (
        full,
        inbound - 1,
        other + 1,
    )
