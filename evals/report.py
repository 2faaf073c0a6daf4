"""A self-contained HTML report of an evaluation: inline CSS and SVG charts, no CDN.

Drawn from the evaluation JSON (`evals.suite.evaluate`), so a saved JSON file can be
rendered again later: ``render_html(json.loads(path.read_text()))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

GREEN, RED, GREY, BLUE, AMBER = "#2e7d32", "#c62828", "#9e9e9e", "#1565c0", "#ef6c00"

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#212121}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.meta{color:#616161;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #e0e0e0;border-radius:6px;padding:10px 14px;min-width:130px}
.card b{display:block;font-size:20px} .card span{color:#616161;font-size:12px}
.bad b{color:#c62828} .good b{color:#2e7d32}
.charts{display:flex;flex-wrap:wrap;gap:24px}
figure{margin:0} figcaption{font-weight:600;margin-bottom:4px}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #eee;padding:4px 6px;
text-align:left;vertical-align:top} th{background:#fafafa}
.pass{color:#2e7d32;font-weight:600} .fail{color:#c62828;font-weight:600}
details summary{cursor:pointer} code{font-size:12px;background:#f5f5f5;padding:1px 3px}
.small{font-size:12px;color:#616161}
"""


def _fmt(value: object, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _card(label: str, value: str, tone: str = "") -> str:
    return f'<div class="card {tone}"><b>{escape(value)}</b><span>{escape(label)}</span></div>'


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    colors: Sequence[str] | None = None,
    width: int = 560,
    unit: str = "",
    max_value: float | None = None,
    digits: int = 2,
) -> str:
    """Horizontal bars, one per label, as inline SVG."""
    row, left, right = 18, 300, 60
    height = row * len(labels) + 10
    top = max_value if max_value is not None else max([*values, 1e-9])
    span = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" font-size="11" font-family="system-ui,sans-serif">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row
        w = 0 if top <= 0 else max(0.0, value) / top * span
        color = colors[i] if colors else BLUE
        parts.append(
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(label[:48])}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 5}" fill="{color}">'
            f"<title>{escape(label)}: {_fmt(value, digits)}{unit}</title></rect>"
            f'<text x="{left + w + 4:.1f}" y="{y + 12}">{_fmt(value, digits)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(values: Sequence[float], *, bins: Sequence[float], width: int = 420) -> str:
    """Counts of `values` in the bins [b0, b1), [b1, b2), …, [bn, ∞) as vertical bars."""
    counts = [0] * len(bins)
    for v in values:
        index = max(i for i, b in enumerate(bins) if v >= b) if v >= bins[0] else 0
        counts[index] += 1
    height, bottom = 180, 34
    top = max([*counts, 1])
    slot = (width - 20) / len(bins)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" font-size="10" font-family="system-ui,sans-serif">'
    ]
    for i, (b, n) in enumerate(zip(bins, counts, strict=True)):
        h = n / top * (height - bottom - 16)
        x = 10 + i * slot
        y = height - bottom - h
        label = _duration_label(b) + ("+" if i == len(bins) - 1 else "")
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{slot - 4:.1f}" height="{h:.1f}" '
            f'fill="{BLUE}"><title>{label}: {n}</title></rect>'
            f'<text x="{x + slot / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{n}</text>'
            f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 14}" '
            f'text-anchor="middle">{label}</text>'
        )
    parts.append(
        f'<text x="{width / 2}" y="{height - 4}" text-anchor="middle">time from case to '
        "delivery (simulated)</text></svg>"
    )
    return "".join(parts)


def _duration_label(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:g}s"
    if seconds < 3600:
        return f"{seconds / 60:g}m"
    return f"{seconds / 3600:g}h"


def render_html(evaluation: dict[str, Any]) -> str:
    """The report for one evaluation (the JSON `evals.suite.evaluate` returns)."""
    s = evaluation["summary"]
    scenarios = evaluation["scenarios"]
    notify = s["time_to_notify_s"]
    approvals = s["approvals"]
    cards = [
        _card(
            "pass rate", f"{s['pass_rate'] * 100:.1f} %", "good" if s["pass_rate"] == 1 else "bad"
        ),
        _card(f"pass^{s['repeat']}", f"{s['pass_hat_k'] * 100:.1f} %"),
        _card("scenarios / runs", f"{s['scenarios']} / {s['runs']}"),
        _card(
            "policy violations",
            str(s["policy_violations"]),
            "good" if s["policy_violations"] == 0 else "bad",
        ),
        _card(
            "deadline breaches",
            f"{s.get('deadline_breaches', 0)} (met {s.get('deadlines_met', 0)})",
            "good" if not s.get("deadline_breaches") else "bad",
        ),
        _card("duplicate actions", str(s["duplicate_actions"])),
        _card("unneeded actions", str(s["unneeded_actions"])),
        _card(
            "time to notify p50",
            _duration_label(notify["p50"]) if notify["p50"] is not None else "–",
        ),
        _card(
            "time to notify p95",
            _duration_label(notify["p95"]) if notify["p95"] is not None else "–",
        ),
        _card("approvals requested / needed", f"{approvals['requested']} / {approvals['needed']}"),
        *_model_cards(evaluation),
        _card("run time", f"{s['wall_seconds']:.1f} s"),
    ]
    names = [x["scenario"] for x in scenarios]
    share = []
    colors = []
    for x in scenarios:
        expectations = [e for run in x["runs"] for e in run["expectations"]]
        share.append(
            sum(e["passed"] for e in expectations) / len(expectations) if expectations else 0.0
        )
        colors.append(GREEN if x["passed"] else RED)
    seconds = [sum(run["seconds"] for run in x["runs"]) / len(x["runs"]) for x in scenarios]
    waste_labels = [
        "policy violations",
        "duplicate actions",
        "unneeded actions",
        "approvals requested",
        "approvals needed",
        "asked, not needed",
        "needed, not asked",
    ]
    waste = [
        s["policy_violations"],
        s["duplicate_actions"],
        s["unneeded_actions"],
        approvals["requested"],
        approvals["needed"],
        approvals["requested_not_needed"],
        approvals["needed_not_requested"],
    ]
    waste_colors = [RED, AMBER, AMBER, BLUE, GREY, AMBER, RED]
    notify_values = [
        t for x in scenarios for run in x["runs"] for t in run["metrics"]["time_to_notify_s"]
    ]
    charts = [
        _figure(
            "Expectations passed, per scenario",
            bar_chart(
                names, [v * 100 for v in share], colors=colors, unit="%", max_value=100, digits=0
            ),
        ),
        _figure(
            "Actions and approvals", bar_chart(waste_labels, waste, colors=waste_colors, digits=0)
        ),
        _figure(
            "Time to notify",
            histogram(notify_values, bins=[0, 60, 300, 900, 1800, 3600, 4 * 3600]),
        ),
        _figure(
            "Run time per scenario",
            bar_chart(names, seconds, unit=" s", colors=[GREY] * len(names)),
        ),
    ]
    rows = "".join(_scenario_row(x) for x in scenarios)
    title = f"travel-agent evals — {evaluation.get('reasoner')}"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<div class="meta">{escape(str(evaluation.get("created_at")))} · reasoner '
        f"<code>{escape(str(evaluation.get('reasoner')))}</code>"
        + (
            f" · model <code>{escape(str(evaluation['model']))}</code> "
            f"({escape(_SOURCES.get(str(evaluation.get('model_source')), 'configured'))})"
            if evaluation.get("model")
            else ""
        )
        + f" · schema <code>{escape(evaluation.get('schema', ''))}</code></div>"
        f'<div class="cards">{"".join(cards)}</div>'
        f'<h2>Charts</h2><div class="charts">{"".join(charts)}</div>'
        "<h2>Scenarios</h2><table><tr><th>scenario</th><th>result</th><th>expectations</th>"
        f"<th>violations</th><th>effects</th><th>time</th></tr>{rows}</table>"
        "</body></html>"
    )


_SOURCES = {
    "scripted": "scripted stand-in: computes the rules' plan, no model answers, no cost",
    "served": "as the endpoint names it",
    "configured": "the configured name; the endpoint lists no models",
}


def _model_cards(evaluation: dict[str, Any]) -> list[str]:
    """Tokens, cost, decision latency and what the guard did with the model's plans."""
    s = evaluation["summary"]
    model, guard = s["model"], s.get("guard")
    scripted = evaluation.get("model_source") == "scripted"
    cards = [
        _card("model tokens", str(model["total_tokens"])),
        _card("model cost", "none (scripted)" if scripted else f"{model['cost']:.4f}"),
    ]
    latency = model.get("latency_s") or {}
    if model.get("decisions"):
        cards.append(
            _card(
                f"decision latency p50 / p95 ({model['decisions']} decisions)",
                f"{_fmt(latency.get('p50'))} / {_fmt(latency.get('p95'))} s",
            )
        )
        cards.append(_card("model fallbacks to rules", str(model.get("fallbacks", 0))))
    if guard and guard.get("plans"):
        cards.append(
            _card(
                f"plans the guard repaired / refused (of {guard['plans']})",
                f"{guard['repaired']} / {guard['refused']}",
            )
        )
    return cards


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>"


def _scenario_row(x: dict[str, Any]) -> str:
    runs = x["runs"]
    verdict = '<span class="pass">pass</span>' if x["passed"] else '<span class="fail">fail</span>'
    if len(runs) > 1:
        verdict += f' <span class="small">{sum(r["passed"] for r in runs)}/{len(runs)} runs</span>'
    run = next((r for r in runs if not r["passed"]), runs[0])
    items = "".join(
        f'<li><span class="{"pass" if e["passed"] else "fail"}">'
        f"{'✓' if e['passed'] else '✗'}</span> <code>{escape(e['kind'])}</code> "
        f"{escape(e['reason'])}</li>"
        for e in run["expectations"]
    )
    extra = ""
    if run["error"]:
        extra += f'<p class="fail">error: {escape(run["error"])}</p>'
    for note in run.get("notes", []):
        extra += f'<p class="small">note: {escape(note)}</p>'
    for decision in run.get("decisions", []):
        extra += f'<p class="small">operator: {escape(decision)}</p>'
    for asked in run.get("approvals", []):
        why = "; ".join(asked["why"])
        extra += (
            f'<p class="small">approval for {escape(asked["booking"])}: '
            f"{escape(asked['status'])} ({escape(why)})</p>"
        )
    m = run["metrics"]
    problems = m["violations"] + m.get("breaches", []) + m["duplicates"] + m["unneeded"]
    if problems:
        extra += "<ul>" + "".join(f"<li class=fail>{escape(p)}</li>" for p in problems) + "</ul>"
    passed = sum(e["passed"] for e in run["expectations"])
    effects = ", ".join(f"{k} {v}" for k, v in sorted(m["effects"].items())) or "none"
    return (
        f"<tr><td><details><summary><b>{escape(x['scenario'])}</b></summary>"
        f'<p class="small">{escape(x.get("description", ""))}</p><ul>{items}</ul>{extra}'
        f"</details></td><td>{verdict}</td><td>{passed}/{len(run['expectations'])}</td>"
        f"<td>{m['policy_violations']}</td><td>{escape(effects)}</td>"
        f"<td>{run['seconds']:.2f} s</td></tr>"
    )
