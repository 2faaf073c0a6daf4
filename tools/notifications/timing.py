"""When a passenger message may be delivered: quiet hours, and the legal deadlines that
beat them.

A message that can wait (`Urgency`) is not delivered between 22:00 and 07:00 where the
passenger is: the payload's ``not_before`` holds the end of the quiet hours (UTC), and
`due` is the relay's filter for it.

**Legal deadlines beat preferences.** A message that reports a change of the passenger's
flight carries the deadline its regulation sets (`message_deadline`): US DOT 14 CFR
259.8, within 30 minutes of the carrier learning of a delay of 30 minutes or more, a
cancellation or a diversion; APPR s.13, as soon as feasible (updates every 30 minutes);
EU261/UK261 Art 14(2), the written notice on a cancellation or a delay of two hours or
more, in the passenger's hands by the scheduled departure. Quiet hours may hold a
message only while it still arrives by its deadline; otherwise it goes at once. The
payload's ``meta.deadline`` records the deadline, so that delivery can be checked
against it (the evaluations count breaches).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import BindParameter, ColumnElement, or_

from tools.notifications.kinds import SPECS, MessageKind, Urgency
from tools.policy.results import EntitlementKind, Entitlements
from tools.tables import OutboxRow

log = logging.getLogger(__name__)

QUIET_START = time(22, 0)
QUIET_END = time(7, 0)
"""Non-urgent messages wait out these local hours (the span crosses midnight)."""

URGENT_WITHIN = timedelta(hours=2)
"""A delay or gate change is urgent unless, held to the end of the quiet hours, it would
still arrive this long before departure."""


@dataclass(frozen=True)
class LegalDeadline:
    """The latest a message may reach the passenger, and the rule that says so."""

    due: datetime
    citation: str


# Messages that tell the passenger their flight changed: the regulations' duties to
# inform apply to them. (A reminder, a gate change, a refund confirmation or the
# compensation after landing report no change of status: no deadline.)
STATUS_CHANGE_KINDS = frozenset(
    {
        MessageKind.DELAY,
        MessageKind.CANCELLED_REBOOKED,
        MessageKind.CANCELLED_NO_ALTERNATIVE,
        MessageKind.DIVERTED_REBOOKED,
        MessageKind.DIVERTED_NO_ALTERNATIVE,
        MessageKind.MISSED_CONNECTION_REBOOKED,
        MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE,
        MessageKind.REBOOKING_PENDING,
    }
)
_DUTIES = (EntitlementKind.NOTIFICATION_DUTY, EntitlementKind.NOTICE)


def message_deadline(kind: MessageKind, owed: Entitlements | None) -> LegalDeadline | None:
    """The earliest deadline any regulation in scope sets for a message of `kind` (from
    the duties `owed` lists: 14 CFR 259.8, APPR s.13, EU261/UK261 Art 14(2)); None when
    the kind reports no change of status or no duty has a deadline."""
    if owed is None or kind not in STATUS_CHANGE_KINDS:
        return None
    dated = [item for duty in _DUTIES for item in owed.of(kind=duty) if item.due_by is not None]
    if not dated:
        return None
    first = min(dated, key=lambda item: item.due_by or datetime.max.replace(tzinfo=UTC))
    assert first.due_by is not None
    return LegalDeadline(first.due_by, first.citation)


@dataclass(frozen=True)
class Timing:
    """When a message may be delivered, and why."""

    not_before: datetime | None
    """UTC; None to deliver at once."""
    urgent: bool
    """It ignores quiet hours."""
    zone: str | None
    """The time zone the quiet hours were judged in."""
    reason: str


def _zone(name: str | tzinfo | None) -> tzinfo | None:
    if name is None or isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r ignored for quiet hours", name)
        return None


def delivery_time(
    kind: MessageKind,
    at: datetime,
    *,
    tz: str | tzinfo | None = None,
    departure_tz: str | tzinfo | None = None,
    departure: datetime | None = None,
    urgent_within: timedelta = URGENT_WITHIN,
    deadline: LegalDeadline | None = None,
) -> Timing:
    """When a message of `kind` composed at `at` may reach the passenger.

    Urgent messages go at once. Others composed in the quiet hours (22:00–07:00 in the
    passenger's zone `tz`, else the departure airport's `departure_tz`) wait until 07:00.
    A delay or gate change waits only if it would still arrive `urgent_within` before
    `departure` (the time the passenger plans around: the scheduled one); with no known
    departure it is urgent, and with no known zone nothing waits.
    A legal `deadline` beats the quiet hours: they hold a message only if it still
    arrives by then.
    """
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    urgency = SPECS[kind].urgency
    if urgency is Urgency.ALWAYS:
        return Timing(None, True, None, f"{kind.value} is urgent")
    if urgency is Urgency.NEAR_DEPARTURE and departure is None:
        return Timing(None, True, None, "departure unknown")
    zone = _zone(tz) or _zone(departure_tz)
    if zone is None:
        return Timing(None, False, None, "time zone unknown")
    local = at.astimezone(zone)
    zone_name = str(zone)
    if QUIET_END <= local.time() < QUIET_START:
        return Timing(None, False, zone_name, "outside quiet hours")
    day = local.date() + timedelta(days=1 if local.time() >= QUIET_START else 0)
    end = datetime.combine(day, QUIET_END, tzinfo=zone).astimezone(UTC)
    if departure is not None and urgency is Urgency.NEAR_DEPARTURE:
        if end > departure - urgent_within:
            return Timing(None, True, zone_name, "departure too near to wait")
    if deadline is not None and end > deadline.due:
        return Timing(None, True, zone_name, f"legal deadline ({deadline.citation})")
    return Timing(end, False, zone_name, "quiet hours")


def iso_utc(instant: datetime) -> str:
    # One fixed UTC form, so that the relay can compare these strings in SQL.
    return instant.astimezone(UTC).isoformat(timespec="seconds")


def due(now: datetime | BindParameter[str]) -> ColumnElement[bool]:
    """SQL: outbox rows that may be delivered at `now` (no ``not_before``, or it has passed).

    For the relay: ``.where(OutboxRow.status == OutboxStatus.PENDING, due(self.clock.now()))``.
    `now` may be a bind parameter, bound to `iso_utc` of the instant, for a statement
    built once and run many times.
    """
    held = OutboxRow.payload["not_before"].as_string()
    return or_(held.is_(None), held <= (now if isinstance(now, BindParameter) else iso_utc(now)))


def is_due(payload: Mapping[str, Any], now: datetime) -> bool:
    """`due` for one payload, in Python."""
    not_before = payload.get("not_before")
    return not_before is None or datetime.fromisoformat(not_before) <= now
