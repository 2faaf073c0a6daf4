"""``travel-agent eval``: run scenarios, print a table, write JSON and HTML, gate on a rate.

Registered on the command line by `app.cli`; everything it does lives here.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from agent.settings import LlmSettings, Settings
from evals.report import render_html
from evals.runner import MemoryFactory, ScenarioRunner
from evals.scenario import Scenario, load_scenarios
from evals.suite import evaluate
from memory.base import CustomerMemory
from travel_agent.errors import ConfigError

log = logging.getLogger(__name__)

SCRIPTED = "scripted"
"""The model name of the scripted stand-in (`evals.model_server`): no model answers, it
computes the rules' plan, and it costs nothing."""


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
            settings = Settings(**overrides)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        runner = ScenarioRunner(settings, memory_factory=default_memory_factory())
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


def table(evaluation: dict[str, Any]) -> str:
    """A plain-text table of the scenarios and the headline figures."""
    rows = [("scenario", "result", "expect", "viol", "dup", "unneeded", "time")]
    for x in evaluation["scenarios"]:
        runs = x["runs"]
        passed = sum(r["passed"] for r in runs)
        worst = next((r for r in runs if not r["passed"]), runs[0])
        expect = sum(e["passed"] for e in worst["expectations"])
        m = worst["metrics"]
        rows.append(
            (
                x["scenario"],
                "pass" if x["passed"] else f"FAIL {passed}/{len(runs)}",
                f"{expect}/{len(worst['expectations'])}",
                str(m["policy_violations"]),
                str(m["duplicate_actions"]),
                str(m["unneeded_actions"]),
                f"{sum(r['seconds'] for r in runs) / len(runs):.2f}s",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for x in evaluation["scenarios"]:
        for run in x["runs"]:
            if run["passed"]:
                continue
            for e in run["expectations"]:
                if not e["passed"]:
                    lines.append(f"  ✗ {x['scenario']} #{run['run']} {e['kind']}: {e['reason']}")
            for problem in run["metrics"]["violations"]:
                lines.append(f"  ✗ {x['scenario']} #{run['run']} violation: {problem}")
            if run["error"]:
                lines.append(f"  ✗ {x['scenario']} #{run['run']} error: {run['error']}")
    s = evaluation["summary"]
    notify = s["time_to_notify_s"]
    lines.append(
        f"pass rate {s['pass_rate']:.1%} · pass^{s['repeat']} {s['pass_hat_k']:.1%} · "
        f"violations {s['policy_violations']} · duplicates {s['duplicate_actions']} · "
        f"unneeded {s['unneeded_actions']} · notify p50 {notify['p50']} s p95 {notify['p95']} s · "
        f"approvals {s['approvals']['requested']}/{s['approvals']['needed']} · "
        f"tokens {s['model']['total_tokens']} · {s['wall_seconds']} s"
    )
    if evaluation.get("model"):
        lines.append(model_line(evaluation))
    return "\n".join(lines)


def model_line(evaluation: dict[str, Any]) -> str:
    """Which model answered, its decisions' latency and tokens, and what the guard did."""
    s = evaluation["summary"]
    model, guard = s["model"], s.get("guard", {})
    latency = model.get("latency_s", {})
    source = evaluation.get("model_source") or "configured"
    cost = "no cost" if source == SCRIPTED else f"cost {model['cost']:.4f}"
    return (
        f"model {evaluation['model']} ({source}) · {model.get('decisions', 0)} decisions, "
        f"p50 {latency.get('p50')} s p95 {latency.get('p95')} s · "
        f"tokens {model['input_tokens']} in + {model['output_tokens']} out · {cost} · "
        f"fallbacks {model.get('fallbacks', 0)} · guard repaired {guard.get('repaired', 0)} "
        f"and refused {guard.get('refused', 0)} of {guard.get('plans', 0)} plans"
    )
