"""Bookings and seat inventory: reads, the idempotency ledger, seats, settlements.

One name for the airline systems' effects, split along their seams:

- `airline.bookings`: bookings (their passengers, journeys, segments) and customers,
  read one or many at a time, locked; the seats a booking's party needs;
- `airline.ledger`: the action ledger (every effect once, by idempotency key);
- `airline.inventory`: seats left, taken, given back; moving a booking onto new flights;
- `airline.settlements`: refunds and cancellations, and the errors of reservations;
- `airline.holds`: seats held for a case until it confirms or gives them back.

Every effect takes an idempotency key and writes its ledger row in the same transaction
as the effect itself, so a retried case finds the key and does nothing twice.
"""

from __future__ import annotations

from airline.bookings import (
    customer_tiers,
    customers_on,
    load_booking,
    load_bookings,
    load_customer,
    lock_booking,
    passengers_on,
    seats_needed,
)
from airline.errors import FlightClosedError
from airline.inventory import available_seats, give_back_seats, rebook, swap_segments, take_seats
from airline.ledger import effect_detail, effect_done, read_ledger_ahead, record_effect
from airline.settlements import (
    BookingClosedError,
    HoldExpiredError,
    HoldStatus,
    InvalidRequestError,
    Settlement,
    cancel_booking,
    refund,
    release_hold_row,
)

__all__ = [
    "BookingClosedError",
    "FlightClosedError",
    "HoldExpiredError",
    "HoldStatus",
    "InvalidRequestError",
    "Settlement",
    "available_seats",
    "cancel_booking",
    "customer_tiers",
    "customers_on",
    "effect_detail",
    "effect_done",
    "give_back_seats",
    "load_booking",
    "load_bookings",
    "load_customer",
    "lock_booking",
    "passengers_on",
    "read_ledger_ahead",
    "rebook",
    "record_effect",
    "refund",
    "release_hold_row",
    "seats_needed",
    "swap_segments",
    "take_seats",
]
