"""The agent's quiet hours (`tools.notifications.timing`) and the oracle's (`evals.oracle`)
agree on a reminder before a rebooked flight.

The storm day showed the disagreement: MQ4582 LGA→CLT 09:20 was cancelled and its
passengers rebooked onto US1429 at 08:45; the reminder went at 05:45 (three hours before
08:45, and 07:00 would have left less than two), but the oracle judged it by the booking's
sold flight, the cancelled 09:20 one, and called it a message that could have waited. A
reminder names no flight as its news (`about`): it is judged by the flight the passenger
holds next.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from evals.oracle import judge
from evals.oracle.record import RunRecord
from tests.unit.oracle_worlds import after, at, booking, event, flight, message, rebook, world
from tools.notifications.kinds import MessageKind
from tools.notifications.timing import delivery_time

# Times are minutes from 2026-03-01 05:00Z; Frankfurt is UTC+1 in March. XA30 leaves at
# 09:20 local on the 2nd and is cancelled at 22:00 local the evening before.
SOLD = flight("XA30/2026-03-02", "FRA", "MUC", 1640, 1700)
CANCELLED_AT = 960
REMINDER_BEFORE = timedelta(hours=3)  # the agent's default `reminder_before_minutes`


def _reminded(departure_local: str, *, sent_local: str | None = None) -> RunRecord:
    """P1 rebooked at 22:01 local onto an XA32 leaving at `departure_local` (on the 2nd),
    told at once, then reminded three hours before it — delivered when the agent's timing
    says, or at `sent_local` (on the 2nd)."""
    dep = _minutes(departure_local)
    new = flight("XA32/2026-03-02", "FRA", "MUC", dep, dep + 60)
    composed = new.sched_dep - REMINDER_BEFORE
    timing = delivery_time(
        MessageKind.REMINDER, composed, departure_tz="Europe/Berlin", departure=new.sched_dep
    )
    sent = timing.not_before or composed
    minutes = (composed - at(0)).total_seconds() / 60
    sent_minutes = _minutes(sent_local) if sent_local else (sent - at(0)).total_seconds() / 60
    return after(
        RunRecord(
            world=world([SOLD, new], [booking("P1", SOLD.key)]),
            events=[event(CANCELLED_AT, SOLD.key, "cancelled", SOLD.sched_dep, SOLD.sched_arr)],
            end=at(1800),
            effects=[rebook(CANCELLED_AT + 1, "P1", [1], [new.key])],
            messages=[
                message(CANCELLED_AT + 1, "P1", "cancelled_rebooked", SOLD.key),
                message(minutes, "P1", "reminder", None, sent=sent_minutes),
            ],
        )
    )


def _minutes(local: str) -> float:
    """Minutes from the start to `local` (HH:MM in Frankfurt on 2026-03-02)."""
    hours, mins = map(int, local.split(":"))
    return 19 * 60 + (hours - 1) * 60 + mins  # 2026-03-02 00:00Z is minute 1140


@pytest.mark.parametrize(
    ("departure", "sent"),
    [
        ("08:45", "05:45"),  # 07:00 would leave 1 h 45: it goes at once (the storm day's)
        ("09:30", "07:00"),  # 07:00 leaves 2 h 30: it waits out the night
        ("12:00", "09:00"),  # composed after the night: nothing to wait for
    ],
)
def test_the_oracle_accepts_the_reminder_the_agents_timing_delivers(
    departure: str, sent: str
) -> None:
    record = _reminded(departure)
    reminder = record.messages[-1]
    assert reminder.sent_at == at(_minutes(sent))
    verdict = judge(record)
    assert "quiet_hours" not in verdict.by_check(), [str(f) for f in verdict.findings]


def test_a_reminder_that_could_have_waited_is_still_caught() -> None:
    """The rebooked flight leaves at 09:30 local: a reminder at 05:45 could have waited
    until 07:00, and the finding names the rebooked flight, not the one sold."""
    verdict = judge(_reminded("09:30", sent_local="05:45"))
    assert verdict.by_check() == {"quiet_hours": 1}
    assert "XA32/2026-03-02 leaves at 09:30" in verdict.findings[0].reason
