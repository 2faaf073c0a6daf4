"""Kafka with authentication: SASL/SCRAM settings reach every aiokafka client.

A broker of its own (scripts/kafka-local with KAFKA_LOCAL_SASL_PORT: a SASL_PLAINTEXT
listener with SCRAM-SHA-256 and -512 and one user), in a temporary directory on free
ports, using the jars the shared fixture's broker already fetched. The sink and the
source authenticate with either mechanism; a wrong password is a clear error that waiting
will not heal; `travel-agent simulate` publishes through the settings alone.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer

from streams.kafka import KafkaSecurity, KafkaSink, KafkaSource
from tests.conftest import REPO, missing_service
from travel_agent.errors import StreamError

from .helpers import Proc, agent_env, scaled

pytestmark = pytest.mark.integration

USER, PASSWORD = "travel-agent", "scram-secret-42"


@dataclass(frozen=True)
class SaslBroker:
    plaintext: str
    sasl: str

    def security(self, mechanism: str = "SCRAM-SHA-256", password: str = PASSWORD) -> KafkaSecurity:
        return KafkaSecurity(
            protocol="SASL_PLAINTEXT",
            sasl_mechanism=mechanism,  # type: ignore[arg-type]
            sasl_username=USER,
            sasl_password=password,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def sasl_broker(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SaslBroker]:
    shared = Path(os.environ.get("KAFKA_LOCAL_DIR") or REPO / ".cache" / "kafka")
    if not (shared / "libs" / ".pom.sha256").exists():
        missing_service(f"no Kafka jars cached in {shared / 'libs'} (scripts/kafka-local start)")
    home = tmp_path_factory.mktemp("kafka-sasl")
    (home / "libs").symlink_to(shared / "libs")
    ports = [_free_port() for _ in range(3)]
    env = {
        **os.environ,
        "KAFKA_LOCAL_DIR": str(home),
        "KAFKA_LOCAL_PORT": str(ports[0]),
        "KAFKA_LOCAL_CONTROLLER_PORT": str(ports[1]),
        "KAFKA_LOCAL_SASL_PORT": str(ports[2]),
        "KAFKA_LOCAL_SASL_USER": USER,
        "KAFKA_LOCAL_SASL_PASSWORD": PASSWORD,
        "KAFKA_LOCAL_TIMEOUT": str(int(scaled(180))),
    }
    script = str(REPO / "scripts" / "kafka-local")
    started = subprocess.run(
        [script, "start"], env=env, capture_output=True, text=True, timeout=scaled(400), check=False
    )
    try:
        if started.returncode != 0:
            missing_service(f"a SASL broker did not start:\n{started.stderr[-2000:]}")
        assert "SASL_PLAINTEXT on localhost" in started.stderr, started.stderr
        yield SaslBroker(f"localhost:{ports[0]}", f"localhost:{ports[2]}")
    finally:
        subprocess.run([script, "stop", "--purge"], env=env, capture_output=True, check=False)


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512"])
async def test_sink_and_source_authenticate_with_scram(
    sasl_broker: SaslBroker, mechanism: str
) -> None:
    topic = f"sasl.{uuid4().hex[:8]}"
    security = sasl_broker.security(mechanism)
    async with KafkaSink(sasl_broker.sasl, security=security) as sink:
        await sink.send(topic, "k", b"not an event: dead-lettered", {"h": "1"})
        async with KafkaSource(
            sasl_broker.sasl,
            sink=sink,
            topic=topic,
            dead_letter_topic=topic + ".dlq",
            group_id=f"sasl-{uuid4().hex[:8]}",
            security=security,
        ) as source:
            record = await asyncio.wait_for(anext(source.records()), scaled(60))
            assert record.raw == b"not an event: dead-lettered" and record.error is not None
            await source.dead_letter(record)  # produced through the same authenticated sink
            await source.commit(record.position)
            await source.flush()
    assert source.dead_lettered == {"not_json": 1}


async def test_a_wrong_password_is_a_clear_error_that_waiting_will_not_heal(
    sasl_broker: SaslBroker,
) -> None:
    with pytest.raises(StreamError) as refused:
        async with KafkaSink(sasl_broker.sasl, security=sasl_broker.security(password="wrong")):
            pass
    assert not refused.value.retriable
    assert "authentication" in str(refused.value).lower(), refused.value


async def test_simulate_publishes_with_the_settings_alone(
    sasl_broker: SaslBroker, world_path: Path, tmp_path: Path
) -> None:
    prefix = f"sasl{uuid4().hex[:6]}."
    env = agent_env(
        TRAVEL_AGENT_DATA_DIR=str(world_path.parent),
        TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS=sasl_broker.sasl,
        TRAVEL_AGENT_KAFKA__TOPIC_PREFIX=prefix,
        TRAVEL_AGENT_KAFKA__SECURITY_PROTOCOL="SASL_PLAINTEXT",
        TRAVEL_AGENT_KAFKA__SASL_MECHANISM="SCRAM-SHA-512",
        TRAVEL_AGENT_KAFKA__SASL_USERNAME=USER,
        TRAVEL_AGENT_KAFKA__SASL_PASSWORD=PASSWORD,
    )
    simulator = Proc("simulate", ["simulate", "--speed", "1000000"], env, tmp_path, tmp_path)
    try:
        code = await simulator.wait(scaled(180))
        assert code == 0, simulator.tail()
    finally:
        simulator.kill()
    assert PASSWORD not in simulator.output()
    consumer = AIOKafkaConsumer(
        prefix + "flight.status",
        bootstrap_servers=sasl_broker.plaintext,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=int(scaled(20_000)), max_records=5)
    finally:
        await consumer.stop()
    assert sum(len(messages) for messages in batch.values()) > 0
