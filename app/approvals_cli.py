"""`travel-agent approvals list | show ID | approve ID | edit ID --option N | reject ID --reason …`

Works from any shell against the daemon's database: a decision is recorded here and the
daemon that owns the case applies it within a second (or at its next start).
"""

from __future__ import annotations

import asyncio
import getpass
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from agent.approvals import (
    Approval,
    ApprovalClosedError,
    ApprovalDesk,
    ApprovalNotFoundError,
    ApprovalStatus,
    Decision,
)
from airline.board import stream_clock
from airline.schedule import Schedule
from app.cli_common import settings_or_exit
from app.migrate import open_database
from travel_agent.errors import TravelAgentError

approvals_app = typer.Typer(
    help="Decisions the agent handed to a human: list, show, approve, edit, reject.",
    no_args_is_help=True,
)
T = TypeVar("T")
OperatorOption = Annotated[
    str,
    typer.Option("--as", help="who decides (recorded in the audit log); default: your login"),
]


def _with_desk(work: Callable[[ApprovalDesk, Schedule], Awaitable[T]]) -> T:
    settings = settings_or_exit()

    async def main() -> T:
        async with open_database(settings.db_url) as db:
            # Decisions are recorded on the stream's clock, as the desk records them.
            clock = await stream_clock(db, system=settings.clock == "system")
            return await work(ApprovalDesk(db, clock), await Schedule.load(db))

    try:
        return asyncio.run(main())
    except (ApprovalNotFoundError, ApprovalClosedError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except TravelAgentError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _local(schedule: Schedule, flight_key: str, instant: datetime) -> str:
    """The time at the disrupted flight's departure airport, with its zone."""
    flight = schedule.flights.get(flight_key)
    if flight is None:
        return instant.strftime("%Y-%m-%d %H:%M UTC")
    local = instant.astimezone(ZoneInfo(schedule.airports[flight.origin].tz))
    return local.strftime("%Y-%m-%d %H:%M %Z")


@approvals_app.command("list")
def list_approvals(
    status: Annotated[
        str, typer.Option(help="pending, approved, edited, rejected, stale, expired or all")
    ] = "pending",
) -> None:
    """Approvals, nearest deadline first."""
    statuses = [s.value for s in ApprovalStatus]
    if status != "all" and status not in statuses:
        typer.echo(f"error: --status is one of {', '.join(statuses)} or all", err=True)
        raise typer.Exit(2)
    wanted = None if status == "all" else ApprovalStatus(status)

    async def work(desk: ApprovalDesk, schedule: Schedule) -> tuple[list[Approval], Schedule]:
        return await desk.find(status=wanted), schedule

    found, schedule = _with_desk(work)
    if not found:
        typer.echo(f"no {status} approvals")
        return
    table = Table("id", "status", "deadline (local)", "pnr", "flight", "why", "cost")
    for a in found:
        table.add_row(
            a.id,
            a.status.value,
            _local(schedule, a.flight_key, a.deadline),
            a.pnr,
            a.flight_key.split("/")[0],
            "; ".join(a.why),
            f"{a.cost_cents / 100:.0f} {a.currency}",
        )
    Console().print(table)


@approvals_app.command()
def show(approval_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Everything the agent saw and proposed, and what it asks a human to decide."""

    async def work(desk: ApprovalDesk, schedule: Schedule) -> tuple[Approval, Schedule]:
        return await desk.get(approval_id), schedule

    approval, schedule = _with_desk(work)
    if as_json:
        typer.echo(approval.model_dump_json(indent=2))
        return
    console = Console()
    console.print(f"[bold]{approval.id}[/bold]  {approval.status.value}  case {approval.case_id}")
    console.print(
        f"booking {approval.pnr}, customer {approval.customer_id}; "
        f"{approval.flight_key} {approval.reason}"
    )
    console.print(f"deadline {_local(schedule, approval.flight_key, approval.deadline)}")
    console.print("[bold]asks because[/bold]: " + "; ".join(approval.why))
    console.print("[bold]proposes[/bold]:")
    for action in approval.proposal.get("actions", []):
        console.print(f"  - {_action(action)}")
    console.print(f"[bold]rationale[/bold]: {approval.rationale}")
    console.print(f"[bold]cost[/bold]: {approval.cost_cents / 100:.2f} {approval.currency}")
    for line in approval.proposal.get("costs", []):
        console.print(f"  {line}")
    if approval.options:
        console.print("[bold]options[/bold] (edit --option N):")
        for i, option in enumerate(approval.options):
            console.print(f"  {i}. {_option(schedule, option)}")
    for item in approval.entitlements:
        cents = item.get("amount_cents")
        amount = f" {cents / 100:.0f} {item['currency']}" if cents else ""
        console.print(f"  owed: {item['kind']}{amount} ({item['citation']})")
    for note in approval.memory:
        console.print(f"  memory: {note.get('text', '')}")
    if approval.decision is not None:
        console.print(
            f"decided {approval.decision.verdict} by {approval.decided_by} "
            f"at {approval.decided_at}"
            + (f": {approval.decision.reason}" if approval.decision.reason else "")
        )


def _action(action: dict[str, Any]) -> str:
    kind = action.get("kind")
    if kind == "rebook":
        return f"rebook onto {' + '.join(action['flights'])} in {action['cabin']}"
    if kind == "notify":
        return f"tell the passenger: {action['message']}"
    if kind in ("compensate", "refund_offer"):
        return f"{kind} {action['amount_cents'] / 100:.2f} {action['currency']}"
    return json.dumps(action)


def _option(schedule: Schedule, option: dict[str, Any]) -> str:
    legs = option.get("legs", [])
    if not legs:
        return " + ".join(option.get("flight_keys", []))
    first, last = legs[0], legs[-1]
    dep = _local(schedule, first["flight_key"], datetime.fromisoformat(first["dep"]))
    return (
        f"{' + '.join(option.get('flight_keys', []))}: leaves {dep}, "
        f"{len(legs) - 1} stop(s), arrives {last['arr']} UTC"
    )


def _decide(approval_id: str, decision: Decision, operator: str) -> None:
    async def work(desk: ApprovalDesk, _schedule: Schedule) -> Approval:
        return await desk.decide(approval_id, decision, operator=operator)

    decided = _with_desk(work)
    typer.echo(
        f"{decided.id} {decided.status.value} by {decided.decided_by}; "
        "the daemon applies it within seconds"
    )


@approvals_app.command()
def approve(approval_id: str, operator: OperatorOption = "") -> None:
    """Run the proposal as it is."""
    _decide(approval_id, Decision(verdict="approve"), operator or getpass.getuser())


@approvals_app.command()
def edit(
    approval_id: str,
    option: Annotated[int, typer.Option(help="the option to book instead (see `show`)")],
    operator: OperatorOption = "",
) -> None:
    """Book another of the options the agent considered."""
    _decide(approval_id, Decision(verdict="edit", option=option), operator or getpass.getuser())


@approvals_app.command()
def reject(
    approval_id: str,
    reason: Annotated[str, typer.Option(help="why (recorded in the audit log)")],
    operator: OperatorOption = "",
) -> None:
    """Run nothing the agent proposed; the passenger is told the truth."""
    _decide(approval_id, Decision(verdict="reject", reason=reason), operator or getpass.getuser())
