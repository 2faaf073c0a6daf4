"""The memory port: what the agent asks of long-term customer memory, whatever stores it.

    record(customer, kind, text, metadata) · recall(customer, query, k) · forget(customer)
    profile(customer) · preferences_of(customers) · prune(older_than)

Every call is filtered to one customer; no call may return another customer's memory.
Texts are what customers, operators and past cases said: data for the reasoner to weigh,
never instructions to follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, Field

from airline.models import Preferences


class MemoryKind(StrEnum):
    OUTCOME = "outcome"  # what a past case did (rebooked onto X, refunded, ...)
    PREFERENCE = "preference"  # something the customer said they want
    NOTE = "note"  # an operator's or agent's note about the customer
    MESSAGE = "message"  # a message we sent them


class MemoryRecord(BaseModel):
    id: str
    customer_id: str
    kind: MemoryKind
    text: str
    at: datetime
    metadata: dict[str, str | int | float | bool] = Field(default_factory=dict)


class Recalled(BaseModel):
    record: MemoryRecord
    distance: float = Field(description="embedding distance to the query; smaller is closer")


class CustomerProfile(BaseModel):
    """What the reasoner and the operator see of a customer's memory."""

    customer_id: str
    preferences: Preferences
    history: list[MemoryRecord] = Field(description="most recent first")


class CustomerMemory(Protocol):
    """Long-term customer memory. Implementations run blocking work off the event loop."""

    async def record(
        self,
        customer_id: str,
        kind: MemoryKind,
        text: str,
        *,
        at: datetime,
        metadata: dict[str, Any] | None = None,
        id: str | None = None,
    ) -> str:
        """Store one memory; `id` makes it idempotent (recording it twice keeps one)."""
        ...

    async def recall(self, customer_id: str, query: str, k: int = 5) -> list[Recalled]: ...

    async def forget(self, customer_id: str) -> int:
        """Erase everything about the customer; returns how many records went."""
        ...

    async def profile(self, customer_id: str, *, history: int = 10) -> CustomerProfile: ...

    async def preferences_of(self, customer_ids: Sequence[str]) -> dict[str, Preferences]:
        """Many customers' preferences in one read (a disruption wave's): each as `profile`
        derives them, every customer asked for present (no memory: empty preferences)."""
        ...

    async def prune(self, older_than: datetime) -> int:
        """Retention: erase every memory recorded before `older_than`."""
        ...

    async def close(self) -> None: ...
