"""A database URL's password never reaches the terminal: not in the wiring's "holds no
flights" error, not in the replay's "wrote the world to ..." line. On a real PostgreSQL
(which, on trust authentication, accepts the URL with its password) and a real broker."""

from __future__ import annotations

import asyncio
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy.engine import make_url

from airline.clock import SystemClock
from app.replaying import run_replay
from app.settings import DbSettings, Settings
from app.wiring import open_agent
from streams.config import KafkaSettings
from streams.replay import read_ontime
from tests.unit.test_replay import BTS_DAY, BTS_FILE
from travel_agent.errors import ConfigError

from .helpers import KafkaProbe

pytestmark = pytest.mark.integration

PASSWORD = "s3cret-pw-4711"


async def test_database_urls_are_printed_without_their_password(
    pg_db_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    url = make_url(pg_db_url).set(password=PASSWORD).render_as_string(hide_password=False)
    assert PASSWORD in url
    settings = Settings(data_dir=tmp_path, db=DbSettings(url=url))

    with pytest.raises(ConfigError) as refused:
        async with open_agent(settings, SystemClock()):
            pass
    assert "holds no flights" in str(refused.value)
    assert PASSWORD not in str(refused.value) and ":***@" in str(refused.value)

    prefix = f"secrets{uuid4().hex[:8]}."
    said: list[str] = []
    replaying = settings.model_copy(
        update={
            "source": "kafka",
            "kafka": KafkaSettings(bootstrap_servers=kafka_bootstrap, topic_prefix=prefix),
        }
    )
    try:
        figures = await run_replay(
            replaying,
            read_ontime(BTS_FILE, day=BTS_DAY),
            day=BTS_DAY,
            speed=1e9,
            max_passengers=200,
            say=said.append,
            stop=asyncio.Event(),
        )
    finally:
        async with KafkaProbe(kafka_bootstrap) as probe:
            await probe.delete_topics(prefix)
    assert figures["events"] > 0
    wrote = [line for line in said if "wrote the replayed world" in line]
    assert wrote and ":***@" in wrote[0], said
    assert not [line for line in said if PASSWORD in line], said
