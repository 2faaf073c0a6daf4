"""Whether a wait at an airport makes the passenger stay a night (the hotel of care).

EU261/UK261 Art 9(1)(b) owe a hotel "in cases where a stay of one or more nights becomes
necessary, or where a stay additional to that intended by the passenger becomes
necessary"; Art 5(1)(b) and 6(1)(ii) open it when the new departure is "at least the day
after" the planned one. A calendar date alone decides that badly: a passenger who lands
at 00:55 and leaves at 11:30 the same date spends the night at the airport, one who waits
from 23:30 to 00:30 crosses a date but sleeps on board. So the rule reads the night in
hours, at the airport where the passenger waits, in its local time:

    A stay of a night becomes necessary when the passenger's wait at one airport holds at
    least four hours of night time, the hours between midnight and 05:00 local there.

Midnight to 05:00 is the span every member state's "night time" must include (Directive
2003/88/EC Art 2(3)); holding four of its five hours, the passenger would otherwise spend
most of the night in the terminal (a wait that ends at 03:00 is a late departure, one
that starts at 02:00 an early arrival). The wait runs from when the passenger would have
been at that airport to leave anyway (the booked departure from it) or, when they reach
it only later (a late inbound at the transfer airport, a diversion), from their arrival
there, to the departure of the flight they now take. Starting at the booked departure
keeps a night the booking itself planned (an overnight connection) out: only a stay
"additional to that intended" counts. A wait over two nights sums them.

The oracle (`evals/oracle/nights.py`) reads the same words with its own code.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

NIGHT_FROM, NIGHT_UNTIL = time(0), time(5)
"""Night time, local: the span Directive 2003/88/EC Art 2(3) puts in every night."""
NIGHT_STAY = timedelta(hours=4)
"""The night time a wait must hold for a stay of a night to become necessary."""


def night_time(ready: datetime, leaves: datetime, tz: str) -> timedelta:
    """How much of the wait from `ready` to `leaves` falls between midnight and 05:00 in
    the time zone `tz` (every night it spans, summed; zero when it does not wait)."""
    start, end = ready.astimezone(UTC), leaves.astimezone(UTC)
    if end <= start:
        return timedelta(0)
    zone = ZoneInfo(tz)
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    total = timedelta(0)
    while day <= last:
        # Wall-clock bounds, so a night when the clocks change is as long as it really is.
        dusk = datetime.combine(day, NIGHT_FROM, zone).astimezone(UTC)
        dawn = datetime.combine(day, NIGHT_UNTIL, zone).astimezone(UTC)
        total += max(min(end, dawn) - max(start, dusk), timedelta(0))
        day += timedelta(days=1)
    return total


def stays_the_night(ready: datetime, leaves: datetime, tz: str) -> bool:
    """Whether waiting from `ready` to `leaves` at an airport in `tz` is a night's stay."""
    return night_time(ready, leaves, tz) >= NIGHT_STAY
