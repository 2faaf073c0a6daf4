"""The figures of a run and of a whole evaluation.

Policy violations are judged here from first principles — the scenario's own timeline of
flight states, the schedule, and the regulations' published amounts (DOMAIN.md) — not by
asking the agent's guard or policy engine, so a bug there cannot hide itself:

- a rebooking onto a flight that is unknown, cancelled, diverted or gone at the time,
  that leaves before the rebooking was made, whose connection is shorter than the
  minimum connection time, that ends elsewhere, or that changes the cabin without an
  operator's approval;
- compensation under a regime that does not cover the journey, above the regulation's
  amount for the distance, despite extraordinary circumstances, or paid twice;
- a refund above the ticket price;
- the same effect twice (same booking, action and detail), or two rebookings in one case.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from airline.airports import great_circle_km, minimum_connection_time
from airline.models import Booking, Cabin, Flight, FlightStatus
from evals.rights_metrics import (
    compensated_travellers,
    deadline_breaches,
    journey_on,
    journeys_of,
    replaced_journey,
    seat_accounting,
)
from evals.runner import LedgerEntry, RunResult

CABIN_RANK = {Cabin.ECONOMY: 0, Cabin.PREMIUM: 1, Cabin.BUSINESS: 2}
GONE = {FlightStatus.CANCELLED, FlightStatus.DIVERTED, FlightStatus.DEPARTED, FlightStatus.ARRIVED}
EXTRAORDINARY = {
    "weather",
    "atc",
    "airport_closure",
    "security",
    "bird_strike",
    "third_party_strike",
}

EU_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "GP MQ GF RE YT MF IS LI NO CH".split()
)
EU_CARRIERS = frozenset({"XA", "XB"})
# The most each regulation pays, by band (DOMAIN.md): EU261 Art 7, UK261, APPR s.19 large.
MAX_AMOUNT = {
    "eu261": ("EUR", (250, 400, 600)),
    "uk261": ("GBP", (220, 350, 520)),
    "appr": ("CAD", (1000, 1000, 1000)),
}


@dataclass(frozen=True)
class _State:
    status: FlightStatus
    est_dep: datetime
    est_arr: datetime
    reason: str | None
    emitted: datetime


class Timeline:
    """The flight states the scenario fed, as a board would have held them at any time."""

    def __init__(self, result: RunResult) -> None:
        self._result = result
        self._events = [f for f in result.fed if f.event is not None]

    def state(self, key: str, at: datetime) -> _State:
        flight = self._result.flights[key]
        best = _State(FlightStatus.SCHEDULED, flight.sched_dep, flight.sched_arr, None, at)
        newest: datetime | None = None
        for fed in self._events:
            e = fed.event
            assert e is not None
            if e.flight_key != key or fed.at > at:
                continue
            if newest is None or e.emitted_at > newest:
                newest = e.emitted_at
                best = _State(
                    e.status,
                    e.est_dep,
                    e.est_arr,
                    e.reason.value if e.reason else None,
                    e.emitted_at,
                )
        return best

    def reason(self, key: str) -> str | None:
        """The last reason any event gave for the flight."""
        reasons = [
            f.event.reason.value
            for f in self._events
            if f.event is not None and f.event.flight_key == key and f.event.reason
        ]
        return reasons[-1] if reasons else None


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


# --- policy ---------------------------------------------------------------------------


def _case_flight(result: RunResult) -> dict[str, str]:
    return {c.id: c.flight_key for c in result.cases}


def _legs(result: RunResult, booking: Booking) -> list[Flight]:
    return sorted(
        (result.flights[s.flight_key] for s in booking.segments), key=lambda f: f.sched_dep
    )


def _band(km: int, intra_eu: bool) -> int:
    if km <= 1500:
        return 0
    if intra_eu or km <= 3500:
        return 1
    return 2


def _money(detail: dict[str, Any]) -> float | None:
    if detail.get("amount_cents") is not None:
        return float(detail["amount_cents"]) / 100
    if detail.get("amount") is not None:
        return float(detail["amount"])
    return None


def policy_violations(result: RunResult, timeline: Timeline | None = None) -> list[str]:
    """Every effect that breaks policy, each with the reason (see the module docstring)."""
    timeline = timeline or Timeline(result)
    problems: list[str] = []
    approved = {a.case_id for a in result.approvals if a.status in ("approved", "edited")}
    flight_of = _case_flight(result)
    for e in result.ledger:
        if e.action == "rebook":
            problems += _rebook_violations(result, timeline, e, approved)
        elif e.action == "compensate":
            problems += _compensation_violations(result, timeline, e, flight_of)
        elif e.action in ("refund_offer", "refund"):
            booking = result.original.get(e.pnr)
            amount = _money(e.detail)
            if booking is not None and amount is not None and amount * 100 > booking.price_cents:
                problems.append(
                    f"{e.pnr}: refund of {amount:g} exceeds the ticket price "
                    f"{booking.price_cents / 100:g}"
                )
    seen: Counter[tuple[str, str, str]] = Counter(
        (e.pnr, e.action, json.dumps(e.detail, sort_keys=True, default=str))
        for e in result.ledger
        if e.action != "notify"
    )
    problems += [
        f"{pnr}: {action} repeated {n} times" for (pnr, action, _), n in seen.items() if n > 1
    ]
    per_case = Counter((e.case_id, e.pnr) for e in result.ledger if e.action == "rebook")
    problems += [f"{pnr}: {n} rebookings in one case" for (_, pnr), n in per_case.items() if n > 1]
    paid = Counter(
        (e.pnr, journey_on(result, e.pnr, flight_of.get(e.case_id)))
        for e in result.ledger
        if e.action == "compensate"
    )
    problems += [
        f"{pnr}: compensated {n} times for journey {journey}"
        for (pnr, journey), n in paid.items()
        if n > 1
    ]
    problems += compensated_travellers(result)
    problems += seat_accounting(result)
    return problems


def _rebook_violations(
    result: RunResult, timeline: Timeline, e: LedgerEntry, approved: set[str]
) -> list[str]:
    problems = []
    keys = [str(k) for k in e.detail.get("flights") or []]
    unknown = [k for k in keys if k not in result.flights]
    if unknown or not keys:
        return [f"{e.pnr}: rebooked onto unknown flight(s) {unknown or keys}"]
    legs = [result.flights[k] for k in keys]
    for leg in legs:
        state = timeline.state(leg.key, e.at)
        if state.status in GONE:
            problems.append(f"{e.pnr}: rebooked onto {leg.key}, {state.status.value} at the time")
    first = timeline.state(legs[0].key, e.at)
    if first.est_dep < e.at:
        problems.append(f"{e.pnr}: rebooked onto {legs[0].key}, which had already left")
    for a, b in pairwise(legs):
        if a.destination != b.origin:
            problems.append(f"{e.pnr}: {a.key} and {b.key} do not connect")
            continue
        hub = result.airports[a.destination]
        international = (
            len({result.airports[x].country for x in (a.origin, a.destination, b.destination)}) > 1
        )
        mct = minimum_connection_time(hub, international=international)
        gap = timeline.state(b.key, e.at).est_dep - timeline.state(a.key, e.at).est_arr
        if gap < mct:
            problems.append(f"{e.pnr}: connection at {hub.iata} of {gap} is shorter than {mct}")
    original = result.original.get(e.pnr)
    if original is not None:
        # A journey ends at its own destination: a return's, not the booking's last flight's.
        journey = journeys_of(result, original).get(replaced_journey(result, e)) or _legs(
            result, original
        )
        destination = journey[-1].destination
        if legs[-1].destination != destination:
            problems.append(f"{e.pnr}: rebooked to {legs[-1].destination}, not {destination}")
        # A journey re-accommodated must not run into the next one (a return).
        number = replaced_journey(result, e)
        for later, later_legs in journeys_of(result, original).items():
            if later <= number:
                continue
            next_leg = later_legs[0]
            arrives = timeline.state(legs[-1].key, e.at).est_arr
            leaves = timeline.state(next_leg.key, e.at).est_dep
            mct = minimum_connection_time(result.airports[next_leg.origin], international=True)
            if leaves - arrives < mct:
                problems.append(
                    f"{e.pnr}: journey {number} now arrives {arrives:%H:%M}Z, too late for "
                    f"journey {later} ({next_leg.key} at {leaves:%H:%M}Z): it breaks it"
                )
            break
        booked = {s.cabin for s in original.segments}
        cabin = e.detail.get("cabin")
        if cabin is not None and e.case_id not in approved:
            rank = CABIN_RANK[Cabin(cabin)]
            if rank < min(CABIN_RANK[c] for c in booked):
                problems.append(f"{e.pnr}: downgraded to {cabin} without approval")
            elif rank > max(CABIN_RANK[c] for c in booked):
                problems.append(f"{e.pnr}: upgraded to {cabin} without approval")
    return problems


def _compensation_violations(
    result: RunResult, timeline: Timeline, e: LedgerEntry, flight_of: dict[str, str]
) -> list[str]:
    original = result.original.get(e.pnr)
    if original is None:
        return [f"{e.pnr}: compensation for a booking not in the world"]
    regime = str(e.detail.get("regime", "")).lower().replace("_", "")
    flight_key = flight_of.get(e.case_id) or str(e.detail.get("flight_key") or "")
    # Distance is first origin to final destination of the journey the flight is on
    # (Bossen, C-559/16), not of the whole booking.
    legs = journeys_of(result, original).get(journey_on(result, e.pnr, flight_key)) or _legs(
        result, original
    )
    flight_key = flight_key or legs[0].key
    origin, destination = result.airports[legs[0].origin], result.airports[legs[-1].destination]
    carrier = result.flights[flight_key].carrier if flight_key in result.flights else ""
    problems = []
    if regime == "usdot":
        return [f"{e.pnr}: US DOT pays no cash compensation, {_money(e.detail)} paid"]
    in_scope = {
        "eu261": origin.country in EU_COUNTRIES
        or (destination.country in EU_COUNTRIES and carrier in EU_CARRIERS),
        "uk261": origin.country == "GB" or (destination.country == "GB" and carrier in EU_CARRIERS),
        # Every flight that lands or takes off in Canada, connecting flights included
        # (Canada Transportation Act s.86.11(1); CTA, "Application of the APPR: a guide").
        "appr": "CA"
        in {result.airports[a].country for leg in legs for a in (leg.origin, leg.destination)},
    }
    if regime not in in_scope:
        return [f"{e.pnr}: compensation under unknown regime {e.detail.get('regime')!r}"]
    if not in_scope[regime]:
        problems.append(f"{e.pnr}: {regime} does not cover {origin.iata}→{destination.iata}")
    currency, amounts = MAX_AMOUNT[regime]
    km = great_circle_km(origin, destination)
    intra = origin.country in EU_COUNTRIES and destination.country in EU_COUNTRIES
    cap = amounts[_band(km, intra)]
    amount = _money(e.detail)
    if amount is None:
        problems.append(f"{e.pnr}: compensation without an amount")
    elif amount > cap:
        problems.append(f"{e.pnr}: {amount:g} {currency} exceeds {regime} {cap} for {km} km")
    if str(e.detail.get("currency", currency)).upper() != currency:
        problems.append(f"{e.pnr}: {regime} pays in {currency}, not {e.detail.get('currency')}")
    reason = timeline.reason(flight_key)
    if regime in ("eu261", "uk261") and reason in EXTRAORDINARY:
        problems.append(f"{e.pnr}: compensation despite extraordinary circumstances ({reason})")
    return problems


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
        if o.status == "sent"
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
        if o.status != "sent" or o.sent_at is None:
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
