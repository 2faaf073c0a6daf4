"""The SQL adapter behind `tools.ports.Outbox`: outbox rows on the session of the unit of
work that hands it out, through the one writer of each (`tools.notifications`,
`tools.effects.action_event`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from airline.models import Booking, Customer
from tools.effects import action_event_values
from tools.notifications import enqueue_for_booking, read_outbox_ahead
from tools.notifications.kinds import FieldValue, MessageKind
from tools.notifications.timing import LegalDeadline
from tools.tables import OutboxRow
from travel_agent.db import insert_values

__all__ = ["SqlOutbox"]


class SqlOutbox:
    """`Outbox` in one transaction (`session`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue_for_booking(
        self,
        *,
        idempotency_key: str,
        case_id: str,
        booking: Booking,
        contact: Customer,
        kind: MessageKind,
        fields: Mapping[str, FieldValue],
        at: datetime,
        departure: datetime | None = None,
        departure_tz: str | tzinfo | None = None,
        about: str | None = None,
        deadline: LegalDeadline | None = None,
        departure_told: datetime | None = None,
    ) -> int:
        return await enqueue_for_booking(
            self._session,
            idempotency_key=idempotency_key,
            case_id=case_id,
            booking=booking,
            contact=contact,
            kind=kind,
            fields=fields,
            at=at,
            departure=departure,
            departure_tz=departure_tz,
            about=about,
            deadline=deadline,
            departure_told=departure_told,
        )

    async def read_ahead(self, pnrs: Iterable[str]) -> None:
        await read_outbox_ahead(self._session, pnrs)

    async def announce(
        self, *, key: str, case_id: str, pnr: str, action: str, detail: dict[str, Any], at: datetime
    ) -> None:
        await insert_values(
            self._session, OutboxRow, action_event_values(key, case_id, pnr, action, detail, at)
        )
