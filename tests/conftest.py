"""Shared fixtures: a seeded world copied fresh per test, and the real Kafka broker.

A test whose service is missing skips on a laptop and fails where `CI` is set, so
nothing skips silently in CI.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from airline.seed import seed_database
from app.migrate import open_database
from travel_agent.db import copy_sqlite

REPO = Path(__file__).resolve().parent.parent
SEED = 7
SERVICE_DATE = date(2026, 3, 1)
IN_CI = bool(os.environ.get("CI"))

# Contracts shared by a unit and an integration module assert in a helper module: let
# pytest explain their failures as it does in a test module.
pytest.register_assert_rewrite("tests.unit.unit_of_work_contract")


# Session fixtures that start one server for the whole run (a fixed port, a fixed data
# directory). Under pytest-xdist each worker has its own session, so the tests using them
# must all run on one worker: else one worker stops the broker another still uses, or two
# start PostgreSQL on one data directory (and some tests restart the broker on purpose).
SHARED_SERVICE_FIXTURES = frozenset({"kafka_bootstrap", "postgres_url", "pg_db_url"})
SHARED_SERVICES_GROUP = "shared-services"


# tryfirst: xdist's worker turns the xdist_group marks into node ids in its own
# pytest_collection_modifyitems; marks added after it are ignored (and every module
# then spreads over both workers).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Groups for `pytest -n N --dist loadgroup` (what `make test` runs).

    A module any of whose tests uses a shared server goes whole to the shared-services
    group; the other integration and browser modules each stay on one worker (their
    module fixtures start a model server or a browser once); unit tests spread freely.
    """
    if not config.pluginmanager.hasplugin("xdist"):
        return
    functions = [item for item in items if isinstance(item, pytest.Function)]
    files = {item.module.__name__: Path(str(item.module.__file__)) for item in functions}
    shared_modules = {
        item.module.__name__
        for item in functions
        if SHARED_SERVICE_FIXTURES & set(item.fixturenames)
    } | {module for module, path in files.items() if _names_a_shared_fixture(path)}
    for item in functions:
        module = item.module.__name__
        if module in shared_modules:
            item.add_marker(pytest.mark.xdist_group(SHARED_SERVICES_GROUP))
        elif item.path.parent.name != "unit":
            item.add_marker(pytest.mark.xdist_group(module))


def _names_a_shared_fixture(module: Path) -> bool:
    """A module that asks for a shared server by name (``request.getfixturevalue``), which
    the fixture closure pytest computes at collection cannot see."""
    text = module.read_text(encoding="utf-8")
    return any(f'"{name}"' in text for name in SHARED_SERVICE_FIXTURES)


def missing_service(reason: str) -> None:
    """Skip on a laptop; fail in CI, where every service must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded world (seed 7), built once per test session."""
    path = tmp_path_factory.mktemp("world") / "world.sqlite"

    async def build() -> None:
        async with open_database(f"sqlite+aiosqlite:///{path}") as db:
            await seed_database(db, seed=SEED, service_date=SERVICE_DATE)

    asyncio.run(build())
    return path


@pytest.fixture
def world_path(world_template: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded world for one test."""
    return copy_sqlite(world_template, tmp_path / "airline.sqlite")


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


# The local broker's port once `kafka_bootstrap` has it up: some tests kill and restart
# it on purpose, and a broker that did not come back (or died on its own) must neither
# fail the next test with "Unable to bootstrap" nor pass unnoticed.
_LOCAL_BROKER_PORTS: set[int] = set()


class BrokerWasDown(pytest.PytestWarning):
    """Shown in the warnings summary (not turned into an error like other warnings)."""


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a test that uses the local broker: if it is down, say why (the broker log's
    last errors, as a warning in the summary) and start it again."""
    if "kafka_bootstrap" not in getattr(item, "fixturenames", ()):
        return
    for port in sorted(_LOCAL_BROKER_PORTS):
        if _port_open("127.0.0.1", port):
            continue
        result = subprocess.run(
            [str(REPO / "scripts" / "kafka-local"), "start"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        news = (
            f"the local Kafka broker on port {port} was down before {item.nodeid}; "
            f"restarted: {'yes' if result.returncode == 0 else 'NO'}. "
            f"Its log's last errors:\n{_broker_log_errors()}"
        )
        if result.returncode != 0:
            pytest.fail(f"{news}\n{(result.stderr or result.stdout)[-2000:]}", pytrace=False)
        item.add_marker(pytest.mark.filterwarnings("default::tests.conftest.BrokerWasDown"))
        item.warn(BrokerWasDown(news))


def _broker_log_errors(lines: int = 15) -> str:
    directory = Path(os.environ.get("KAFKA_LOCAL_DIR") or REPO / ".cache" / "kafka")
    try:
        text = (directory / "broker.log").read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(no broker log: {exc})"
    errors = [line[:400] for line in text.splitlines() if " ERROR " in line or " FATAL " in line]
    return "\n".join(errors[-lines:]) or "(no ERROR lines)"


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A real Kafka broker: the one on KAFKA_BOOTSTRAP, else ours from scripts/kafka-local."""
    configured = os.environ.get("KAFKA_BOOTSTRAP")
    if configured:
        yield configured
        return
    port = int(os.environ.get("KAFKA_LOCAL_PORT", "9092"))
    started_here = False
    _LOCAL_BROKER_PORTS.add(port)
    if not _port_open("127.0.0.1", port):
        result = subprocess.run(
            [str(REPO / "scripts" / "kafka-local"), "start"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            missing_service(
                "no Kafka broker: scripts/kafka-local start failed:\n"
                + (result.stderr or result.stdout)[-2000:]
            )
        started_here = True
    yield f"localhost:{port}"
    if started_here:
        subprocess.run(
            [str(REPO / "scripts" / "kafka-local"), "stop"], capture_output=True, check=False
        )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server: TEST_POSTGRES_URL, else ours from scripts/postgres-local.

    A SQLAlchemy URL (``postgresql+asyncpg://...``) of a database tests may connect to;
    a test that writes should create a database of its own on that server.
    """
    configured = os.environ.get("TEST_POSTGRES_URL")
    if configured:
        from sqlalchemy.engine import make_url  # here, so the appended fixture stays whole

        server = make_url(configured)
        host, port = server.host or "127.0.0.1", server.port or 5432
        if not _port_open(host, port):
            missing_service(f"no PostgreSQL: nothing listens on {host}:{port} (TEST_POSTGRES_URL)")
        yield configured
        return
    script = str(REPO / "scripts" / "postgres-local")
    # Stopped at the end only if this session started it; a cluster already up stays up.
    status = subprocess.run([script, "status"], capture_output=True, check=False)
    try:
        result = subprocess.run(
            [script, "start"], capture_output=True, text=True, timeout=600, check=False
        )
        failure = "" if result.returncode == 0 else (result.stderr + result.stdout)[-2000:]
    except subprocess.TimeoutExpired as exc:
        output = exc.stderr or b""
        text = output.decode(errors="replace") if isinstance(output, bytes) else output
        failure = f"no answer within 600 s\n{text[-2000:]}"
    if failure:
        missing_service(f"no PostgreSQL: scripts/postgres-local start failed:\n{failure}")
    url = subprocess.run([script, "url"], capture_output=True, text=True, check=True).stdout
    yield url.strip()
    if status.returncode != 0:
        subprocess.run([script, "stop"], capture_output=True, check=False)


@pytest.fixture
async def pg_db_url(postgres_url: str) -> AsyncIterator[str]:
    """The URL of a new, empty PostgreSQL database for one test, dropped after it."""
    base = make_url(postgres_url)
    admin_dsn = base.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    name = f"travel_agent_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(admin_dsn, timeout=30)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at {base!r} refused a connection: {exc}", pytrace=False)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield base.set(database=name).render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn, timeout=30)
    try:
        # FORCE: a connection the test left open must not keep the database alive.
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


# -- customer memory ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def minilm() -> object:
    """The packaged all-MiniLM-L6-v2, loaded once per session (it takes seconds)."""
    from memory.embeddings import MiniLmEmbedder

    embedder = MiniLmEmbedder()
    embedder.embed(["warm up"])
    return embedder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server: TEST_CHROMA_URL, else ``chroma run`` on a free port, temp data."""
    import shutil
    import sys
    import time

    import httpx

    configured = os.environ.get("TEST_CHROMA_URL")
    if configured:
        yield configured
        return
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if chroma is None:
        missing_service(
            "no Chroma server: the `chroma` command is not installed (pip install chromadb)"
        )
    root = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(root / "server.log", "wb") as output:
        server = subprocess.Popen(
            [str(chroma), "run", "--path", str(root / "data"), "--host", "127.0.0.1",
             "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:  # poll the heartbeat: the observable sign that it serves
            if server.poll() is not None:
                log = (root / "server.log").read_text(errors="replace")[-2000:]
                missing_service(
                    f"no Chroma server: `chroma run` exited {server.returncode}:\n{log}"
                )
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                missing_service(f"no Chroma server: no heartbeat from {url} within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
