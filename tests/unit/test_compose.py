"""docker-compose.yml, checked where no Docker engine runs: against the Compose
Specification's JSON schema, and each travel-agent service's command and environment
against the CLI and the settings the tests run with. (The multi-daemon path itself is
tested on real Kafka and PostgreSQL in tests/integration.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from jsonschema import Draft201909Validator

from app.cli import app
from app.settings import load_settings

ROOT = Path(__file__).parents[2]
SCHEMA = ROOT / "tests" / "fixtures" / "compose" / "compose-spec.json"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
OURS = sorted(name for name, s in COMPOSE["services"].items() if s.get("build") == ".")
# ${NAME:?message} and ${NAME:-default}: what `docker compose` substitutes.
INTERPOLATION = re.compile(r"\$\{([A-Z_]+)(?::[?-]([^}]*))?\}")


def test_the_file_follows_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text())

    errors = sorted(Draft201909Validator(schema).iter_errors(COMPOSE), key=str)

    assert not errors, "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_it_is_the_whole_scaled_out_stack() -> None:
    services = COMPOSE["services"]
    assert {"kafka", "postgres", "chroma", "daemon", "desk"} <= set(services)
    assert services["daemon"]["deploy"]["replicas"] >= 2  # one consumer group, two members
    assert services["daemon"]["command"] == ["run"]
    assert (ROOT / "Dockerfile").is_file()


@pytest.mark.parametrize("service", OURS)
def test_each_command_is_one_the_cli_accepts(service: str) -> None:
    args = list(COMPOSE["services"][service]["command"])
    command: Any = typer.main.get_command(app)
    name, parent = "travel-agent", None
    # Down the groups to the command that runs, parsing its options as the CLI would: an
    # unknown option or a bad value raises click's usage error here.
    while True:
        context = command.make_context(name, args, parent=parent)
        if not hasattr(command, "resolve_command"):
            break
        rest = [*(getattr(context, "_protected_args", None) or []), *context.args]
        name, command, args = command.resolve_command(context, rest)
        assert command is not None, f"{service}: no command {name!r}"
        parent = context
    assert not context.args, f"{service}: arguments the CLI does not take: {context.args}"


@pytest.mark.parametrize("service", OURS)
def test_each_environment_is_settings_the_agent_reads(
    service: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    environment: dict[str, Any] = COMPOSE["services"][service]["environment"]
    ours = {k: _interpolated(str(v)) for k, v in environment.items()}
    for name in ours:
        assert _is_a_setting(name), f"{service}: {name} is not a setting travel-agent reads"
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name, value in ours.items():
        monkeypatch.setenv(name, value)

    settings = load_settings()  # raises ConfigError, naming the variable, when one is wrong

    assert settings.source == "kafka"
    assert settings.db.url is not None and settings.db.url.startswith("postgresql+asyncpg://")
    assert settings.memory.url == "http://chroma:8000"


def _interpolated(value: str) -> str:
    return INTERPOLATION.sub(lambda m: "compose-test-secret" if "?" in m.group(0) else m[2], value)


def _is_a_setting(variable: str) -> bool:
    """Does TRAVEL_AGENT_A__B name a field of Settings (A) and of its section (B)?"""
    from pydantic import BaseModel

    from app.settings import Settings

    if not variable.startswith("TRAVEL_AGENT_"):
        return False
    model: type[BaseModel] = Settings
    parts = variable.removeprefix("TRAVEL_AGENT_").lower().split("__")
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        inner = field.annotation
        if i < len(parts) - 1:
            if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
                return False
            model = inner
    return True
