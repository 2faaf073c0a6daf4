"""FlightStatusEvent, the one message the agent perceives the world through.

Its codec — bytes to a validated event, or an `EventError` with a reason — is
`streams.codec`; `encode` is here, beside the model it writes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from airline.models import Flight, FlightStatus, ReasonCode, flight_key

__all__ = [
    "FlightStatus",
    "FlightStatusEvent",
    "ReasonCode",
    "encode",
]

SCHEMA_VERSION = 1

# Topics (the names are fixed by the issue; a deployment may prefix them in settings).
TOPIC_FLIGHT_STATUS = "flight.status"
TOPIC_DEAD_LETTERS = "flight.status.dlq"
TOPIC_AGENT_ACTIONS = "agent.actions"
TOPIC_NOTIFICATIONS = "notifications.outbound"

# An estimate further than this from the schedule is a broken feed, not a delay.
MAX_PLAUSIBLE_DELAY = timedelta(hours=72)
MAX_PLAUSIBLE_EARLY = timedelta(hours=6)


_flight_keys: dict[tuple[str, int, date], str] = {}


class FlightStatusEvent(BaseModel):
    """The latest known state of one flight on one service date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = Field(
        default=SCHEMA_VERSION, strict=True, description="wire schema version"
    )
    event_id: str = Field(min_length=1, max_length=64, description="unique per event")
    carrier: str = Field(pattern=r"^[A-Z0-9]{2}$", description="airline designator")
    flight_number: int = Field(ge=1, le=9999)
    service_date: date = Field(description="local date of scheduled departure")
    origin: str = Field(pattern=r"^[A-Z]{3}$")
    destination: str = Field(pattern=r"^[A-Z]{3}$")
    status: FlightStatus
    sched_dep: datetime
    sched_arr: datetime
    est_dep: datetime = Field(description="estimated (or actual, once departed) departure")
    est_arr: datetime = Field(description="estimated (or actual, once arrived) arrival")
    reason: ReasonCode | None = None
    gate: str | None = Field(
        default=None,
        max_length=8,
        description="departure gate; absent or null: not stated (the last gate known stands)",
    )
    diverted_to: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    emitted_at: datetime = Field(description="when the source published this state")

    @field_validator("sched_dep", "sched_arr", "est_dep", "est_arr", "emitted_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("times must carry a time zone offset")
        return value

    @model_validator(mode="after")
    def _plausible(self) -> FlightStatusEvent:
        if self.sched_arr <= self.sched_dep:
            raise ValueError("scheduled arrival is not after scheduled departure")
        if self.est_arr <= self.est_dep:
            raise ValueError("estimated arrival is not after estimated departure")
        shift = self.est_dep - self.sched_dep
        if shift > MAX_PLAUSIBLE_DELAY or -shift > MAX_PLAUSIBLE_EARLY:
            raise ValueError(f"estimated departure is {shift} from schedule")
        return self

    @classmethod
    def about(
        cls,
        flight: Flight,
        *,
        event_id: str,
        status: FlightStatus,
        emitted_at: datetime,
        est_dep: datetime | None = None,
        est_arr: datetime | None = None,
        **rest: Any,
    ) -> FlightStatusEvent:
        """An event about `flight`: its identity and schedule from the flight, the
        estimates on schedule unless given, and `rest` (reason, gate, diverted_to)."""
        return cls(
            event_id=event_id,
            carrier=flight.carrier,
            flight_number=flight.number,
            service_date=flight.service_date,
            origin=flight.origin,
            destination=flight.destination,
            status=status,
            sched_dep=flight.sched_dep,
            sched_arr=flight.sched_arr,
            est_dep=flight.sched_dep if est_dep is None else est_dep,
            est_arr=flight.sched_arr if est_arr is None else est_arr,
            emitted_at=emitted_at,
            **rest,
        )

    @property
    def flight_key(self) -> str:
        # Asked for each record on the daemon's hot path: formatted once per flight.
        parts = (self.carrier, self.flight_number, self.service_date)
        key = _flight_keys.get(parts)
        if key is None:
            if len(_flight_keys) >= 16_384:
                _flight_keys.clear()
            key = _flight_keys[parts] = flight_key(*parts)
        return key

    @property
    def delay(self) -> timedelta:
        """Departure delay against schedule (negative when early)."""
        return self.est_dep - self.sched_dep

    @property
    def arrival_delay(self) -> timedelta:
        return self.est_arr - self.sched_arr


def encode(event: FlightStatusEvent) -> bytes:
    return event.model_dump_json().encode()
