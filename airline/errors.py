"""The reservation systems' refusals, under `travel_agent.errors.ReservationError`:

    BookingClosedError    the booking is refunded or cancelled (final)
    InvalidRequestError   the request cannot be carried out as asked (the caller can fix it)
    HoldExpiredError      the hold ran out or was released (hold again)
    FlightClosedError     a flight to move a booking onto is cancelled, diverted or gone,
                          as committed (pick another option)

A module of their own because seat inventory (`airline.inventory`) and settlements
(`airline.settlements`, which gives seats back through inventory) both raise them;
`airline.reservations` is where callers import them from.
"""

from __future__ import annotations

from travel_agent.errors import ReservationError

__all__ = ["BookingClosedError", "FlightClosedError", "HoldExpiredError", "InvalidRequestError"]


class BookingClosedError(ReservationError):
    """The booking is refunded or cancelled: nothing more can be done to it."""

    def __init__(self, pnr: str, status: str) -> None:
        super().__init__(f"booking {pnr} is {status}")
        self.pnr = pnr
        self.status = status


class InvalidRequestError(ReservationError):
    """The request cannot be carried out as asked; the caller can correct it and retry."""

    retriable = True


class HoldExpiredError(ReservationError):
    """The hold ran out (or was released) before it was confirmed; hold seats again."""

    retriable = True

    def __init__(self, hold_id: str, status: str) -> None:
        super().__init__(f"hold {hold_id} is {status}")
        self.hold_id = hold_id
        self.status = status


class FlightClosedError(ReservationError):
    """A flight the booking was to move onto can no longer be boarded, as the board's
    committed row says (cancelled, diverted, departed, arrived): news the caller's
    in-memory board had not heard (`airline.closed_flights`). The planner can pick
    another option."""

    retriable = True

    def __init__(self, flight_key: str, status: str) -> None:
        super().__init__(f"flight {flight_key} is {status}")
        self.flight_key = flight_key
        self.status = status
