"""What the application hands the evals: how to open a scenario's database and runtime.

`app.eval_cli.EvalHarness` implements `Harness` on the same `open_runtime()` the daemon
runs on, so the evals exercise the production assembly without importing the application.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from agent.deps import AgentDeps
from agent.relay import OutboxRelay
from agent.runtime import Daemon
from airline.clock import SimulatedClock
from memory.base import CustomerMemory
from streams.embedded import EmbeddedBroker
from travel_agent.db import Database

MemoryFactory = Callable[[Path], AbstractAsyncContextManager[CustomerMemory]]
"""Opens a scenario's own customer memory in the directory it is given."""


class ScenarioRuntime(Protocol):
    """The parts of an opened runtime a scenario run drives (`app.runtime.Runtime`)."""

    @property
    def daemon(self) -> Daemon: ...

    @property
    def relay(self) -> OutboxRelay: ...

    @property
    def broker(self) -> EmbeddedBroker | None: ...

    @property
    def db(self) -> Database: ...

    @property
    def deps(self) -> AgentDeps: ...

    async def backlog(self) -> int: ...


class Harness(Protocol):
    """How to open a scenario's database and runtime; given by the application."""

    @property
    def reasoner(self) -> str: ...

    @property
    def model(self) -> str | None: ...

    def open_database(self, path: Path) -> AbstractAsyncContextManager[Database]:
        """A fresh database at `path` with the whole schema (the world is written to it)."""
        ...

    @property
    def horizon(self) -> timedelta:
        """How far ahead the agent searches for alternatives (the oracle searches as far)."""
        ...

    @property
    def decision_timeout(self) -> float:
        """Seconds a model decision may go without progress (a settling run waits that
        much longer)."""
        ...

    def open_runtime(
        self,
        directory: Path,
        overrides: Mapping[str, Any],
        clock: SimulatedClock,
        memory: CustomerMemory | None,
        *,
        broker: EmbeddedBroker | None = None,
    ) -> AbstractAsyncContextManager[ScenarioRuntime]:
        """The embedded runtime on the scenario's database in `directory`, with the
        scenario's settings overrides; on `broker` when given (a restarted daemon reads
        the stream its predecessor left), else on a new one.

        Raises:
            ConfigError: an override names a setting that does not exist.
        """
        ...

    def with_overrides(self, overrides: Mapping[str, Any]) -> Harness:
        """The same harness with settings changed for every scenario (e.g. another
        reasoner or model endpoint), as nested mappings like a scenario's `settings`."""
        ...
