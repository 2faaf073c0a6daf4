"""Kafka adapters on aiokafka: the source (consumer group), the sink (idempotent
producer), and what both need to reach a broker.

A package rather than one module because the adapter has four concerns, each with its
own reasons to change: `errors` (aiokafka's errors translated into ours), `connection`
(security settings, backoff, waiting for a broker, and the one patch of aiokafka's
internals), `sink` (the producer, rebuilt when the broker loses its session), `commits`
(the consumer's offset bookkeeping) and `source` (fetching, backpressure, rebalances).
The modules of this package are the only ones in the project that import aiokafka
(STYLE.md: one place per third-party client); everyone else imports from here.
"""

from streams.config import SaslMechanism, SecurityProtocol
from streams.kafka.connection import Backoff, KafkaSecurity, enter_when_reachable
from streams.kafka.errors import stream_error, transient
from streams.kafka.sink import KafkaSink
from streams.kafka.source import KafkaSource

__all__ = [
    "Backoff",
    "KafkaSecurity",
    "KafkaSink",
    "KafkaSource",
    "SaslMechanism",
    "SecurityProtocol",
    "enter_when_reachable",
    "stream_error",
    "transient",
]
