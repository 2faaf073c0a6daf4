"""Settings errors in the words a user can act on: the variable, its value, what is expected.

pydantic names a bad value by its place in the model (``agent.concurrency``) and a JSON
value that does not parse by its top-level field ("error parsing value for field
"agent""). Neither is what the user typed: they set ``TRAVEL_AGENT_AGENT__CONCURRENCY``
in the environment or in ``.env``. This module turns both into one line naming that
variable, and reports a ``.env`` line that is not ``NAME=value`` instead of skipping it.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from dotenv.parser import parse_stream
from pydantic import ValidationError
from pydantic_settings import SettingsError

from travel_agent.errors import ConfigError

PREFIX = "TRAVEL_AGENT_"
DELIMITER = "__"
ENV_FILE = Path(".env")
_FIELD = re.compile(r'field "([^"]+)"')


def check_env_file(path: Path) -> None:
    """Refuse a .env with a line that is neither NAME=value, a comment nor blank."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error:
                text = binding.original.string.strip()
                raise ConfigError(
                    f"{path} line {binding.original.line}: {text[:60]!r} is not NAME=value"
                )


def env_variables(env_file: Path) -> dict[str, str]:
    """What the settings read, as the user wrote it: .env first, the environment over it."""
    found: dict[str, str] = {}
    if env_file.is_file():
        found.update({k.upper(): v for k, v in dotenv_values(env_file).items() if v is not None})
    found.update({k.upper(): v for k, v in os.environ.items()})
    return {k: v for k, v in found.items() if k.startswith(PREFIX)}


def variable_for(location: tuple[Any, ...], variables: Mapping[str, str]) -> str:
    """The variable that set the value at `location`: the longest one that is set."""
    parts = [str(p).upper() for p in location if isinstance(p, str)]
    for end in range(len(parts), 0, -1):
        name = PREFIX + DELIMITER.join(parts[:end])
        if name in variables:
            return name
    return PREFIX + DELIMITER.join(parts)


def describe(exc: ValidationError, variables: Mapping[str, str]) -> str:
    """One line per error: ``TRAVEL_AGENT_AGENT__CONCURRENCY='abc': expected an integer``."""
    lines = []
    for error in exc.errors():
        name = variable_for(tuple(error["loc"]), variables)
        value = variables.get(name)
        said = f"{name}={value!r}" if value is not None else name
        lines.append(f"{said}: {_expected(error)}")
    return "; ".join(dict.fromkeys(lines))


def describe_unparsable(exc: SettingsError, variables: Mapping[str, str]) -> str:
    """A JSON value that does not parse: which variable, and where it stops making sense."""
    match = _FIELD.search(str(exc))
    field = match.group(1).upper() if match else ""
    for name, value in sorted(variables.items()):
        if not name.startswith(PREFIX + field):
            continue
        if value.lstrip()[:1] not in ("{", "["):
            continue
        try:
            json.loads(value)
        except json.JSONDecodeError as error:
            return f"{name}={value!r}: not valid JSON ({error.msg} at character {error.pos + 1})"
    return f"{PREFIX}{field}: {exc}"


def _expected(error: Any) -> str:
    kind, message = str(error.get("type", "")), str(error.get("msg", ""))
    plain = {
        "int_parsing": "expected a whole number",
        "int_from_float": "expected a whole number",
        "float_parsing": "expected a number",
        "bool_parsing": "expected true or false",
        "missing": "must be set",
    }
    if kind in plain:
        return plain[kind]
    if kind == "literal_error":
        return message.replace("Input should be", "expected")
    return message.removeprefix("Value error, ").replace("Input should be", "expected")


MAX_SPEED = 1_000_000.0
"""Simulated seconds per real second, at most: a day in under a tenth of a second."""


def check_speed(value: float, flag: str = "--speed") -> float:
    """A clock speed: a finite number above 0, at most `MAX_SPEED`; or ConfigError."""
    if not math.isfinite(value) or value <= 0 or value > MAX_SPEED:
        raise ConfigError(
            f"{flag} {value:g} is not a speed: expected simulated seconds per real second, "
            f"above 0 and at most {MAX_SPEED:,.0f}"
        )
    return value


def parse_day(value: str, flag: str) -> date:
    """A ``YYYY-MM-DD`` option value, or ConfigError naming the flag."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{flag} {value!r} is not a day (expected YYYY-MM-DD)") from None
