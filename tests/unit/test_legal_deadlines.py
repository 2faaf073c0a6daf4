"""Legal deadlines beat preferences: quiet hours hold a message only while it still
arrives by the deadline its regulation sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airline.airports import load_airports
from airline.models import ReasonCode
from tools.notifications import LegalDeadline, MessageKind, delivery_time, message_deadline
from tools.policy.entitlements import (
    BookingFacts,
    Disruption,
    EntitlementKind,
    Entitlements,
    entitlements,
)

AIRPORTS = {a.iata: a for a in load_airports(["BOS", "ORD", "FRA", "LIS", "YYZ"])}
NIGHT_IN_BOSTON = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)  # 01:00 local
H = timedelta(hours=1)


def _owed(origin: str, destination: str, **changes: object) -> Entitlements:
    fields: dict[str, object] = {
        "kind": "delayed",
        "reason": ReasonCode.TECHNICAL,
        "carrier": "XA",
        "origin": origin,
        "destination": destination,
        "sched_dep": NIGHT_IN_BOSTON + 12 * H,
        "sched_arr": NIGHT_IN_BOSTON + 15 * H,
        "actual_dep": NIGHT_IN_BOSTON + 14 * H + 30 * timedelta(minutes=1),
        "actual_arr": NIGHT_IN_BOSTON + 17 * H + 30 * timedelta(minutes=1),
        "notice_at": NIGHT_IN_BOSTON,
        "carrier_aware_at": NIGHT_IN_BOSTON,
    }
    fields.update(changes)
    return entitlements(BookingFacts(), Disruption.model_validate(fields), airports=AIRPORTS)


def test_each_regulation_sets_its_deadline_and_the_earliest_binds() -> None:
    us = _owed("BOS", "ORD")
    assert message_deadline(MessageKind.DELAY, us) == LegalDeadline(
        NIGHT_IN_BOSTON + timedelta(minutes=30), "14 CFR 259.8"
    )
    eu = _owed("FRA", "LIS")  # 2 h 30 late: Art 14(2), by the scheduled departure
    assert message_deadline(MessageKind.DELAY, eu) == LegalDeadline(
        NIGHT_IN_BOSTON + 12 * H, "EU261 Art 14(2)"
    )
    both = _owed("FRA", "YYZ")  # EU261 by departure, APPR by arrival in Canada
    assert message_deadline(MessageKind.DELAY, both) == LegalDeadline(
        NIGHT_IN_BOSTON + timedelta(minutes=30), "APPR s.13"
    )
    for quiet in (MessageKind.GATE_CHANGE, MessageKind.REMINDER, MessageKind.COMPENSATION):
        assert message_deadline(quiet, us) is None  # no change of status to report


def test_quiet_hours_hold_a_message_only_while_its_deadline_allows() -> None:
    departure = NIGHT_IN_BOSTON + 12 * H  # 13:00 local: far enough for a delay to wait
    held = delivery_time(
        MessageKind.DELAY, NIGHT_IN_BOSTON, tz="America/New_York", departure=departure
    )
    assert held.not_before == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # 07:00 local
    dot = LegalDeadline(NIGHT_IN_BOSTON + timedelta(minutes=30), "14 CFR 259.8")
    now = delivery_time(
        MessageKind.DELAY,
        NIGHT_IN_BOSTON,
        tz="America/New_York",
        departure=departure,
        deadline=dot,
    )
    assert now.not_before is None and now.urgent and "259.8" in now.reason
    art14 = LegalDeadline(departure, "EU261 Art 14(2)")  # 07:00 is before it: may wait
    waits = delivery_time(
        MessageKind.DELAY,
        NIGHT_IN_BOSTON,
        tz="America/New_York",
        departure=departure,
        deadline=art14,
    )
    assert waits.not_before == held.not_before


def test_the_duties_carry_their_deadlines() -> None:
    us = _owed("BOS", "ORD")
    [duty] = us.of(kind=EntitlementKind.NOTIFICATION_DUTY)
    assert duty.due_by == NIGHT_IN_BOSTON + timedelta(minutes=30)
