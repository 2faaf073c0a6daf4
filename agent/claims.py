"""Case claims: which daemon runs a pending case, so that two never run it at once.

Several daemons may share one database (one consumer group, one SQLite file or one
PostgreSQL). The daemon that opens a case claims it in the same transaction, and holds
the claim under a lease it renews while it lives. Another daemon takes a pending case
over only once the claim has lapsed: the lease ran out, or the owner was a process on
this host that is gone (a SIGKILLed daemon's cases are taken over at once, not a lease
later). Effects are idempotent anyway, so a lease lapsing under a frozen but living
daemon costs a repeated graph run, never a repeated effect.

The claims have a table of their own (`agent.tables.case_claims`): a case stays
`pending` until its graph closes it, which is what the graph's last node checks.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from agent.tables import case_claims as claims
from travel_agent.db import Database

log = logging.getLogger(__name__)

LEASE_SECONDS = 60.0


def this_process() -> str:
    """host/pid/nonce: unique per process, and says where it ran."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"


class CaseClaims:
    """The claims of one daemon process (`owner`) on the cases it runs."""

    def __init__(
        self, db: Database, *, owner: str | None = None, lease: float = LEASE_SECONDS
    ) -> None:
        self.db = db
        self.owner = owner or this_process()
        self.lease = lease

    async def add(self, session: AsyncSession, case_ids: Iterable[str]) -> None:
        """Claim new cases inside the transaction that opens them."""
        rows = [{"case_id": c, "owner": self.owner, "expires_at": self._expiry()} for c in case_ids]
        if rows:
            await session.execute(claims.insert(), rows)

    async def claim(self, case_id: str) -> bool:
        """Take `case_id` unless another living daemon holds it; True if it is ours now."""
        now = time.time()
        insert = self.db.insert(claims)
        statement = insert.values(
            case_id=case_id, owner=self.owner, expires_at=now + self.lease
        ).on_conflict_do_update(
            index_elements=[claims.c.case_id],
            set_={"owner": insert.excluded.owner, "expires_at": insert.excluded.expires_at},
            where=or_(claims.c.owner == self.owner, claims.c.expires_at < now),
        )
        async with self.db.transaction() as session:
            result = cast(CursorResult[Any], await session.execute(statement))
        return result.rowcount == 1

    async def renew(self) -> None:
        """Extend the lease on every case this daemon holds."""
        async with self.db.transaction() as session:
            await session.execute(
                update(claims).where(claims.c.owner == self.owner).values(expires_at=self._expiry())
            )

    async def release(self, case_ids: Iterable[str]) -> None:
        ids = list(case_ids)
        if not ids:
            return
        async with self.db.transaction() as session:
            await session.execute(
                delete(claims).where(claims.c.owner == self.owner, claims.c.case_id.in_(ids))
            )

    async def reap(self) -> int:
        """Drop the claims of daemons on this host that are no longer running."""
        async with self.db.session() as session:
            owners = (await session.scalars(select(claims.c.owner).distinct())).all()
        dead = [o for o in owners if o != self.owner and owner_gone(o)]
        if dead:
            async with self.db.transaction() as session:
                await session.execute(delete(claims).where(claims.c.owner.in_(dead)))
            log.info("took back the claims of %d stopped daemons: %s", len(dead), dead)
        return len(dead)

    def held(self) -> Select[tuple[str]]:
        """The ids of cases a daemon (this one too) holds under a live lease."""
        return select(claims.c.case_id).where(claims.c.expires_at >= time.time())

    def _expiry(self) -> float:
        return time.time() + self.lease


def owner_gone(owner: str) -> bool:
    """Is `owner` a process of this host that no longer runs? (Unsure means no.)"""
    host, _, rest = owner.partition("/")
    pid_text = rest.split("/", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():  # an earlier process that had our pid: it is gone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
