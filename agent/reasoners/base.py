"""The reasoner port. Whatever a reasoner returns still goes through the guard."""

from __future__ import annotations

from typing import Protocol

from agent.state import CaseContext, Plan


class Reasoner(Protocol):
    name: str

    async def plan(self, context: CaseContext) -> Plan:
        """Decide what to do for one case."""
        ...
