"""Claims on outbox rows, each under a lease: how several relays share one outbox.

A relay *claims* the due rows it is about to deliver: on PostgreSQL the candidates are
locked with ``FOR UPDATE SKIP LOCKED`` while the claim is written, so two relays never
pick the same row and neither waits for the other; on SQLite the single writer
serializes the claims. A claim is a row of its own with a lease, so it outlives the
claiming transaction: the relay renews it while it works through a slow batch, and
releases it when it marks the row sent or failed — or keeps it, with a later expiry, to
hold a row back before its next try (`hold_statement`). A relay that dies leaves its
claims behind; once their lease runs out, another relay takes the rows over.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Float,
    String,
    bindparam,
    delete,
    exists,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from agent.claims import this_process
from agent.tables import outbox_claims
from airline.clock import Clock
from tools.notifications import due
from tools.notifications.timing import iso_utc
from tools.tables import OutboxRow, OutboxStatus
from travel_agent.db import Database

LEASE_SECONDS = 60.0


class OutboxClaims:
    """One relay's claims on outbox rows, each under a lease.

    The claims have a table of their own (`agent.tables.outbox_claims`), so the outbox
    keeps its shape.
    """

    def __init__(
        self, db: Database, *, owner: str | None = None, lease: float = LEASE_SECONDS
    ) -> None:
        self.db = db
        self.owner = owner or this_process()
        self.lease = lease
        self._claims_by_limit: dict[int, Any] = {}

    async def claim_due(self, clock: Clock, limit: int) -> list[int]:
        """Claim up to `limit` pending, due rows no living relay holds; their ids, in order.

        One statement: the candidates (on PostgreSQL locked, skipping rows another relay
        is claiming this instant) become claims; a claim that exists is taken over only
        if its lease ran out, re-checked on the latest committed claim, so two relays
        racing for one row cannot both win it.
        """
        async with self.db.transaction() as session:
            return await self.claim_in(session, clock, limit)

    async def claim_in(self, session: AsyncSession, clock: Clock, limit: int) -> list[int]:
        """`claim_due` in the caller's transaction (which then reads the rows it claimed)."""
        now = time.time()
        ids = (
            await session.scalars(
                self._claim_statement(limit),
                {
                    "claim_owner": self.owner,
                    "claim_now": now,
                    "claim_expires": now + self.lease,
                    "claim_due": iso_utc(clock.now()),
                },
            )
        ).all()
        return sorted(ids)

    async def any_due(self, clock: Clock) -> bool:
        """Whether a pending, due row no living relay holds is there to claim, read
        without the write lock: a relay polling an outbox with nothing to deliver (a
        wave still deciding) never queues behind the writers just to find nothing."""
        async with self.db.session() as session:
            found = await session.scalar(
                _ANY_DUE, {"claim_now": time.time(), "claim_due": iso_utc(clock.now())}
            )
        return found is not None

    def _claim_statement(self, limit: int) -> Any:
        # Built once per batch size and run with bound values: a relay claims every few
        # hundred milliseconds, and building the statement cost more than running it.
        if (statement := self._claims_by_limit.get(limit)) is not None:
            return statement
        now = bindparam("claim_now", type_=Float)
        candidates = (
            select(
                OutboxRow.id,
                bindparam("claim_owner", type_=String(200)),
                bindparam("claim_expires", type_=Float),
            )
            .where(*_claimable(now))
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        if not self.db.is_sqlite:
            candidates = candidates.with_for_update(skip_locked=True, of=OutboxRow)
        insert = self.db.insert(outbox_claims)
        statement = (
            insert.from_select(["outbox_id", "owner", "expires_at"], candidates)
            .on_conflict_do_update(
                index_elements=[outbox_claims.c.outbox_id],
                set_={"owner": insert.excluded.owner, "expires_at": insert.excluded.expires_at},
                where=outbox_claims.c.expires_at < now,
            )
            .returning(outbox_claims.c.outbox_id)
        )
        self._claims_by_limit[limit] = statement
        return statement

    async def renew(self, ids: Iterable[int]) -> None:
        """Extend the lease on these rows, if they are still ours."""
        rows = list(ids)
        if not rows:
            return
        async with self.db.transaction() as session:
            await session.execute(
                update(outbox_claims)
                .where(outbox_claims.c.owner == self.owner, outbox_claims.c.outbox_id.in_(rows))
                .values(expires_at=time.time() + self.lease)
            )

    async def release(self, ids: Iterable[int]) -> None:
        rows = list(ids)
        if not rows:
            return
        async with self.db.transaction() as session:
            await session.execute(self.release_statement(rows))

    def release_statement(self, ids: list[int]) -> Any:
        """The DELETE that gives up our claims on `ids` (to run in the caller's transaction)."""
        return delete(outbox_claims).where(
            outbox_claims.c.owner == self.owner, outbox_claims.c.outbox_id.in_(ids)
        )

    def hold_statement(self, row_id: int, seconds: float) -> Any:
        """The UPDATE that keeps our claim on `row_id` for `seconds` more: no relay
        claims it before then (a retry's backoff that lapses with no one to clear it)."""
        return (
            update(outbox_claims)
            .where(outbox_claims.c.owner == self.owner, outbox_claims.c.outbox_id == row_id)
            .values(expires_at=time.time() + seconds)
        )


def _claimable(now: BindParameter[float]) -> tuple[ColumnElement[bool], ...]:
    """Pending, due (``claim_due``), and no claim alive at ``claim_now``."""
    live_claim = exists().where(
        outbox_claims.c.outbox_id == OutboxRow.id, outbox_claims.c.expires_at >= now
    )
    return (
        OutboxRow.status == OutboxStatus.PENDING,
        due(bindparam("claim_due", type_=String)),
        ~live_claim,
    )


_ANY_DUE = select(OutboxRow.id).where(*_claimable(bindparam("claim_now", type_=Float))).limit(1)
