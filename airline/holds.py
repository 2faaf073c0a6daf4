"""Seat holds: take seats for a booking now, confirm the rebooking a little later.

A planner that has found an alternative can hold its seats while it decides (or while a
human approves): the seats are taken at once with the same conditional UPDATE as a
rebooking, so no other case can get them, and they stay taken until the hold is

- confirmed (`confirm_hold`): the booking moves onto the held flights, without taking
  the seats a second time;
- released (`release_hold`, or a refund or cancellation of the booking); or
- expired (`release_expired_holds`): nobody confirmed it in time. The daemon schedules
  the sweep when it holds seats (a `hold_expiry` job at the holds' expiry, run by
  `agent.scheduler` like every other follow-up).

The wave planner holds every seat it assigns with `hold_many`, in the transaction that
records its plan; the act node confirms the case's hold (`confirm_hold`) or gives it
back (`release_case_holds`). This module is the one implementation of holds.

Every call is idempotent by key through the action ledger: a retried call returns what
the first one did. The hold id is derived from the key, so a replayed hold is the same
hold. Read-then-write steps lock their rows (``FOR UPDATE``) on PostgreSQL; a sweep skips
holds another transaction has locked (``SKIP LOCKED``), so two sweepers never release one
hold twice and a sweep never waits on a confirmation in progress.

Why it is long: a hold's whole life — take one or a wave's many, confirm, release, expire
— is one state machine over the same rows, locks and ledger keys; split by step, each
part would re-derive the others' invariants (which rows are locked, in which order).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from airline.closed_flights import refuse_closed_flights
from airline.confirms_ahead import take_confirm_read
from airline.inventory import write_given_back
from airline.models import BookingStatus, Cabin
from airline.reservations import (
    BookingClosedError,
    HoldExpiredError,
    HoldStatus,
    InvalidRequestError,
    effect_done,
    give_back_seats,
    load_booking,
    lock_booking,
    record_effect,
    release_hold_row,
    seats_needed,
    swap_segments,
    take_seats,
)
from airline.tables import BookingRow, InventoryRow, SeatHoldRow
from travel_agent.errors import NoSeatsError, NotFoundError, ReservationError

__all__ = [
    "Hold",
    "HoldExpiredError",
    "HoldRequest",
    "HoldStatus",
    "confirm_hold",
    "hold_id_for",
    "hold_many",
    "hold_seats",
    "load_hold",
    "read_holds_ahead",
    "release_case_holds",
    "release_expired_holds",
    "release_hold",
]


class Hold(BaseModel):
    """Seats held for one booking on one itinerary."""

    id: str
    case_id: str
    pnr: str
    flights: list[str] = Field(description="the held itinerary, in order")
    cabin: Cabin
    party: int = Field(ge=1, description="seats held on each flight")
    status: HoldStatus
    created_at: datetime
    expires_at: datetime
    settled_at: datetime | None = None
    replayed: bool = Field(
        default=False, description="the key had been used before: nothing was done again"
    )


@dataclass(frozen=True, slots=True)
class HoldRequest:
    """Seats to hold for one booking (`hold_many`)."""

    key: str
    case_id: str
    pnr: str
    flights: tuple[str, ...]
    cabin: str
    party: int = 1
    kept: tuple[str, ...] = ()
    """Flights of `flights` on which the booking has its party's seats in `cabin` already,
    on segments the rebooking will replace: the hold keeps those (takes none there)."""


def hold_id_for(key: str) -> str:
    """The hold id a key creates: the same key always names the same hold."""
    return "h-" + hashlib.sha256(key.encode()).hexdigest()[:24]


async def hold_seats(
    session: AsyncSession,
    *,
    key: str,
    case_id: str,
    pnr: str,
    flights: Sequence[str],
    cabin: Cabin,
    party: int = 1,
    kept: Sequence[str] = (),
    expires_at: datetime,
    now: datetime,
) -> Hold:
    """Take `party` seats in `cabin` on every flight for `pnr` until `expires_at`.

    `kept`: flights of `flights` on which the booking has its seats in `cabin` already,
    on segments the rebooking will replace; the hold takes none there (the booking's
    own go over on confirming, and a release gives nothing back), as `HoldRequest.kept`
    does for a wave's holds.

    Raises:
        NoSeatsError: a flight has fewer than `party` seats left (nothing is held).
        NotFoundError: the booking or a flight does not exist.
        BookingClosedError: the booking is refunded or cancelled.
        InvalidRequestError: no flights, a flight twice, `party` < 1, an expiry not after
            `now`, or a kept flight not among `flights` or without the booking's seat in
            `cabin`.
    """
    _forget_holdless(session)
    # Lock first, then look for the key: a concurrent call with the same key has either
    # committed by the time the lock is ours, or not begun.
    booking = await lock_booking(session, pnr)
    if await effect_done(session, key):
        return await _replay(session, hold_id_for(key))
    if not flights or len(set(flights)) != len(flights):
        raise InvalidRequestError(f"a hold needs distinct flights, got {list(flights)}")
    if party < 1:
        raise InvalidRequestError(f"a hold needs at least one seat, got party={party}")
    if expires_at <= now:
        raise InvalidRequestError(f"the hold would expire at {expires_at}, not after {now}")
    if booking.status != BookingStatus.ACTIVE.value:
        raise BookingClosedError(pnr, booking.status)
    await _check_kept(session, pnr, flights, cabin, kept)
    # Sorted: transactions that take seats on the same flights lock them in one order.
    await take_seats(session, sorted(f for f in flights if f not in kept), cabin, party)
    row = SeatHoldRow(
        id=hold_id_for(key),
        idempotency_key=key,
        case_id=case_id,
        pnr=pnr,
        flights=list(flights),
        cabin=cabin.value,
        party=party,
        kept=sorted(kept) or None,
        status=HoldStatus.HELD.value,
        created_at=now,
        expires_at=expires_at,
        settled_at=None,
    )
    session.add(row)
    await record_effect(
        session,
        idempotency_key=key,
        case_id=case_id,
        action="hold",
        pnr=pnr,
        detail={
            "hold_id": row.id,
            "flights": list(flights),
            "cabin": cabin.value,
            "party": party,
            "expires_at": expires_at.isoformat(),
            **({"kept": sorted(kept)} if kept else {}),
        },
        at=now,
    )
    return _hold_of(row)


async def _check_kept(
    session: AsyncSession, pnr: str, flights: Sequence[str], cabin: Cabin, kept: Sequence[str]
) -> None:
    """A kept flight is one the hold flies, on which the booking has a seat in `cabin`:
    anything else would hold no seat where the booking has none."""
    if not kept:
        return
    stray = sorted(set(kept) - set(flights))
    if stray:
        raise InvalidRequestError(f"kept flights {stray} are not among the held {list(flights)}")
    booking = await load_booking(session, pnr)
    seated = {s.flight_key for s in booking.active_segments if s.cabin == cabin}
    missing = sorted(set(kept) - seated)
    if missing:
        raise InvalidRequestError(f"booking {pnr} has no {cabin.value} seat on {missing} to keep")


async def hold_many(
    session: AsyncSession,
    requests: Sequence[HoldRequest],
    *,
    expires_at: datetime,
    now: datetime,
) -> list[str]:
    """Hold seats for many bookings at once (a planned wave): the hold ids, in order.

    One conditional UPDATE per (flight, cabin) for the seats all the holds take there,
    then the hold rows inserted together: a wave's holds cost a few statements, not a
    transaction per passenger. Their record is the hold row itself (its key is unique);
    the ledger records what becomes of them (the rebooking that confirms one). The
    caller has planned within the seats it read in this transaction (on PostgreSQL,
    read ``FOR UPDATE``), so a refused
    UPDATE means the plan is stale: `NoSeatsError`, and the transaction rolls back whole.
    Keys already used are skipped (their holds exist).

    Raises:
        NoSeatsError: a (flight, cabin) has fewer seats left than the holds need.
    """
    _forget_holdless(session)
    if not requests:
        return []
    keys = [r.key for r in requests]
    done = set(
        await session.scalars(
            select(SeatHoldRow.idempotency_key).where(SeatHoldRow.idempotency_key.in_(keys))
        )
    )
    fresh = [r for r in requests if r.key not in done]
    need: Counter[tuple[str, str]] = Counter()
    for request in fresh:
        for flight in request.flights:
            if flight not in request.kept:
                need[(flight, request.cabin)] += request.party
    await write_given_back(session)  # seats given back in this transaction count
    # Sorted: transactions taking seats on the same flights lock them in one order.
    for (flight, cabin), count in sorted(need.items()):
        taken = await session.execute(
            update(InventoryRow)
            .where(
                InventoryRow.flight_key == flight,
                InventoryRow.cabin == cabin,
                InventoryRow.sold + count <= InventoryRow.capacity,
            )
            .values(sold=InventoryRow.sold + count)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise NoSeatsError(flight, cabin)
    if fresh:
        await session.execute(
            insert(SeatHoldRow),
            [
                {
                    "id": hold_id_for(r.key),
                    "idempotency_key": r.key,
                    "case_id": r.case_id,
                    "pnr": r.pnr,
                    "flights": list(r.flights),
                    "cabin": r.cabin,
                    "party": r.party,
                    "kept": sorted(r.kept) or None,
                    "status": HoldStatus.HELD.value,
                    "created_at": now,
                    "expires_at": expires_at,
                    "settled_at": None,
                }
                for r in fresh
            ],
        )
    return [hold_id_for(r.key) for r in requests]


# `session.info` key: cases read ahead (`read_holds_ahead`) that hold no seat.
_HOLDLESS = "cases_holding_nothing"


async def read_holds_ahead(session: AsyncSession, case_ids: Iterable[str]) -> None:
    """Learn in one read which of `case_ids` hold no seat, for `release_case_holds` to
    answer them without a read of its own (a batch of cases closing without a rebooking:
    a round trip per case saved). Holding seats in this transaction forgets it."""
    wanted = list(dict.fromkeys(case_ids))
    if not wanted:
        return
    holding = set(await session.scalars(_CASES_HOLDING, {"case_ids": wanted}))
    session.info.setdefault(_HOLDLESS, set()).update(set(wanted) - holding)


def _forget_holdless(session: AsyncSession) -> None:
    session.info.pop(_HOLDLESS, None)


_CASES_HOLDING = select(SeatHoldRow.case_id).where(
    SeatHoldRow.case_id.in_(bindparam("case_ids", expanding=True)),
    SeatHoldRow.status == HoldStatus.HELD.value,
)


async def release_case_holds(
    session: AsyncSession, case_id: str, now: datetime, *, keep: str | None = None
) -> list[str]:
    """Give back the seats of every hold the case still has (but `keep`): the ids released.

    A release is not a ledger effect of its own: the hold row's status records it, and a
    retried call finds nothing held to release.
    """
    if case_id in session.info.get(_HOLDLESS, ()):
        return []
    rows = (
        await session.scalars(
            select(SeatHoldRow)
            .where(SeatHoldRow.case_id == case_id, SeatHoldRow.status == HoldStatus.HELD.value)
            .order_by(SeatHoldRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    released = []
    for row in rows:
        if row.id == keep:
            continue
        await release_hold_row(session, row, HoldStatus.RELEASED, now)
        released.append(row.id)
    return released


async def confirm_hold(
    session: AsyncSession,
    *,
    key: str,
    case_id: str,
    hold_id: str,
    replace_seqs: Sequence[int],
    now: datetime,
) -> Hold:
    """Move the hold's booking off `replace_seqs` onto the held flights (the rebooking).

    The held seats become the new segments, so no seat is taken twice; the replaced
    segments' seats go back to inventory, and so do the seats held beyond what the
    booking's party needs (`reservations.seats_needed`); a hold for fewer is refused.
    The ledger records it as a ``rebook``. A held flight whose committed board row says
    it cannot be boarded any more (news another daemon committed since the hold) is
    refused (`airline.closed_flights`: why that closes the race with its cancellation).

    Raises:
        NotFoundError: no such hold, or the booking has no active segment in `replace_seqs`.
        HoldExpiredError: the hold expired or was released (hold again).
        FlightClosedError: a held flight is cancelled, diverted or gone (plan again).
        BookingClosedError: the booking is refunded or cancelled.
        InvalidRequestError: `replace_seqs` is empty, or the hold has fewer seats than the
            party needs.
        ReservationError: the hold was confirmed already, under another key.
    """
    # Read ahead for a batch of confirmations (`airline.confirms_ahead`), or read now.
    ahead = take_confirm_read(session, hold_id)
    if ahead is not None:
        row, booking = ahead.row, ahead.booking
    else:
        row, booking = await _lock_hold_and_booking(session, hold_id)
    if await effect_done(session, key):
        return await _replay(session, hold_id)
    if not replace_seqs:
        raise InvalidRequestError("confirming a hold needs the segments it replaces")
    if row.status == HoldStatus.CONFIRMED.value:
        raise ReservationError(f"hold {hold_id} was confirmed already")
    if row.status != HoldStatus.HELD.value:
        raise HoldExpiredError(hold_id, row.status)
    if row.expires_at <= now:
        raise HoldExpiredError(hold_id, f"expired at {row.expires_at.isoformat()}")
    if booking.status != BookingStatus.ACTIVE.value:
        raise BookingClosedError(row.pnr, booking.status)
    party = ahead.party if ahead is not None else await seats_needed(session, row.pnr)
    if row.party < party:
        raise InvalidRequestError(
            f"hold {hold_id} holds {row.party} seat(s); booking {row.pnr} needs {party}, "
            "together on every flight"
        )
    if ahead is None:
        await refuse_closed_flights(session, row.flights)  # before any seat is locked
    elif ahead.closed is not None:
        raise ahead.closed
    await swap_segments(
        session,
        pnr=row.pnr,
        replace_seqs=replace_seqs,
        new_flights=row.flights,
        cabin=row.cabin,
        party=party,
        read=(ahead.segments, ahead.last_seq) if ahead is not None else None,
    )
    # The swap gave back the replaced segments' seats, the kept ones among them: the new
    # segments on those flights take them again (net nothing; a kept flight whose segment
    # was not replaced takes fresh seats, or fails as any rebooking would).
    kept = sorted(row.kept or ())
    if kept:
        await take_seats(session, kept, Cabin(row.cabin), party)
    if row.party > party:  # held more than the party needs: the rest goes back
        for flight_key in row.flights:
            if flight_key not in kept:
                await give_back_seats(session, flight_key, row.cabin, row.party - party)
    row.status = HoldStatus.CONFIRMED.value
    row.settled_at = now
    await record_effect(
        session,
        idempotency_key=key,
        case_id=case_id,
        action="rebook",
        pnr=row.pnr,
        detail={
            "kind": "rebook",
            "hold_id": hold_id,
            "replace_seqs": list(replace_seqs),
            "flights": list(row.flights),
            "cabin": row.cabin,
        },
        at=now,
    )
    return _hold_of(row)


async def release_hold(session: AsyncSession, *, key: str, hold_id: str, now: datetime) -> Hold:
    """Give a hold's seats back now (the planner chose otherwise). A settled hold stays as is.

    Raises:
        NotFoundError: no such hold.
    """
    row, _ = await _lock_hold_and_booking(session, hold_id)
    if await effect_done(session, key):
        return await _replay(session, hold_id)
    if row.status != HoldStatus.HELD.value:
        return _hold_of(row)
    await release_hold_row(session, row, HoldStatus.RELEASED, now)
    await record_effect(
        session,
        idempotency_key=key,
        case_id=row.case_id,
        action="release_hold",
        pnr=row.pnr,
        detail={"hold_id": hold_id, "flights": list(row.flights), "party": row.party},
        at=now,
    )
    return _hold_of(row)


async def release_expired_holds(
    session: AsyncSession, now: datetime, *, limit: int | None = None
) -> list[str]:
    """Give back the seats of every hold that expired by `now`; the ids of those released.

    Each release is a ledger effect keyed by the hold (``hold-expiry:<id>``), so a sweep
    that is retried, or runs in two daemons at once, releases each hold once.
    """
    query = (
        select(SeatHoldRow)
        .where(SeatHoldRow.status == HoldStatus.HELD.value, SeatHoldRow.expires_at <= now)
        .order_by(SeatHoldRow.expires_at, SeatHoldRow.id)
        .with_for_update(skip_locked=True)
    )
    if limit is not None:
        query = query.limit(limit)
    released: list[str] = []
    for row in (await session.scalars(query)).all():
        key = f"hold-expiry:{row.id}"
        if await effect_done(session, key):
            continue
        await release_hold_row(session, row, HoldStatus.EXPIRED, now)
        await record_effect(
            session,
            idempotency_key=key,
            case_id=row.case_id,
            action="hold_expired",
            pnr=row.pnr,
            detail={"hold_id": row.id, "flights": list(row.flights), "party": row.party},
            at=now,
        )
        released.append(row.id)
    return released


async def load_hold(session: AsyncSession, hold_id: str) -> Hold:
    """The hold as it is now.

    Raises:
        NotFoundError: no such hold.
    """
    row = await session.get(SeatHoldRow, hold_id)
    if row is None:
        raise NotFoundError(f"no hold {hold_id}")
    return _hold_of(row)


async def _lock_hold_and_booking(
    session: AsyncSession, hold_id: str
) -> tuple[SeatHoldRow, BookingRow]:
    """Lock the hold's booking, then the hold: the order a refund of the booking takes too.
    Returns both rows (the booking's, so the caller need not read it again)."""
    pnr = await session.scalar(select(SeatHoldRow.pnr).where(SeatHoldRow.id == hold_id))
    if pnr is None:
        raise NotFoundError(f"no hold {hold_id}")
    booking = await lock_booking(session, pnr)
    row = await session.scalar(
        select(SeatHoldRow)
        .where(SeatHoldRow.id == hold_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFoundError(f"no hold {hold_id}")
    return row, booking


async def _replay(session: AsyncSession, hold_id: str) -> Hold:
    hold = await load_hold(session, hold_id)
    return hold.model_copy(update={"replayed": True})


def _hold_of(row: SeatHoldRow) -> Hold:
    return Hold(
        id=row.id,
        case_id=row.case_id,
        pnr=row.pnr,
        flights=list(row.flights),
        cabin=Cabin(row.cabin),
        party=row.party,
        status=HoldStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        settled_at=row.settled_at,
    )
