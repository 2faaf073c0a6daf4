"""The passenger-replies consumer starts after the flight-status one: a broker that goes
away in between is waited for (each attempt logged), never the end of the daemon."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from types import SimpleNamespace
from typing import Any

import pytest

from app import daemon
from app.settings import Settings
from travel_agent.errors import StreamError


class FlakySource:
    """A consumer whose first `failures` starts find no broker (a retriable error)."""

    failures = 1
    started = 0
    attempts = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.topic = kwargs["topic"]

    async def __aenter__(self) -> FlakySource:
        FlakySource.attempts += 1
        if FlakySource.attempts <= FlakySource.failures:
            raise StreamError("cannot reach Kafka at localhost:1 to consume: Unable to bootstrap")
        FlakySource.started += 1
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch) -> type[FlakySource]:
    FlakySource.attempts = FlakySource.started = 0
    FlakySource.failures = 1
    monkeypatch.setattr(daemon, "KafkaSource", FlakySource)
    return FlakySource


async def test_the_replies_consumer_waits_for_a_broker_that_is_away(
    flaky: type[FlakySource], caplog: pytest.LogCaptureFixture
) -> None:
    sink = SimpleNamespace(bootstrap_servers="localhost:1", security=None)
    caplog.set_level(logging.WARNING)
    async with AsyncExitStack() as stack:
        consumer = await daemon.open_replies_consumer(
            Settings(),
            stack,
            sink,
            "passenger.replies",
            asyncio.Event(),  # type: ignore[arg-type]
        )
    assert isinstance(consumer, FlakySource)
    assert (flaky.attempts, flaky.started) == (2, 1)
    assert "passenger replies" in caplog.text and "not reachable yet" in caplog.text


async def test_a_stop_while_waiting_for_the_broker_ends_the_wait(
    flaky: type[FlakySource],
) -> None:
    flaky.failures = 10**6
    stop = asyncio.Event()
    sink = SimpleNamespace(bootstrap_servers="localhost:1", security=None)
    async with AsyncExitStack() as stack:
        waiting = asyncio.create_task(
            daemon.open_replies_consumer(Settings(), stack, sink, "replies", stop)  # type: ignore[arg-type]
        )
        await asyncio.sleep(0.1)
        stop.set()
        assert await asyncio.wait_for(waiting, 10) is None
    assert flaky.started == 0
