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

from airline.holds import HoldRequest, confirm_hold, hold_many, hold_seats, release_hold
from airline.inventory import rebook
from airline.models import Booking, Cabin, SegmentStatus
from airline.reservations import InvalidRequestError
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


@pytest.fixture(params=["hold_many", "hold_seats"])
def api(request: pytest.FixtureRequest) -> str:
    """Kept seats are the same in a wave's holds and in a single hold."""
    return str(request.param)


async def hold_kept(
    db: Database, pnr: str, kept: tuple[str, ...] = (ONWARD,), *, api: str = "hold_many"
) -> str:
    wanted = request(pnr, kept)
    expires = NOW + timedelta(minutes=15)
    async with db.transaction() as session:
        if api == "hold_seats":
            held = await hold_seats(
                session,
                key=wanted.key,
                case_id=wanted.case_id,
                pnr=pnr,
                flights=wanted.flights,
                cabin=Cabin(wanted.cabin),
                party=wanted.party,
                kept=kept,
                expires_at=expires,
                now=NOW,
            )
            return held.id
        (hold_id,) = await hold_many(session, [wanted], expires_at=expires, now=NOW)
    return hold_id


async def test_without_keeping_its_seat_the_party_finds_the_onward_flight_full(
    db: Database, connecting: Booking, api: str
) -> None:
    with pytest.raises(NoSeatsError):
        await hold_kept(db, connecting.pnr, kept=(), api=api)


async def test_confirm_moves_the_kept_seat_onto_the_new_segment(
    db: Database, connecting: Booking, api: str
) -> None:
    full, inbound, other = (
        await sold(db, ONWARD),
        await sold(db, INBOUND),
        await sold(db, OTHER_INBOUND),
    )
    hold_id = await hold_kept(db, connecting.pnr, api=api)
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
    db: Database, connecting: Booking, api: str
) -> None:
    full, other = await sold(db, ONWARD), await sold(db, OTHER_INBOUND)
    hold_id = await hold_kept(db, connecting.pnr, api=api)
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


@pytest.mark.parametrize(
    ("kept", "why"),
    [
        ((INBOUND,), "not among the held"),  # a flight the hold does not fly
        ((OTHER_INBOUND,), "has no economy seat"),  # a flight the booking is not on
    ],
)
async def test_a_single_hold_refuses_to_keep_a_seat_the_booking_does_not_have(
    db: Database, connecting: Booking, kept: tuple[str, ...], why: str
) -> None:
    other = await sold(db, OTHER_INBOUND)
    with pytest.raises(InvalidRequestError, match=why):
        await hold_kept(db, connecting.pnr, kept=kept, api="hold_seats")
    assert await sold(db, OTHER_INBOUND) == other, "nothing held"
