"""The airline's systems as the agent's graph nodes use them, bound to one transaction.

    nodes ──→ Reservations, EffectLedger (these Protocols) ←── SqlReservations,
                                                              SqlEffectLedger (airline.sql_ports)

A port is handed out bound to the caller's unit of work (`agent.work.UnitOfWork`): its
writes commit or roll back with everything else the case does in that transaction,
which is what lets a case run again after a crash without an effect twice. The SQL
functions behind them (`airline.holds`, `airline.inventory`, `airline.ledger`) stay the
one implementation; the scheduler, the desk and the bulk paths call those directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from airline.holds import Hold
from airline.models import Booking, Cabin, Customer

__all__ = ["EffectLedger", "Reservations", "Seats"]


class Seats(Protocol):
    """Seats left, read live: what the policy check needs of reservations."""

    async def available_seats(self, flight_keys: list[str], cabin: Cabin) -> dict[str, int]:
        """Seats left per flight in `cabin`, read now (not from a snapshot)."""
        ...


class Reservations(Seats, Protocol):
    """Bookings, customers, seats and holds."""

    async def load_booking(self, pnr: str) -> Booking:
        """The booking with its passengers, journeys and segments (`NotFoundError`)."""
        ...

    async def load_customer(self, customer_id: str) -> Customer:
        """The customer with their contact channels (`NotFoundError`)."""
        ...

    async def rebook(
        self, *, pnr: str, replace_seqs: list[int], new_flights: list[str], cabin: Cabin
    ) -> None:
        """Move the booking off `replace_seqs` onto `new_flights`, taking fresh seats
        (`NoSeatsError` when one is gone; `FlightClosedError` when a flight's committed
        board row says it cannot be boarded)."""
        ...

    async def return_to_flight(
        self, *, pnr: str, replace_seqs: list[int], flight_key: str, cabin: Cabin
    ) -> None:
        """Move the booking off `replace_seqs` back onto the diverted flight `flight_key`
        (`airline.inventory.return_to_flight`): a re-routing its re-diversion left out of
        reach, given up."""
        ...

    async def refuse_closed_flights(self, flight_keys: Sequence[str]) -> None:
        """`FlightClosedError` if a flight's committed board row says it cannot be
        boarded; the rows stay locked until the transaction ends (`rebook` and
        `confirm_hold` check this themselves: a caller that must give seats back first
        checks before, so it locks in their order, `airline.closed_flights`)."""
        ...

    async def confirm_hold(
        self,
        *,
        key: str,
        case_id: str,
        hold_id: str,
        replace_seqs: Sequence[int],
        now: datetime,
    ) -> Hold:
        """Move the hold's booking onto the held flights (`HoldExpiredError` when it
        lapsed, `FlightClosedError` as for `rebook`); the ledger records it as a
        ``rebook`` under `key`."""
        ...

    async def release_case_holds(
        self, case_id: str, now: datetime, *, keep: str | None = None
    ) -> list[str]:
        """Give back the seats of every hold the case still has (but `keep`)."""
        ...

    async def read_holds_ahead(self, case_ids: Iterable[str]) -> None:
        """Learn in one read which of `case_ids` hold no seat, for `release_case_holds`
        to answer from in this unit of work."""
        ...

    async def read_confirms_ahead(self, hold_ids: Iterable[str]) -> None:
        """Read in one query per table what confirming each of `hold_ids` reads, for
        `confirm_hold` to take from in this unit of work (a batch of cases, one per
        booking: `airline.confirms_ahead`)."""
        ...


class EffectLedger(Protocol):
    """The action ledger: each effect once, under its idempotency key."""

    async def read_ahead(self, keys: Iterable[str]) -> None:
        """Learn in one read whether each of `keys` is done, for `done` to answer from."""
        ...

    async def read_ahead_under(self, prefixes: Iterable[str]) -> None:
        """Learn in one read the details of the effects under each of `prefixes`, for
        `details_under` to answer from."""
        ...

    async def done(self, key: str) -> bool:
        """Has the effect with this key been carried out?"""
        ...

    async def details_under(self, prefix: str) -> list[dict[str, Any]]:
        """The details of every effect whose key starts with `prefix`."""
        ...

    async def record(
        self, *, key: str, case_id: str, action: str, pnr: str, detail: dict[str, Any], at: datetime
    ) -> None:
        """Write the effect's row; a key used before fails the transaction."""
        ...
