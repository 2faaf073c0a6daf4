"""Clocks: simulated time runs, pauses and jumps; event time follows the event in hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airline.clock import EventTimeClock, SimulatedClock

START = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def test_a_frozen_simulated_clock_moves_only_when_advanced() -> None:
    clock = SimulatedClock(START, speed=0)
    assert clock.now() == START
    clock.advance(timedelta(minutes=90))
    assert clock.now() == START + timedelta(minutes=90)


def test_a_paused_clock_holds_its_time_and_resumes_from_it() -> None:
    clock = SimulatedClock(START, speed=1_000_000)
    clock.pause()
    held = clock.now()
    assert clock.now() == held
    clock.resume()
    assert clock.now() >= held


def test_the_event_clock_takes_each_events_time_even_backwards() -> None:
    clock = EventTimeClock(START)
    late = START + timedelta(hours=20)
    clock.follow(late)
    assert late <= clock.now() < late + timedelta(seconds=5)
    # Another partition's backlog is still in the morning: decide at its time, not 20 h on.
    clock.follow(START + timedelta(hours=1))
    assert clock.now() < START + timedelta(hours=1, seconds=5)


def test_clocks_refuse_naive_or_frozen_starts() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SimulatedClock(datetime(2026, 3, 1, 6, 0), speed=1)  # noqa: DTZ001
    with pytest.raises(ValueError, match="positive speed"):
        EventTimeClock(START, speed=0)
