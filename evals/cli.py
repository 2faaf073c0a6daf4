"""The plain-text table `travel-agent eval` prints (the command lives in `app.eval_cli`)."""

from __future__ import annotations

from typing import Any

__all__ = ["SCRIPTED", "table"]

SCRIPTED = "scripted"
"""The model name of the scripted stand-in (`evals.model_server`): no model answers, it
computes the rules' plan, and it costs nothing."""


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
        f"unneeded {s['unneeded_actions']} · notify p50 {_seconds(notify['p50'])} "
        f"p95 {_seconds(notify['p95'])} · "
        f"approvals {s['approvals']['requested']}/{s['approvals']['needed']} · "
        f"tokens {s['model']['total_tokens']} · {_seconds(s['wall_seconds'])}"
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


def _seconds(value: object) -> str:
    """ "2580 s", "1.5 s", "–": sums of floats print as 2579.999999999998 otherwise."""
    if not isinstance(value, int | float):
        return "–"
    return f"{value:.0f} s" if abs(value) >= 100 else f"{value:.1f} s"
