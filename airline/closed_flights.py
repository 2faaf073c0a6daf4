"""No booking moves onto a flight whose committed board row says it cannot be boarded.

Several daemons can share the stream; each hears the news of its own partitions' flights
and learns the rest from the `board` table. A plan made on a board that has not heard of
a cancellation yet can name the cancelled flight; so the write that puts a booking on its
new flights (`refuse_closed_flights`, called by `airline.inventory.rebook` and
`airline.holds.confirm_hold` before they touch a seat) reads those flights' committed
rows, locked ``FOR SHARE`` on PostgreSQL, and refuses with `FlightClosedError` (the case
goes back to the planner) when one is cancelled, diverted, departed or arrived.

**Why that is enough, whatever the interleaving.** A cancellation reaches its passengers
through triage (`agent.triage.affected_bookings`), which finds them by their *active
segments* on the flight (`airline.bookings.passengers_on`), read in the transaction that
writes the flight's board row, after that write (`CaseOpener.open`: `LiveBoard.save`,
then triage, then the cases; a state saved earlier on its own, in a transaction before
it, is no different: triage reads after it committed). Seats held for a case are not
segments: a hold is not a booking on the flight, and triage does not see it. A booking
lands on a flight only here, where its new segments are written, so it is here that the
two writers must meet: R, the rebooking (this check, then the segments, one
transaction), and C, the cancellation (the board row's UPDATE, then triage's read of
segments, one transaction).

- PostgreSQL (READ COMMITTED: each statement sees what was committed when it began).
  The board row is the one row both touch: R locks it ``FOR SHARE``, C updates it.
  R first: C's UPDATE waits for R's commit, and C's triage, a later statement, sees R's
  segments: the cancellation opens a case for the rebooked passenger. C first: R's
  ``FOR SHARE`` waits for C's commit and then reads the row's newest version (PostgreSQL
  re-reads a row it waited on): cancelled, R is refused. C rolled back: R reads the row
  as it was, and C's cancellation, applied again later, meets R's commit as above. Both
  committed before the other began: the later one reads the earlier one's rows.
- SQLite: writers are serialized (`Database.transaction` begins IMMEDIATE) and each
  reads everything committed before it began, so whichever of R and C comes second sees
  the first: the same two outcomes.

A hold (`airline.holds.hold_many`, the wave's plan) is checked too, unlocked: the plan
reads its flights' committed rows (`LiveBoard.take_committed`) and plans again without
the closed ones (`agent.planner.place`). That spares a case the refused confirmation
when the news was committed before the wave's transaction read it; a cancellation
committed after that read is this module's to catch. (Locking there would make a wave,
which writes board rows of its own first, wait on another daemon's wave in a cycle.)

Locks: rows ``FOR SHARE`` in key order, before the rebooking takes or gives back any
seat (a caller that gives a hold back before rebooking checks first:
`Reservations.refuse_closed_flights`), and board writers update in key order
(`LiveBoard.save`), as their first lock: a rebooking waits on a cancellation's
transaction, never the other way round while holding what it needs.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from airline.board import UNBOARDABLE
from airline.errors import FlightClosedError
from airline.models import FlightStatus
from airline.tables import BoardRow

__all__ = ["refuse_closed_flights"]


async def refuse_closed_flights(session: AsyncSession, flight_keys: Collection[str]) -> None:
    """Lock the committed board rows of `flight_keys` (``FOR SHARE``; SQLite ignores it,
    its writers are serial) until the transaction ends, and refuse if one of them can no
    longer be boarded.

    Raises:
        FlightClosedError: the first such flight, in key order.
    """
    if not flight_keys:
        return
    rows = await session.execute(
        select(BoardRow.flight_key, BoardRow.status)
        .where(BoardRow.flight_key.in_(flight_keys))
        .order_by(BoardRow.flight_key)
        .with_for_update(read=True)
    )
    for flight_key, status in rows:
        if FlightStatus(status) in UNBOARDABLE:
            raise FlightClosedError(flight_key, status)
