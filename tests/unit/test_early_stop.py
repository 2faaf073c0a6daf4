"""A SIGTERM before the event loop listens ends start-up cleanly (`app.early_stop`)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import early_stop
from app.cli import _run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    early_stop._requested.clear()


def test_a_sigterm_before_the_loop_sets_the_stop_event_at_once(own_handlers: None) -> None:
    early_stop.remember_stop_requests()
    assert not early_stop.stop_requested()
    os.kill(os.getpid(), signal.SIGTERM)  # the process lives: the request is recorded

    async def main(stop: asyncio.Event) -> bool:
        return stop.is_set()

    assert early_stop.stop_requested()
    assert _run(main) is True


def test_a_second_ctrl_c_interrupts_at_once(own_handlers: None) -> None:
    early_stop.remember_stop_requests()
    os.kill(os.getpid(), signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)


def _catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM (Linux: SigCgt in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_the_daemon_stopped_during_its_imports_exits_zero(world_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAVEL_AGENT_")}
    env |= {"TRAVEL_AGENT_DATA_DIR": str(world_path.parent), "TRAVEL_AGENT_OPS__PORT": "0"}
    env["TRAVEL_AGENT_MEMORY__ENABLED"] = "false"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from app.main import main; main()", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # The first handler is the early one: the imports of the agent follow it.
    while not _catches_sigterm(proc.pid):
        assert proc.poll() is None, proc.communicate()[0]
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    try:  # stopped, it ends in seconds; unstopped, it would play the whole day
        output, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, output
    assert "stopped after 0 events, 0 cases" in output, output
