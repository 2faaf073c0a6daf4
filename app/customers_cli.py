"""`travel-agent customers ...`: what memory holds about a customer, and erasing it.

    travel-agent customers show C000123      profile, preferences with sources, recent history
    travel-agent customers forget C000123    erase everything memory holds about them
    travel-agent customers prune             retention: erase memories past the retention age
    travel-agent customers refund PNR --flight KEY --as NAME
                                             the passenger takes the refund (the daemon acts)
    travel-agent customers answer PNR        the booking's offer: its numbered options and
                                             the passenger's answers, as the desk shows them
    travel-agent customers answer PNR 2 --as NAME   (or REFUND) answer it for the passenger

A Typer sub-app registered by `app.cli`; like it, an entry point that nothing imports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from airline.models import Customer, Preferences
from app.cli_common import Typer, say, settings_or_exit
from app.settings import Settings
from travel_agent.errors import ConfigError, NotFoundError, TravelAgentError

if TYPE_CHECKING:
    from memory.base import MemoryRecord
    from travel_agent.db import Database

T = TypeVar("T")

customers = Typer(
    help="Customer memory: what we remember about a customer, and forgetting it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        return asyncio.run(main())
    except TravelAgentError as exc:
        say(f"error: {exc}")
        raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from None


@customers.command()
def show(
    customer_id: Annotated[str, typer.Argument(help="e.g. C000123")],
    history: Annotated[int, typer.Option(help="how many recent memories to list")] = 10,
) -> None:
    """The customer's profile, the preferences memory holds (with their sources), recent history."""
    from memory import open_chroma_memory

    settings = settings_or_exit()

    seeded = settings.db.url is not None or Path(settings.db_url.split("///", 1)[1]).exists()

    async def main() -> tuple[Customer | None, Preferences, list[MemoryRecord], int]:
        customer = await _airline_customer(settings, customer_id) if seeded else None
        async with open_chroma_memory(settings.memory, data_dir=settings.data_dir) as memory:
            profile = await memory.profile(customer_id, history=history)
            total = len(await memory.history(customer_id))
        return customer, profile.preferences, profile.history, total

    customer, prefs, recent, total = _run(main)
    if customer is None and total == 0:
        say(f"no customer {customer_id}: neither the airline database nor memory knows them")
        raise typer.Exit(1)
    typer.echo(_profile_text(customer_id, customer))
    typer.echo("")
    typer.echo(_preferences_text(prefs))
    typer.echo("")
    typer.echo(f"history ({len(recent)} most recent of {total}, newest first):")
    for record in recent:
        typer.echo(f"  {record.at:%Y-%m-%d %H:%M}  {record.kind.value:<10}  {record.text}")
    if not recent:
        typer.echo("  (nothing remembered)")


@customers.command()
def forget(
    customer_id: Annotated[str, typer.Argument(help="e.g. C000123")],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="do not ask for confirmation", metavar="")
    ] = False,
) -> None:
    """Erase everything memory holds about the customer (checked by searching afterwards)."""
    from memory import open_chroma_memory

    settings = settings_or_exit()

    async def count() -> int:
        async with open_chroma_memory(settings.memory, data_dir=settings.data_dir) as memory:
            return len(await memory.history(customer_id))

    async def erase() -> int:
        async with open_chroma_memory(settings.memory, data_dir=settings.data_dir) as memory:
            gone = await memory.forget(customer_id)
            if await memory.recall(customer_id, "anything about this customer", k=1):
                raise TravelAgentError(f"memories of {customer_id} are still found after forget")
            return gone

    if not yes:
        held = _run(count)
        if held == 0:
            typer.echo(f"memory holds nothing about {customer_id}")
            return
        typer.confirm(
            f"Erase all {held} memories of {customer_id}? This cannot be undone.", abort=True
        )
    gone = _run(erase)
    typer.echo(f"forgot {customer_id}: {gone} memories erased")


@customers.command()
def prune(
    days: Annotated[
        int | None, typer.Option(help="erase memories older than this (default: retention)")
    ] = None,
) -> None:
    """Retention: erase memories older than TRAVEL_AGENT_MEMORY__RETENTION_DAYS (or --days)."""
    from datetime import timedelta

    from memory import open_chroma_memory

    settings = settings_or_exit()
    now = datetime.now(UTC)
    cutoff = now - timedelta(days=days) if days is not None else None
    limit = cutoff or settings.memory.retention_cutoff(now)
    if limit is None:
        typer.echo("retention is off (TRAVEL_AGENT_MEMORY__RETENTION_DAYS unset): nothing pruned")
        return

    async def main() -> int:
        async with open_chroma_memory(settings.memory, data_dir=settings.data_dir) as memory:
            return await memory.prune(limit)

    typer.echo(f"pruned {_run(main)} memories recorded before {limit:%Y-%m-%d %H:%M} UTC")


@customers.command()
def refund(
    pnr: Annotated[str, typer.Argument(help="the booking, e.g. K7Q2ZX")],
    flight: Annotated[str, typer.Option(help="the disrupted flight, e.g. XA101/2026-03-01")],
    operator: Annotated[str, typer.Option("--as", help="who heard the passenger")],
) -> None:
    """Record that the passenger declines the re-routing and takes the refund; the daemon
    carries it out within a second (or at its next start), once, if a rule gives it."""
    from agent.choices import ChoiceDesk
    from airline.reservations import load_booking
    from airline.stream_time import stream_clock
    from app.migrate import open_database

    settings = settings_or_exit()

    async def main() -> bool:
        async with open_database(settings.db_url) as db:
            async with db.session() as session:
                booking = await load_booking(session, pnr)
            if flight not in {s.flight_key for s in booking.segments}:
                raise NotFoundError(
                    f"booking {pnr} has no flight {flight}; its flights are "
                    + ", ".join(sorted({s.flight_key for s in booking.segments}))
                )
            clock = await stream_clock(db, system=settings.clock == "system")
            return await ChoiceDesk(db, clock).record_refund(
                pnr, flight, chosen_by=operator, source="cli"
            )

    if _run(main):
        say(f"recorded: {pnr} takes the refund for {flight}; the daemon carries it out")
    else:
        say(f"{pnr} chose the refund for {flight} before; nothing recorded again")


@customers.command()
def answer(
    pnr: Annotated[str, typer.Argument(help="the booking, e.g. K7Q2ZX")],
    chosen: Annotated[
        str | None,
        typer.Argument(metavar="[OPTION|refund]", help="the passenger's answer; none: show"),
    ] = None,
    operator: Annotated[
        str | None, typer.Option("--as", help="who heard the passenger (to answer)")
    ] = None,
) -> None:
    """The booking's newest offer, numbered as the passenger's message and the desk number
    it, with what the passenger answered; with an answer, record it for them (the daemon
    carries it out as their own reply, once)."""
    from sqlalchemy import select

    from agent.choices import ChoiceDesk, OfferAnswer
    from agent.tables import OfferRow, OfferStatus, ReplyRow
    from airline.stream_time import stream_clock
    from app.migrate import open_database

    settings = settings_or_exit()
    if chosen is not None and operator is None:
        say("error: say who heard the passenger: --as NAME")
        raise typer.Exit(2)

    async def main() -> list[str]:
        async with open_database(settings.db_url) as db:
            async with db.session() as session:
                offer = await session.scalar(
                    select(OfferRow)
                    .where(OfferRow.pnr == pnr)
                    .order_by(OfferRow.created_at.desc())
                    .limit(1)
                )
                replies = (
                    await session.scalars(
                        select(ReplyRow).where(ReplyRow.pnr == pnr).order_by(ReplyRow.received_at)
                    )
                ).all()
            if offer is None:
                raise NotFoundError(f"booking {pnr} has no offer")
            lines = [
                f"offer {offer.id} ({offer.status}, answer by {offer.deadline:%Y-%m-%d %H:%M}Z)"
            ]
            lines += [
                f"  {number}: {' + '.join(option['flights'])}{' (booked)' if number == 1 else ''}"
                for number, option in enumerate(offer.options, start=1)
            ]
            lines += [
                f"  answered {r.received_at:%H:%M}Z by {r.channel}: "
                f"{r.text or r.choice!r} -> {r.result}"
                for r in replies
            ]
            if chosen is None:
                return lines
            value: OfferAnswer
            if chosen.lower() == "refund":
                value = "refund"
            elif chosen.isdigit() and 1 <= int(chosen) <= len(offer.options):
                value = int(chosen)
            else:
                raise NotFoundError(f"offer {offer.id} has no option {chosen}")
            if offer.status != OfferStatus.OPEN:
                raise NotFoundError(f"offer {offer.id} is {offer.status}: nothing to answer")
            clock = await stream_clock(db, system=settings.clock == "system")
            assert operator is not None
            recorded = await ChoiceDesk(db, clock).record_offer_answer(
                offer.id, pnr, value, chosen_by=operator
            )
            if recorded:
                return [*lines, f"recorded: {value} for {pnr}; the daemon carries it out"]
            return [*lines, f"not recorded: an answer to {offer.id} waits to be carried out"]

    for line in _run(main):
        typer.echo(line)


async def seed_history(settings: Settings, db: Database, *, seed: int) -> int:
    """Seed the memory of a share of `db`'s customers (for `travel-agent seed`)."""
    from memory import open_chroma_memory
    from memory.seed import seed_memory

    async with open_chroma_memory(settings.memory, data_dir=settings.data_dir) as memory:
        return await seed_memory(memory, db, seed=seed)


async def _airline_customer(settings: Settings, customer_id: str) -> Customer | None:
    """The customer in the airline database, or None when it does not know them."""
    from airline.reservations import load_customer
    from app.migrate import open_database

    async with open_database(settings.db_url) as db, db.session() as session:
        try:
            return await load_customer(session, customer_id)
        except NotFoundError:
            return None


def _profile_text(customer_id: str, customer: Customer | None) -> str:
    if customer is None:
        return f"customer {customer_id} (not in the airline database)"
    reach = ", ".join(
        f"{c.kind.value} {c.address}" + ("" if c.consent else " (no consent)")
        for c in customer.channels
    )
    return (
        f"customer {customer.id}: {customer.name}\n"
        f"  language {customer.language}, tier {customer.tier.value}\n"
        f"  channels: {reach or 'none'}"
    )


def _preferences_text(prefs: Preferences) -> str:
    values: dict[str, str] = {}
    if prefs.channel is not None:
        values["channel"] = prefs.channel.value
    if prefs.refused_channels:
        values["refused_channels"] = ", ".join(c.value for c in prefs.refused_channels)
    if prefs.language is not None:
        values["language"] = prefs.language
    if prefs.seat is not None:
        values["seat"] = prefs.seat.value
    if "avoid_overnight" in prefs.sources:
        values["avoid_overnight"] = "yes" if prefs.avoid_overnight else "no"
    if prefs.accessibility:
        values["accessibility"] = ", ".join(prefs.accessibility)
    if not values:
        return "preferences: none stated"
    lines = ["preferences (from memory; source in quotes, then who wrote it):"]
    for field, value in values.items():
        lines.append(
            f"  {field + ':':<16} {value:<24} \u2190 \u201c{prefs.sources.get(field, '')}\u201d"
            + (f" ({prefs.authors[field]})" if field in prefs.authors else "")
        )
    return "\n".join(lines)
