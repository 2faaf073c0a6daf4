"""Times on the desk: local at the airport, with the zone; deadlines as time left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.timefmt import local, money, until

AT = datetime(2026, 3, 1, 7, 20, tzinfo=UTC)


def test_local_time_carries_the_zone_and_the_utc_instant() -> None:
    shown = str(local(AT, "Europe/Berlin"))
    assert "08:20" in shown and ">CET<" in shown
    assert 'datetime="2026-03-01T07:20:00+00:00"' in shown and "2026-03-01 07:20Z" in shown
    assert "02:20" in str(local(AT, "America/New_York")) and ">EST<" in str(
        local(AT, "America/New_York")
    )


def test_zones_without_a_name_show_their_offset_and_unknown_zones_utc() -> None:
    assert ">UTC+04:00<" in str(local(AT, "Asia/Dubai"))
    assert "07:20" in str(local(AT, "Not/AZone")) and ">UTC<" in str(local(AT, "Not/AZone"))
    assert "Sun 01 Mar 07:20" in str(local(AT.isoformat(), None, with_date=True))
    assert str(local(None, "Europe/Berlin")) == "–"


def test_time_left_and_money() -> None:
    assert until(AT + timedelta(minutes=65), AT) == "in 1 h 05 min"
    assert until(AT - timedelta(minutes=5), AT) == "5 min ago"
    assert money(45000, "EUR") == "450.00 EUR"
