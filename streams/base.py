"""The stream ports: a Source of flight-status records and a Sink for what we publish.

A source yields `Received` records in order per partition. The runtime acknowledges a
record with `commit(position)` only after every case the record opened is durable; a
record that cannot be decoded is handed to `dead_letter()` and then committed, so bad
input never stops the stream and is never lost.

Every source turns bytes into a `Received` through `receive()`, the border where nothing
a record holds can raise (as Kafka Streams' deserialization exception handler is): an
event, or the error that makes it a dead letter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from types import MappingProxyType
from typing import NamedTuple, Protocol

from streams.codec import decode
from streams.events import FlightStatusEvent
from travel_agent.errors import DecodeError, EventError

# Both are NamedTuples rather than frozen dataclasses: as immutable, and built in a third
# of the time, which counts at one of each per record (~100,000 a second).


class Position(NamedTuple):
    """Where a record sits: topic, partition and offset."""

    topic: str
    partition: int
    offset: int


NO_HEADERS: Mapping[str, bytes] = MappingProxyType({})


class Received(NamedTuple):
    """One record from a source: a valid event, or the error that made it unusable."""

    position: Position
    raw: bytes | None
    key: bytes | None = None
    event: FlightStatusEvent | None = None
    error: EventError | None = None
    headers: Mapping[str, bytes] = NO_HEADERS


def receive(
    position: Position,
    raw: bytes | None,
    key: bytes | None = None,
    headers: Mapping[str, bytes] = NO_HEADERS,
) -> Received:
    """The record at `position`: its event, or why it cannot be used. Never raises.

    `decode` words every refusal it foresees; anything else the parsers or validators
    raise on some input no one foresaw is caught here and dead-lettered as
    "undecodable" with its type and message, rather than stopping the daemon at that
    offset on every restart.
    """
    try:
        return _tuple(Received, (position, raw, key, decode(raw), None, headers))
    except EventError as exc:
        return _tuple(Received, (position, raw, key, None, exc, headers))
    except Exception as exc:
        error = DecodeError("undecodable", f"{type(exc).__name__}: {exc}"[:500])
        return _tuple(Received, (position, raw, key, None, error, headers))


# Received(...) with every field given, without the Python frame of a NamedTuple's
# __new__ (a third of its cost, once per record).
_tuple = tuple.__new__


class Source(Protocol):
    """A stream of flight-status records with at-least-once delivery."""

    def records(self) -> AsyncIterator[Received]:
        """Yield records until the source is closed or exhausted."""
        ...

    async def commit(self, position: Position) -> None:
        """Mark `position` and everything before it on its partition as done."""
        ...

    async def dead_letter(self, record: Received) -> None:
        """Park an unusable record with its reason (on Kafka: the DLQ topic, with headers)."""
        ...


class Sink(Protocol):
    """Somewhere to publish records (agent actions, outbound notifications, the feed)."""

    async def send(
        self, topic: str, key: str, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        """Publish one record; returns once the sink has accepted it durably."""
        ...


def dead_letter_headers(record: Received) -> dict[str, str]:
    """The headers a dead letter carries: why, and where it came from."""
    error = record.error
    return {
        "reason": error.reason if error else "unknown",
        "detail": (error.detail if error else "")[:500],
        "original_topic": record.position.topic,
        "original_partition": str(record.position.partition),
        "original_offset": str(record.position.offset),
    }
