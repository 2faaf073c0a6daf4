"""The fields of each expectation kind a scenario may state, and their validation when a
scenario is loaded (a wrong booking, customer or time is refused with where it is).

The scorers that judge each kind against a run are in `evals.expectations`.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evals import rights_expectations as rights
from evals.replies import OfferSpec, ReplyExpectation
from evals.scenario import EXPECTATION_KINDS
from evals.scenario_world import parse_duration

# --- the fields of each kind ----------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AboutBooking(_Spec):
    """An expectation about one booking (its PNR in the scenario's world)."""

    booking: str


class Rebooked(AboutBooking):
    arrives_before: str | None = Field(
        default=None, description='"+4h" after the original arrival, or an absolute time'
    )
    departs_after: str | None = None
    cabin: str | None = Field(default=None, description="same, or a cabin name")
    carrier: str | None = None
    flights: list[str] | None = Field(default=None, description='e.g. ["XA104"]')
    same_day: bool | None = Field(default=None, description="arrives on the booked local date")
    journey: int | None = Field(
        default=None, ge=1, description="the journey judged; default: the one rebooked"
    )
    no_overnight: bool | None = Field(
        default=None, description="no leg leaves between 22:00 and 05:59 local"
    )


class Notification(_Spec):
    booking: str | None = None
    customer: str | None = None
    kind: str | list[str] | None = None
    channel: str | None = None
    language: str | None = None
    within: str | None = Field(default=None, description="delivered this soon after the case")
    not_before: str | None = Field(
        default=None, description='delivered no earlier than this local time, e.g. "07:00"'
    )
    count: int | None = Field(default=None, ge=0, description="exactly this many delivered")
    contains: str | None = None

    @model_validator(mode="after")
    def _who(self) -> Notification:
        if (self.booking is None) == (self.customer is None):
            raise ValueError("name either booking or customer")
        return self


class NoNotification(_Spec):
    booking: str | None = None
    customer: str | None = None
    kind: str | list[str] | None = None

    @model_validator(mode="after")
    def _who(self) -> NoNotification:
        if (self.booking is None) == (self.customer is None):
            raise ValueError("name either booking or customer")
        return self


class Compensation(AboutBooking):
    regime: str | None = None
    amount: float | None = Field(default=None, description="in major units, e.g. 400")
    currency: str | None = None
    passengers: int | None = Field(default=None, ge=1, description="travellers paid it each")


class Refund(AboutBooking):
    amount: float | None = None
    currency: str | None = None


class Care(AboutBooking):
    items: list[str] = Field(default_factory=list, description="meals, hotel, ...")
    regime: str | None = None


class ApprovalRequested(AboutBooking):
    why: str | None = Field(default=None, description="a word the reason must contain")


class ApprovalStatusSpec(AboutBooking):
    status: Literal["pending", "approved", "edited", "rejected", "stale", "expired"]


class Superseded(AboutBooking):
    kind: str | None = None


class QuietHours(AboutBooking):
    tz: str | None = Field(default=None, description="default: the first origin's zone")
    start: str = "22:00"
    end: str = "07:00"
    delivered: bool = Field(default=True, description="and at least one message went out")


class CaseSpec(AboutBooking):
    outcome: str | None = None
    status: str | None = None


class Effects(AboutBooking):
    action: str
    count: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    min: int | None = Field(default=None, ge=0)


class DeadLettered(_Spec):
    count: int = Field(ge=0)
    reason: str | None = None


class Excludes(AboutBooking):
    text: list[str] = Field(min_length=1)


class OracleExpect(_Spec):
    ignore: list[str] = Field(default_factory=list, description="checks not to count")


SPECS: dict[str, type[BaseModel]] = {
    "rebooked": Rebooked,
    "not_rebooked": AboutBooking,
    "notification": Notification,
    "no_notification": NoNotification,
    "compensation": Compensation,
    "no_compensation": AboutBooking,
    "refund_offered": Refund,
    "care": Care,
    "no_care": AboutBooking,
    "approval_requested": ApprovalRequested,
    "no_approval": AboutBooking,
    "approval": ApprovalStatusSpec,
    "no_action": AboutBooking,
    "message_superseded": Superseded,
    "quiet_hours": QuietHours,
    "case": CaseSpec,
    "effects": Effects,
    "dead_lettered": DeadLettered,
    "message_excludes": Excludes,
    "offer": OfferSpec,
    "reply": ReplyExpectation,
    **rights.SPECS,
    "oracle": OracleExpect,
}
assert set(SPECS) == set(EXPECTATION_KINDS)


def validate_spec(kind: str, spec: dict[str, Any], pnrs: set[str], customers: set[str]) -> str:
    """The first problem with an expectation's fields, or "" when there is none."""
    try:
        parsed = SPECS[kind].model_validate(spec)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where + ': ' if where else ''}{first['msg'].removeprefix('Value error, ')}"
    booking = getattr(parsed, "booking", None)
    if booking is not None and booking not in pnrs:
        return f"booking {booking!r} is not in the world ({', '.join(sorted(pnrs)) or 'none'})"
    customer = getattr(parsed, "customer", None)
    if customer is not None and customer not in customers:
        return f"customer {customer!r} is not in the world"
    for name in ("arrives_before", "departs_after", "within"):
        value = getattr(parsed, name, None)
        if value is not None and not time_ok(value):
            return f"{name}: {value!r} is neither a duration nor a time"
    return ""


def time_ok(value: str) -> bool:
    try:
        parse_duration(value)
        return True
    except ValueError:
        pass
    try:
        absolute_time(value, datetime(2026, 1, 1, tzinfo=UTC))
        return True
    except ValueError:
        return False


def absolute_time(value: str, base: datetime) -> datetime:
    text = value.strip()
    if len(text) <= 5 and ":" in text:
        return datetime.combine(base.date(), time.fromisoformat(text.zfill(5)), tzinfo=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return parsed


def instant(value: str, reference: datetime, day: datetime) -> datetime:
    """``"+4h"`` after `reference`, or an absolute time (``HH:MM`` is UTC on `day`)."""
    if value.strip()[:1] in "+-" or value.strip()[-1:] in "dhms":
        return reference + parse_duration(value)
    return absolute_time(value, day)
