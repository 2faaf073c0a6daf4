"""The suite's two workers keep the tests that share one broker on one worker.

`make test` runs `pytest -n 2 --dist loadgroup`, and tests/conftest.py marks every module
that uses the shared Kafka/PostgreSQL fixtures with one xdist group. If the installed
pytest and pytest-xdist stop honouring that mark (pytest 9.2 with xdist 3.8 did, silently:
pytest-dev/pytest-xdist#1386), one worker restarts or stops the broker the other is using
and tests fail far from the cause. This runs our own grouping hook in a small project on
two workers and says which worker ran what.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

CONFTEST = """
import pytest
from tests.conftest import pytest_collection_modifyitems  # the suite's own grouping


@pytest.fixture(scope="session")
def kafka_bootstrap():
    return "localhost:0"  # the name is what groups; no broker is needed here
"""

MODULE = """
import os
import pytest


@pytest.mark.parametrize("n", range(6))
def test_uses_the_broker(kafka_bootstrap, n):
    with open(os.environ["WORKERS_SEEN"], "a") as seen:
        seen.write(f"{__name__} {os.environ['PYTEST_XDIST_WORKER']}\\n")
"""


def test_modules_sharing_the_broker_run_on_one_worker(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "integration").mkdir(parents=True)
    (project / "conftest.py").write_text(CONFTEST)
    for name in ("test_first", "test_second"):
        (project / "integration" / f"{name}.py").write_text(MODULE)
    seen = tmp_path / "seen.txt"
    env = {**os.environ, "WORKERS_SEEN": str(seen), "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q",
         "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(project), str(project)],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    workers = {line.split()[1] for line in seen.read_text().splitlines()}
    assert len(seen.read_text().splitlines()) == 12
    assert len(workers) == 1, f"the shared-broker tests ran on {sorted(workers)}"
