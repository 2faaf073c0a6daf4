"""``travel-agent eval``: run scenarios, print a table, write JSON and HTML, gate on a rate.

The evals do not import the application: this module hands them an `EvalHarness` that
opens each scenario's database (migrated) and runtime through `open_runtime()`, the
composition root every other entry point uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import json
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agent.settings import LlmSettings
from airline.clock import SimulatedClock
from app.migrate import open_database
from app.runtime import Runtime, open_runtime
from app.settings import DbSettings, Settings, load_settings
from evals.cli import SCRIPTED, table
from evals.harness import MemoryFactory
from evals.report import render_html
from evals.runner import ScenarioRunner
from evals.scenario import Scenario, load_scenarios
from evals.suite import evaluate
from memory.base import CustomerMemory
from streams.embedded import EmbeddedBroker
from travel_agent.db import Database
from travel_agent.errors import ConfigError, TravelAgentError

__all__ = [
    "EvalHarness",
    "default_memory_factory",
    "eval_harness",
    "model_label",
    "run_eval",
    "run_evaluation",
    "run_generated_evaluation",
    "scenario_settings",
]

log = logging.getLogger(__name__)


# --- a scenario's settings ----------------------------------------------------------------


def _check_keys(model: type[BaseModel], overrides: Mapping[str, Any], where: str) -> None:
    for key, value in overrides.items():
        info = model.model_fields.get(key)
        if info is None:
            raise ConfigError(
                f"settings override {where}{key}: no such setting; "
                f"known: {', '.join(sorted(model.model_fields))}"
            )
        annotation = info.annotation
        if (
            isinstance(value, dict)
            and inspect.isclass(annotation)
            and issubclass(annotation, BaseModel)
        ):
            _check_keys(annotation, value, f"{where}{key}.")


def _merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def scenario_settings(base: Settings, overrides: Mapping[str, Any], data_dir: Path) -> Settings:
    """`base` with the scenario's overrides, on its own data directory and database.

    Raises:
        ConfigError: an override names a setting that does not exist.
    """
    _check_keys(Settings, overrides, "")
    data = _merge(base.model_dump(), overrides)
    data.update(data_dir=data_dir, db=DbSettings().model_dump(), source="embedded")
    return Settings(**data)


@dataclass(frozen=True)
class EvalHarness:
    """What the evals' runner needs of the application (`evals.harness.Harness`)."""

    settings: Settings

    @property
    def reasoner(self) -> str:
        return self.settings.reasoner

    @property
    def model(self) -> str | None:
        return self.settings.llm.model if self.settings.reasoner != "rules" else None

    def open_database(self, path: Path) -> AbstractAsyncContextManager[Database]:
        return open_database(f"sqlite+aiosqlite:///{path}")

    @property
    def horizon(self) -> timedelta:
        return timedelta(hours=self.settings.agent.rebook_horizon_hours)

    @property
    def decision_timeout(self) -> float:
        return self.settings.llm.timeout_seconds

    @asynccontextmanager
    async def open_runtime(
        self,
        directory: Path,
        overrides: Mapping[str, Any],
        clock: SimulatedClock,
        memory: CustomerMemory | None,
        *,
        broker: EmbeddedBroker | None = None,
    ) -> AsyncIterator[Runtime]:
        settings = scenario_settings(self.settings, overrides, directory)
        async with open_runtime(settings, clock, memory=memory, broker=broker) as runtime:
            yield runtime

    def with_overrides(self, overrides: Mapping[str, Any]) -> EvalHarness:
        _check_keys(Settings, overrides, "")
        return EvalHarness(Settings(**_merge(self.settings.model_dump(), overrides)))


def eval_harness(reasoner: str = "rules", **overrides: Any) -> EvalHarness:
    """The harness for the generated, crash, storm-day and red-team evaluations: the
    loaded settings (environment, .env) with `reasoner`.

    Raises:
        ConfigError: a setting is malformed.
    """
    try:
        return EvalHarness(load_settings(reasoner=reasoner, **overrides))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


# --- the command ----------------------------------------------------------------------------


def default_memory_factory() -> MemoryFactory | None:
    """The project's customer memory, opened in each scenario's own directory, if this
    build has an implementation (`memory.open_memory`); None otherwise."""
    try:
        package = importlib.import_module("memory")
        config = importlib.import_module("memory.config")
    except ImportError:
        return None
    opener = getattr(package, "open_memory", None)
    settings_type = getattr(config, "MemorySettings", None)
    if opener is None or settings_type is None:
        return None

    def factory(directory: Path) -> AbstractAsyncContextManager[CustomerMemory]:
        opened: AbstractAsyncContextManager[CustomerMemory] = opener(
            settings_type(path=directory), data_dir=directory
        )
        return opened

    return factory


@contextlib.contextmanager
def _model_endpoint(local_model: bool) -> Iterator[str | None]:
    if not local_model:
        yield None
        return
    from evals.model_server import ModelServerThread

    with ModelServerThread() as url:
        yield url


def model_label(settings: Settings, *, scripted: bool) -> tuple[str | None, str | None]:
    """Which model answered, and how we know: ``(model, model_source)``.

    ``scripted``: the stand-in that computes the rules' plan; ``served``: the names the
    endpoint lists (``GET /models``); ``configured``: it lists none, so the configured
    name. ``(None, None)`` for the rules reasoner.
    """
    if settings.reasoner == "rules":
        return None, None
    if scripted:
        return SCRIPTED, "scripted"
    from agent.reasoners.llm import served_models  # loads openai only for a model

    llm = settings.llm
    assert llm.base_url is not None  # Settings refuses a model reasoner without one
    key = llm.api_key.get_secret_value() if llm.api_key else "unused"
    names = asyncio.run(served_models(llm.base_url, key))
    if names:
        return ", ".join(names), "served"
    return llm.model, "configured"


def run_eval(
    paths: list[Path],
    *,
    reasoner: str,
    repeat: int,
    json_path: Path | None,
    report_path: Path | None,
    min_pass: float,
    local_model: bool,
    say: Any,
    echo: Any,
) -> int:
    """The command's body; returns the exit code (1 below `min_pass`, 2 on bad input)."""
    if repeat < 1:
        raise ConfigError("--repeat must be at least 1")
    if min_pass > 1:
        min_pass /= 100  # given as a percentage
    scenarios = load_scenarios(paths)
    if logging.getLogger().level > logging.DEBUG:  # the daemon's INFO lines drown the table
        for name in ("agent", "tools", "airline", "streams", "memory", "evals", "apscheduler"):
            logging.getLogger(name).setLevel(logging.WARNING)
    with _model_endpoint(local_model) as url:
        overrides: dict[str, Any] = {"reasoner": reasoner}
        if url is not None:
            # No prices: nothing is charged for a scripted answer.
            overrides["llm"] = LlmSettings(base_url=url, model=SCRIPTED)
        try:
            settings = load_settings(**overrides)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        runner = ScenarioRunner(EvalHarness(settings), memory_factory=default_memory_factory())
        model, model_source = model_label(settings, scripted=url is not None)
        say(
            f"running {len(scenarios)} scenario(s) x {repeat} with the {reasoner} reasoner"
            + (f" (model: {model}, {model_source})" if model else "")
        )

        def progress(scenario: Scenario, record: dict[str, Any]) -> None:
            mark = "pass" if record["passed"] else "FAIL"
            say(f"  {mark} {scenario.name} (run {record['run']}, {record['seconds']:.2f} s)")

        evaluation = asyncio.run(
            evaluate(
                scenarios,
                runner,
                repeat=repeat,
                on_run=progress,
                model=model,
                model_source=model_source,
            )
        )
    echo(table(evaluation))
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(evaluation, indent=2, default=str), encoding="utf-8")
        say(f"wrote {json_path}")
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(render_html(evaluation), encoding="utf-8")
        say(f"wrote {report_path}")
    rate = evaluation["summary"]["pass_rate"]
    if rate < min_pass:
        say(f"pass rate {rate:.1%} is below --min-pass {min_pass:.1%}")
        return 1
    return 0


def run_evaluation(
    *,
    generate: int,
    seed: int,
    size: str,
    crashes: int,
    storm_day: bool,
    storm_destinations: int,
    storm_passengers: int,
    red_team: int,
    json_path: Path | None,
    say: Any,
    echo: Any,
) -> int | None:
    """The evaluations beyond scenarios (crash-invariance, storm day, red team): the exit
    code of the one asked for, or None when none was."""
    from evals.generate import cli as extra

    try:
        if crashes:
            if not generate:
                say("error: --crashes needs --generate N (the worlds to crash)")
                return 2
            return extra.run_crashes(
                eval_harness(),
                count=generate,
                seed=seed,
                crashes=crashes,
                size=size,
                json_path=json_path,
                say=say,
                echo=echo,
            )
        if storm_day:
            return extra.run_storm_day(
                eval_harness(),
                destinations=storm_destinations,
                passengers=storm_passengers,
                json_path=json_path,
                say=say,
                echo=echo,
            )
        if red_team:
            return extra.run_red_team(
                eval_harness(),
                count=red_team,
                seed=seed,
                json_path=json_path,
                say=say,
                echo=echo,
            )
    except TravelAgentError as exc:
        return _refused(exc, say)
    return None


def run_generated_evaluation(
    reasoner: str,
    *,
    count: int,
    seed: int,
    size: str,
    shrink: str,
    found: Path,
    families: bool = False,
    known: Path,
    json_path: Path | None,
    say: Any,
    echo: Any,
) -> int:
    """`eval --generate N`: generated worlds and storms through the daemon and the oracle."""
    if size not in ("small", "medium", "large") or shrink not in ("one", "all", "none"):
        say("error: --size is small, medium or large; --shrink one, all or none")
        return 2
    from evals.generate.cli import run_generate

    try:
        return run_generate(
            eval_harness(reasoner),
            memory_factory=default_memory_factory(),
            count=count,
            seed=seed,
            size=size,
            families=families,
            shrink=shrink,
            out=found,
            known_path=known,
            json_path=json_path,
            say=say,
            echo=echo,
        )
    except TravelAgentError as exc:
        return _refused(exc, say)


def _refused(exc: TravelAgentError, say: Any) -> int:
    """One line on stderr and the exit status: 2 for a configuration error, else 1."""
    say(f"error: {exc}")
    return 2 if isinstance(exc, ConfigError) else 1
