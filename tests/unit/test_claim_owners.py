"""Whose claim is dead: a daemon of this process is alive, an earlier process is not.

Several daemons can share one process (tests, the evaluation harness); each mints its own
owner under the same pid. A scheduler that took another live daemon's claim for a dead
one ran its job a second time (seen on PostgreSQL under load).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from agent.claims import owner_gone, this_process


def test_a_daemon_of_this_process_is_not_gone() -> None:
    first, second = this_process(), this_process()
    assert first != second
    assert not owner_gone(first) and not owner_gone(second)


def test_an_earlier_process_with_our_pid_is_gone() -> None:
    assert owner_gone(f"{socket.gethostname()}/{os.getpid()}/0000beef")


def test_a_process_that_ended_is_gone_and_another_host_is_never_judged() -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert owner_gone(f"{socket.gethostname()}/{ended.stdout.strip()}/00000000")
    assert not owner_gone(f"elsewhere.example/{ended.stdout.strip()}/00000000")
