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
            overrides["llm"] = LlmSettings(
                base_url=url,
                model="policy-model",
                # gpt-4o-mini list prices, so the cost figures are exercised
                input_price_per_1k=0.00015,
                output_price_per_1k=0.0006,
            )
        try:
            settings = Settings(**overrides)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        runner = ScenarioRunner(settings, memory_factory=default_memory_factory())
        say(f"running {len(scenarios)} scenario(s) x {repeat} with the {reasoner} reasoner")

        def progress(scenario: Scenario, record: dict[str, Any]) -> None:
            mark = "pass" if record["passed"] else "FAIL"
            say(f"  {mark} {scenario.name} (run {record['run']}, {record['seconds']:.2f} s)")

        evaluation = asyncio.run(evaluate(scenarios, runner, repeat=repeat, on_run=progress))
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
            for problem in run["metrics"]["breaches"]:
                lines.append(f"  ✗ {x['scenario']} #{run['run']} deadline: {problem}")
            if run["error"]:
                lines.append(f"  ✗ {x['scenario']} #{run['run']} error: {run['error']}")
    s = evaluation["summary"]
    notify = s["time_to_notify_s"]
    lines.append(
        f"pass rate {s['pass_rate']:.1%} · pass^{s['repeat']} {s['pass_hat_k']:.1%} · "
        f"violations {s['policy_violations']} · "
        f"deadline breaches {s['deadline_breaches']} (met {s['deadlines_met']}) · "
        f"duplicates {s['duplicate_actions']} · "
        f"unneeded {s['unneeded_actions']} · notify p50 {notify['p50']} s p95 {notify['p95']} s · "
        f"approvals {s['approvals']['requested']}/{s['approvals']['needed']} · "
        f"tokens {s['model']['total_tokens']} · {s['wall_seconds']} s"
    )
    return "\n".join(lines)
