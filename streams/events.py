"""FlightStatusEvent, the one message the agent perceives the world through, and its codec.

The codec turns bytes into a validated event or raises an `EventError` whose `reason` is a
short machine-readable word (it becomes the dead-letter header) and whose detail says, in a
sentence, what was wrong.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from airline.errors import DecodeError, ValidationError
from airline.models import FlightStatus, ReasonCode, flight_key

__all__ = [
    "FlightStatus",
    "FlightStatusEvent",
    "ReasonCode",
    "decode",
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
    gate: str | None = Field(default=None, max_length=8)
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

    @property
    def flight_key(self) -> str:
        return flight_key(self.carrier, self.flight_number, self.service_date)

    @property
    def delay(self) -> timedelta:
        """Departure delay against schedule (negative when early)."""
        return self.est_dep - self.sched_dep

    @property
    def arrival_delay(self) -> timedelta:
        return self.est_arr - self.sched_arr


def encode(event: FlightStatusEvent) -> bytes:
    return event.model_dump_json().encode()


def decode(raw: bytes | None) -> FlightStatusEvent:
    """Bytes to a validated event.

    Raises:
        DecodeError: empty, not JSON, not an object, or a schema version we do not know.
        ValidationError: well-formed but wrong types, missing fields or impossible times.
    """
    if not raw:
        raise DecodeError("empty", "the record has no value")
    # The common case in one pass (pydantic parses the JSON itself); anything it refuses
    # is diagnosed below, step by step, for a precise reason.
    try:
        event = FlightStatusEvent.model_validate_json(raw)
    except pydantic.ValidationError:
        pass
    else:
        if event.schema_version == SCHEMA_VERSION:
            return event
    try:
        data: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecodeError("not_json", str(exc)) from exc
    if not isinstance(data, dict):
        raise DecodeError("not_object", f"expected a JSON object, got {type(data).__name__}")
    version = data.get("schema_version", SCHEMA_VERSION)
    if type(version) is not int or version != SCHEMA_VERSION:  # True == 1 is not a version
        raise DecodeError(
            "unsupported_schema_version",
            f"schema_version {version!r}; this build reads version {SCHEMA_VERSION}",
        )
    try:
        return FlightStatusEvent.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "event"
        # Field errors have a location; the plausibility checks run on the whole event.
        kind = "absurd_time" if not first["loc"] else "invalid_field"
        raise ValidationError(kind, f"{where}: {first['msg']}") from exc
