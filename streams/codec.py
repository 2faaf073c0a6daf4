"""The codec: bytes to a validated `FlightStatusEvent`, or an `EventError` whose `reason`
is a short machine-readable word (it becomes the dead-letter header) and whose detail
says, in a sentence, what was wrong.

`decode` foresees every refusal it words; the sources call it through
`streams.base.receive`, which turns anything unforeseen into a dead letter too, so that
no record can raise out of a source.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Annotated, Any

import msgspec
import pydantic

from airline.models import FlightStatus, ReasonCode
from airline.trusted import all_fields, trusted
from streams.events import (
    MAX_PLAUSIBLE_DELAY,
    MAX_PLAUSIBLE_EARLY,
    SCHEMA_VERSION,
    FlightStatusEvent,
)
from travel_agent.errors import DecodeError, ValidationError

__all__ = ["MAX_INT_DIGITS", "MAX_NESTING", "MAX_RECORD_BYTES", "decode"]


def decode(raw: bytes | None) -> FlightStatusEvent:
    """Bytes to a validated event.

    Raises:
        DecodeError: empty, too large, too deeply nested, a number too long, not JSON,
            not an object, or a schema version we do not know.
        ValidationError: well-formed but wrong types, missing fields or impossible times.
    """
    if not raw:
        raise DecodeError("empty", "the record has no value")
    if len(raw) > MAX_RECORD_BYTES:
        raise DecodeError(
            "too_large",
            f"{len(raw)} bytes; an event is under 1 KB and records over {MAX_RECORD_BYTES}"
            " bytes are not read",
        )
    fast = _decode_common(raw)
    if fast is not None:
        return fast
    # Anything unusual in one pass (pydantic parses the JSON itself); anything it refuses
    # is diagnosed below, step by step, for a precise reason.
    try:
        event = FlightStatusEvent.model_validate_json(raw)
    except pydantic.ValidationError:
        pass
    else:
        if event.schema_version == SCHEMA_VERSION:
            return event
    # Python's parser recurses per level and converts integers of any length: bounded
    # first, so that no record can raise RecursionError or ValueError out of it.
    _check_nesting(raw)
    try:
        data: Any = json.loads(raw, parse_int=_bounded_int)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecodeError("not_json", str(exc)) from exc
    if not isinstance(data, dict):
        raise DecodeError("not_object", f"expected a JSON object, got {type(data).__name__}")
    version = data.get("schema_version", SCHEMA_VERSION)
    if type(version) is not int or version != SCHEMA_VERSION:  # True == 1 is not a version
        raise DecodeError(
            "unsupported_schema_version",
            f"schema_version {version!r}; this build reads version {SCHEMA_VERSION}",
        )
    try:
        return FlightStatusEvent.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "event"
        # Field errors have a location; the plausibility checks run on the whole event.
        kind = "absurd_time" if not first["loc"] else "invalid_field"
        raise ValidationError(kind, f"{where}: {first['msg']}") from exc


# --- limits on what is parsed at all ------------------------------------------------------
#
# An event is a flat JSON object of about 500 bytes. The fast path (msgspec, typed) and
# pydantic's parser (jiter) refuse anything deep or huge by themselves; Python's `json`,
# which words the precise refusal, does not: ~1,000 levels of nesting raise
# RecursionError, and an integer of more than 4,300 digits ValueError. These limits are
# far above any honest record and far below what hurts.

MAX_RECORD_BYTES = 64 * 1024
MAX_NESTING = 32
MAX_INT_DIGITS = 40
# Only the bytes that open or close a level, or a string (which may hide brackets).
_STRUCTURE = bytes(range(256)).translate(None, b'[]{}"')


def _check_nesting(raw: bytes) -> None:
    """Refuse JSON nested deeper than `MAX_NESTING` levels (strings skipped)."""
    # Escaped backslashes, then escaped quotes, go first (left to right, as a parser
    # pairs them), so that every quote left opens or closes a string.
    structure = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _STRUCTURE)
    depth = 0
    in_string = False
    for byte in structure:  # typically a few dozen bytes
        if byte == 0x22:  # a quote
            in_string = not in_string
        elif in_string:
            continue
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_NESTING:
                raise DecodeError(
                    "too_deep", f"JSON nested more than {MAX_NESTING} levels; an event is flat"
                )
        else:  # ] }
            depth -= 1


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise DecodeError(
            "number_too_long", f"an integer of {digits} digits (at most {MAX_INT_DIGITS} are read)"
        )
    return int(text)


# --- the fast path -----------------------------------------------------------------------
#
# Nearly every record is the shape our own producers write: a JSON object of the event's
# fields, strings where strings go, RFC 3339 times. `_decode_common` reads that shape with
# msgspec (typed decoding in C) and checks the rest by hand — ~2 µs against pydantic's ~6.
# It accepts nothing the model would refuse and builds exactly what the model would:
# anything else (a missing or extra field, a number where a string goes, a time in
# another format, an implausible time) returns None and `decode` runs the full validator,
# so every refusal keeps its reason and its sentence. Times are read here, not by msgspec,
# which rounds a fraction of more than six digits where pydantic truncates it.
# (tests/unit/test_events.py holds the two paths against each other.)


class _Wire(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """The event as the wire carries it; UNSET marks an optional field left out.

    Not tracked by the garbage collector (``gc=False``): it holds only strings, numbers
    and enum members, so it can be in no reference cycle.
    """

    event_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    carrier: str
    flight_number: Annotated[int, msgspec.Meta(ge=1, le=9999)]
    service_date: str
    origin: str
    destination: str
    status: FlightStatus
    sched_dep: str
    sched_arr: str
    est_dep: str
    est_arr: str
    emitted_at: str
    schema_version: int | msgspec.UnsetType = msgspec.UNSET
    reason: ReasonCode | msgspec.UnsetType | None = msgspec.UNSET
    gate: Annotated[str, msgspec.Meta(max_length=8)] | msgspec.UnsetType | None = msgspec.UNSET
    diverted_to: str | msgspec.UnsetType | None = msgspec.UNSET


_wire = msgspec.json.Decoder(_Wire)
_OPTIONAL = ("schema_version", "reason", "gate", "diverted_to")
_ALL = frozenset(FlightStatusEvent.model_fields)
_ALL_GIVEN = all_fields(FlightStatusEvent)  # shared by the events that give every field
_REQUIRED = _ALL - frozenset(_OPTIONAL)
UNSET = msgspec.UNSET

# Values already checked. A flight's codes, date, schedule and estimates repeat in every
# state of it, so most records check only their event id and emission time. Each cache
# is emptied when full: the feed's working set is a day's flights.
_carriers: set[str] = set()
_airports: set[str] = set()
_dates: dict[str, date] = {}
_instants: dict[str, datetime] = {}
# (sched_dep, sched_arr, est_dep, est_arr) as written -> as read, plausible together.
_spans: dict[tuple[str, str, str, str], tuple[datetime, datetime, datetime, datetime]] = {}
_KEPT = 16_384
# The RFC 3339 times taken here: seconds, an optional fraction of 1 to 6 digits (msgspec
# would round more, pydantic truncates), then "Z" or an offset of at most 18 hours.
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-](?:0\d|1[0-8]):\d{2})", re.ASCII
)


def _kept(cache: set[str] | dict[Any, Any]) -> None:
    if len(cache) >= _KEPT:
        cache.clear()


def _new_carrier(value: str) -> bool:
    """`^[A-Z0-9]{2}$`, as pydantic reads it (its regex has no trailing-newline match)."""
    if len(value) != 2 or not value.isascii() or not value.isalnum() or value.upper() != value:
        return False
    _kept(_carriers)
    _carriers.add(value)
    return True


def _new_airport(value: str) -> bool:
    """`^[A-Z]{3}$`, as pydantic reads it."""
    if len(value) != 3 or not value.isascii() or not value.isalpha() or not value.isupper():
        return False
    _kept(_airports)
    _airports.add(value)
    return True


def _new_date(value: str) -> date | None:
    """A date written YYYY-MM-DD, or None."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-" or not value.isascii():
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    _kept(_dates)
    _dates[value] = parsed
    return parsed


def _new_instant(value: str) -> datetime | None:
    parsed = _instant(value)
    if parsed is not None:
        _kept(_instants)
        _instants[value] = parsed
    return parsed


def _new_span(
    texts: tuple[str, str, str, str],
) -> tuple[datetime, datetime, datetime, datetime] | None:
    """A flight's scheduled and estimated times, if each is readable here and together
    they pass the model's plausibility checks (a failure is for pydantic to word)."""
    sched_dep, sched_arr, est_dep, est_arr = (_instants.get(t) or _new_instant(t) for t in texts)
    if sched_dep is None or sched_arr is None or est_dep is None or est_arr is None:
        return None
    times = (sched_dep, sched_arr, est_dep, est_arr)
    shift = est_dep - sched_dep
    if (
        sched_arr <= sched_dep
        or est_arr <= est_dep
        or shift > MAX_PLAUSIBLE_DELAY
        or -shift > MAX_PLAUSIBLE_EARLY
    ):
        return None
    _kept(_spans)
    _spans[texts] = times
    return times


def _instant(value: str) -> datetime | None:
    """An aware time in the format we write, or None (then pydantic decides)."""
    if _RFC3339.fullmatch(value) is None:
        return None
    try:
        return datetime.fromisoformat(value)  # aware: the pattern requires a zone
    except ValueError:
        return None


def _decode_common(raw: bytes) -> FlightStatusEvent | None:
    """The event, if `raw` has the common shape and is valid; None to ask pydantic."""
    try:
        wire = _wire.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    version = wire.schema_version
    reason = wire.reason
    gate = wire.gate
    diverted_to = wire.diverted_to
    origin = wire.origin
    destination = wire.destination
    if (
        (version is not UNSET and version != SCHEMA_VERSION)
        or (wire.carrier not in _carriers and not _new_carrier(wire.carrier))
        or (origin not in _airports and not _new_airport(origin))
        or (destination not in _airports and not _new_airport(destination))
        or (
            diverted_to is not None
            and diverted_to is not UNSET
            and diverted_to not in _airports
            and not _new_airport(diverted_to)
        )
    ):
        return None
    service_date = _dates.get(wire.service_date) or _new_date(wire.service_date)
    texts = (wire.sched_dep, wire.sched_arr, wire.est_dep, wire.est_arr)
    times = _spans.get(texts) or _new_span(texts)
    emitted_at = _instant(wire.emitted_at)  # new in every event: not kept
    if service_date is None or times is None or emitted_at is None:
        return None
    sched_dep, sched_arr, est_dep, est_arr = times
    if version is UNSET or reason is UNSET or gate is UNSET or diverted_to is UNSET:
        given = set(_REQUIRED) | {n for n in _OPTIONAL if getattr(wire, n) is not UNSET}
        version = SCHEMA_VERSION if version is UNSET else version
        reason = None if reason is UNSET else reason
        gate = None if gate is UNSET else gate
        diverted_to = None if diverted_to is UNSET else diverted_to
    else:
        given = _ALL_GIVEN
    return trusted(
        FlightStatusEvent,
        {
            "schema_version": version,
            "event_id": wire.event_id,
            "carrier": wire.carrier,
            "flight_number": wire.flight_number,
            "service_date": service_date,
            "origin": origin,
            "destination": destination,
            "status": wire.status,
            "sched_dep": sched_dep,
            "sched_arr": sched_arr,
            "est_dep": est_dep,
            "est_arr": est_arr,
            "reason": reason,
            "gate": gate,
            "diverted_to": diverted_to,
            "emitted_at": emitted_at,
        },
        given,
    )
