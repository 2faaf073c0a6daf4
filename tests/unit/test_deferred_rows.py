"""A deferring session's held-back rows are found by key and by key prefix, not by a
scan: the lookups answer what a scan of the held rows answers, for rows held before the
first lookup and after it, and the ledger's reads see its held rows as they are written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from airline.ledger import (
    effect_detail,
    effect_details_under,
    read_ledger_ahead_under,
    record_effect,
)
from airline.tables import LedgerRow
from travel_agent.db import (
    Database,
    defer_writes,
    deferred_rows,
    deferred_rows_under,
    deferred_rows_where,
    write_deferred,
)

_AT = datetime(2026, 12, 7, tzinfo=UTC)


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


async def _record(session, key: str) -> None:  # type: ignore[no-untyped-def]
    await record_effect(
        session,
        idempotency_key=key,
        case_id="c-" + key,
        action="rebook",
        pnr="PNR001",
        detail={"key": key},
        at=_AT,
    )


async def test_lookups_answer_what_a_scan_answers_before_and_after_the_first(
    db: Database,
) -> None:
    async with db.transaction() as session:
        defer_writes(session)
        await _record(session, "rebook:A:1")
        assert deferred_rows_where(session, LedgerRow, "idempotency_key", "rebook:A:1")
        assert len(deferred_rows_under(session, LedgerRow, "idempotency_key", "rebook:A")) == 1
        for key in ("rebook:A:2", "rebook:B:1", "rebook:AB:1", "care:A:1", "r"):
            await _record(session, key)
        held = deferred_rows(session, LedgerRow)
        for prefix in (
            "rebook:A",
            "rebook:A:",
            "rebook:",
            "care:A:1",
            "rebook:Z",
            "r",
            "rebook:A:1x",
        ):
            scanned = [r for r in held if r["idempotency_key"].startswith(prefix)]
            assert deferred_rows_under(session, LedgerRow, "idempotency_key", prefix) == scanned
        for row in held:
            key = row["idempotency_key"]
            assert deferred_rows_where(session, LedgerRow, "idempotency_key", key) == [row]
        assert deferred_rows_where(session, LedgerRow, "idempotency_key", "rebook:A") == []
        await write_deferred(session)
        assert deferred_rows_where(session, LedgerRow, "idempotency_key", "r") == []


async def test_the_ledger_reads_its_held_rows_after_those_written(db: Database) -> None:
    async with db.transaction() as session:
        await _record(session, "rebook:W:1")
    async with db.transaction() as session:
        defer_writes(session)
        assert await effect_details_under(session, "rebook:W:") == [{"key": "rebook:W:1"}]
        await _record(session, "rebook:W:2")
        assert await effect_detail(session, "rebook:W:2") == {"key": "rebook:W:2"}
        assert await effect_detail(session, "rebook:W:1") == {"key": "rebook:W:1"}
        await read_ledger_ahead_under(session, ["rebook:W:", "rebook:"])
        await _record(session, "rebook:W:3")
        expected = [{"key": f"rebook:W:{n}"} for n in (1, 2, 3)]
        assert await effect_details_under(session, "rebook:W:") == expected
        assert await effect_details_under(session, "rebook:") == expected
        await write_deferred(session)


async def test_the_ledger_reads_any_number_of_prefixes_ahead_with_one_statement(
    db: Database,
) -> None:
    """A batch reads a few hundred prefixes ahead: one statement whatever their number
    (a term per prefix was a new statement to build and compile for every batch), and
    a row under two of them is each one's."""
    async with db.transaction() as session:
        for key in ("care:A:1", "care:A:2", "care:AB:1", "care:B:1", "rebook:A:1"):
            await _record(session, key)
    statements: list[str] = []

    def seen(*args: Any) -> None:
        if "action_ledger" in args[2]:  # (conn, cursor, statement, ...)
            statements.append(args[2])

    expected = {
        "care:A:": ["care:A:1", "care:A:2"],
        "care:A": ["care:A:1", "care:A:2", "care:AB:1"],
        "care:B:": ["care:B:1"],
        "rebook:": ["rebook:A:1"],
        "none:": [],
    }
    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        for prefixes in (["care:A:"], list(expected)):
            async with db.transaction() as session:
                await read_ledger_ahead_under(session, prefixes)
                for prefix in prefixes:
                    keys = [d["key"] for d in await effect_details_under(session, prefix)]
                    assert keys == expected[prefix], prefix
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    assert len(statements) == 2 and len(set(statements)) == 1
