"""`travel-agent approvals list | show | approve | edit | reject`, from another process's
point of view: the CLI reads and writes the daemon's database, and the daemon applies what
it records."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from agent.approvals import ApprovalDesk, ApprovalStatus
from airline.board import newest_event_time
from app.cli import app
from app.wiring import Agent
from tests.unit.test_approvals import agent, case_row, clock, ledger, parked

__all__ = ["agent", "clock"]  # fixtures


async def cli(tmp_path: Path, *args: str) -> Result:
    """The CLI, in a thread (it runs its own event loop), on the test's data directory."""
    env = {"TRAVEL_AGENT_DATA_DIR": str(tmp_path), "COLUMNS": "250"}  # a table unwrapped
    return await asyncio.to_thread(CliRunner().invoke, app, ["approvals", *args], env=env)


async def test_an_operator_lists_shows_and_approves_from_the_shell(
    agent: Agent, tmp_path: Path
) -> None:
    runner, pnr, approval_id = await parked(agent)

    listed = await cli(tmp_path, "list")
    assert listed.exit_code == 0, listed.output
    assert approval_id in listed.output and pnr in listed.output
    assert "every rebooking needs an operator" in listed.output

    shown = await cli(tmp_path, "show", approval_id)
    assert shown.exit_code == 0, shown.output
    assert "asks because" in shown.output and "rebook onto" in shown.output
    assert "options (edit --option N)" in shown.output
    as_json = json.loads((await cli(tmp_path, "show", approval_id, "--json")).output)
    assert as_json["id"] == approval_id and as_json["status"] == "pending"

    approved = await cli(tmp_path, "approve", approval_id, "--as", "maria")
    assert approved.exit_code == 0, approved.output
    assert f"{approval_id} approved by maria" in approved.output

    decided = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)
    assert (decided.status, decided.decided_by) == (ApprovalStatus.APPROVED, "maria")
    # Recorded on the stream's clock, as the deadline is (the desk does the same), not on
    # this machine's: a simulated day's decisions line up with its deadlines.
    newest = await newest_event_time(agent.deps.db)
    assert newest is not None and decided.decided_at is not None
    assert newest <= decided.decided_at < decided.deadline

    assert await runner.apply_decisions() == 1
    assert await case_row(agent, decided.case_id) == ("done", "rebooked")
    assert await ledger(agent, pnr) == ["care", "compensate", "notify", "rebook", "refund_offer"]

    again = await cli(tmp_path, "reject", approval_id, "--reason", "too late", "--as", "x")
    assert again.exit_code == 1
    assert "approved (by maria)" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "AP-00000000"), "no approval 'AP-00000000'"),
        (("approve", "AP-00000000", "--as", "maria"), "no approval 'AP-00000000'"),
        (("list", "--status", "lost"), "--status is one of pending, approved, edited"),
    ],
)
async def test_a_wrong_id_or_status_is_a_clear_error(
    agent: Agent, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = await cli(tmp_path, *args)
    assert result.exit_code != 0
    assert message in result.output
