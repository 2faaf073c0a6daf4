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
    out = tmp_path / "llm.json"
    files = [str(SCENARIOS / f"{name}.yaml") for name in CHOSEN]
    result = CliRunner().invoke(
        app, ["eval", *files, "--reasoner", "llm", "--local-model", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["reasoner"] == "llm" and data["model"] == "policy-model"
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
    assert model["input_tokens"] > 0 and model["output_tokens"] > 0 and model["cost"] > 0


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
