"""The waits both readings of a hotel night are judged on: the agent's
(`tools.policy.nights`) and the independent oracle's (`evals.oracle.nights`) are separate
code on purpose, and one table of cases keeps them reading the rule the same way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


WAITS = [
    pytest.param(utc(1, 23, 55), utc(2, 10, 30), True, id="lands 00:55, leaves 11:30 -> night"),
    pytest.param(utc(1, 22, 30), utc(1, 23, 30), False, id="23:30 to 00:30 -> no night"),
    pytest.param(utc(1, 19), utc(2, 7), True, id="20:00 to 08:00 next day -> night"),
    pytest.param(utc(1, 7), utc(1, 19), False, id="08:00 to 20:00 -> no night"),
    pytest.param(utc(1, 20), utc(2, 3), True, id="21:00 to 04:00: four hours of night -> night"),
    pytest.param(utc(1, 21), utc(2, 2), False, id="22:00 to 03:00: three hours -> no night"),
]
