"""`travel-agent approvals list | show ID | approve ID | edit ID --option N | reject ID --reason …`

Works from any shell against the daemon's database: a decision is recorded here and the
daemon that owns the case applies it within a second (or at its next start).
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.approvals import (
    Approval,
    ApprovalClosedError,
    ApprovalDesk,
    ApprovalNotFoundError,
    ApprovalStatus,
    Decision,
    chosen_flights,
    option_label,
)
from airline.schedule import Schedule
from airline.stream_time import stream_clock
from app.cli_common import Typer, require_database, settings_or_exit
from app.migrate import open_database
from travel_agent.errors import TravelAgentError

approvals_app = Typer(
    help="Decisions the agent handed to a human: list, show, approve, edit, reject.",
    no_args_is_help=True,
)
T = TypeVar("T")
OperatorOption = Annotated[
    str,
    typer.Option(
        "--as",
        help="the operator who decides: an approver (`travel-agent operators list`), recorded"
        " in the audit log; default: your login name",
    ),
]


def _with_desk(work: Callable[[ApprovalDesk, Schedule], Awaitable[T]]) -> T:
    settings = settings_or_exit()
    require_database(settings)

    async def main() -> T:
        async with open_database(settings.db_url) as db:
            # Decisions are recorded on the daemon's clock, as the desk records them.
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
    return _at_airport(schedule, flight.origin, instant)


def _at_airport(schedule: Schedule, airport: str, instant: datetime) -> str:
    """The time at `airport`, with its zone: "2026-03-01 21:55 CET"."""
    place = schedule.airports.get(airport)
    local = instant.astimezone(ZoneInfo(place.tz)) if place else instant
    return local.strftime("%Y-%m-%d %H:%M %Z")


def _remaining(deadline: datetime, now: datetime) -> str:
    """The time left on the daemon's clock: "in 13 min", or "passed 4 min ago"."""
    minutes = round((deadline - now).total_seconds() / 60)
    if minutes >= 0:
        return (
            f"in {minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"in {minutes} min"
        )
    return f"passed {-minutes} min ago"


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

    async def work(
        desk: ApprovalDesk, schedule: Schedule
    ) -> tuple[list[Approval], Schedule, datetime]:
        return await desk.find(status=wanted), schedule, desk.clock.now()

    found, schedule, now = _with_desk(work)
    if not found:
        typer.echo(f"no {status} approvals")
        return
    table = Table("id", "status", "deadline (local)", "pnr", "flight", "why", "cost")
    for a in found:
        table.add_row(
            a.id,
            a.status.value,
            _local(schedule, a.flight_key, a.deadline)
            + (f" ({_remaining(a.deadline, now)})" if a.status == ApprovalStatus.PENDING else ""),
            a.pnr,
            a.flight_key.split("/")[0],
            "; ".join(a.why),
            f"{a.cost_cents / 100:.0f} {a.currency}",
        )
    Console().print(table)


@approvals_app.command()
def show(
    approval_id: str, as_json: Annotated[bool, typer.Option("--json", metavar="")] = False
) -> None:
    """Everything the agent saw and proposed, and what it asks a human to decide."""

    async def work(desk: ApprovalDesk, schedule: Schedule) -> tuple[Approval, Schedule, datetime]:
        return await desk.get(approval_id), schedule, desk.clock.now()

    approval, schedule, now = _with_desk(work)
    if as_json:
        typer.echo(approval.model_dump_json(indent=2))
        return
    console = Console(highlight=False)
    console.print(f"[bold]{approval.id}[/bold]  {approval.status.value}  case {approval.case_id}")
    console.print(
        f"booking {approval.pnr}, customer {approval.customer_id}; "
        f"{approval.flight_key} {approval.reason}"
    )
    deadline = _local(schedule, approval.flight_key, approval.deadline)
    if approval.status == ApprovalStatus.PENDING:
        deadline += f" ({_remaining(approval.deadline, now)})"
    console.print(f"asked {_local(schedule, approval.flight_key, approval.created_at)}")
    console.print(f"deadline {deadline}")
    console.print("[bold]asks because[/bold]: " + "; ".join(approval.why))
    console.print("[bold]proposes[/bold]:")
    for action in approval.proposal.get("actions", []):
        console.print(f"  - {_action(action)}")
    console.print(f"[bold]rationale[/bold]: {escape(approval.rationale)}")
    console.print(f"[bold]cost[/bold]: {approval.cost_cents / 100:.2f} {approval.currency}")
    for line in approval.proposal.get("costs", []):
        console.print(f"  {line}")
    if approval.options:
        console.print("[bold]options[/bold] (edit --option N --flight FLIGHT):")
        for number, option in enumerate(approval.options, start=1):
            console.print(f"  {number}. {escape(_option(schedule, option))}")
    for item in approval.entitlements:
        console.print(f"  owed: {escape(_entitlement(item))}")
    for note in approval.memory:
        console.print(f"  memory: {escape(str(note.get('text', '')))}")
    if approval.decision is not None and approval.decided_at is not None:
        chosen = approval.decision
        console.print(
            f"decided {chosen.verdict}"
            + (f" option {chosen.option}" if chosen.option else "")
            + (f" ({' + '.join(chosen.flights)})" if chosen.flights else "")
            + f" by {approval.decided_by} at "
            + _local(schedule, approval.flight_key, approval.decided_at)
            + (f": {escape(chosen.reason)}" if chosen.reason else "")
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
    """One option in words: flights, route, local departure and arrival, stops, cabin."""
    legs = option.get("legs", [])
    if not legs:
        return option_label(option)
    first, last = legs[0], legs[-1]
    dep = _at_airport(schedule, first["origin"], datetime.fromisoformat(first["dep"]))
    arr = _at_airport(schedule, last["destination"], datetime.fromisoformat(last["arr"]))
    stops = len(legs) - 1
    route = "→".join([first["origin"], *(leg["destination"] for leg in legs)])
    return (
        f"{option_label(option)} {route}, leaves {dep}, "
        f"{'direct' if stops == 0 else f'{stops} stop' + ('s' if stops > 1 else '')}, "
        f"arrives {arr}" + (f", {option['cabin']}" if option.get("cabin") else "")
    )


def _entitlement(item: dict[str, Any]) -> str:
    """One entitlement in words: "care: meal, hotel (EU261 art. 9)"."""
    kind = str(item.get("kind", "?")).replace("_", " ")
    cents = item.get("amount_cents")
    amount = f" {cents / 100:.0f} {item.get('currency', '')}" if cents else ""
    care = item.get("care")
    if isinstance(care, list | tuple):
        care = ", ".join(str(c).replace("_", " ") for c in care)
    elif isinstance(care, dict):
        care = ", ".join(str(k).replace("_", " ") for k, v in care.items() if v)
    detail = f": {care}" if care else ""
    citation = f" ({item['citation']})" if item.get("citation") else ""
    return f"{kind}{amount}{detail}{citation}"


def _decide(approval_id: str, decision: Decision, operator: str) -> None:
    """Record `decision` as `operator`'s: an active operator with the approver role (as on
    the desk), and say in the desk's audit log that it came from the command line."""
    # Imported here: only the deciding commands need the desk's operators.
    from dashboard.auth import OperatorError, OperatorStore, Role

    async def work(desk: ApprovalDesk, _schedule: Schedule) -> Approval:
        operators = OperatorStore(desk.db)
        who = await operators.active(operator)
        if who is None or not who.role.allows(Role.APPROVER):
            raise OperatorError(
                f"{operator!r} is not an active operator with the approver role: decide --as"
                " one (`travel-agent operators list`), or add one with `travel-agent"
                f" operators add {operator} --role approver`"
            )
        decided = await desk.decide(approval_id, decision, operator=who.name)
        await operators.record(
            who.name,
            "decided",
            approval_id,
            {
                "verdict": decision.verdict,
                "option": decision.option,
                "case_id": decided.case_id,
                "via": "cli",
            },
        )
        return decided

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
    option: Annotated[
        int, typer.Option(min=1, help="the number of the option to book, as `show` lists it")
    ],
    flight: Annotated[
        str | None,
        typer.Option(help="the flight you mean (e.g. XA123): refused if the option differs"),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", help="without --flight: book without asking to confirm", metavar=""),
    ] = False,
    operator: OperatorOption = "",
) -> None:
    """Book another of the options the agent considered (numbered from 1, as on the desk).

    Name the flight too (--flight), or confirm the option shown: a wrong number never
    books silently.
    """
    decision = Decision(verdict="edit", option=option, flight=flight)
    if flight is None and not yes:

        async def work(desk: ApprovalDesk, schedule: Schedule) -> str:
            approval = await desk.get(approval_id)
            chosen_flights(approval, decision)  # a number out of range is an error here
            return _option(schedule, approval.options[option - 1])

        described = _with_desk(work)
        if not sys.stdin.isatty():
            typer.echo(
                f"error: option {option} is {described}; confirm it with --flight "
                f"{described.split()[0]} (or --yes)",
                err=True,
            )
            raise typer.Exit(2)
        typer.confirm(f"book option {option}: {described}?", abort=True)
    _decide(approval_id, decision, operator or getpass.getuser())


@approvals_app.command()
def reject(
    approval_id: str,
    reason: Annotated[str, typer.Option(help="why (recorded in the audit log)")],
    operator: OperatorOption = "",
) -> None:
    """Run nothing the agent proposed; the passenger is told the truth."""
    _decide(approval_id, Decision(verdict="reject", reason=reason), operator or getpass.getuser())
