"""What every `travel-agent` command does alike: speak on stderr, load the settings.

Entry-point code only, like `app.cli` and its sub-apps, which import it.
"""

from __future__ import annotations

import typer

from app.settings import Settings, load_settings
from travel_agent.errors import ConfigError


def say(message: str) -> None:
    """Progress and errors on stderr; stdout is for a command's result (JSON, a table)."""
    typer.echo(message, err=True)


def settings_or_exit() -> Settings:
    """The settings from the environment, or a clear message and exit status 2."""
    try:
        return load_settings()
    except (ConfigError, ValueError) as exc:
        say(f"configuration error: {exc}")
        raise typer.Exit(2) from None
