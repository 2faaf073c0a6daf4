"""Upgrading a database the previous release left: the data survives, the schema matches.

The previous release (main at bcda703) had no migrations; its schema is recovered from
git into tests/fixtures/schema/bcda703_<dialect>.sql. Each test creates that schema — all
of it, or only what a daemon-only deployment had (that release created the desk's tables
when a desk ran and the claims tables on first use) — fills every table with rows, runs
`app.migrate.upgrade`, and checks that every row is still there as it was, that the
result is exactly what the code declares (Alembic's `compare_metadata` finds nothing),
and that the code works on it. On SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from agent.claims import CaseClaims
from agent.tables import ReplyDisposition
from airline.schedule import Schedule
from app import migrate
from travel_agent.db import Database

pytestmark = pytest.mark.integration

SCHEMAS = Path(__file__).resolve().parent.parent / "fixtures" / "schema"
LAZY_TABLES = ("desk_", "case_claims", "outbox_claims")
"""Tables the previous release created only when something used them."""


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'previous.sqlite'}"
    url: str = request.getfixturevalue("pg_db_url")  # a database of its own on the server
    return url


def _statements(dialect: str, *, lazy: bool) -> list[str]:
    sql = (SCHEMAS / f"bcda703_{dialect}.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    statements = [s.strip() for s in body.split(";") if s.strip()]
    if lazy:
        return statements
    return [s for s in statements if not any(f" {t}" in s.split("(")[0] for t in LAZY_TABLES)]


def _t(hour: int, *, sqlite: bool) -> datetime:
    at = datetime(2026, 3, 1, hour, 5, tzinfo=UTC)
    return at.replace(tzinfo=None) if sqlite else at  # as the release stored them


def _rows(sqlite: bool) -> dict[str, list[dict[str, Any]]]:
    """A row or two in every table of the previous release, as it wrote them."""

    def t(hour: int) -> datetime:
        return _t(hour, sqlite=sqlite)

    return {
        "airports": [
            {
                "iata": i,
                "name": f"{i} Intl",
                "city": i,
                "country": "DE",
                "lat": 50.0,
                "lon": 8.5,
                "tz": "Europe/Berlin",
            }
            for i in ("FRA", "MUC")
        ],
        "flights": [
            {
                "key": "LH100/2026-03-01",
                "carrier": "LH",
                "number": 100,
                "service_date": date(2026, 3, 1),
                "origin": "FRA",
                "destination": "MUC",
                "sched_dep": t(8),
                "sched_arr": t(9),
                "tail": "D-AIAA",
                "distance_km": 300,
            }
        ],
        "inventory": [
            {"flight_key": "LH100/2026-03-01", "cabin": "economy", "capacity": 150, "sold": 120}
        ],
        "customers": [{"id": "C000001", "name": "Ada Example", "language": "de", "tier": "gold"}],
        "customer_channels": [
            {
                "id": 1,
                "customer_id": "C000001",
                "kind": "email",
                "address": "ada@example.com",
                "consent": True,
                "priority": 0,
            }
        ],
        "bookings": [
            {
                "pnr": "ABC123",
                "customer_id": "C000001",
                "fare": "flex",
                "price_cents": 19900,
                "currency": "EUR",
                "status": "confirmed",
                "ssr": ["WCHR"],
            }
        ],
        "segments": [
            {
                "id": 1,
                "pnr": "ABC123",
                "seq": 1,
                "flight_key": "LH100/2026-03-01",
                "cabin": "economy",
                "status": "confirmed",
            }
        ],
        "board": [
            {
                "flight_key": "LH100/2026-03-01",
                "status": "cancelled",
                "est_dep": t(8),
                "est_arr": t(9),
                "gate": "A1",
                "reason": "crew",
                "diverted_to": None,
                "last_event_id": "e-1",
                "last_emitted_at": t(6),
            }
        ],
        "disruptions": [
            {
                "id": "D-LH100",
                "flight_key": "LH100/2026-03-01",
                "event_id": "e-1",
                "kind": "cancellation",
                "detail": {"status": "cancelled"},
                "detected_at": t(6),
            }
        ],
        "cases": [
            {
                "id": "CASE-1",
                "disruption_id": "D-LH100",
                "pnr": "ABC123",
                "reason": "cancelled",
                "priority": 1,
                "status": "done",
                "outcome": "rebooked",
                "created_at": t(6),
                "updated_at": t(7),
            }
        ],
        "approvals": [
            {
                "id": "AP-1",
                "case_id": "CASE-1",
                "revision": 0,
                "pnr": "ABC123",
                "customer_id": "C000001",
                "flight_key": "LH100/2026-03-01",
                "reason": "cancelled",
                "why": ["cabin change"],
                "proposal": {"actions": []},
                "options": [],
                "entitlements": [],
                "memory": [],
                "rationale": "because",
                "cost_cents": 0,
                "currency": "EUR",
                "status": "approved",
                "created_at": t(6),
                "deadline": t(7),
                "decided_by": "maria",
                "decided_at": t(6),
                "decision": {"verdict": "approve"},
                "applied_at": t(6),
            }
        ],
        "jobs": [
            {
                "id": 1,
                "key": "reminder:CASE-1",
                "kind": "reminder",
                "due_at": t(10),
                "payload": {"pnr": "ABC123"},
                "status": "due",
                "claimed_by": None,
                "claimed_until": None,
                "attempts": 0,
                "last_error": None,
                "done_at": None,
            }
        ],
        "seat_holds": [
            {
                "id": "H-1",
                "idempotency_key": "CASE-1:hold:v1",
                "case_id": "CASE-1",
                "pnr": "ABC123",
                "flights": ["LH100/2026-03-01"],
                "cabin": "economy",
                "party": 1,
                "status": "confirmed",
                "created_at": t(6),
                "expires_at": t(7),
                "settled_at": t(6),
            }
        ],
        "action_ledger": [
            {
                "id": 1,
                "idempotency_key": "ABC123:compensate:v1",
                "case_id": "CASE-1",
                "action": "compensate",
                "pnr": "ABC123",
                "detail": {"cents": 25000},
                "created_at": t(6),
            }
        ],
        "outbox": [
            {
                "id": 1,
                "idempotency_key": "CASE-1:notify:v1",
                "topic": "notifications.outbound",
                "key": "ABC123",
                "customer_id": "C000001",
                "channel": "email",
                "payload": {"kind": "rebooked", "body": "Hallo"},
                "status": "sent",
                "attempts": 1,
                "last_error": None,
                "created_at": t(6),
                "sent_at": t(6),
            }
        ],
    }


LAZY_ROWS: dict[str, list[dict[str, Any]]] = {
    "desk_operators": [
        {
            "name": "maria",
            "password_hash": "$argon2id$v=19$x",
            "role": "approver",
            "active": True,
            "created_at": None,
        }
    ],
    "desk_audit": [
        {
            "id": 1,
            "at": None,
            "operator": "maria",
            "action": "login",
            "target": None,
            "detail": {"address": "127.0.0.1"},
        }
    ],
    "case_claims": [{"case_id": "CASE-1", "owner": "host/1/abcd", "expires_at": 1.0}],
    "outbox_claims": [{"outbox_id": 1, "owner": "host/1/abcd", "expires_at": 1.0}],
}


async def _reflect(conn: AsyncConnection) -> MetaData:
    metadata = MetaData()
    await conn.run_sync(lambda sync: metadata.reflect(sync))
    return metadata


async def _contents(conn: AsyncConnection, tables: list[str]) -> dict[str, list[dict[str, Any]]]:
    metadata = await _reflect(conn)
    found: dict[str, list[dict[str, Any]]] = {}
    for name in tables:
        table: Table = metadata.tables[name]
        rows = (await conn.execute(select(table).order_by(*table.primary_key.columns))).all()
        found[name] = [dict(row._mapping) for row in rows]
    return found


@pytest.mark.parametrize("lazy", [True, False], ids=["every-table", "daemon-only"])
async def test_a_previous_release_database_upgrades_with_its_data(db_url: str, lazy: bool) -> None:
    sqlite = db_url.startswith("sqlite")
    rows = _rows(sqlite)
    if lazy:
        for name, lazy_rows in LAZY_ROWS.items():
            rows[name] = [
                {
                    k: (_t(5, sqlite=sqlite) if v is None and k in ("created_at", "at") else v)
                    for k, v in row.items()
                }
                for row in lazy_rows
            ]
    engine = create_async_engine(db_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            for statement in _statements("sqlite" if sqlite else "postgresql", lazy=lazy):
                await conn.execute(text(statement))
            metadata = await _reflect(conn)
            for name, table_rows in rows.items():  # in dependency order (the dict's)
                await conn.execute(insert(metadata.tables[name]), table_rows)
        async with engine.connect() as conn:
            before = await _contents(conn, list(rows))
        assert await migrate.current(db_url) is None  # that release knew no revisions

        assert await migrate.upgrade(db_url) == migrate.head()

        async with engine.connect() as conn:
            after = await _contents(conn, list(rows))
        for name, old_rows in before.items():
            kept = [{k: row[k] for k in old_rows[0]} for row in after[name]]
            assert kept == old_rows, f"{name}: rows changed by the upgrade"
        assert await migrate.differences(db_url) == []
        assert await migrate.current(db_url) == migrate.head()
        # Once more changes nothing (every start runs it).
        assert await migrate.upgrade(db_url) == migrate.head()
    finally:
        await engine.dispose()

    # The code of this release works on it.
    async with Database(db_url) as db:
        schedule = await Schedule.load(db)
        assert "LH100/2026-03-01" in schedule.flights
        claims = CaseClaims(db, owner="this/1/test")
        assert await claims.claim("CASE-2")


async def test_an_empty_database_gets_the_whole_schema(db_url: str) -> None:
    assert await migrate.upgrade(db_url) == migrate.head()
    assert await migrate.differences(db_url) == []


async def test_databases_upgraded_side_by_side_in_one_process_each_get_their_schema(
    tmp_path: Path,
) -> None:
    # The generated evaluations open several worlds at once. Alembic's `op` is one
    # proxy per process: interleaved, one database's steps ran on another's connection.
    urls = [f"sqlite+aiosqlite:///{tmp_path / f'world{i}.sqlite'}" for i in range(4)]
    reached = await asyncio.wait_for(
        asyncio.gather(*(migrate.upgrade(url) for url in urls)), timeout=300
    )
    assert reached == [migrate.head()] * len(urls)
    for url in urls:
        assert await migrate.differences(url) == []


async def test_answers_recorded_before_0008_get_their_disposition_from_their_words(
    db_url: str,
) -> None:
    """Revision 0008 gives each answer recorded before the disposition its words said; an
    answer in words it does not know keeps its result and no disposition."""
    assert await migrate.upgrade(db_url, "0007_rights_passengers_journeys")
    said = {
        "kept the offered flights": ReplyDisposition.KEPT,
        "moved to option 2: XJ712/2026-03-01": ReplyDisposition.CHANGED,
        "refunded: 120.00 EUR": ReplyDisposition.REFUNDED,
        "to the operator desk: the passenger wrote": ReplyDisposition.WROTE,
        "to the operator desk: no offer for this booking": ReplyDisposition.NO_OFFER,
        "to the operator desk: the offer was already defaulted": ReplyDisposition.OFFER_CLOSED,
        "to the operator desk: answered after the deadline": ReplyDisposition.LATE,
        "to the operator desk: there is no option 7": ReplyDisposition.NO_SUCH_OPTION,
        "to the operator desk: option 3 cannot be booked (no seats)": (
            ReplyDisposition.OPTION_UNAVAILABLE
        ),
        "to the operator desk: the refund failed (refused)": ReplyDisposition.REFUND_FAILED,
        "something an operator typed by hand": None,
    }
    at = datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    engine = create_async_engine(db_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            replies = (await _reflect(conn)).tables["replies"]
            await conn.execute(
                insert(replies),
                [
                    {
                        "reply_id": f"r{n}",
                        "pnr": "ABC123",
                        "offer_id": None,
                        "channel": "sms",
                        "sender": "+4900",
                        "choice": "text",
                        "option": None,
                        "text": "",
                        "received_at": at,
                        "handled_at": at,
                        "result": result,
                    }
                    for n, result in enumerate(said)
                ],
            )
        assert await migrate.upgrade(db_url) == migrate.head()
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT result, disposition FROM replies"))).all()
    finally:
        await engine.dispose()
    assert dict(rows) == {result: d and d.value for result, d in said.items()}


async def test_answers_recorded_before_0012_name_their_offer_in_offer_id(db_url: str) -> None:
    """Before revision 0012 an answer recorded for the passenger kept its offer's id in
    `flight_key`; the upgrade moves it to `offer_id` (the ``offer:`` choices, which only
    `ChoiceDesk.record_offer_answer` wrote) and leaves a refund of a flight as it was."""
    assert await migrate.upgrade(db_url, "0011_waves_preferences_missing")
    at = datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    recorded = {
        "pnr": "ABC123",
        "source": "desk",
        "chosen_by": "abe",
        "chosen_at": at,
        "status": "recorded",
    }
    engine = create_async_engine(db_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            choices = (await _reflect(conn)).tables["passenger_choices"]
            await conn.execute(
                insert(choices),
                [
                    {**recorded, "flight_key": "OF-0123456789", "choice": "offer:2"},
                    {**recorded, "flight_key": "OF-0123456789", "choice": "offer:refund"},
                    {**recorded, "flight_key": "LH100/2026-03-01", "choice": "refund"},
                ],
            )
        assert await migrate.upgrade(db_url) == migrate.head()
        assert await migrate.differences(db_url) == []
        async with engine.connect() as conn:
            query = "SELECT choice, flight_key, offer_id FROM passenger_choices ORDER BY id"
            rows = (await conn.execute(text(query))).all()
    finally:
        await engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("offer:2", None, "OF-0123456789"),
        ("offer:refund", None, "OF-0123456789"),
        ("refund", "LH100/2026-03-01", None),
    ]
