"""aiokafka's errors, translated at the border into ours (as httpx maps httpcore's).

Three questions are asked of an aiokafka error, and only here:

* `transient`: will trying again help? (The broker is away, busy or electing.)
* `producer_broken`: is the idempotent producer's session with the broker lost for good,
  so that only a new producer (a new producer id, sequences from zero) can send again?
  After a broker restart under load the broker can answer `OutOfOrderSequenceNumber` or
  `UnknownProducerId`; aiokafka's sender task then dies and every later send fails with
  a copy of that error, forever. Kafka's own Java client resets the producer id in that
  case; aiokafka does not, so the sink builds a new producer.
* `stream_error`: the error as our `StreamError`, retriable exactly when it is transient.
"""

from __future__ import annotations

from aiokafka.errors import (
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    OutOfOrderSequenceNumber,
    ProducerClosed,
    ProducerFenced,
    RequestTimedOutError,
    UnknownProducerId,
)

from travel_agent.errors import StreamError

_TRANSIENT = (KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError, RequestTimedOutError)
_PRODUCER_BROKEN = (
    OutOfOrderSequenceNumber,
    UnknownProducerId,
    ProducerFenced,
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    ProducerClosed,
)


def transient(exc: BaseException) -> bool:
    """Will trying again help? (The broker is away, busy or electing; not a refusal.)"""
    return bool(getattr(exc, "retriable", False)) or isinstance(exc, _TRANSIENT)


def producer_broken(exc: BaseException) -> bool:
    """Is the producer's idempotent session lost, so that a new producer must send?"""
    return isinstance(exc, _PRODUCER_BROKEN)


def stream_error(message: str, exc: BaseException, *, retriable: bool | None = None) -> StreamError:
    """`exc` as our `StreamError`, retriable when `exc` is transient (or as told)."""
    error = StreamError(f"{message}: {str(exc) or type(exc).__name__}")
    error.retriable = transient(exc) if retriable is None else retriable
    return error
