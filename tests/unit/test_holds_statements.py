"""Confirming a hold reads each thing it needs once: the rebooking of every placed case
runs it, so a statement read twice is paid once per rebooked passenger."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import event

from airline.holds import HoldStatus
from airline.models import Booking
from tests.unit.test_holds import booking, confirm, db, hold
from travel_agent.db import Database

__all__ = ["booking", "db"]  # the fixtures, used by name


async def test_confirming_a_hold_locks_the_booking_and_counts_its_party_once(
    db: Database, booking: Booking
) -> None:
    held = await hold(db, booking.pnr, key="case-1:hold:a")
    read: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        text = " ".join(statement.split())
        read["booking"] += text.startswith("SELECT bookings.") and "FROM bookings" in text
        read["party"] += "FROM booking_passengers" in text and "count(" in text

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    confirmed = await confirm(db, held.id, key="case-1:rebook:v1")
    event.remove(db.engine.sync_engine, "before_cursor_execute", count)

    assert confirmed.status == HoldStatus.CONFIRMED
    assert read == {"booking": 1, "party": 1}
