"""Seat inventory: seats left, taken and given back, and moving a booking onto new flights.

Seats are taken with a conditional UPDATE (``sold < capacity``), which is atomic on
SQLite and on PostgreSQL alike: inventory never goes negative or above capacity, however
many cases compete for the last seat. Seat holds (`airline.holds`) count in
`InventoryRow.sold` while they last.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from airline.bookings import seats_needed
from airline.closed_flights import refuse_closed_flights
from airline.errors import InvalidRequestError
from airline.models import Cabin, SegmentStatus
from airline.tables import InventoryRow, SegmentRow
from travel_agent.db import deferring, execute_write, insert_row, write_deferred_now
from travel_agent.errors import NoSeatsError, NotFoundError

__all__ = [
    "available_seats",
    "give_back_seats",
    "rebook",
    "return_to_flight",
    "swap_segments",
    "take_seats",
    "write_given_back",
]

log = logging.getLogger(__name__)


async def available_seats(
    session: AsyncSession, flight_keys: list[str], cabin: Cabin
) -> dict[str, int]:
    """Seats left per flight in `cabin`, read now (not from a snapshot)."""
    if not flight_keys:
        return {}
    await write_given_back(session)
    rows = await session.execute(_SEATS_LEFT, {"keys": flight_keys, "cabin": cabin.value})
    return {key: int(left) for key, left in rows}


# Built once (asked several times per case): constructing and keying a statement for the
# compiled cache costs more CPU than running it; a statement object memoizes its key.
_SEATS_LEFT = select(InventoryRow.flight_key, InventoryRow.capacity - InventoryRow.sold).where(
    InventoryRow.flight_key.in_(bindparam("keys", expanding=True)),
    InventoryRow.cabin == bindparam("cabin"),
)
# On the table, not the mapped class: a batch runs it as one executemany
# (`give_back_seats`), which the ORM refuses for an UPDATE with criteria of its own.
_INVENTORY = cast(Table, InventoryRow.__table__)
_GIVE_BACK = (
    update(_INVENTORY)
    .where(
        _INVENTORY.c.flight_key == bindparam("b_flight_key"),
        _INVENTORY.c.cabin == bindparam("b_cabin"),
        _INVENTORY.c.sold >= bindparam("b_count"),
    )
    .values(sold=_INVENTORY.c.sold - bindparam("b_count"))
)


async def rebook(
    session: AsyncSession,
    *,
    pnr: str,
    replace_seqs: list[int],
    new_flights: list[str],
    cabin: Cabin,
) -> None:
    """Move a booking off `replace_seqs` onto `new_flights` (in itinerary order), with a
    seat for every passenger who needs one, the party together on every flight.

    Refuses a new flight that its committed board row says cannot be boarded
    (`airline.closed_flights`, which locks those rows until the transaction ends). Takes
    the new seats first, so a flight that filled up raises `NoSeatsError` before
    anything changed; the caller's transaction then rolls back as a whole. A new flight
    the booking has a replaced segment on, in `cabin`, keeps the seats it has there (the
    planner credits them to it: another inbound to the same onward flight needs no
    second seat on a flight it may have filled itself).

    Raises:
        FlightClosedError: one of the new flights is cancelled, diverted or gone.
        NoSeatsError: one of the new flights has fewer seats left in `cabin` than the party.
        NotFoundError: the booking or one of the segments does not exist.
        InvalidRequestError: `replace_seqs` belong to more than one journey.
    """
    await refuse_closed_flights(session, new_flights)  # before any seat is locked
    party = await seats_needed(session, pnr)
    kept = set(
        await session.scalars(
            select(SegmentRow.flight_key).where(
                SegmentRow.pnr == pnr,
                SegmentRow.seq.in_(replace_seqs),
                SegmentRow.status == SegmentStatus.ACTIVE.value,
                SegmentRow.cabin == cabin.value,
            )
        )
    ).intersection(new_flights)
    await take_seats(session, [f for f in new_flights if f not in kept], cabin, party)
    await swap_segments(
        session,
        pnr=pnr,
        replace_seqs=replace_seqs,
        new_flights=new_flights,
        cabin=cabin.value,
        party=party,
    )
    # The swap gave the kept seats back with the replaced segments: the new ones take them.
    await take_seats(session, sorted(kept), cabin, party)


async def return_to_flight(
    session: AsyncSession,
    *,
    pnr: str,
    replace_seqs: list[int],
    flight_key: str,
    cabin: Cabin,
) -> None:
    """Take `replace_seqs` off the booking and put it back on `flight_key`, a seat for
    every passenger who needs one: a booking rebooked off a diverted flight whose
    re-routing its re-diversion left out of reach (it starts where the aircraft no longer
    lands) is back on the flight that put its passengers down, as those still aboard with
    no alternative are. The flight is diverted, so no closed-flight check: nobody else
    can be booked onto it, and the seat taken is the one the booking gave back.

    Raises:
        NoSeatsError: the flight has fewer seats left in `cabin` than the party.
        NotFoundError: the booking or one of the segments does not exist.
        InvalidRequestError: `replace_seqs` belong to more than one journey.
    """
    party = await seats_needed(session, pnr)
    await take_seats(session, [flight_key], cabin, party)
    await swap_segments(
        session,
        pnr=pnr,
        replace_seqs=replace_seqs,
        new_flights=[flight_key],
        cabin=cabin.value,
        party=party,
    )


async def swap_segments(
    session: AsyncSession,
    *,
    pnr: str,
    replace_seqs: Sequence[int],
    new_flights: Sequence[str],
    cabin: str,
    party: int | None = None,
    read: tuple[Sequence[SegmentRow], int | None] | None = None,
) -> None:
    """Take `replace_seqs` off the booking (the party's seats back) and add `new_flights`
    to the journey they belonged to.

    The new flights' seats must be taken already (by `take_seats` or a hold), one per
    passenger who needs a seat. `party`: the seats the party takes (`seats_needed`), when
    the caller counted them in this transaction already (None: counted here). `read`:
    the booking's active segments, locked, and its highest segment number, when the
    caller read them in this transaction already (`airline.confirms_ahead`).

    Raises:
        NotFoundError: the booking has no active segment with one of `replace_seqs`.
        InvalidRequestError: `replace_seqs` belong to more than one journey (a rebooking
            re-accommodates one journey; the others keep their segments).
    """
    if read is None:
        segments: Sequence[SegmentRow] = (
            await session.scalars(
                select(SegmentRow)
                .where(SegmentRow.pnr == pnr, SegmentRow.status == SegmentStatus.ACTIVE.value)
                # A concurrent refund or rebooking of the same booking waits, then sees it.
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).all()
    else:
        segments = read[0]
    by_seq = {s.seq: s for s in segments}
    missing = [seq for seq in replace_seqs if seq not in by_seq]
    if missing:
        raise NotFoundError(f"booking {pnr} has no active segment {missing}")
    journeys = sorted({by_seq[seq].journey for seq in replace_seqs})
    if len(journeys) > 1:
        raise InvalidRequestError(
            f"booking {pnr}: segments {sorted(replace_seqs)} belong to journeys {journeys}; "
            "a rebooking replaces segments of one journey"
        )
    if party is None:
        party = await seats_needed(session, pnr)
    for seq in replace_seqs:
        old = by_seq[seq]
        old.status = SegmentStatus.REPLACED.value
        # Give the seats back: they are "discovered inventory" for the next passengers.
        await give_back_seats(session, old.flight_key, old.cabin, party)
    # New segments take fresh sequence numbers; the itinerary order is by departure time.
    last_seq = (
        read[1]
        if read is not None
        else await session.scalar(select(func.max(SegmentRow.seq)).where(SegmentRow.pnr == pnr))
    )
    # Inserted as rows, not added as objects (`insert_row`): nothing reads them back as
    # objects, and a batch of settled cases writes all of theirs in one statement.
    for seq, flight_key in enumerate(new_flights, start=(last_seq or 0) + 1):
        await insert_row(
            session,
            SegmentRow(
                pnr=pnr,
                seq=seq,
                flight_key=flight_key,
                cabin=cabin,
                status=SegmentStatus.ACTIVE.value,
                journey=journeys[0] if journeys else 1,
            ),
        )


async def take_seats(
    session: AsyncSession, flight_keys: Sequence[str], cabin: Cabin, count: int = 1
) -> None:
    """Take `count` seats in `cabin` on each flight, with one conditional UPDATE per flight.

    Raises:
        NoSeatsError: a flight has fewer than `count` seats left; seats taken on earlier
            flights are given back when the caller's transaction rolls back.
        NotFoundError: a flight has no such cabin (or does not exist).
    """
    await write_given_back(session)
    for flight_key in flight_keys:
        taken = await session.execute(
            update(InventoryRow)
            .where(
                InventoryRow.flight_key == flight_key,
                InventoryRow.cabin == cabin.value,
                InventoryRow.sold + count <= InventoryRow.capacity,
            )
            .values(sold=InventoryRow.sold + count)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            exists = await session.scalar(
                select(InventoryRow.capacity).where(
                    InventoryRow.flight_key == flight_key, InventoryRow.cabin == cabin.value
                )
            )
            if exists is None:
                raise NotFoundError(f"no flight {flight_key} with a {cabin.value} cabin")
            raise NoSeatsError(flight_key, cabin.value)


async def give_back_seats(
    session: AsyncSession, flight_key: str, cabin: str, count: int = 1
) -> None:
    """Return `count` seats to inventory; never below zero (a mismatch is logged).

    In a session that holds its writes back (`travel_agent.db.defer_writes`: a batch of
    settled cases), the seats go back with the batch's other writes, one executemany for
    all, and no mismatch is logged; a statement of this transaction that takes seats or
    reads the seats left writes them first (`write_given_back`), so it sees them."""
    params = {"b_flight_key": flight_key, "b_cabin": cabin, "b_count": count}
    if deferring(session):
        await execute_write(session, _GIVE_BACK, params)
        return
    given = await session.execute(_GIVE_BACK, params)
    if given.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("could not give back %d %s seat(s) on %s", count, cabin, flight_key)


async def write_given_back(session: AsyncSession) -> None:
    """Write now the seats `give_back_seats` holds back in `session` (if any): before a
    statement that takes seats or reads the seats left, which must count them."""
    await write_deferred_now(session, _GIVE_BACK)
