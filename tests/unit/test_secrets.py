"""Secrets and passengers stay where they belong: URLs are printed without their password,
logs name passengers by a keyed pseudonym, and the data directory is its owner's alone."""

from __future__ import annotations

import logging
import ssl
import stat
import subprocess
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from agent.graph import sqlite_checkpointer
from app.settings import Settings
from memory.chroma import DirectoryLock
from streams.config import KafkaSettings
from tools.channels.base import OutboundMessage
from tools.channels.log import LogChannel
from travel_agent import redact
from travel_agent.db import Database, copy_sqlite
from travel_agent.errors import ConfigError


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+asyncpg://travel:s3cret@db.internal:5432/travel",
            "postgresql+asyncpg://travel:***@db.internal:5432/travel",
        ),
        ("postgresql://:s3cret@db/travel", "postgresql://:***@db/travel"),
        ("postgresql+asyncpg://travel@db/travel", "postgresql+asyncpg://travel@db/travel"),
        ("sqlite+aiosqlite:///data/airline.sqlite", "sqlite+aiosqlite:///data/airline.sqlite"),
        ("http://user:p%40ss@chroma:8000/x?y=1", "http://user:***@chroma:8000/x?y=1"),
    ],
)
def test_urls_are_shown_without_their_password(url: str, shown: str) -> None:
    assert redact.masked_url(url) == shown


def test_a_refused_database_url_does_not_repeat_its_password() -> None:
    with pytest.raises(ConfigError) as refused:
        Database("mysql://travel:s3cret@db/travel")
    assert "s3cret" not in str(refused.value) and "travel:***@db" in str(refused.value)


MESSAGE = OutboundMessage(
    idempotency_key="notify:XA1@e:C000042",
    customer_id="C000042",
    pnr="QX7K2P",
    kind="cancelled_rebooked",
    channel="email",
    address="ana@example.org",
    language="en",
    subject="Your flight",
    body="Dear Ana Lima, ...",
)


async def test_deliveries_name_passengers_by_a_keyed_pseudonym(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="tools.channels.log")  # per-passenger: DEBUG
    redact.configure(log_passenger_data=False, key="the-operators-key")
    try:
        await LogChannel().deliver(MESSAGE)
        logged = caplog.records[-1].getMessage()
        for secret in ("C000042", "QX7K2P", "ana@example.org", "Ana Lima"):
            assert secret not in logged, logged
        first = redact.pseudonym("C000042")
        assert first in logged and redact.pseudonym("QX7K2P") in logged
        # Stable under one key (a passenger can be followed through the log) ...
        redact.configure(log_passenger_data=False, key="the-operators-key")
        assert redact.pseudonym("C000042") == first
        # ... and not a bare hash anyone could recompute from a PNR.
        redact.configure(log_passenger_data=False, key="another-key")
        assert redact.pseudonym("C000042") != first
        assert redact.passenger("QX7K2P") != "QX7K2P"
        redact.configure(log_passenger_data=True)
        assert redact.passenger("QX7K2P") == "QX7K2P"
    finally:
        redact.configure(log_passenger_data=False)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_files_are_their_owners_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with Database(f"sqlite+aiosqlite:///{data / 'airline.sqlite'}") as db:
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
        wal = data / "airline.sqlite-wal"
        assert wal.exists()
        assert _mode(wal) == 0o600
    assert _mode(data) == 0o700
    assert _mode(data / "airline.sqlite") == 0o600
    async with sqlite_checkpointer(data / "checkpoints.sqlite"):
        pass
    assert _mode(data / "checkpoints.sqlite") == 0o600
    copied = copy_sqlite(data / "airline.sqlite", tmp_path / "copy" / "airline.sqlite")
    assert _mode(copied) == 0o600 and _mode(copied.parent) == 0o700
    lock = DirectoryLock(data / "memory")
    lock.acquire()
    try:
        assert _mode(data / "memory") == 0o700 and _mode(lock.path) == 0o600
    finally:
        lock.release()


def test_kafka_security_settings_reach_the_clients(tmp_path: Path) -> None:
    """SASL and TLS settings from the environment become every aiokafka client's options;
    an incomplete SASL setting stops start-up with what to set."""
    ca = tmp_path / "ca.pem"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=test-ca", "-keyout", str(tmp_path / "ca.key"),
         "-out", str(ca)],
        capture_output=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    settings = Settings(
        kafka=KafkaSettings(
            security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-512",
            sasl_username="agent",
            sasl_password=SecretStr("s3cret"),
            ssl_cafile=str(ca),
        )
    )
    security = settings.kafka.security()
    options = security.client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("agent", "s3cret")
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert "s3cret" not in repr(security)
    with pytest.raises(ConfigError, match="SASL_USERNAME"):
        KafkaSettings(security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN").security()
