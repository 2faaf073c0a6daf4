"""`travel-agent db …`, and the upgrade every command runs when it opens the database."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from typer.testing import CliRunner

from app import migrate
from app.cli import app

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "schema" / "bcda703_sqlite.sql"


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"TRAVEL_AGENT_DATA_DIR": str(tmp_path)})
    return result.exit_code, result.output


def previous_release_database(path: Path) -> None:
    """A database as the release before migrations left it (no desk, no claims yet)."""
    lines = SCHEMA.read_text().splitlines()
    sql = "\n".join(line for line in lines if not line.startswith("--"))
    statements = [s for s in sql.split(";") if s.strip() and "desk_" not in s]
    with closing(sqlite3.connect(path)) as conn:
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO customers VALUES ('C1', 'Ada', 'en', 'none')")
        conn.commit()


def test_db_upgrade_and_current(tmp_path: Path) -> None:
    code, out = run(tmp_path, "db", "current")
    assert code == 0 and "database: not migrated" in out
    code, out = run(tmp_path, "db", "upgrade")
    assert code == 0 and f"to {migrate.head()}" in out
    code, out = run(tmp_path, "db", "current")
    assert code == 0
    assert f"database: {migrate.head()}\nthis build: {migrate.head()}" in out
    code, out = run(tmp_path, "db", "upgrade")
    assert code == 0 and f"already at {migrate.head()}" in out


def test_a_command_upgrades_a_previous_release_database_when_it_opens_it(tmp_path: Path) -> None:
    previous_release_database(tmp_path / "airline.sqlite")
    code, out = run(tmp_path, "db", "current")
    assert "database: not migrated" in out
    code, out = run(tmp_path, "approvals", "list")  # the desk's tables, missing before
    assert code == 0, out
    code, out = run(tmp_path, "db", "current")
    assert code == 0 and f"database: {migrate.head()}" in out
    with closing(sqlite3.connect(tmp_path / "airline.sqlite")) as conn:
        assert conn.execute("SELECT name FROM customers").fetchall() == [("Ada",)]


def test_db_current_exits_1_on_drift(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade")[0] == 0
    with closing(sqlite3.connect(tmp_path / "airline.sqlite")) as conn:
        conn.execute("DROP INDEX ix_outbox_status_created")
    code, out = run(tmp_path, "db", "current")
    assert code == 1 and "differs from the code" in out and "ix_outbox_status_created" in out
