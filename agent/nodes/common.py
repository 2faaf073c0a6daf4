"""What several nodes share: the attempt limit and local times for passenger text."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from airline.schedule import Schedule

# Seat races (lost at the guard or in act) are searched again this often, then told.
MAX_ATTEMPTS = 3


def local_time(schedule: Schedule, airport: str, instant: datetime) -> str:
    return instant.astimezone(ZoneInfo(schedule.airports[airport].tz)).strftime("%H:%M")
