"""The reasoner port. Whatever a reasoner returns still goes through the guard."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from agent.state import CaseContext, Plan


class Reasoner(Protocol):
    name: str

    async def plan(self, context: CaseContext) -> Plan:
        """Decide what to do for one case."""
        ...


@runtime_checkable
class ReportsProgress(Protocol):
    """A reasoner whose decisions can take long (a model): it counts its signs of
    progress, so whoever waits for its decisions can tell a slow one from a hung one."""

    @property
    def progress(self) -> int:
        """A count that grows while decisions are being made."""
        ...
