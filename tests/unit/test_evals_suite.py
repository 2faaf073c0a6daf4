"""The CI gate: every scenario in evals/scenarios passes with the rules reasoner, 0 violations."""

from __future__ import annotations

from pathlib import Path

from app.eval_cli import EvalHarness, default_memory_factory
from app.settings import Settings
from evals.runner import ScenarioRunner
from evals.scenario import load_scenarios
from evals.suite import evaluate

SCENARIOS = Path(__file__).resolve().parents[2] / "evals" / "scenarios"


async def test_every_scenario_passes_with_the_rules_reasoner(tmp_path: Path) -> None:
    scenarios = load_scenarios([SCENARIOS])
    assert len(scenarios) >= 30
    runner = ScenarioRunner(
        EvalHarness(Settings(data_dir=tmp_path)),
        memory_factory=default_memory_factory(),
        workdir=tmp_path,
    )
    evaluation = await evaluate(scenarios, runner)
    failures = [
        f"{s['scenario']}: "
        + (run["error"] or "")
        + "; ".join(
            [f"{x['kind']}: {x['reason']}" for x in run["expectations"] if not x["passed"]]
            + [f"violation: {v}" for v in run["metrics"]["violations"]]
        )
        for s in evaluation["scenarios"]
        for run in s["runs"]
        if not run["passed"]
    ]
    assert evaluation["summary"]["policy_violations"] == 0
    assert not failures, "\n".join(failures)
