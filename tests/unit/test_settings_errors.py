"""Every CLI and settings error is one line naming the flag or variable and what it wants;
.env is read, and a malformed one is reported; a command that finds no database says so
instead of creating one."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app


def run(tmp_path: Path, *args: str, **env: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, list(args), env={"TRAVEL_AGENT_DATA_DIR": "data", **env})
    return result.exit_code, result.output.strip().splitlines()


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # ./.env and ./data are the test's own


@pytest.mark.parametrize(
    ("env", "said"),
    [
        (
            {"TRAVEL_AGENT_AGENT__CONCURRENCY": "abc"},
            "TRAVEL_AGENT_AGENT__CONCURRENCY='abc': expected a whole number",
        ),
        (
            {"TRAVEL_AGENT_SEED__SERVICE_DATE": "2026-02-30"},
            "TRAVEL_AGENT_SEED__SERVICE_DATE='2026-02-30': expected a day as YYYY-MM-DD",
        ),
        (
            {"TRAVEL_AGENT_AGENT__OTHER_CARRIER_AFTER_HOURS": "{gold: 1"},
            "TRAVEL_AGENT_AGENT__OTHER_CARRIER_AFTER_HOURS='{gold: 1': not valid JSON",
        ),
        ({"TRAVEL_AGENT_CLOCK": "sometimes"}, "TRAVEL_AGENT_CLOCK='sometimes': expected 'event'"),
    ],
)
def test_a_bad_setting_is_one_line_naming_its_variable(
    tmp_path: Path, env: dict[str, str], said: str
) -> None:
    code, lines = run(tmp_path, "approvals", "list", **env)

    assert code == 2
    assert len(lines) == 1 and lines[0].startswith(f"configuration error: {said}")


def test_dot_env_is_read_and_a_malformed_line_reported(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TRAVEL_AGENT_AGENT__CONCURRENCY=abc\n")
    assert run(tmp_path, "approvals", "list")[1] == [
        "configuration error: TRAVEL_AGENT_AGENT__CONCURRENCY='abc': expected a whole number"
    ]

    (tmp_path / ".env").write_text("# ok\nTRAVEL_AGENT_CLOCK=system\nthis is not a setting\n")
    assert run(tmp_path, "approvals", "list")[1] == [
        "configuration error: .env line 3: 'this is not a setting' is not NAME=value"
    ]


def test_a_bad_day_is_one_line_naming_the_flag(tmp_path: Path) -> None:
    assert run(tmp_path, "seed", "--date", "2026-13-45") == (
        2,
        ["error: --date '2026-13-45' is not a day (expected YYYY-MM-DD)"],
    )


def test_no_database_is_said_and_none_is_created(tmp_path: Path) -> None:
    code, lines = run(tmp_path, "approvals", "list")

    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("error: no database at data/airline.sqlite")
    assert "travel-agent seed" in lines[0]
    assert not (tmp_path / "data" / "airline.sqlite").exists()

    # With the demo's database there, the line says how to point at it.
    (tmp_path / "data" / "demo").mkdir(parents=True)
    (tmp_path / "data" / "demo" / "airline.sqlite").touch()
    assert "export TRAVEL_AGENT_DATA_DIR=data/demo" in run(tmp_path, "run")[1][0]


def test_run_on_an_unseeded_database_says_to_seed(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "airline.sqlite").touch()

    code, lines = run(tmp_path, "run")

    assert code == 2
    assert lines == [
        "error: the database data/airline.sqlite holds no flights: run `travel-agent seed` "
        "first (or point TRAVEL_AGENT_DATA_DIR / TRAVEL_AGENT_DB__URL at a seeded one)"
    ]
