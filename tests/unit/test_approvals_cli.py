"""`travel-agent approvals list | show | approve | edit | reject`, from another process's
point of view: the CLI reads and writes the daemon's database, and the daemon applies what
it records."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select
from typer.testing import CliRunner

from agent.approvals import ApprovalDesk, ApprovalStatus
from airline.board import newest_event_time
from airline.clock import SimulatedClock
from airline.stream_time import publish_clock
from app.cli import app
from app.wiring import Agent
from dashboard.auth import OperatorStore, Role
from dashboard.tables import AuditRow
from tests.unit.test_approvals import agent, case_row, clock, ledger, parked

__all__ = ["agent", "clock"]  # fixtures


async def cli(tmp_path: Path, *args: str) -> Result:
    """The CLI, in a thread (it runs its own event loop), on the test's data directory."""
    env = {"TRAVEL_AGENT_DATA_DIR": str(tmp_path), "COLUMNS": "250"}  # a table unwrapped
    return await asyncio.to_thread(CliRunner().invoke, app, ["approvals", *args], env=env)


async def _operators(agent: Agent, **roles: str) -> None:
    """Desk operators (the CLI decides as one of them)."""
    store = OperatorStore(agent.deps.db)
    for name, role in roles.items():
        await store.add(name, f"{name}-password-1", Role(role))


async def test_an_operator_lists_shows_and_approves_from_the_shell(
    agent: Agent, tmp_path: Path
) -> None:
    runner, pnr, approval_id = await parked(agent)
    await _operators(agent, maria="approver")

    listed = await cli(tmp_path, "list")
    assert listed.exit_code == 0, listed.output
    assert approval_id in listed.output and pnr in listed.output
    assert "every rebooking needs an operator" in listed.output

    shown = await cli(tmp_path, "show", approval_id)
    assert shown.exit_code == 0, shown.output
    assert "asks because" in shown.output and "rebook onto" in shown.output
    assert "options (edit --option N --flight FLIGHT)" in shown.output
    assert "\n  1. " in shown.output and "\n  0. " not in shown.output
    assert "stop(s)" not in shown.output and "Z UTC" not in shown.output
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
    assert decided.decided_at >= decided.created_at

    assert await runner.apply_decisions() == 1
    assert await case_row(agent, decided.case_id) == ("done", "rebooked")
    assert await ledger(agent, pnr) == ["care", "compensate", "notify", "rebook", "refund_offer"]

    again = await cli(tmp_path, "reject", approval_id, "--reason", "too late", "--as", "maria")
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
    await _operators(agent, maria="approver")
    result = await cli(tmp_path, *args)
    assert result.exit_code != 0
    assert message in result.output


async def test_an_edit_is_numbered_as_shown_and_names_its_flight(
    agent: Agent, tmp_path: Path
) -> None:
    runner, _pnr, approval_id = await parked(agent)
    await _operators(agent, maria="approver")
    approval = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)
    second = approval.options[1]["flight_keys"]
    flight = second[0].split("/")[0]
    shown = (await cli(tmp_path, "show", approval_id)).output
    assert f"  2. {' + '.join(k.split('/')[0] for k in second)} " in shown

    # Without the flight and without a terminal to confirm on: refused, naming it.
    unconfirmed = await cli(tmp_path, "edit", approval_id, "--option", "2", "--as", "maria")
    assert unconfirmed.exit_code == 2
    assert f"option 2 is {flight}" in unconfirmed.output and "--flight" in unconfirmed.output
    wrong = await cli(
        tmp_path, "edit", approval_id, "--option", "2", "--flight", "XZ999", "--as", "maria"
    )
    assert wrong.exit_code == 1 and "not XZ999: nothing was booked" in wrong.output
    assert (await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)).status == (
        ApprovalStatus.PENDING
    )

    edited = await cli(
        tmp_path, "edit", approval_id, "--option", "2", "--flight", flight, "--as", "maria"
    )
    assert edited.exit_code == 0, edited.output
    assert await runner.apply_decisions() == 1
    decided = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)
    assert decided.decision is not None
    assert (decided.decision.option, decided.decision.flights) == (2, second)
    assert f"decided edit option 2 ({' + '.join(second)})" in (
        await cli(tmp_path, "show", approval_id)
    ).output.replace("\n", " ")


async def test_the_cli_records_decisions_on_the_daemons_published_clock(
    agent: Agent, tmp_path: Path
) -> None:
    _runner, _pnr, approval_id = await parked(agent)
    await _operators(agent, maria="approver")
    approval = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)
    # The daemon's clock is held 10 minutes after the question (the demo holds time while
    # an approval waits): the CLI must record that time, not one of its own.
    held = SimulatedClock(approval.created_at + timedelta(minutes=10), speed=0)
    await publish_clock(agent.deps.db, "daemon-1", held)

    listed = await cli(tmp_path, "list")
    remaining = round((approval.deadline - held.now()).total_seconds() / 60)
    assert f"(in {remaining} min)" in listed.output

    await cli(tmp_path, "approve", approval_id, "--as", "maria")

    decided = await ApprovalDesk(agent.deps.db, agent.deps.clock).get(approval_id)
    assert decided.decided_at == held.now()


async def test_only_an_approver_decides_from_the_shell_and_the_audit_log_says_so(
    agent: Agent, tmp_path: Path
) -> None:
    _runner, _pnr, approval_id = await parked(agent)
    await _operators(agent, vera="viewer", abe="approver")
    for name in ("nobody", "vera"):  # not an operator; an operator without the role
        refused = await cli(tmp_path, "approve", approval_id, "--as", name)
        assert refused.exit_code == 2, refused.output
        assert "not an active operator with the approver role" in refused.output
    desk = ApprovalDesk(agent.deps.db, agent.deps.clock)
    assert (await desk.get(approval_id)).status == ApprovalStatus.PENDING
    approved = await cli(tmp_path, "approve", approval_id, "--as", "abe")
    assert approved.exit_code == 0, approved.output
    async with agent.deps.db.session() as session:
        audit = (await session.scalars(select(AuditRow).where(AuditRow.action == "decided"))).all()
    assert [(a.operator, a.target, a.detail["via"]) for a in audit] == [("abe", approval_id, "cli")]
