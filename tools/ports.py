"""The tools' outbox as the agent's graph nodes use it, bound to one transaction.

    nodes ──→ Outbox (this Protocol) ←── SqlOutbox (tools.sql_outbox, the adapter)

Messages to passengers and the `agent.actions` events of effects are rows of the outbox,
written in the transaction of the effect they tell about and published later by the
relay: a rolled-back effect sends nothing. The unit of work (`agent.work.UnitOfWork`)
hands the outbox out bound to its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any, Protocol

from airline.models import Booking, Customer
from tools.notifications.kinds import FieldValue, MessageKind
from tools.notifications.timing import LegalDeadline

__all__ = ["Outbox"]


class Outbox(Protocol):
    """Passenger messages and effect events, written for the relay to publish."""

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
        """A message to the booking's contact and each passenger with a contact of their
        own (`tools.notifications.enqueue_for_booking`); how many were written now."""
        ...

    async def read_ahead(self, pnrs: Iterable[str]) -> None:
        """Learn in one read the live messages of the bookings `pnrs`, for the messages
        enqueued later in this unit of work (`tools.notifications.read_outbox_ahead`)."""
        ...

    async def announce(
        self, *, key: str, case_id: str, pnr: str, action: str, detail: dict[str, Any], at: datetime
    ) -> None:
        """The effect under ledger `key` as an `agent.actions` event
        (`tools.effects.action_event`)."""
        ...
