"""`travel-agent eval`: the table, the JSON schema, the HTML report and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app

SCENARIOS = Path(__file__).resolve().parents[2] / "evals" / "scenarios"
FAILING = """
name: expects-the-impossible
world:
  customers: [{id: C1}]
  bookings: [{pnr: DLY001, customer: C1, segments: [{flight: XA104}]}]
events:
  - {at: 0m, flight: XA104, status: delayed, delay: 20m, reason: technical}
expect:
  - {rebooked: {booking: DLY001}}
"""


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "failing.yaml").write_text(FAILING, encoding="utf-8")
    (folder / "passing.yaml").write_text(
        (SCENARIOS / "short-delay-no-action.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return folder


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["eval", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_below_min_pass_exits_1_and_writes_json_and_html(scenarios: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "out" / "evals.json", tmp_path / "out" / "evals.html"
    code, output = invoke(
        str(scenarios), "--json", str(out), "--report", str(report), "--min-pass", "1"
    )
    assert code == 1
    assert "expects-the-impossible" in output and "FAIL" in output
    assert "DLY001 was not rebooked" in output

    data = json.loads(out.read_text())
    assert data["schema"] == "travel-agent-evals/1"
    assert data["reasoner"] == "rules"
    summary = data["summary"]
    assert (summary["scenarios"], summary["runs"], summary["passed_runs"]) == (2, 2, 1)
    assert summary["pass_rate"] == 0.5 and summary["pass_hat_k"] == 0.5
    assert summary["policy_violations"] == 0
    assert set(summary["time_to_notify_s"]) == {"count", "p50", "p95", "mean"}
    assert set(summary["approvals"]) == {
        "requested",
        "needed",
        "requested_not_needed",
        "needed_not_requested",
    }
    assert set(summary["model"]) >= {"calls", "input_tokens", "output_tokens", "cost"}
    by_name = {s["scenario"]: s for s in data["scenarios"]}
    failing = by_name["expects-the-impossible"]
    assert failing["passed"] is False
    [run] = failing["runs"]
    assert set(run) >= {"run", "passed", "error", "seconds", "expectations", "metrics"}
    [expectation] = run["expectations"]
    assert expectation == {
        "index": 0,
        "kind": "rebooked",
        "spec": {"booking": "DLY001"},
        "passed": False,
        "reason": "DLY001 was not rebooked (no rebook in the ledger)",
    }
    assert set(run["metrics"]) >= {
        "policy_violations",
        "duplicate_actions",
        "unneeded_actions",
        "time_to_notify_s",
        "approvals",
        "model",
    }

    html = report.read_text()
    assert html.startswith("<!doctype html>")
    assert html.count("<svg") >= 4
    assert "expects-the-impossible" in html and "short-delay-no-action" in html
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://', "")


def test_at_or_above_min_pass_exits_0(scenarios: Path) -> None:
    code, _ = invoke(str(scenarios), "--min-pass", "0.5")
    assert code == 0
    code, _ = invoke(str(scenarios / "passing.yaml"), "--min-pass", "100", "--repeat", "2")
    assert code == 0


def test_bad_input_exits_2(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: Bad Name\nexpect: []\n", encoding="utf-8")
    code, output = invoke(str(tmp_path / "bad.yaml"))
    assert code == 2 and "bad.yaml" in output
    code, _ = invoke(str(tmp_path / "missing.yaml"))
    assert code == 2
    code, _ = invoke(str(tmp_path), "--reasoner", "oracle")
    assert code == 2
