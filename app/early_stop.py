"""A stop asked for before the event loop listens is remembered, not fatal.

The daemon's SIGTERM handler is the event loop's (`app.cli._run`), installed only once
Python has imported the agent, the graph and the drivers: a second or more on a loaded
machine. A supervisor that stops the daemon inside that window (systemd restarting it
twice in a row; the chaos test's last daemon, stopped as soon as the previous one had
finished the work: CI, session 11) killed it with the default action, exit -15, and a
SIGINT raised KeyboardInterrupt out of an import. `remember_stop_requests` is the first
thing the console script does: a SIGTERM or SIGINT from then on is recorded, and
`_run` sets its stop event at once if one came, so start-up ends in the ordinary clean
shutdown (exit 0). Nothing durable happens before that point, and a second Ctrl-C still
interrupts at once, for the operator who means it.
"""

from __future__ import annotations

import signal
from types import FrameType

__all__ = ["remember_stop_requests", "stop_requested"]

_requested: list[int] = []


def _remember(signum: int, frame: FrameType | None) -> None:
    if signum == signal.SIGINT and _requested:
        raise KeyboardInterrupt
    _requested.append(signum)


def remember_stop_requests() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _remember)


def stop_requested() -> bool:
    """Whether a SIGTERM or SIGINT came since `remember_stop_requests`."""
    return bool(_requested)
