"""The flight-status codec: good records round-trip, bad ones fail with a reason for the DLQ."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from streams import codec
from streams.codec import decode
from streams.events import FlightStatus, FlightStatusEvent, ReasonCode, encode
from travel_agent.errors import DecodeError, ValidationError

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


# --- the fast path against the full validator --------------------------------------------

TIMES = ("sched_dep", "sched_arr", "est_dep", "est_arr", "emitted_at")
ODD_TIMES = [
    "2026-03-01T08:20:00Z",
    "2026-03-01T08:20:00z",
    "2026-03-01t08:20:00Z",
    "2026-03-01 08:20:00Z",
    "2026-03-01T08:20:00+01:00",
    "2026-03-01T08:20:00-05:30",
    "2026-03-01T08:20:00-00:00",
    "2026-03-01T08:20:00+18:59",
    "2026-03-01T08:20:00+23:59",
    "2026-03-01T08:20:00+24:00",
    "2026-03-01T08:20:00+0100",
    "2026-03-01T08:20:00+01",
    "2026-03-01T08:20:00",
    "2026-03-01T08:20Z",
    "2026-03-01T08Z",
    "20260301T082000Z",
    "2026-W09-7T08:20:00Z",
    "2026-03-01T08:20:00.1Z",
    "2026-03-01T08:20:00.123+01:00",
    "2026-03-01T08:20:00.123456Z",
    "2026-03-01T08:20:00.1234567Z",
    "2026-03-01T08:20:00.9999999Z",
    "2026-03-01T08:20:00.123456789+01:00",
    "2026-03-01T08:20:00,123Z",
    "2026-03-01T08:20:00.Z",
    "2026-03-01T08:20:00.12aZ",
    "2026-02-30T08:20:00Z",
    "2026-03-01T24:00:00Z",
    "2026-03-01T23:59:60Z",
    "0000-03-01T08:20:00Z",
    "2026-03-01T08:20:0\u0660Z",
    "2026-03-01T08:20:00Z\n",
    " 2026-03-01T08:20:00Z",
]
ODD_VALUES: dict[str, list[Any]] = {
    "schema_version": [1, 2, 0, True, 1.0, "1", None],
    "event_id": ["", "e", "e" * 64, "e" * 65, "é" * 64, 7, None],
    "carrier": ["XA", "xa", "Xa", "X1", "11", "X", "XAA", "XA\n", "ÀB", "ＸＡ", "", 12],
    "flight_number": [1, 9999, 0, 10000, -1, "102", 102.0, 102.5, True, 2**70],
    "service_date": [
        "2026-03-01",
        "2026-3-1",
        "20260301",
        "2026-03-01T00:00:00",
        "2026-03-01T00:00:00Z",
        "2026-02-30",
        "2026-W09-7",
        "2026-03-01\n",
        "٢٠٢٦-03-01",
        20260301,
        1772323200,
    ],
    "origin": ["FRA", "fra", "FR", "FRAX", "FR1", "FRA\n", "ÄBC", "", 3],
    "destination": ["LHR", "lhr", "LH", "LHR ", 0],
    "status": ["delayed", "Delayed", "DELAYED", "teleported", "", 1],
    "reason": ["atc", "ATC", "volcano", "", 1],
    "gate": ["", "A", "A" * 8, "A" * 9, "🛫" * 8, 12],
    "diverted_to": ["LGW", "lgw", "LG", "LGW\n", "", 3],
    "surprise": [1, None, "x"],
}


def _variants() -> list[bytes]:
    """Valid records and near misses of every kind, as bytes."""
    base = record()
    out = [wire(), wire(reason=None, gate=None), json.dumps(base, indent=2).encode()]
    for name in base:
        out.append(wire(**{name: None}))  # left out
        out.append(json.dumps(base | {name: None}).encode())  # explicitly null
    for name, values in ODD_VALUES.items():
        out += [json.dumps(base | {name: v}, ensure_ascii=False).encode() for v in values]
    for name in TIMES:
        for text in ODD_TIMES:
            out.append(json.dumps(base | {name: text}, ensure_ascii=False).encode())
    body = json.dumps(base)[1:]
    out += [
        b'{"carrier": "XB", ' + body.encode(),  # a duplicate key: the last one counts
        ('{"carrier": "XA", ' + body.replace('"XA"', '"xa"')).encode(),
        b"\xef\xbb\xbf" + wire(),  # a byte-order mark
        b"  " + wire() + b"\n",
        wire() + b" {}",
        wire().replace(b'"FRA"', b'"\\u0046RA"'),  # an escaped letter
        wire().replace(b'"A12"', b'"\\ud800"'),  # a lone surrogate
        wire().replace(b"102", b"1_02"),
        wire().replace(b"102", b"0102"),
        wire().replace(b"102", b"1.02e2"),
    ]
    return out


def _full(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> FlightStatusEvent | str:
    """What `decode` makes of `raw` without the fast path: the event, or the DLQ reason."""
    with monkeypatch.context() as patch:
        patch.setattr(codec, "_decode_common", lambda _raw: None)
        try:
            return decode(raw)
        except (DecodeError, ValidationError) as exc:
            return exc.reason


def test_the_fast_path_takes_only_what_the_full_validator_takes_and_builds_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    taken = 0
    for raw in _variants():
        fast = codec._decode_common(raw)
        full = _full(raw, monkeypatch)
        if fast is None:
            continue
        taken += 1
        assert isinstance(full, FlightStatusEvent), f"fast path took {raw!r}; full: {full}"
        assert fast == full, raw
        assert encode(fast) == encode(full), raw
        assert fast.model_fields_set == full.model_fields_set, raw
        for name in FlightStatusEvent.model_fields:
            mine, theirs = getattr(fast, name), getattr(full, name)
            assert type(mine) is type(theirs) or (mine == theirs and name in TIMES), (name, raw)
            if isinstance(mine, datetime):
                assert mine.utcoffset() == theirs.utcoffset(), (name, raw)
    # The common shapes do take it (else this test proves nothing).
    assert taken >= 50


def test_every_record_gets_the_same_answer_with_and_without_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for raw in _variants():
        try:
            answer: FlightStatusEvent | str = decode(raw)
        except (DecodeError, ValidationError) as exc:
            answer = exc.reason
        assert answer == _full(raw, monkeypatch), raw


def test_our_own_encoding_takes_the_fast_path() -> None:
    event = decode(wire())
    for offset in (timedelta(0), timedelta(hours=-5, minutes=-30), timedelta(hours=14)):
        again = event.model_copy(
            update={"emitted_at": event.emitted_at.astimezone(timezone(offset))}
        )
        fast = codec._decode_common(encode(again))
        assert fast == again
    micro = event.model_copy(update={"emitted_at": event.emitted_at + timedelta(microseconds=5)})
    assert codec._decode_common(encode(micro)) == micro
