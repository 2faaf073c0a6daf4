"""The scenario format: what loads, and how a mistake is reported (file + path)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from evals.scenario import load_scenario, load_scenarios
from evals.scenario_world import ScenarioError, parse_duration
from evals.world import build

GOOD = """
name: tiny
world:
  customers: [{id: C1, language: de, channels: [{kind: sms}]}]
  bookings: [{pnr: PNR123, customer: C1, segments: [{flight: XA106}]}]
events:
  - {at: 0m, flight: XA106, status: cancelled, reason: crew}
expect:
  - {rebooked: {booking: PNR123, arrives_before: "+4h", cabin: same}}
  - {notification: {customer: C1, channel: sms, language: de, within: 2m}}
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_scenario_loads_with_its_defaults(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, GOOD))
    assert scenario.name == "tiny"
    assert scenario.world.seed == "small"
    assert scenario.world.start_at.isoformat() == "2026-03-01T05:00:00+00:00"
    assert [e.kind for e in scenario.expect] == ["rebooked", "notification"]
    assert scenario.path.endswith("s.yaml")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (GOOD.replace("{flight: XA106}]}]", "{}]}]"), "world.bookings[0].segments[0].flight"),
        (GOOD.replace("customer: C1, segments", "customer: C9, segments"), "names customer 'C9'"),
        (GOOD.replace("rebooked: {booking: PNR123", "rebooked: {booking: PNR999"), "expect[0]"),
        (GOOD.replace("rebooked:", "teleported:"), "unknown expectation kind 'teleported'"),
        (GOOD.replace("cabin: same}", "cabin: same, colour: red}"), "colour"),
        (GOOD.replace("at: 0m", "at: soon"), "events[0].at"),
        (GOOD.replace("status: cancelled", "status: vanished"), "events[0].status"),
        (GOOD.replace("pnr: PNR123", "pnr: P1"), "world.bookings[0].pnr"),
    ],
)
def test_mistakes_name_the_file_and_the_path(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value)
    assert where in str(caught.value)


def test_broken_yaml_says_where(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nworld: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"line \d+, column \d+: not valid YAML"):
        load_scenario(path)


def test_a_directory_loads_every_file_and_reports_all_problems(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD.replace("name: tiny", "name: tiny"), "b.yaml")
    with pytest.raises(ScenarioError, match="also used by"):
        load_scenarios([tmp_path])
    write(tmp_path, GOOD.replace("name: tiny", "name: other").replace("at: 0m", "at: x"), "b.yaml")
    write(tmp_path, "name: [", "c.yaml")
    with pytest.raises(ScenarioError) as caught:
        load_scenarios([tmp_path])
    assert "b.yaml" in str(caught.value) and "c.yaml" in str(caught.value)


def test_durations() -> None:
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("+4h") == timedelta(hours=4)
    assert parse_duration("-10m") == timedelta(minutes=-10)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration(5) == timedelta(minutes=5)
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("tomorrow")


def test_the_world_books_the_scenario_passengers_and_sells_out_cabins(tmp_path: Path) -> None:
    text = GOOD.replace("  bookings:", "  inventory: [{flight: XA108, seats_left: 0}]\n  bookings:")
    world = build(load_scenario(write(tmp_path, text)).world)
    flights = {f.key: f for f in world.flights}
    cancelled = flights["XA106/2026-03-01"]
    sold = {c.cabin.value: c.sold for c in cancelled.cabins}
    assert sold["economy"] == 1 and sold["business"] == 0
    full = {c.cabin.value: c.available for c in flights["XA108/2026-03-01"].cabins}
    assert full["economy"] == 0
    assert [b.pnr for b in world.bookings] == ["PNR123"]
    assert "XA100/2026-03-02" in flights  # the seed's second day


def test_a_booking_on_a_flight_the_world_lacks_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("{flight: XA106}]}]", "{flight: XA999}]}]")
    with pytest.raises(ScenarioError, match="no flight XA999/2026-03-01"):
        build(load_scenario(write(tmp_path, text)).world)
