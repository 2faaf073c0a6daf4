"""What every `travel-agent` command does alike: speak on stderr, load the settings (and
with them the logs' policy on passenger data).

Entry-point code only, like `app.cli` and its sub-apps, which import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType

from app.settings import Settings, load_settings
from travel_agent import redact
from travel_agent.errors import ConfigError


def _as_flag(option: Any) -> Any:
    """`--help` shown as the flag it is: Typer types it `<bool>` in the rich help."""
    if option is not None:
        option.metavar = ""
    return option


class _FlagHelpCommand(TyperCommand):
    def get_help_option(self, ctx: Any) -> Any:
        return _as_flag(super().get_help_option(ctx))


class _FlagHelpGroup(TyperGroup):
    def get_help_option(self, ctx: Any) -> Any:
        return _as_flag(super().get_help_option(ctx))


class Typer(typer.Typer):
    """The CLI's command groups: `typer.Typer` whose commands show `--help` as a flag."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=_FlagHelpGroup, **kwargs)

    def command(
        self, name: str | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", _FlagHelpCommand)
        return super().command(name, **kwargs)


def say(message: str) -> None:
    """Progress and errors on stderr; stdout is for a command's result (JSON, a table)."""
    typer.echo(message, err=True)


def settings_or_exit() -> Settings:
    """The settings from the environment and ./.env, or one clear line and exit status 2."""
    try:
        settings = load_settings()
    except (ConfigError, ValueError) as exc:
        say(f"configuration error: {exc}")
        raise typer.Exit(2) from None
    key = settings.log_pseudonym_key
    redact.configure(
        log_passenger_data=settings.log_passenger_data,
        key=key.get_secret_value() if key else None,
    )
    return settings


def require_database(settings: Settings) -> None:
    """Exit with a clear line when the embedded database does not exist yet.

    Opening a SQLite URL creates an empty file; a command that reads (approvals,
    customers, run) would then report "nothing" instead of "wrong place".
    """
    if settings.db.url is not None:
        return
    path = settings.data_dir / "airline.sqlite"
    if path.is_file():
        return
    demo = settings.data_dir / "demo" / "airline.sqlite"
    hint = (
        f"; the demo's is in {demo.parent}: export TRAVEL_AGENT_DATA_DIR={demo.parent}"
        if demo.is_file()
        else "; run `travel-agent seed` to build one (or set TRAVEL_AGENT_DATA_DIR / "
        "TRAVEL_AGENT_DB__URL to where yours is)"
    )
    say(f"error: no database at {path}{hint}")
    raise typer.Exit(2)
