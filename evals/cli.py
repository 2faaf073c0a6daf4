"""The plain-text table `travel-agent eval` prints (the command lives in `app.eval_cli`)."""

from __future__ import annotations

from typing import Any

__all__ = ["table"]


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
    return "\n".join(lines)
