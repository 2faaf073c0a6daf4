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
import gzip
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import IO, Literal, cast
from zoneinfo import ZoneInfo

from airline.airports import great_circle_km, load_airports
from airline.models import Airport, Flight, flight_key
from airline.replay_world import cabins_for
from streams.events import MAX_PLAUSIBLE_DELAY, MAX_PLAUSIBLE_EARLY, ReasonCode
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

Layout = Literal["nycflights13", "bts"]

CANCELLATION_REASONS: dict[str, ReasonCode] = {
    "A": ReasonCode.TECHNICAL,
    "B": ReasonCode.WEATHER,
    "C": ReasonCode.ATC,
    "D": ReasonCode.SECURITY,
}
"""BTS CancellationCode → reason (see the module docstring)."""
DELAY_CAUSE_REASONS: dict[str, ReasonCode] = {
    "CarrierDelay": ReasonCode.TECHNICAL,
    "WeatherDelay": ReasonCode.WEATHER,
    "NASDelay": ReasonCode.ATC,
    "SecurityDelay": ReasonCode.SECURITY,
    "LateAircraftDelay": ReasonCode.KNOCK_ON,
}
"""BTS delay cause columns (minutes) → reason; the largest wins, ties in this order."""

DELAY_THRESHOLD = timedelta(minutes=15)
"""A departure this late or later was announced as delayed (as in the simulator)."""
MAX_BLOCK = timedelta(hours=20)
"""No scheduled or actual flight is longer; a longer one is a misread time."""
# Without a delay figure, a departure's clock time is read on the day that puts it in
# [schedule - this, schedule - this + 24 h).
_EARLIEST_UNDATED = timedelta(hours=3)
_PROGRESS_EVERY = 1000
_EXAMPLES_PER_REASON = 3
_MISSING = frozenset({"", "NA", "N/A", "NAN", "NULL", "NONE"})
_CARRIER = re.compile(r"^[A-Z0-9]{2}$")
_IATA = re.compile(r"^[A-Z]{3}$")

# Canonical field → column, per layout. nycflights13 gives the date in three columns.
_COLUMNS: dict[Layout, dict[str, str]] = {
    "nycflights13": {
        "year": "year", "month": "month", "day": "day", "carrier": "carrier",
        "number": "flight", "tail": "tailnum", "origin": "origin", "dest": "dest",
        "sched_dep": "sched_dep_time", "dep": "dep_time", "dep_delay": "dep_delay",
        "sched_arr": "sched_arr_time", "arr": "arr_time", "arr_delay": "arr_delay",
    },
    "bts": {
        "date": "FlightDate", "carrier": "Reporting_Airline",
        "number": "Flight_Number_Reporting_Airline", "tail": "Tail_Number",
        "origin": "Origin", "dest": "Dest", "sched_dep": "CRSDepTime", "dep": "DepTime",
        "dep_delay": "DepDelay", "sched_arr": "CRSArrTime", "arr": "ArrTime",
        "arr_delay": "ArrDelay", "cancelled": "Cancelled", "code": "CancellationCode",
        "diverted": "Diverted", "diverted_to": "Div1Airport",
        **{cause: cause for cause in DELAY_CAUSE_REASONS},
    },
}  # fmt: skip
_REQUIRED: dict[Layout, tuple[str, ...]] = {
    "nycflights13": (
        "year", "month", "day", "carrier", "number", "origin", "dest",
        "sched_dep", "dep", "sched_arr", "arr",
    ),
    "bts": (
        "date", "carrier", "number", "origin", "dest", "sched_dep", "dep",
        "sched_arr", "arr", "cancelled",
    ),
}  # fmt: skip


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


class _Skip(Exception):
    """A row that cannot be used: `reason` is counted, `detail` kept as an example."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


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
    total = _count_rows(path) if on_progress is not None else 0
    reader = _DayReader(day)
    done = 0
    with _open_text(path) as text:
        rows = csv.reader(text)
        header = next(rows, None)
        if header is None:
            raise ConfigError(f"{path} is empty; expected an on-time CSV with a header row")
        columns = _layout(path, header)
        for row in rows:
            if not row:
                continue
            done += 1
            reader.take(_Row(columns, row), rows.line_num)
            if on_progress is not None and done % _PROGRESS_EVERY == 0:
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

    def take(self, row: _Row, line: int) -> None:
        try:
            replayed = self._flight(row, line)
        except _Skip as skip:
            self.skipped[skip.reason] += 1
            examples = self.examples.setdefault(skip.reason, [])
            if len(examples) < _EXAMPLES_PER_REASON:
                examples.append(f"line {line}: {skip.detail}")
            return
        self.flights.append(replayed)

    def _flight(self, row: _Row, line: int) -> ReplayFlight:
        if len(row.values) < row.columns.width:
            raise _Skip("malformed_row", f"{len(row.values)} columns, {row.columns.width} needed")
        if (found := self._service_date(row)) != self.day:
            raise _Skip("other_date", f"{found} is not {self.day}")
        carrier = (row.get("carrier") or "").upper()
        if not carrier:
            raise _Skip("missing_carrier", "no carrier code")
        if not _CARRIER.match(carrier):
            raise _Skip("bad_carrier", f"carrier {carrier!r} is not a two-character code")
        number = _flight_number(row.get("number"))
        origin, dest = self._airport(row.get("origin")), self._airport(row.get("dest"))
        if origin.iata == dest.iata:
            raise _Skip("same_airport", f"{origin.iata} to itself")

        o_zone, d_zone = _zone(origin.tz), _zone(dest.tz)
        sched_dep = _local(self.day, _required_time(row, "sched_dep"), o_zone)
        sched_arr = _after(self.day, _required_time(row, "sched_arr"), d_zone, sched_dep)
        dep_clock, arr_clock = _optional_time(row, "dep"), _optional_time(row, "arr")
        if row.columns.layout == "bts":
            cancelled, diverted = _flag(row, "cancelled"), _flag(row, "diverted")
            reason = _cancel_reason(row) if cancelled else _delay_cause(row)
        else:
            cancelled = dep_clock is None
            diverted = not cancelled and (
                arr_clock is None or (row.has("arr_delay") and row.get("arr_delay") is None)
            )
            reason = None
        dep = arr = None
        if not cancelled:
            if dep_clock is None:
                raise _Skip("missing_time", "no actual departure on a flight not cancelled")
            dep = _departure(self.day, dep_clock, o_zone, sched_dep, _minutes(row, "dep_delay"))
            if arr_clock is not None:
                arr = _after(self.day, arr_clock, d_zone, dep)
            elif not diverted:
                raise _Skip("missing_time", "no actual arrival on a flight not diverted")
            if not -MAX_PLAUSIBLE_EARLY <= dep - sched_dep <= MAX_PLAUSIBLE_DELAY:
                raise _Skip("implausible_times", f"departure {dep - sched_dep} from schedule")
        diverted_to = (row.get("diverted_to") or "").upper() if diverted else ""

        key = flight_key(carrier, number, self.day)
        if key in self.keys:
            raise _Skip("duplicate_flight", f"{key} again (a multi-leg flight keeps its first leg)")
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
            diverted_to=diverted_to if _IATA.match(diverted_to) else None,
            reason=reason,
            line=line,
        )

    def _service_date(self, row: _Row) -> date:
        if row.columns.layout == "bts":
            text = row.get("date") or ""
            return self.day if text == self.iso else _parse_date(text)
        try:
            return date(_int(row.get("year")), _int(row.get("month")), _int(row.get("day")))
        except (TypeError, ValueError) as exc:
            raise _Skip("malformed_date", "year, month and day are not a date") from exc

    def _airport(self, code: str | None) -> Airport:
        if not code:
            raise _Skip("missing_airport", "no origin or destination code")
        code = code.upper()
        if code not in self.airports:
            try:
                self.airports[code] = load_airports([code])[0] if _IATA.match(code) else None
            except NotFoundError:
                self.airports[code] = None
        airport = self.airports[code]
        if airport is None:
            raise _Skip("unknown_airport", f"{code} is not an IATA code in the airport data")
        return airport


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where each canonical field is in the file's rows."""

    layout: Layout
    index: dict[str, int]
    width: int

    def name(self, field: str) -> str:
        """The file's own name for a canonical field, for messages."""
        return _COLUMNS[self.layout][field]


class _Row:
    """One CSV row read through its layout's columns; missing and NA values are None."""

    __slots__ = ("columns", "values")

    def __init__(self, columns: _Columns, values: list[str]) -> None:
        self.columns = columns
        self.values = values

    def has(self, field: str) -> bool:
        return field in self.columns.index

    def get(self, field: str) -> str | None:
        index = self.columns.index.get(field)
        if index is None:
            return None
        value = self.values[index].strip()
        return None if value.upper() in _MISSING else value


def _layout(path: Path, header: Sequence[str]) -> _Columns:
    names = {name.strip(): i for i, name in enumerate(header)}
    layout: Layout = "bts" if "FlightDate" in names else "nycflights13"
    mapping = _COLUMNS[layout]
    index = {field: names[col] for field, col in mapping.items() if col in names}
    missing = [mapping[field] for field in _REQUIRED[layout] if field not in index]
    if missing:
        raise ConfigError(
            f"{path} lacks the column(s) {', '.join(missing)} of the {layout} layout; "
            "give a nycflights13 CSV (year, month, day, dep_time, sched_dep_time, …) or a "
            "BTS on-time CSV (FlightDate, Reporting_Airline, Flight_Number_Reporting_Airline, …)"
        )
    return _Columns(layout, index, max(index.values()) + 1)


def _int(text: str | None) -> int:
    """A whole number, also written as a float (``1545.0``); ValueError otherwise."""
    if text is None:
        raise ValueError("missing")
    if text.isdigit():
        return int(text)
    value = float(text)
    if not value.is_integer():
        raise ValueError(f"{text!r} is not a whole number")
    return int(value)


def _parse_date(text: str) -> date:
    """ISO (``2024-01-31``) or the US form some BTS downloads use (``1/31/2024 12:00:00 AM``)."""
    try:
        if "/" in text:
            month, day, year = text.split()[0].split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _Skip("malformed_date", f"date {text!r}") from exc


def _flight_number(text: str | None) -> int:
    if text is None:
        raise _Skip("missing_flight_number", "no flight number")
    try:
        number = _int(text)
    except ValueError as exc:
        raise _Skip("bad_flight_number", f"flight number {text!r}") from exc
    if not 1 <= number <= 9999:
        raise _Skip("bad_flight_number", f"flight number {number} is not 1-9999")
    return number


def _clock(text: str) -> int:
    """A local clock time, ``hhmm`` (or ``h:mm``), as minutes after midnight; 2400 is 1440."""
    hours_text, colon, minutes_text = text.partition(":")
    if colon:
        digits = hours_text.zfill(2) + minutes_text if len(minutes_text) == 2 else ""
    else:
        digits, _, fraction = text.partition(".")  # BTS may write 0554.00
        digits = "" if fraction.strip("0") else digits
    if not digits.isdigit() or len(digits) > 4:
        raise _Skip("malformed_time", f"time {text!r} is not hhmm")
    hours, minutes = divmod(int(digits), 100)
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise _Skip("malformed_time", f"time {text!r} is not a clock time")
    return hours * 60 + minutes


def _required_time(row: _Row, field: str) -> int:
    text = row.get(field)
    if text is None:
        raise _Skip("missing_time", f"no {row.columns.name(field)}")
    return _clock(text)


def _optional_time(row: _Row, name: str) -> int | None:
    text = row.get(name)
    return None if text is None else _clock(text)


def _minutes(row: _Row, name: str) -> int | None:
    text = row.get(name)
    if text is None:
        return None
    try:
        return round(float(text))
    except ValueError as exc:
        raise _Skip("malformed_number", f"{row.columns.name(name)} {text!r}") from exc


def _flag(row: _Row, name: str) -> bool:
    text = row.get(name)
    if text is None:
        return False
    try:
        value = float(text)
    except ValueError as exc:
        raise _Skip("malformed_number", f"{row.columns.name(name)} {text!r} is not 0 or 1") from exc
    if value not in (0.0, 1.0):
        raise _Skip("malformed_number", f"{row.columns.name(name)} {text!r} is not 0 or 1")
    return value == 1.0


def _cancel_reason(row: _Row) -> ReasonCode | None:
    return CANCELLATION_REASONS.get((row.get("code") or "").upper())


def _delay_cause(row: _Row) -> ReasonCode | None:
    """The cause column with the most minutes, when the file has them and any is set."""
    best, most = None, 0.0
    for column, reason in DELAY_CAUSE_REASONS.items():
        try:
            minutes = float(row.get(column) or 0)
        except ValueError:
            continue  # a cause is a detail; an unreadable one leaves the reason unknown
        if minutes > most:
            best, most = reason, minutes
    return best


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(day: date, minutes: int, zone: ZoneInfo, days: int = 0) -> datetime:
    """The clock time `minutes` after local midnight of `day` + `days`, in UTC."""
    on = day + timedelta(days=days + minutes // 1440)
    minutes %= 1440
    return datetime(on.year, on.month, on.day, minutes // 60, minutes % 60, tzinfo=zone).astimezone(
        UTC
    )


def _after(day: date, minutes: int, zone: ZoneInfo, start: datetime) -> datetime:
    """The first time at this clock time after `start` (an arrival rolls past midnight)."""
    for days in range(-1, 3):
        at = _local(day, minutes, zone, days)
        if at > start:
            if at - start > MAX_BLOCK:
                break
            return at
    raise _Skip("implausible_times", "an arrival more than 20 h after its departure")


def _departure(
    day: date, minutes: int, zone: ZoneInfo, sched: datetime, delay: int | None
) -> datetime:
    """The actual departure at this clock time on the day its delay points to."""
    candidates = [_local(day, minutes, zone, days) for days in range(-1, 4)]
    if delay is not None:
        target = sched + timedelta(minutes=delay)
        return min(candidates, key=lambda at: abs(at - target))
    return next(at for at in candidates if at >= sched - _EARLIEST_UNDATED)


@contextmanager
def _open_binary(path: Path) -> Iterator[IO[bytes]]:
    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rb") as unzipped:
            yield cast(IO[bytes], unzipped)
    elif path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if len(members) != 1:
                raise ConfigError(f"{path} holds {len(members)} CSV files; give a zip with one")
            with archive.open(members[0]) as raw:
                yield raw
    else:
        with path.open("rb") as raw:
            yield raw


@contextmanager
def _open_text(path: Path) -> Iterator[IO[str]]:
    with _open_binary(path) as raw:
        # BTS files are ASCII; an odd byte must not stop a long read.
        yield io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def _count_rows(path: Path) -> int:
    """Data rows, counted as lines (fast; a quoted field with a newline would count twice)."""
    lines, last = 0, b"\n"
    with _open_binary(path) as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(0, lines + (last != b"\n") - 1)
