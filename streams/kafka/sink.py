"""The Kafka sink: an idempotent producer that replaces itself when its session is lost.

The producer is idempotent (`acks=all`): a send aiokafka retries is written once. Its
idempotence rests on a session with the broker — a producer id and a sequence number
per partition. A broker restart, above all on a loaded machine, can lose that session:
the broker answers `OutOfOrderSequenceNumber` or `UnknownProducerId`, aiokafka's sender
task ends, and every later send fails with the same error. Kafka's Java client resets
its producer id then; aiokafka does not. So the sink does: it starts a new producer (a
new id, sequences from zero) and sends the record again. The record may then be on the
topic twice — once from the lost session, once from the new one — which the delivery
contract allows: every record we publish carries an idempotency key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from streams.kafka.connection import PLAINTEXT, KafkaSecurity, pace_metadata_updates, refusal
from streams.kafka.errors import producer_broken, stream_error
from travel_agent.errors import StreamError

log = logging.getLogger(__name__)

# How long stopping a broken producer may take (it has nothing left it could deliver).
STOP_PATIENCE = 5.0


class KafkaSink:
    """Publishes records with an idempotent producer (acks=all), rebuilt when broken.

    Args:
        bootstrap_servers: brokers, comma-separated.
        client_id: how this client names itself to the broker.
        security: authentication and encryption (default: plain, unauthenticated).
    """

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str = "travel-agent",
        security: KafkaSecurity = PLAINTEXT,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.security = security
        self.producers_replaced = 0
        """Producers replaced because the broker lost their session (for metrics)."""
        self._producer = self._new_producer()
        self._generation = 0
        self._replacing = asyncio.Lock()

    def _new_producer(self) -> AIOKafkaProducer:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            **self.security.client_options(),
        )
        pace_metadata_updates(producer.client)
        return producer

    async def __aenter__(self) -> KafkaSink:
        try:
            await self._producer.start()
        except KafkaError as exc:
            await self._producer.stop()
            raise await start_error(self.bootstrap_servers, self.security, "produce", exc) from exc
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._producer.stop()

    async def send(
        self, topic: str, key: str, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        """Publish one record and wait until the broker has it (all in-sync replicas).

        Raises:
            StreamError: not published. Retriable when the broker is away or the producer
                could not be replaced yet; the caller tries again later.
        """
        record: dict[str, Any] = {
            "value": value,
            "key": key.encode(),
            "headers": [(k, v.encode()) for k, v in (headers or {}).items()],
        }
        for attempt in (1, 2):
            producer, generation = self._producer, self._generation
            try:
                await producer.send_and_wait(topic, **record)
                return
            except KafkaError as exc:
                if not (producer_broken(exc) or _sender_ended(producer)):
                    raise stream_error(f"publishing to {topic} failed", exc) from exc
                if attempt == 2:
                    raise stream_error(
                        f"publishing to {topic} failed with a new producer too", exc, retriable=True
                    ) from exc
                log.warning(
                    "the broker lost the producer's session (%s): a new producer sends again",
                    type(exc).__name__,
                )
                await self._replace(generation)

    async def _replace(self, generation: int) -> None:
        """Start a new producer in place of generation `generation` (once, whoever asks).

        Raises:
            StreamError: the new producer could not start (retriable: the broker is away;
                the next send tries again).
        """
        async with self._replacing:
            if generation != self._generation:  # another send replaced it meanwhile
                return
            fresh = self._new_producer()
            try:
                await fresh.start()
            except KafkaError as exc:
                await fresh.stop()
                raise stream_error(
                    f"cannot start a new producer at {self.bootstrap_servers}", exc, retriable=True
                ) from exc
            broken, self._producer = self._producer, fresh
            self._generation += 1
            self.producers_replaced += 1
        with contextlib.suppress(Exception):
            async with asyncio.timeout(STOP_PATIENCE):
                await broken.stop()


async def start_error(
    bootstrap_servers: str, security: KafkaSecurity, doing: str, exc: KafkaError
) -> StreamError:
    """A client that did not start, as our error: not retriable when the broker refuses
    us for good (a wrong password, a certificate), retriable while it is unreachable."""
    refused = await refusal(bootstrap_servers, security)
    if refused is not None:
        return stream_error(
            f"Kafka at {bootstrap_servers} refuses us ({security!r}); check the"
            " TRAVEL_AGENT_KAFKA__SASL_* and __SSL_* settings",
            refused,
            retriable=False,
        )
    return stream_error(f"cannot reach Kafka at {bootstrap_servers} to {doing}", exc)


def _sender_ended(producer: AIOKafkaProducer) -> bool:
    """Has the producer's sender task ended (then no send can succeed any more)?

    aiokafka keeps the task private; an aiokafka without it counts as not ended.
    """
    task = getattr(getattr(producer, "_sender", None), "sender_task", None)
    return isinstance(task, asyncio.Task) and task.done()
