"""`travel-agent operators add | token | list` against the configured database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app


@pytest.fixture
def env(world_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAVEL_AGENT_DATA_DIR", str(world_path.parent))


def test_operators_are_added_listed_and_issued_tokens(env: None) -> None:
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["operators", "add", "maria", "--role", "approver", "--password-stdin"],
        input="a-long-password\n",
    )
    assert added.exit_code == 0, added.output
    assert "operator maria added (approver)" in added.output
    listed = runner.invoke(app, ["operators", "list"])
    assert "maria\tapprover\tactive" in listed.output
    token = runner.invoke(app, ["operators", "token", "maria"])
    assert token.exit_code == 0 and token.output.strip().startswith("tad_")


def test_bad_roles_names_and_passwords_are_refused(env: None) -> None:
    runner = CliRunner()
    role = runner.invoke(app, ["operators", "add", "maria", "--role", "boss", "--password-stdin"])
    assert role.exit_code == 2 and "--role must be one of" in role.output
    short = runner.invoke(app, ["operators", "add", "maria", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    name = runner.invoke(
        app, ["operators", "add", "Maria Smith", "--password-stdin"], input="a-long-password\n"
    )
    assert name.exit_code == 1 and "operator name" in name.output
