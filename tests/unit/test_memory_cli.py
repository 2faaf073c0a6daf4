"""`travel-agent customers show|forget|prune` on a real memory directory."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from app.cli import app
from memory import MemoryKind, MemorySettings, open_chroma_memory, open_memory

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, minilm: object) -> Path:
    monkeypatch.setenv("TRAVEL_AGENT_DATA_DIR", str(tmp_path))

    async def remember() -> None:
        async with open_chroma_memory(MemorySettings(), data_dir=tmp_path) as memory:
            for days, kind, text in [
                (400, MemoryKind.OUTCOME, "LH 400 FRA-JFK cancelled (storm); rebooked on LH 402."),
                (30, MemoryKind.PREFERENCE, "Ich lese nur Deutsch, bitte."),
                (2, MemoryKind.PREFERENCE, "No red-eyes, please."),
            ]:
                await memory.record("C000042", kind, text, at=NOW - timedelta(days=days))
            await memory.record("C000043", MemoryKind.NOTE, "Someone else.", at=NOW)

    asyncio.run(remember())
    return tmp_path


def test_show_prints_preferences_with_sources_and_dated_history(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["customers", "show", "C000042", "--history", "2"])

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "customer C000042 (not in the airline database)" in out
    assert "language:" in out and "de" in out and "Ich lese nur Deutsch, bitte." in out
    assert "avoid_overnight:" in out and "No red-eyes, please." in out
    assert "history (2 most recent of 3, newest first):" in out
    assert f"{NOW - timedelta(days=2):%Y-%m-%d %H:%M}  preference" in out
    assert "LH 400" not in out  # the third, older memory is not among the two listed
    assert "Someone else." not in out


def test_forget_asks_then_erases_and_nothing_is_left(data_dir: Path) -> None:
    runner = CliRunner()

    declined = runner.invoke(app, ["customers", "forget", "C000042"], input="n\n")
    assert declined.exit_code == 1
    assert "Erase all 3 memories of C000042?" in declined.output

    result = runner.invoke(app, ["customers", "forget", "C000042"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "forgot C000042: 3 memories erased" in result.stdout

    gone = runner.invoke(app, ["customers", "show", "C000042"])
    assert gone.exit_code == 1
    assert "no customer C000042" in gone.output
    other = runner.invoke(app, ["customers", "show", "C000043"])
    assert "Someone else." in other.stdout


def test_forget_yes_does_not_ask(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["customers", "forget", "C000043", "--yes"])

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "forgot C000043: 1 memories erased"


def test_prune_applies_the_retention_age(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["customers", "prune", "--days", "365"])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("pruned 1 memories recorded before ")


def test_a_directory_owned_by_another_process_is_a_clear_error(data_dir: Path) -> None:
    async def hold_and_run() -> Result:
        async with open_memory(MemorySettings(), data_dir=data_dir):
            return await asyncio.to_thread(
                lambda: CliRunner().invoke(app, ["customers", "show", "C000042"])
            )

    result = asyncio.run(hold_and_run())

    assert result.exit_code == 1
    assert "is in use by process" in result.output
