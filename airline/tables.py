"""The airline systems' tables: airports, the schedule and its inventory, customers,
bookings (their passengers, journeys and segments), the live board, seat holds, and the
effect ledger.

The ledger is here because the airline operations themselves (rebooking, refunds,
settlements) write their idempotency record in the same transaction as the change.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from travel_agent.db import Base


class AirportRow(Base):
    __tablename__ = "airports"

    iata: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    lat: Mapped[float]
    lon: Mapped[float]
    tz: Mapped[str] = mapped_column(String(64))


class FlightRow(Base):
    """The static schedule. Its live state is in `BoardRow`."""

    __tablename__ = "flights"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(3))
    number: Mapped[int]
    service_date: Mapped[date] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(ForeignKey("airports.iata"))
    destination: Mapped[str] = mapped_column(ForeignKey("airports.iata"))
    sched_dep: Mapped[datetime]
    sched_arr: Mapped[datetime]
    tail: Mapped[str] = mapped_column(String(16))
    distance_km: Mapped[int]

    __table_args__ = (
        UniqueConstraint("carrier", "number", "service_date"),
        Index("ix_flights_origin_dep", "origin", "sched_dep"),
    )


class InventoryRow(Base):
    """Seats per flight and cabin. `sold` never leaves [0, capacity] (checked by the DB)."""

    __tablename__ = "inventory"

    flight_key: Mapped[str] = mapped_column(ForeignKey("flights.key"), primary_key=True)
    cabin: Mapped[str] = mapped_column(String(16), primary_key=True)
    capacity: Mapped[int]
    sold: Mapped[int]

    __table_args__ = (CheckConstraint("sold >= 0 AND sold <= capacity", name="ck_inventory_sold"),)


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    tier: Mapped[str] = mapped_column(String(16))


class ChannelRow(Base):
    __tablename__ = "customer_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    consent: Mapped[bool]
    priority: Mapped[int] = mapped_column(default=0)


class BookingRow(Base):
    __tablename__ = "bookings"

    pnr: Mapped[str] = mapped_column(String(6), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    fare: Mapped[str] = mapped_column(String(16))
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    payment: Mapped[str] = mapped_column(String(8), default="card", server_default="card")
    status: Mapped[str] = mapped_column(String(16))
    ssr: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Every SSR of the booking's passengers, kept here too for triage's one query."""


class PassengerRow(Base):
    """One traveller of a booking (`airline.models.Passenger`)."""

    __tablename__ = "booking_passengers"

    pnr: Mapped[str] = mapped_column(ForeignKey("bookings.pnr"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    ssr: Mapped[list[str]] = mapped_column(JSON, default=list)
    on_lap_of: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(String(8))
    contact: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """Their own channels (`ContactChannel` as JSON); empty: the booking's contact."""

    __table_args__ = (
        CheckConstraint("type IN ('adult', 'child', 'infant')", name="ck_passenger_type"),
    )


class JourneyRow(Base):
    """One origin-to-destination trip of a booking (`airline.models.Journey`)."""

    __tablename__ = "journeys"

    pnr: Mapped[str] = mapped_column(ForeignKey("bookings.pnr"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(3))
    destination: Mapped[str] = mapped_column(String(3))
    price_cents: Mapped[int | None]


class SegmentRow(Base):
    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pnr: Mapped[str] = mapped_column(ForeignKey("bookings.pnr"), index=True)
    seq: Mapped[int]
    journey: Mapped[int] = mapped_column(default=1, server_default="1")
    flight_key: Mapped[str] = mapped_column(ForeignKey("flights.key"))
    cabin: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))

    __table_args__ = (Index("ix_segments_flight_status", "flight_key", "status"),)


class BoardRow(Base):
    """The live board: the latest known state of each flight, as the stream left it.

    Persisted so that a restarted daemon still knows which flights are cancelled.
    """

    __tablename__ = "board"

    flight_key: Mapped[str] = mapped_column(ForeignKey("flights.key"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    est_dep: Mapped[datetime]
    est_arr: Mapped[datetime]
    gate: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(32))
    diverted_to: Mapped[str | None] = mapped_column(String(3))
    last_event_id: Mapped[str] = mapped_column(String(64))
    last_emitted_at: Mapped[datetime]


class SeatHoldRow(Base):
    """Seats taken for a booking for a while, before the rebooking is confirmed.

    A held seat counts in `InventoryRow.sold` (so no search offers it) until the hold is
    confirmed (its seats become the booking's new segments), released, or expired.
    """

    __tablename__ = "seat_holds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    case_id: Mapped[str] = mapped_column(String(40), index=True)
    pnr: Mapped[str] = mapped_column(ForeignKey("bookings.pnr"), index=True)
    flights: Mapped[list[str]] = mapped_column(JSON)
    cabin: Mapped[str] = mapped_column(String(16))
    party: Mapped[int]
    kept: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    """Held flights on which the hold keeps the seats the booking has there already (its
    segments the rebooking replaces): none taken for it, none given back when it ends.
    None: none (holds from before this column)."""
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("party >= 1", name="ck_seat_holds_party"),
        Index("ix_seat_holds_status_expires", "status", "expires_at"),
    )


class LedgerRow(Base):
    """Every effect the agent caused, once: the unique key is what makes retries safe."""

    __tablename__ = "action_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    case_id: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(32))
    pnr: Mapped[str] = mapped_column(String(6), index=True)
    detail: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(index=True)


class LedgerArchiveRow(Base):
    """Ledger rows of long-finished cases, moved here by retention (`agent.retention`):
    out of the hot table, never lost — a refund or a claim may come years later."""

    __tablename__ = "action_ledger_archive"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    case_id: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(32))
    pnr: Mapped[str] = mapped_column(String(6), index=True)
    detail: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    archived_before: Mapped[datetime] = mapped_column(
        doc="the retention cutoff that moved it (rows older than this were archived)"
    )


class StreamClockRow(Base):
    """The stream's time as a daemon last saw it, so the desk and the CLI read one clock.

    A daemon (or the demo's pacer, when it holds simulated time) writes its clock's
    reading, the wall time of the reading and how fast its clock runs; readers extrapolate
    from there (`airline.stream_time`).
    """

    __tablename__ = "stream_clocks"

    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    reading: Mapped[datetime]
    wall_at: Mapped[datetime]
    rate: Mapped[float] = mapped_column(doc="stream seconds per wall second; 0 = held")
