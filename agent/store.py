"""The port through which the graph's nodes write the agent's own tables.

    nodes ──→ CaseStore (this Protocol) ←── SqlCaseStore (agent.sql_store, the adapter)

A node says *what* it records — a case closed with its outcome, an approval opened, an
offer made, a job scheduled — and the store says *how* (which table, which dialect's
upsert). A store is bound to one transaction: the unit of work (`agent.work.UnitOfWork`)
hands it out beside the airline's reservations and ledger and the tools' outbox, so a
case's effects, its closing and its follow-ups commit together or not at all, which is
what makes a case safe to run again after a crash (agent/nodes/closing.py).

`tests/unit/test_structure.py` holds the nodes to it: no node imports `agent.tables`,
SQLAlchemy, or a function that takes a session, nor touches the database directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from agent.scheduler import JobKind
from agent.state import Outcome
from airline.models import Cabin
from tools.flights import Itinerary

__all__ = ["CaseStore"]


class CaseStore(Protocol):
    """The agent's cases, approvals, offers and jobs, as the graph's nodes write them, in
    the transaction of the unit of work that handed the store out."""

    async def close_case(self, case_id: str, outcome: Outcome, at: datetime) -> None:
        """Mark the case done with its outcome; a case closed before keeps its outcome."""
        ...

    async def open_approval(self, values: Mapping[str, Any], *, at: datetime) -> bool:
        """Write the approval (once per id) and park its case as awaiting it; False when
        it was written before."""
        ...

    async def mark_stale(self, approval: str, *, reason: str, was: object, at: datetime) -> None:
        """The approval no longer applies (the world changed under it)."""
        ...

    async def read_approvals_ahead(self, pnrs: Iterable[str]) -> None:
        """Learn in one query which of `pnrs` have no pending approval, so that
        `stale_replaced_approvals` asks nothing for them (a batch of settled cases
        rebooks hundreds of bookings; almost none has an approval open). Only a cache:
        an approval opened through this store afterwards is seen."""
        ...

    async def read_offers_ahead(self, pnrs: Iterable[str]) -> None:
        """Learn in one query which of `pnrs` have no open offer, so that
        `supersede_offers` asks nothing for them (a settled batch rebooks hundreds of
        bookings, most of them for the first time). Only a cache: an offer opened
        through this store afterwards is seen."""
        ...

    async def stale_replaced_approvals(
        self,
        *,
        pnr: str,
        replaced_seqs: Sequence[int],
        replaced_flights: Sequence[str],
        by_case: str,
        at: datetime,
    ) -> list[str]:
        """Mark stale the booking's pending approvals (of other cases) that the change
        `by_case` made leaves unable to run (`agent.approvals.stale_replaced`); their
        cases, whose holds the caller gives back."""
        ...

    async def open_offer(
        self,
        *,
        case_id: str,
        pnr: str,
        disruption_flight: str,
        booked: Sequence[str],
        alternatives: Sequence[Itinerary],
        cabin: Cabin,
        departure: datetime,
        now: datetime,
    ) -> str:
        """Open the offer of a rebooking (once per case); its id."""
        ...

    async def supersede_offers(
        self, *, pnr: str, replaced: Sequence[str], by_case: str, at: datetime
    ) -> list[str]:
        """Close, superseded, the booking's open offers about the flights `replaced` took
        off it (`agent.offers.supersede_offers`); their ids."""
        ...

    async def schedule_job(
        self,
        *,
        key: str,
        kind: JobKind,
        due_at: datetime,
        payload: dict[str, Any],
    ) -> None:
        """Schedule once: a job whose key exists already is left as it is."""
        ...
