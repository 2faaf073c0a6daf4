"""The tools' tables: the outbox of messages and events to deliver."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from travel_agent.db import Base


class OutboxStatus(StrEnum):
    """Where an outbox row is (`OutboxRow.status`); SENT, SUPERSEDED and FAILED are final.

    A relay's claim on a row is not a status: claims are rows of their own
    (`agent.tables.outbox_claims`), so a claimed row stays PENDING until it is delivered.
    """

    PENDING = "pending"
    """Waiting to be delivered (held back until the payload's ``not_before``, or between tries)."""
    SENT = "sent"
    SUPERSEDED = "superseded"
    """A newer message about the same subject replaced it before it went out."""
    FAILED = "failed"
    """The relay gave up after its last try; the desk shows it."""


class OutboxRow(Base):
    """Messages and events to deliver, written in the same transaction as their effect.

    `status` is an `OutboxStatus`.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    topic: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(16), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    sent_wall_at: Mapped[datetime | None] = mapped_column(default=None)
    """Wall time (UTC) of the delivery: with the event's emission time, time-to-notify."""

    # Retention deletes delivered rows by age (`agent.retention`).
    __table_args__ = (Index("ix_outbox_status_created", "status", "created_at"),)
