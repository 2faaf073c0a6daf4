"""When the replay announces cancellations: a storm's airport-day the evening before, in
bulk; every other cancellation at the short lead (streams.replay.Announcements)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from streams.events import FlightStatus, FlightStatusEvent
from streams.replay import Announcements, ReplayDay, read_ontime, replay_events
from travel_agent.errors import ConfigError

DAY = date(2024, 1, 15)
HEADER = (
    '"Year","Month","DayofMonth","FlightDate","Reporting_Airline","Tail_Number",'
    '"Flight_Number_Reporting_Airline","Origin","OriginCityName","Dest","DestCityName",'
    '"CRSDepTime","DepTime","DepDelay","CRSArrTime","ArrTime","ArrDelay","Cancelled",'
    '"CancellationCode","Diverted","Distance","CarrierDelay","WeatherDelay","NASDelay",'
    '"SecurityDelay","LateAircraftDelay","Div1Airport",'
)


def row(number: int, origin: str, dest: str, dep: str, arr: str, cancelled: bool) -> str:
    flown = ("", "", "") if cancelled else (dep, "0.00", arr)
    return (
        f'2024,1,15,2024-01-15,"DL","N{number}DL","{number}","{origin}","",'
        f'"{dest}","","{dep}","{flown[0]}",{flown[1]},"{arr}","{flown[2]}",0.00,'
        f'{"1.00" if cancelled else "0.00"},"{"B" if cancelled else ""}",0.00,500.00,'
        ',,,,,"",'
    )


def schedule(origin: str, dest: str, first: int, count: int, cancelled: int) -> list[str]:
    """`count` hourly departures from 06:00, the first `cancelled` of them cancelled."""
    return [
        row(first + n, origin, dest, f"{6 + n % 17:02d}{n // 17 * 10:02d}", "2359", n < cancelled)
        for n in range(count)
    ]


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> ReplayDay:
    """BOS loses 13 of its 25 departures (a storm); ORD 2 of 24 (an ordinary day); PVD, a
    small airport, 2 of its 3."""
    rows = [
        row(999, "BOS", "ATL", "0030", "0400", cancelled=True),
        *schedule("BOS", "ATL", 1000, 24, cancelled=12),
        *schedule("ORD", "ATL", 2000, 24, cancelled=2),
        *schedule("PVD", "ATL", 3000, 3, cancelled=2),
    ]
    path: Path = tmp_path_factory.mktemp("ontime") / "storm.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    replayed = read_ontime(path, day=DAY)
    assert len(replayed.flights) == 52, replayed.examples
    return replayed


def cancellations(events: list[FlightStatusEvent]) -> dict[str, list[FlightStatusEvent]]:
    by_origin: dict[str, list[FlightStatusEvent]] = {}
    for event in events:
        if event.status == FlightStatus.CANCELLED:
            by_origin.setdefault(event.origin, []).append(event)
    return by_origin


def short_lead(event: FlightStatusEvent) -> bool:
    return timedelta(hours=1) <= event.sched_dep - event.emitted_at <= timedelta(hours=3)


def test_a_storm_airports_day_is_cancelled_the_evening_before_in_one_bulk(
    day: ReplayDay,
) -> None:
    found = cancellations(replay_events(day))

    # 18:00 in Boston on the 14th (EST, UTC-5), for every cancellation of the day.
    assert {e.emitted_at for e in found["BOS"]} == {datetime(2024, 1, 14, 23, 0, tzinfo=UTC)}
    assert len(found["BOS"]) == 13
    # An ordinary day's cancellations, and a small airport's, keep the short lead.
    assert len(found["ORD"]) == 2 and all(short_lead(e) for e in found["ORD"])
    assert len(found["PVD"]) == 2 and all(short_lead(e) for e in found["PVD"])


def test_the_threshold_hour_and_minimum_are_the_callers(day: ReplayDay) -> None:
    never = cancellations(replay_events(day, announcements=Announcements(precancel_share=1.01)))
    assert all(short_lead(e) for events in never.values() for e in events)

    ordinary = Announcements(precancel_share=0.05, precancel_hour=20, min_departures=3)
    assert ordinary.precancelled_airports(day) == {"BOS", "ORD", "PVD"}
    found = cancellations(replay_events(day, announcements=ordinary))
    # 20:00 local the evening before: Chicago is UTC-6.
    assert {e.emitted_at for e in found["ORD"]} == {datetime(2024, 1, 15, 2, 0, tzinfo=UTC)}


def test_a_bulk_never_comes_later_than_the_short_lead(day: ReplayDay) -> None:
    """At 23:00 the evening before, the 00:30 departure's short lead (21:30-23:30) may be
    the earlier: each cancellation comes at the earlier of the two."""
    plain = cancellations(replay_events(day, announcements=Announcements(precancel_share=1.01)))
    short = {e.flight_key: e.emitted_at for e in plain["BOS"]}
    late = cancellations(replay_events(day, announcements=Announcements(precancel_hour=23)))
    bulk = datetime(2024, 1, 15, 4, 0, tzinfo=UTC)
    assert {e.flight_key: e.emitted_at for e in late["BOS"]} == {
        key: min(bulk, at) for key, at in short.items()
    }
    assert any(at < bulk for at in short.values()), "no flight tests the short lead's side"


def test_other_events_are_untouched_and_the_order_is_by_emission(day: ReplayDay) -> None:
    plain = replay_events(day, announcements=Announcements(precancel_share=1.01))
    storm = replay_events(day)
    assert {e.event_id for e in plain} == {e.event_id for e in storm}
    others = [e for e in storm if e.status != FlightStatus.CANCELLED]
    assert others == [e for e in plain if e.status != FlightStatus.CANCELLED]
    times = [e.emitted_at for e in storm]
    assert times == sorted(times)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"precancel_share": 0.0}, "share must be above 0"),
        ({"precancel_hour": 24}, "hour must be 0-23"),
        ({"min_departures": 0}, "departures must be 1 or more"),
    ],
)
def test_a_bad_parameter_is_a_clear_error(options: dict[str, float], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Announcements(**options)  # type: ignore[arg-type]


def test_the_replay_command_refuses_a_bad_hour_in_one_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from app.cli import app

    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "ontime" / "bts.csv"
    result = CliRunner().invoke(
        app,
        ["replay", str(fixture), "--date", "2024-01-15", "--precancel-hour", "24"],
        env={"TRAVEL_AGENT_DATA_DIR": str(tmp_path)},
    )

    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: the pre-cancel hour must be 0-23 (got 24)"
    ]
