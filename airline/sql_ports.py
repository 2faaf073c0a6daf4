"""The SQL adapters behind `airline.ports`: the airline's tables on SQLite or PostgreSQL,
through the one implementation of each write (`airline.holds`, `airline.inventory`,
`airline.ledger`), on the session of the unit of work that hands them out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from airline import bookings, closed_flights, confirms_ahead, holds, inventory, ledger
from airline.holds import Hold
from airline.models import Booking, Cabin, Customer

__all__ = ["SqlEffectLedger", "SqlReservations"]


class SqlReservations:
    """`Reservations` in one transaction (`session`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def available_seats(self, flight_keys: list[str], cabin: Cabin) -> dict[str, int]:
        return await inventory.available_seats(self._session, flight_keys, cabin)

    async def load_booking(self, pnr: str) -> Booking:
        return await bookings.load_booking(self._session, pnr)

    async def load_customer(self, customer_id: str) -> Customer:
        return await bookings.load_customer(self._session, customer_id)

    async def rebook(
        self, *, pnr: str, replace_seqs: list[int], new_flights: list[str], cabin: Cabin
    ) -> None:
        await inventory.rebook(
            self._session, pnr=pnr, replace_seqs=replace_seqs, new_flights=new_flights, cabin=cabin
        )

    async def return_to_flight(
        self, *, pnr: str, replace_seqs: list[int], flight_key: str, cabin: Cabin
    ) -> None:
        await inventory.return_to_flight(
            self._session, pnr=pnr, replace_seqs=replace_seqs, flight_key=flight_key, cabin=cabin
        )

    async def refuse_closed_flights(self, flight_keys: Sequence[str]) -> None:
        await closed_flights.refuse_closed_flights(self._session, flight_keys)

    async def confirm_hold(
        self,
        *,
        key: str,
        case_id: str,
        hold_id: str,
        replace_seqs: Sequence[int],
        now: datetime,
    ) -> Hold:
        return await holds.confirm_hold(
            self._session,
            key=key,
            case_id=case_id,
            hold_id=hold_id,
            replace_seqs=replace_seqs,
            now=now,
        )

    async def release_case_holds(
        self, case_id: str, now: datetime, *, keep: str | None = None
    ) -> list[str]:
        return await holds.release_case_holds(self._session, case_id, now, keep=keep)

    async def read_holds_ahead(self, case_ids: Iterable[str]) -> None:
        await holds.read_holds_ahead(self._session, case_ids)

    async def read_confirms_ahead(self, hold_ids: Iterable[str]) -> None:
        await confirms_ahead.read_confirms_ahead(self._session, hold_ids)


class SqlEffectLedger:
    """`EffectLedger` in one transaction (`session`): what it read ahead, it remembers
    for that transaction only (`airline.ledger.read_ledger_ahead`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def read_ahead(self, keys: Iterable[str]) -> None:
        await ledger.read_ledger_ahead(self._session, keys)

    async def read_ahead_under(self, prefixes: Iterable[str]) -> None:
        await ledger.read_ledger_ahead_under(self._session, prefixes)

    async def done(self, key: str) -> bool:
        return await ledger.effect_done(self._session, key)

    async def details_under(self, prefix: str) -> list[dict[str, Any]]:
        return await ledger.effect_details_under(self._session, prefix)

    async def record(
        self, *, key: str, case_id: str, action: str, pnr: str, detail: dict[str, Any], at: datetime
    ) -> None:
        await ledger.record_effect(
            self._session,
            idempotency_key=key,
            case_id=case_id,
            action=action,
            pnr=pnr,
            detail=detail,
            at=at,
        )
