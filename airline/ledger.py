"""The action ledger: every effect the agent caused, once, under its idempotency key.

Every effect writes its ledger row in the transaction that carries it out; a retried
case finds the key and does nothing twice (the unique key refuses a second insert).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from airline.tables import LedgerRow
from travel_agent.db import deferred_rows_under, deferred_rows_where, insert_values

__all__ = [
    "effect_detail",
    "effect_details_under",
    "effect_done",
    "read_ledger_ahead",
    "read_ledger_ahead_under",
    "record_effect",
]

# `session.info` keys: ledger keys read ahead or recorded in this transaction -> whether
# each is done; key prefixes read ahead -> the details of the effects under each.
_KNOWN = "ledger_known"
_UNDER = "ledger_under"
_UNDER_LENGTHS = "ledger_under_lengths"


async def read_ledger_ahead(session: AsyncSession, keys: Iterable[str]) -> None:
    """Read, in one query, whether each of `keys` is in the ledger, for `effect_done` to
    answer from in this transaction (a round trip per effect saved: a case's act checks
    four or five; a batch of cases read ahead together, one per batch). Keys known
    already are not read again. As with a query per key, the unique key still refuses
    a second insert if another transaction records one of them meanwhile."""
    known: dict[str, bool] = session.info.setdefault(_KNOWN, {})
    wanted = list(dict.fromkeys(key for key in keys if key not in known))
    found = set(await session.scalars(_KEYS_FOUND, {"keys": wanted})) if wanted else set()
    known.update((key, key in found) for key in wanted)


async def read_ledger_ahead_under(session: AsyncSession, prefixes: Iterable[str]) -> None:
    """Read, in one query, the details of the effects under each of `prefixes`, for
    `effect_details_under` to answer from in this transaction (the effects this
    transaction records later are added as it records them)."""
    under: dict[str, list[dict[str, Any]]] = session.info.setdefault(_UNDER, {})
    wanted = [prefix for prefix in dict.fromkeys(prefixes) if prefix and prefix not in under]
    if not wanted:
        return
    wanted_set = set(wanted)
    for prefix in wanted:
        under[prefix] = []
    session.info.setdefault(_UNDER_LENGTHS, set()).update(len(prefix) for prefix in wanted)
    # On SQLite a key range per prefix: its keys compare byte by byte (BINARY), so the
    # range holds exactly the keys that start with the prefix, and the unique key's
    # index finds them (its LIKE ignores case and scans the table, once per prefix).
    # Elsewhere LIKE, as `effect_details_under` asks: PostgreSQL compares by the
    # database's collation, which need not sort a prefix's keys together.
    # On SQLite the ranges are one JSON parameter of one statement built once (a
    # statement of a term per prefix was built and compiled anew for every batch: more
    # CPU than running it); a row under two prefixes comes once per range. Each row
    # then goes to every prefix its key starts with.
    key = LedgerRow.idempotency_key
    if session.get_bind().dialect.name == "sqlite":
        ranges = json.dumps([[prefix, _after(prefix)] for prefix in wanted])
        found = await session.execute(_UNDER_RANGES, {"ranges": ranges})
    else:
        terms = [key.like(_pattern(prefix), escape="/") for prefix in wanted]
        found = await session.execute(select(key, LedgerRow.detail).where(or_(*terms)))
    lengths = sorted({len(prefix) for prefix in wanted})
    seen: set[str] = set()
    for k, detail in found:
        if k in seen:
            continue
        seen.add(k)
        for length in lengths:
            if k[:length] in wanted_set:
                under[k[:length]].append(detail)
    for prefix in wanted:  # after those written, as they will be written
        under[prefix] += [r["detail"] for r in _held_under(session, prefix)]


def _after(prefix: str) -> str:
    """The least string above every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _pattern(prefix: str) -> str:
    """The LIKE pattern of the keys starting with `prefix` (escaped with `/`)."""
    return prefix.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


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
    for row in deferred_rows_where(session, LedgerRow, "idempotency_key", idempotency_key):
        return row["detail"]  # type: ignore[no-any-return]
    return await session.scalar(
        select(LedgerRow.detail).where(LedgerRow.idempotency_key == idempotency_key)
    )


async def effect_details_under(session: AsyncSession, prefix: str) -> list[dict[str, Any]]:
    """The ledger details of every effect whose key starts with `prefix` (the effects of
    one kind a booking's journey has had, when their keys say what each held)."""
    under: dict[str, list[dict[str, Any]]] | None = session.info.get(_UNDER)
    if under is not None and prefix in under:
        return list(under[prefix])
    rows = list(await session.scalars(_DETAILS_UNDER, {"pattern": _pattern(prefix)}))
    return rows + [r["detail"] for r in _held_under(session, prefix)]


def _held_under(session: AsyncSession, prefix: str) -> list[dict[str, Any]]:
    """The ledger rows this transaction holds back whose key starts with `prefix`
    (`travel_agent.db.defer_writes`), in the order recorded."""
    return deferred_rows_under(session, LedgerRow, "idempotency_key", prefix)


# Built once (see `travel_agent.db.insert_row`): constructing and keying a statement
# for the compiled cache per call costs more CPU than running it.
_KEYS_FOUND = select(LedgerRow.idempotency_key).where(
    LedgerRow.idempotency_key.in_(bindparam("keys", expanding=True))
)
# The ledger rows in any of the key ranges of a JSON list of [from, below] pairs: per
# pair, a range of the unique key's index (SQLite's `json_each`).
_RANGES = func.json_each(bindparam("ranges")).table_valued("value")
_UNDER_RANGES = select(LedgerRow.idempotency_key, LedgerRow.detail).join_from(
    _RANGES,
    LedgerRow,
    and_(
        LedgerRow.idempotency_key >= func.json_extract(_RANGES.c.value, "$[0]"),
        LedgerRow.idempotency_key < func.json_extract(_RANGES.c.value, "$[1]"),
    ),
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
    """Write the ledger row; the unique key makes a second insert fail the transaction.
    (In a session that defers its writes, `travel_agent.db.defer_writes`, the row is
    written with the others; this transaction's reads see it at once all the same.)"""
    session.info.setdefault(_KNOWN, {})[idempotency_key] = True
    under: dict[str, list[dict[str, Any]]] = session.info.get(_UNDER, {})
    # The key's own prefixes of the lengths read ahead, not every prefix read ahead: a
    # batch reads hundreds, all of a length or two.
    for length in session.info.get(_UNDER_LENGTHS, ()):
        details = under.get(idempotency_key[:length])
        if details is not None:
            details.append(detail)
    await insert_values(
        session,
        LedgerRow,
        {
            "idempotency_key": idempotency_key,
            "case_id": case_id,
            "action": action,
            "pnr": pnr,
            "detail": detail,
            "created_at": at,
        },
    )
