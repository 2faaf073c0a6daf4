"""Clocks: simulated time runs, pauses and jumps; event time follows the event in hand,
and a piece of work decides at an instant of its own (`EventTimeClock.at`) without
losing the stream's time."""

from __future__ import annotations

import asyncio
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


SOON = timedelta(seconds=5)


class Boom(Exception):
    pass


def test_work_decides_at_its_instant_and_the_stream_time_is_back_after_an_error() -> None:
    clock = EventTimeClock(START)
    streamed = START + timedelta(hours=3)
    clock.follow(streamed)
    due = START + timedelta(hours=1)
    with pytest.raises(Boom), clock.at(due):
        assert (clock.followed, due <= clock.now() < due + SOON) == (due, True)
        raise Boom
    assert clock.followed == streamed
    assert streamed <= clock.now() < streamed + SOON


def test_an_instant_inside_another_gives_the_outer_one_back() -> None:
    clock = EventTimeClock(START)
    job, first_run = START + timedelta(hours=2), START + timedelta(minutes=10)
    with clock.at(job):
        with clock.at(first_run):
            assert clock.followed == first_run
        assert clock.followed == job
    assert clock.followed == START


def test_the_stream_cannot_move_on_under_work_at_another_instant() -> None:
    clock = EventTimeClock(START)
    with (
        clock.at(START - timedelta(hours=1)),
        pytest.raises(RuntimeError, match=r"inside clock\.at\(\)"),
    ):
        clock.follow(START + timedelta(hours=1))
    assert clock.followed == START


async def test_overlapping_work_of_two_tasks_keeps_the_records_followed_meanwhile() -> None:
    # A case run again at its approval's time (the decisions loop) while a job decides at
    # its due time and the consumer follows a record. Saved and put back on the clock,
    # the second block to end put the first one's instant back: the record was lost.
    clock = EventTimeClock(START)
    opened, due = START - timedelta(hours=2), START - timedelta(hours=1)
    first_in, second_in, first_out = asyncio.Event(), asyncio.Event(), asyncio.Event()
    seen: dict[str, datetime] = {}

    async def rerun() -> None:
        with clock.at(opened):
            first_in.set()
            await second_in.wait()
        first_out.set()

    async def job() -> None:
        await first_in.wait()
        with clock.at(due):
            second_in.set()
            await first_out.wait()
            seen["job"] = clock.followed

    work = asyncio.gather(rerun(), job())
    await second_in.wait()
    record = START + timedelta(minutes=30)
    clock.follow(record)  # the consumer, between the two
    await work
    assert seen == {"job": due}
    assert clock.followed == record
