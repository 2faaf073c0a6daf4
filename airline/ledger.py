"""The action ledger: every effect the agent caused, once, under its idempotency key.

Every effect writes its ledger row in the transaction that carries it out; a retried
case finds the key and does nothing twice (the unique key refuses a second insert).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from airline.tables import LedgerRow
from travel_agent.db import insert_row

__all__ = ["effect_detail", "effect_done", "read_ledger_ahead", "record_effect"]

# `session.info` key: ledger keys read ahead in this transaction -> whether each is done.
_KNOWN = "ledger_known"


async def read_ledger_ahead(session: AsyncSession, keys: Iterable[str]) -> None:
    """Read, in one query, whether each of `keys` is in the ledger, for `effect_done` to
    answer from in this transaction (a round trip per effect saved: a case's act checks
    four or five). As with a query per key, the unique key still refuses a second
    insert if another transaction records one of them meanwhile."""
    wanted = list(keys)
    found = set(await session.scalars(_KEYS_FOUND, {"keys": wanted})) if wanted else set()
    known: dict[str, bool] = session.info.setdefault(_KNOWN, {})
    known.update((key, key in found) for key in wanted)


async def effect_done(session: AsyncSession, idempotency_key: str) -> bool:
    """Has the effect with this key already been carried out?"""
    known: dict[str, bool] | None = session.info.get(_KNOWN)
    if known is not None and idempotency_key in known:
        return known[idempotency_key]
    found = await session.scalar(
        select(LedgerRow.id).where(LedgerRow.idempotency_key == idempotency_key)
    )
    return found is not None


async def effect_detail(session: AsyncSession, idempotency_key: str) -> dict[str, Any] | None:
    """The ledger detail of the effect with this key, or None if it has not happened."""
    return await session.scalar(
        select(LedgerRow.detail).where(LedgerRow.idempotency_key == idempotency_key)
    )


async def effect_details_under(session: AsyncSession, prefix: str) -> list[dict[str, Any]]:
    """The ledger details of every effect whose key starts with `prefix` (the effects of
    one kind a booking's journey has had, when their keys say what each held)."""
    escaped = prefix.replace("/", "//").replace("%", "/%").replace("_", "/_")
    rows = await session.scalars(_DETAILS_UNDER, {"pattern": escaped + "%"})
    return list(rows)


# Built once (see `travel_agent.db.insert_row`): constructing and keying a statement
# for the compiled cache per call costs more CPU than running it.
_KEYS_FOUND = select(LedgerRow.idempotency_key).where(
    LedgerRow.idempotency_key.in_(bindparam("keys", expanding=True))
)
# `startswith(..., autoescape=True)` takes no bound parameter: the prefix is escaped as
# it would escape it (its `/` escape character).
_DETAILS_UNDER = select(LedgerRow.detail).where(
    LedgerRow.idempotency_key.like(bindparam("pattern"), escape="/")
)


async def record_effect(
    session: AsyncSession,
    *,
    idempotency_key: str,
    case_id: str,
    action: str,
    pnr: str,
    detail: dict[str, Any],
    at: datetime,
) -> None:
    """Write the ledger row; the unique key makes a second insert fail the transaction."""
    known: dict[str, bool] | None = session.info.get(_KNOWN)
    if known is not None:
        known[idempotency_key] = True
    await insert_row(
        session,
        LedgerRow(
            idempotency_key=idempotency_key,
            case_id=case_id,
            action=action,
            pnr=pnr,
            detail=detail,
            created_at=at,
        ),
    )
