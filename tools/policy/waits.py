"""The departure delays from which the regulations owe something new.

A delay that grows past one of these owes the passenger what it did not before (meals,
written notice of rights, alternate travel or a refund), however little it moved: triage
reads it as news (`agent.triage.delay_is_news`), so the case runs and the policy decides
what this passenger's journey is owed. The set is every regime's, not the booking's: a
threshold that is not this passenger's opens a case that tells the new time (held in
their quiet hours like any message without a legal deadline) and owes nothing more.
"""

from __future__ import annotations

from datetime import timedelta

from tools.policy import appr, us_dot
from tools.policy.config import PolicyConfig
from tools.policy.eu261 import CARE_FROM

ENTITLEMENT_WAITS: tuple[timedelta, ...] = tuple(
    sorted(
        {
            *CARE_FROM.values(),  # EU261/UK261 Art 6(1)(a)-(c): care (and Art 14 notice)
            PolicyConfig().appr_care_after,  # APPR s.14: food, drink and communication
            appr.REBOOK_FROM_DELAY,  # APPR s.12(2)(c): alternate travel or a refund
            us_dot.DOMESTIC_CHANGE,  # 14 CFR 260.2: a significant change, refund owed
            us_dot.INTERNATIONAL_CHANGE,
        }
    )
)
"""Sorted; a departure delay reaching one owes more than one short of it."""


def wait_reached(before: timedelta, now: timedelta) -> bool:
    """Has a departure delay that was `before` reached a new entitlement wait at `now`?"""
    return any(before < wait <= now for wait in ENTITLEMENT_WAITS)
