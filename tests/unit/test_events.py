"""The flight-status codec: good records round-trip, bad ones fail with a reason for the DLQ."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from airline.errors import DecodeError, ValidationError
from streams.events import FlightStatus, FlightStatusEvent, ReasonCode, decode, encode

SCHED_DEP = datetime(2026, 3, 1, 8, 20, tzinfo=UTC)
SCHED_ARR = datetime(2026, 3, 1, 9, 35, tzinfo=UTC)


def record(**changes: Any) -> dict[str, Any]:
    """A valid event as the wire carries it, with `changes` applied (None removes a field)."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "event_id": "ev-1",
        "carrier": "XA",
        "flight_number": 102,
        "service_date": "2026-03-01",
        "origin": "FRA",
        "destination": "LHR",
        "status": "delayed",
        "sched_dep": SCHED_DEP.isoformat(),
        "sched_arr": SCHED_ARR.isoformat(),
        "est_dep": (SCHED_DEP + timedelta(minutes=40)).isoformat(),
        "est_arr": (SCHED_ARR + timedelta(minutes=40)).isoformat(),
        "reason": "atc",
        "gate": "A12",
        "emitted_at": datetime(2026, 3, 1, 6, 0, tzinfo=UTC).isoformat(),
    }
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def wire(**changes: Any) -> bytes:
    return json.dumps(record(**changes)).encode()


def test_a_valid_record_decodes_to_the_event_it_describes() -> None:
    event = decode(wire())
    assert event.flight_key == "XA102/2026-03-01"
    assert event.status == FlightStatus.DELAYED
    assert event.reason == ReasonCode.ATC
    assert event.delay == timedelta(minutes=40)
    assert event.service_date == date(2026, 3, 1)


def test_encode_then_decode_gives_the_same_event_back() -> None:
    event = FlightStatusEvent(
        event_id="ev-rt",
        carrier="XB",
        flight_number=1002,
        service_date=date(2026, 3, 1),
        origin="AMS",
        destination="LHR",
        status=FlightStatus.DIVERTED,
        sched_dep=SCHED_DEP,
        sched_arr=SCHED_ARR,
        est_dep=SCHED_DEP,
        est_arr=SCHED_ARR + timedelta(minutes=20),
        reason=ReasonCode.WEATHER,
        diverted_to="LGW",
        # A non-UTC offset must survive the trip as the same instant.
        emitted_at=datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=1))),
    )
    again = decode(encode(event))
    assert again == event
    assert again.emitted_at == datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


def test_a_record_without_schema_version_is_read_as_the_current_version() -> None:
    assert decode(wire(schema_version=None)).schema_version == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (None, "empty"),
        (b"{not json", "not_json"),
        (b"\xff\xfe\xfa", "not_json"),
        (b"[1, 2, 3]", "not_object"),
        (b'"a string"', "not_object"),
        (wire(schema_version=2), "unsupported_schema_version"),
    ],
    ids=["empty", "none", "broken-json", "not-utf8", "array", "string", "future-version"],
)
def test_undecodable_records_fail_with_their_reason(raw: bytes | None, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode(raw)
    assert caught.value.reason == reason
    assert caught.value.detail, "the dead letter needs a sentence saying what was wrong"


def test_a_future_schema_version_names_the_version_it_saw() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(wire(schema_version=2))
    assert "2" in caught.value.detail


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"flight_number": "one-oh-two"}, "flight_number"),
        ({"status": "teleported"}, "status"),
        ({"carrier": "xa"}, "carrier"),
        ({"sched_dep": "tomorrow morning"}, "sched_dep"),
        ({"event_id": None}, "event_id"),
        ({"surprise": 1}, "surprise"),
    ],
    ids=["number-not-int", "unknown-status", "lowercase-carrier", "bad-time", "missing", "extra"],
)
def test_wrong_types_and_fields_are_invalid_fields(changes: dict[str, Any], where: str) -> None:
    with pytest.raises(ValidationError) as caught:
        decode(wire(**changes))
    assert caught.value.reason == "invalid_field"
    assert where in caught.value.detail


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        decode(wire(emitted_at="2026-03-01T06:00:00"))
    assert caught.value.reason == "invalid_field"
    assert "emitted_at" in caught.value.detail
    assert "time zone" in caught.value.detail


@pytest.mark.parametrize(
    "changes",
    [
        {"est_arr": (SCHED_DEP + timedelta(minutes=30)).isoformat()},
        {"sched_arr": (SCHED_DEP - timedelta(minutes=5)).isoformat()},
        {
            "est_dep": (SCHED_DEP + timedelta(hours=73)).isoformat(),
            "est_arr": (SCHED_ARR + timedelta(hours=73)).isoformat(),
        },
        {
            "est_dep": (SCHED_DEP - timedelta(hours=7)).isoformat(),
            "est_arr": (SCHED_ARR - timedelta(hours=7)).isoformat(),
        },
    ],
    ids=["arrives-before-departing", "scheduled-backwards", "73h-late", "7h-early"],
)
def test_impossible_times_are_absurd(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        decode(wire(**changes))
    assert caught.value.reason == "absurd_time"


def test_a_long_but_possible_delay_is_accepted() -> None:
    event = decode(
        wire(
            est_dep=(SCHED_DEP + timedelta(hours=71)).isoformat(),
            est_arr=(SCHED_ARR + timedelta(hours=71)).isoformat(),
        )
    )
    assert event.delay == timedelta(hours=71)
