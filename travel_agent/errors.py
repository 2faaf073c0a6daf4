"""The error tree of travel-agent. Every error we raise derives from TravelAgentError.

    TravelAgentError
    ├── ConfigError              the caller's mistake: says what to set and how
    ├── DependencyMissingError   an optional package or service is not there: says the fix
    ├── EventError               a stream record that cannot be used (goes to the dead letters)
    │   ├── DecodeError          not JSON, empty, wrong types
    │   └── ValidationError      well-formed but impossible (absurd times, unknown flight, ...)
    ├── StreamError              the broker or stream failed (retriable)
    ├── ReservationError         an airline-system operation could not be done
    │   ├── NoSeatsError         the flight has no seat left in that cabin
    │   └── NotFoundError        booking, flight or customer does not exist
    └── PlanRejectedError        the guard refused a plan; carries the violations

The airline package sits at the bottom of the house, so the tree lives here and the
other rooms import it from here.
"""

from __future__ import annotations


class TravelAgentError(Exception):
    """Root of every error travel-agent raises on purpose."""

    retriable: bool = False


class ConfigError(TravelAgentError):
    """The configuration is wrong; the message says what to set and how."""


class DependencyMissingError(TravelAgentError):
    """An optional dependency or service is missing; the message says how to get it."""


class EventError(TravelAgentError):
    """A stream record that cannot be used. It goes to the dead-letter topic with `reason`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class DecodeError(EventError):
    """The record's bytes are not a decodable event (empty, not JSON, wrong types)."""


class ValidationError(EventError):
    """The record decodes but describes something impossible or unknown."""


class StreamError(TravelAgentError):
    """The stream or broker failed; usually worth retrying."""

    retriable = True


class ReservationError(TravelAgentError):
    """An airline-system operation could not be carried out."""


class NoSeatsError(ReservationError):
    """No seat is left in the requested cabin; the planner can pick another option."""

    retriable = True

    def __init__(self, flight_key: str, cabin: str) -> None:
        super().__init__(f"no {cabin} seat left on {flight_key}")
        self.flight_key = flight_key
        self.cabin = cabin


class NotFoundError(ReservationError):
    """The booking, flight or customer does not exist."""


class PlanRejectedError(TravelAgentError):
    """The guard refused a plan."""

    def __init__(self, violations: list[str]) -> None:
        super().__init__("; ".join(violations))
        self.violations = violations
