"""The same scenarios with `--reasoner llm`, against the local policy-following model."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from evals.model_server import policy_plan

SCENARIOS = Path(__file__).resolve().parents[2] / "evals" / "scenarios"
CHOSEN = [
    "no-seats-second-carrier",
    "missed-connection-inbound-delay",
    "delay-45m-notify-only",
    "prompt-injection-in-name",
]


def test_the_llm_reasoner_runs_the_scenarios_over_http(tmp_path: Path) -> None:
    out, html = tmp_path / "llm.json", tmp_path / "llm.html"
    files = [str(SCENARIOS / f"{name}.yaml") for name in CHOSEN]
    result = CliRunner().invoke(
        app,
        ["eval", *files, "--reasoner", "llm", "--local-model", "--json", str(out),
         "--report", str(html)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    # The stand-in is labelled for what it is, in the JSON, the table and the report.
    assert data["reasoner"] == "llm"
    assert (data["model"], data["model_source"]) == ("scripted", "scripted")
    assert "model scripted (scripted)" in result.output and "no cost" in result.output
    report = html.read_text()
    assert "<code>scripted</code> (scripted stand-in" in report and "none (scripted)" in report
    runs = {s["scenario"]: s["runs"][0] for s in data["scenarios"]}
    for name in CHOSEN:
        metrics = runs[name]["metrics"]
        assert metrics["policy_violations"] == 0
        assert metrics["model_fallbacks"] == 0, name  # the model planned, not the rules
        assert metrics["model"]["calls"] >= 1
    # The rebookings the model proposed passed the guard and ran.
    for name in ("no-seats-second-carrier",):
        rebooked = [x for x in runs[name]["expectations"] if x["kind"] == "rebooked"]
        assert all(x["passed"] for x in rebooked), rebooked
    model = data["summary"]["model"]
    # Tokens are counted; a scripted answer is priced at nothing.
    assert model["input_tokens"] > 0 and model["output_tokens"] > 0 and model["cost"] == 0
    # Every case's plan is one decision, timed, and went through the guard.
    guard = data["summary"]["guard"]
    assert model["decisions"] == guard["plans"] == sum(r["metrics"]["cases"] for r in runs.values())
    assert model["latency_s"]["p50"] is not None and model["latency_s"]["p95"] is not None


def test_the_policy_model_plans_from_the_case_data() -> None:
    case = {
        "reason": "cancelled",
        "replace_seqs": [1],
        "cabin": "economy",
        "alternatives": [
            {"flights": ["XA110/2026-03-01"], "arr": "2026-03-01T20:15:00+00:00", "seats": 3},
            {"flights": ["XA108/2026-03-01"], "arr": "2026-03-01T17:15:00+00:00", "seats": 1},
            {"flights": ["XA104/2026-03-01"], "arr": "2026-03-01T11:15:00+00:00", "seats": 0},
        ],
    }
    plan = policy_plan(case)
    assert plan["actions"][0]["flights"] == ["XA108/2026-03-01"]
    assert plan["actions"][1] == {"kind": "notify", "message": "cancelled_rebooked"}
    assert policy_plan({**case, "alternatives": []})["actions"] == [
        {"kind": "notify", "message": "cancelled_no_alternative"}
    ]
    assert policy_plan({"reason": "delayed"})["actions"] == [{"kind": "notify", "message": "delay"}]
