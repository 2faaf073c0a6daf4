"""The figures of a run and of a whole evaluation.

Policy violations are judged in `evals.policy_checks`, from first principles (not by asking
the agent's guard); here: the waste checks — the same effect twice (same booking, action
and detail), two rebookings in one case, effects a passenger did not need — time to
notify, and the summary of a whole evaluation.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from airline.airports import minimum_connection_time
from airline.models import Booking, FlightStatus
from evals.policy_checks import Timeline, policy_violations
from evals.rights_metrics import (
    deadline_breaches,
    journeys_of,
)
from evals.run_result import RunResult
from tools.tables import OutboxStatus


@dataclass
class RunMetrics:
    violations: list[str] = field(default_factory=list)
    breaches: list[str] = field(default_factory=list)
    deadlines_met: int = 0
    duplicates: list[str] = field(default_factory=list)
    unneeded: list[str] = field(default_factory=list)
    time_to_notify_s: list[float] = field(default_factory=list)
    approvals_requested: int = 0
    approvals_needed: int = 0
    approvals_unneeded: list[str] = field(default_factory=list)
    approvals_missed: list[str] = field(default_factory=list)
    cases: int = 0
    effects: dict[str, int] = field(default_factory=dict)
    guard_refusals: int = 0
    guard_repairs: int = 0
    plans: int = 0
    plans_refused: int = 0
    """Plans the guard refused at least one action of."""
    plans_repaired: int = 0
    """Plans the guard changed or completed (a message kind, a sum, what was owed)."""
    model_fallbacks: int = 0
    model: dict[str, int] = field(default_factory=dict)
    decision_seconds: list[float] = field(default_factory=list)
    """Each model decision's latency: first request to plan (or fallback)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy_violations": len(self.violations),
            "violations": self.violations,
            "deadline_breaches": len(self.breaches),
            "breaches": self.breaches,
            "deadlines_met": self.deadlines_met,
            "duplicate_actions": len(self.duplicates),
            "duplicates": self.duplicates,
            "unneeded_actions": len(self.unneeded),
            "unneeded": self.unneeded,
            "time_to_notify_s": self.time_to_notify_s,
            "approvals": {
                "requested": self.approvals_requested,
                "needed": self.approvals_needed,
                "requested_not_needed": self.approvals_unneeded,
                "needed_not_requested": self.approvals_missed,
            },
            "cases": self.cases,
            "effects": self.effects,
            "guard_refusals": self.guard_refusals,
            "guard_repairs": self.guard_repairs,
            "plans": self.plans,
            "plans_refused": self.plans_refused,
            "plans_repaired": self.plans_repaired,
            "model_fallbacks": self.model_fallbacks,
            "model": self.model,
            "decision_seconds": self.decision_seconds,
        }


def run_metrics(result: RunResult) -> RunMetrics:
    """The figures of one run."""
    m = RunMetrics(cases=len(result.cases))
    m.effects = dict(Counter(e.action for e in result.ledger))
    timeline = Timeline(result)
    m.violations = policy_violations(result, timeline)
    m.breaches, m.deadlines_met = deadline_breaches(result)
    m.duplicates = duplicate_actions(result)
    m.unneeded = unneeded_actions(result, timeline)
    m.time_to_notify_s = time_to_notify(result)
    _approvals(result, m)
    for plan in result.plans.values():
        m.plans += 1
        m.guard_refusals += len(plan.guard_violations)
        m.guard_repairs += len(plan.guard_repairs)
        m.plans_refused += bool(plan.guard_violations)
        m.plans_repaired += bool(plan.guard_repairs)
        if "fallback" in plan.reasoner:
            m.model_fallbacks += 1
        for key, value in plan.usage.items():
            m.model[key] = m.model.get(key, 0) + value
        if "latency_ms" in plan.usage:
            m.decision_seconds.append(plan.usage["latency_ms"] / 1000)
    return m


# --- waste ----------------------------------------------------------------------------


def duplicate_actions(result: RunResult) -> list[str]:
    """Effects done twice for one case, and messages delivered twice about one change."""
    found = []
    per_case = Counter((e.case_id, e.action) for e in result.ledger if e.action != "notify")
    found += [
        f"{action} twice in case {case[:10]}" for (case, action), n in per_case.items() if n > 1
    ]
    # The same news twice: same kind about the same flight saying the same thing (a delay
    # that shrinks is new news, with a new time in it).
    # Per recipient: the booking's contact and a passenger with their own contact each
    # get the news once.
    delivered = Counter(
        (
            o.pnr,
            o.customer_id,
            o.kind,
            str((o.payload.get("meta") or {}).get("about")),
            o.payload.get("body"),
        )
        for o in result.notifications()
        if o.status == OutboxStatus.SENT
    )
    found += [
        f"{pnr}: {kind} delivered {n} times to {who}"
        for (pnr, who, kind, _, _), n in delivered.items()
        if n > 1
    ]
    return found


def _broken(result: RunResult, timeline: Timeline, booking: Booking, at: datetime) -> bool:
    for legs in journeys_of(result, booking).values():
        states = [timeline.state(f.key, at) for f in legs]
        if any(s.status in (FlightStatus.CANCELLED, FlightStatus.DIVERTED) for s in states):
            return True
        for (a, sa), (b, sb) in pairwise(zip(legs, states, strict=True)):
            hub = result.airports[a.destination]
            countries = {
                result.airports[x].country for x in (a.origin, a.destination, b.destination)
            }
            mct = minimum_connection_time(hub, international=len(countries) > 1)
            if sb.est_dep - sa.est_arr < mct:
                return True
    return False


def unneeded_actions(result: RunResult, timeline: Timeline | None = None) -> list[str]:
    """Effects nobody needed: on bookings a scenario says to leave alone, rebookings of an
    itinerary that still worked, messages to passengers whose flights never changed."""
    timeline = timeline or Timeline(result)
    leave_alone = {x.spec.get("booking") for x in result.scenario.expect if x.kind == "no_action"}
    found = []
    disrupted = {f.event.flight_key for f in result.fed if f.event is not None}
    for e in result.ledger:
        if e.pnr in leave_alone:
            found.append(f"{e.pnr}: {e.action} on a booking to leave alone")
            continue
        original = result.original.get(e.pnr)
        if original is None:
            continue
        if e.action == "rebook" and not _broken(result, timeline, original, e.at):
            found.append(f"{e.pnr}: rebooked although the itinerary still worked")
        elif e.action == "notify" and not {s.flight_key for s in original.segments} & disrupted:
            found.append(f"{e.pnr}: told about a flight that never changed")
    return found


def time_to_notify(result: RunResult) -> list[float]:
    """Simulated seconds from a case opening to its message reaching the passenger."""
    case_of = {e.key: e.case_id for e in result.ledger if e.action == "notify"}
    opened = {c.id: c.created_at for c in result.cases}
    seconds = []
    for o in result.notifications():
        if o.status != OutboxStatus.SENT or o.sent_at is None:
            continue
        start = opened.get(case_of.get(o.key, ""))
        if start is None:
            starts = [c.created_at for c in result.cases if c.pnr == o.pnr]
            start = min(starts) if starts else None
        if start is not None:
            seconds.append(max(0.0, (o.sent_at - start).total_seconds()))
    return seconds


def _approvals(result: RunResult, m: RunMetrics) -> None:
    needed = {
        str(x.spec.get("booking"))
        for x in result.scenario.expect
        if x.kind == "approval_requested" or x.kind == "approval"
    }
    asked = {a.pnr for a in result.approvals}
    m.approvals_requested = len(result.approvals)
    m.approvals_needed = len(needed)
    m.approvals_unneeded = sorted(asked - needed)
    m.approvals_missed = sorted(needed - asked)


# --- a whole evaluation ---------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summarize(
    scenarios: list[dict[str, Any]], *, repeat: int, pricing_unit: str = ""
) -> dict[str, Any]:
    """The evaluation's headline figures from its per-scenario results (JSON shape)."""
    runs = [run for s in scenarios for run in s["runs"]]
    passed_runs = sum(run["passed"] for run in runs)
    all_k = sum(all(run["passed"] for run in s["runs"]) for s in scenarios)
    notify = [t for run in runs for t in run["metrics"]["time_to_notify_s"]]
    model: Counter[str] = Counter()
    for run in runs:
        model.update(run["metrics"]["model"])
    # .get: evaluations saved before these fields existed still summarise.
    latency = [t for run in runs for t in run["metrics"].get("decision_seconds", [])]
    plans = sum(run["metrics"].get("plans", 0) for run in runs)
    approvals = [run["metrics"]["approvals"] for run in runs]
    expectations = [x for run in runs for x in run["expectations"]]
    return {
        "scenarios": len(scenarios),
        "runs": len(runs),
        "repeat": repeat,
        "passed_runs": passed_runs,
        "pass_rate": round(passed_runs / len(runs), 4) if runs else 0.0,
        "pass_hat_k": round(all_k / len(scenarios), 4) if scenarios else 0.0,
        "expectations": len(expectations),
        "expectations_passed": sum(x["passed"] for x in expectations),
        "policy_violations": sum(run["metrics"]["policy_violations"] for run in runs),
        "deadline_breaches": sum(run["metrics"]["deadline_breaches"] for run in runs),
        "deadlines_met": sum(run["metrics"]["deadlines_met"] for run in runs),
        "duplicate_actions": sum(run["metrics"]["duplicate_actions"] for run in runs),
        "unneeded_actions": sum(run["metrics"]["unneeded_actions"] for run in runs),
        "time_to_notify_s": {
            "count": len(notify),
            "p50": percentile(notify, 0.5),
            "p95": percentile(notify, 0.95),
            "mean": round(statistics.fmean(notify), 1) if notify else None,
        },
        "approvals": {
            "requested": sum(a["requested"] for a in approvals),
            "needed": sum(a["needed"] for a in approvals),
            "requested_not_needed": sum(len(a["requested_not_needed"]) for a in approvals),
            "needed_not_requested": sum(len(a["needed_not_requested"]) for a in approvals),
        },
        "model": {
            "calls": model.get("calls", 0),
            "input_tokens": model.get("input_tokens", 0),
            "output_tokens": model.get("output_tokens", 0),
            "total_tokens": model.get("total_tokens", 0),
            "cost": model.get("cost_micros", 0) / 1_000_000,
            "decisions": len(latency),
            "fallbacks": sum(run["metrics"]["model_fallbacks"] for run in runs),
            "latency_s": {
                "p50": _rounded(percentile(latency, 0.5)),
                "p95": _rounded(percentile(latency, 0.95)),
                "mean": round(statistics.fmean(latency), 2) if latency else None,
            },
        },
        "guard": {
            "plans": plans,
            "refused": sum(run["metrics"].get("plans_refused", 0) for run in runs),
            "repaired": sum(run["metrics"].get("plans_repaired", 0) for run in runs),
            "refusals": sum(run["metrics"]["guard_refusals"] for run in runs),
            "repairs": sum(run["metrics"].get("guard_repairs", 0) for run in runs),
        },
        "seconds": round(sum(run["seconds"] for run in runs), 2),
    }
