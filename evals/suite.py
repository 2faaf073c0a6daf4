"""Run a set of scenarios, score them, and shape the results as the documented JSON.

The JSON (schema ``travel-agent-evals/1``, documented in ``evals/README.md``) is what the
CLI writes, the HTML report is drawn from, and other tools read.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from evals.expectations import score
from evals.metrics import run_metrics, summarize
from evals.run_result import RunResult
from evals.runner import ScenarioRunner
from evals.scenario import Scenario

SCHEMA = "travel-agent-evals/1"


def run_record(result: RunResult, attempt: int) -> dict[str, Any]:
    """One run of one scenario: each expectation with its reason, the run's metrics."""
    expectations = []
    for i, expectation in enumerate(result.scenario.expect):
        verdict = score(expectation.kind, expectation.spec, result)
        expectations.append(
            {
                "index": i,
                "kind": expectation.kind,
                "spec": expectation.spec,
                "passed": verdict.passed,
                "reason": verdict.reason,
            }
        )
    metrics = run_metrics(result).as_dict()
    passed = (
        result.error is None
        and all(x["passed"] for x in expectations)
        and metrics["policy_violations"] == 0
        and metrics["deadline_breaches"] == 0
    )
    return {
        "run": attempt,
        "passed": passed,
        "error": result.error,
        "seconds": round(result.seconds, 3),
        "expectations": expectations,
        "metrics": metrics,
        "notes": result.notes,
        "decisions": result.decisions,
        "approvals": [
            {"booking": a.pnr, "status": a.status, "why": a.why} for a in result.approvals
        ],
    }


async def evaluate(
    scenarios: list[Scenario],
    runner: ScenarioRunner,
    *,
    repeat: int = 1,
    on_run: Callable[[Scenario, dict[str, Any]], None] | None = None,
    model: str | None = None,
    model_source: str | None = None,
) -> dict[str, Any]:
    """Run every scenario `repeat` times and return the evaluation as JSON-ready data.

    A run passes when it ran, every expectation passed, it broke no policy and it met
    every legal deadline to inform a passenger. `model` and `model_source` say which
    model answered (see `app.eval_cli.model_label`); by default the configured name, for
    the llm and hybrid reasoners.
    """
    started = time.perf_counter()
    harness = runner.harness
    results = []
    for scenario in scenarios:
        runs = []
        for attempt in range(1, repeat + 1):
            record = run_record(await runner.run(scenario), attempt)
            runs.append(record)
            if on_run is not None:
                on_run(scenario, record)
        results.append(
            {
                "scenario": scenario.name,
                "file": scenario.path,
                "description": scenario.description,
                "tags": scenario.tags,
                "passed": all(run["passed"] for run in runs),
                "runs": runs,
            }
        )
    summary = summarize(results, repeat=repeat)
    summary["wall_seconds"] = round(time.perf_counter() - started, 2)
    return {
        "schema": SCHEMA,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reasoner": harness.reasoner,
        "model": model or harness.model,
        "model_source": model_source or ("configured" if harness.reasoner != "rules" else None),
        "python": platform.python_version(),
        "summary": summary,
        "scenarios": results,
    }
