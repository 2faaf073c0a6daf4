"""One scorer per expectation kind: each reads a `RunResult` and says passed, and why.

The fields of each kind are a small pydantic model (`evals.expectation_specs.SPECS`), so a
scenario with a typo in an expectation fails at load time with the path of the mistake, not
at scoring time; the questions the scorers ask of a run are in `evals.run_queries`.

Why it is long: one scorer per expectation kind (twenty-odd, a dozen lines each) and the
one table mapping kinds to scorers, which a scenario author reads top to bottom; split by
kind, that table would point into several files for no gain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from airline.models import Cabin
from evals import rights_expectations as rights
from evals.expectation_specs import (
    SPECS,
    AboutBooking,
    ApprovalRequested,
    ApprovalStatusSpec,
    Care,
    CaseSpec,
    Compensation,
    DeadLettered,
    Effects,
    Excludes,
    NoNotification,
    Notification,
    OracleExpect,
    QuietHours,
    Rebooked,
    Refund,
    Superseded,
    instant,
)
from evals.replies import score_offer, score_reply
from evals.run_queries import (
    amount_of,
    care_items,
    describe_messages,
    effects_of,
    first_case_at,
    flight_key_of,
    journey_legs,
    kinds_of,
    messages_to,
    opened_at,
    replaced_journey_index,
    same_value,
    shown_time,
)
from evals.run_result import RunResult
from evals.scenario_world import parse_duration
from tools.tables import OutboxStatus

NOTIFICATIONS = "notifications.outbound"


@dataclass(frozen=True)
class Score:
    passed: bool
    reason: str


# --- scorers --------------------------------------------------------------------------


def _rebooked(spec: Rebooked, result: RunResult) -> Score:
    before = result.original[spec.booking]
    after = result.bookings.get(spec.booking, before)
    rebooks = effects_of(result, spec.booking, "rebook")
    if not rebooks:
        return Score(False, f"{spec.booking} was not rebooked (no rebook in the ledger)")
    # Judged on the journey the (last) rebooking re-accommodated: a return keeps its own.
    journey = spec.journey or replaced_journey_index(before, after, rebooks[-1])
    legs = journey_legs(result, after, journey)
    if not legs:
        return Score(False, f"{spec.booking} has no active segment after rebooking")
    original_legs = journey_legs(result, before, journey)
    sched_arr = original_legs[-1].sched_arr
    route = " + ".join(f.key for f in legs)
    problems: list[str] = []
    if spec.arrives_before is not None:
        limit = instant(spec.arrives_before, sched_arr, result.start)
        if legs[-1].sched_arr > limit:
            problems.append(f"arrives {shown_time(legs[-1].sched_arr)}, after {shown_time(limit)}")
    if spec.departs_after is not None:
        limit = instant(spec.departs_after, original_legs[0].sched_dep, result.start)
        if legs[0].sched_dep < limit:
            problems.append(f"departs {shown_time(legs[0].sched_dep)}, before {shown_time(limit)}")
    if spec.cabin is not None:
        booked = {s.cabin for s in before.active_segments if s.journey == journey}
        wanted = booked if spec.cabin == "same" else {Cabin(spec.cabin)}
        flown = {s.cabin for s in after.active_segments if s.journey == journey}
        if not flown <= wanted:
            problems.append(f"flies {sorted(flown)}, expected {sorted(wanted)}")
    if spec.carrier is not None and any(f.carrier != spec.carrier for f in legs):
        problems.append(f"carriers {[f.carrier for f in legs]}, expected {spec.carrier}")
    if spec.flights is not None:
        wanted_keys = [flight_key_of(code, result) for code in spec.flights]
        onto = [str(k) for k in rebooks[-1].detail.get("flights") or []]
        if onto != wanted_keys:
            problems.append(f"rebooked onto {' + '.join(onto)}, expected {' + '.join(wanted_keys)}")
    if spec.same_day:
        zone = ZoneInfo(result.airports[legs[-1].destination].tz)
        if legs[-1].sched_arr.astimezone(zone).date() != sched_arr.astimezone(zone).date():
            problems.append(f"arrives {shown_time(legs[-1].sched_arr)}, not on the booked day")
    if spec.no_overnight:
        for f in legs:
            local = f.sched_dep.astimezone(ZoneInfo(result.airports[f.origin].tz)).time()
            if local >= time(22) or local < time(6):
                problems.append(f"{f.key} leaves at {local:%H:%M} local (overnight)")
    if problems:
        return Score(False, f"{spec.booking} now flies {route}, but " + "; ".join(problems))
    return Score(
        True, f"{spec.booking} rebooked onto {route}, arriving {shown_time(legs[-1].sched_arr)}"
    )


def _not_rebooked(spec: AboutBooking, result: RunResult) -> Score:
    rebooks = effects_of(result, spec.booking, "rebook")
    if rebooks:
        flights = [e.detail.get("flights") for e in rebooks]
        return Score(False, f"{spec.booking} was rebooked: {flights}")
    return Score(True, f"{spec.booking} keeps its itinerary")


def _notification(spec: Notification, result: RunResult) -> Score:
    messages = messages_to(result, spec.booking, spec.customer)
    who = spec.booking or spec.customer
    kinds = kinds_of(spec.kind)
    matching = [m for m in messages if kinds is None or m.kind in kinds]
    delivered = [m for m in matching if m.status == OutboxStatus.SENT]
    if spec.count is not None and len(delivered) != spec.count:
        return Score(
            False,
            f"{len(delivered)} message(s) delivered to {who}, expected {spec.count}: "
            + describe_messages(messages),
        )
    if not delivered:
        return Score(
            False,
            f"no {'/'.join(sorted(kinds or {'any'}))} message delivered to {who}: "
            + describe_messages(messages),
        )
    problems: list[str] = []
    for m in delivered:
        issues = []
        if spec.channel is not None and m.payload.get("channel") != spec.channel:
            issues.append(f"channel {m.payload.get('channel')}, expected {spec.channel}")
        if spec.language is not None and m.payload.get("language") != spec.language:
            issues.append(f"language {m.payload.get('language')}, expected {spec.language}")
        if spec.within is not None:
            opened = opened_at(result, m) or first_case_at(result, spec.booking, spec.customer)
            limit = parse_duration(spec.within)
            assert m.sent_at is not None
            if m.sent_at - opened > limit:
                issues.append(f"delivered {m.sent_at - opened} after the case opened (> {limit})")
        if spec.not_before is not None:
            zone = _zone_of(result, m.pnr, None)
            local = m.sent_at.astimezone(zone) if m.sent_at else None
            if local is not None and local.time() < time.fromisoformat(spec.not_before.zfill(5)):
                issues.append(f"delivered at {local:%H:%M} local, before {spec.not_before}")
        if spec.contains is not None and spec.contains.lower() not in m.text.lower():
            issues.append(f"does not mention {spec.contains!r}")
        if not issues:
            return Score(
                True,
                f"{m.kind} delivered to {who} via {m.payload.get('channel')} in "
                f"{m.payload.get('language')} at {shown_time(m.sent_at)}",
            )
        problems.append(f"{m.kind}: " + ", ".join(issues))
    return Score(False, f"messages to {who} miss: " + "; ".join(problems))


def _no_notification(spec: NoNotification, result: RunResult) -> Score:
    kinds = kinds_of(spec.kind)
    sent = [
        m
        for m in messages_to(result, spec.booking, spec.customer)
        if m.status == OutboxStatus.SENT and (kinds is None or m.kind in kinds)
    ]
    who = spec.booking or spec.customer
    if sent:
        return Score(False, f"{who} was sent: {describe_messages(sent)}")
    return Score(True, f"nothing{' of ' + '/'.join(sorted(kinds)) if kinds else ''} sent to {who}")


def _compensation(spec: Compensation, result: RunResult) -> Score:
    paid = effects_of(result, spec.booking, "compensate")
    if not paid:
        return Score(False, f"no compensation for {spec.booking}")
    problems = []
    for e in paid:
        issues = []
        if spec.regime is not None and not same_value(e.detail.get("regime"), spec.regime):
            issues.append(f"regime {e.detail.get('regime')}, expected {spec.regime}")
        amount = amount_of(e.detail)
        if spec.amount is not None and (amount is None or abs(amount - spec.amount) > 0.005):
            issues.append(f"amount {amount}, expected {spec.amount:g}")
        currency = e.detail.get("currency")
        if spec.currency is not None and str(currency).upper() != spec.currency.upper():
            issues.append(f"currency {currency}, expected {spec.currency}")
        travellers = int(e.detail.get("passengers") or 1)
        if spec.passengers is not None and travellers != spec.passengers:
            issues.append(f"paid to {travellers} traveller(s), expected {spec.passengers}")
        if not issues:
            extra = f" (and {len(paid) - 1} more)" if len(paid) > 1 else ""
            return Score(True, f"{e.detail.get('regime')} {amount:g} {currency} paid{extra}")
        problems.append(", ".join(issues))
    return Score(False, f"compensation for {spec.booking}: " + "; ".join(problems))


def _no_compensation(spec: AboutBooking, result: RunResult) -> Score:
    paid = effects_of(result, spec.booking, "compensate")
    if paid:
        shown = [
            f"{e.detail.get('regime')} {amount_of(e.detail)} {e.detail.get('currency')}"
            for e in paid
        ]
        return Score(False, f"{spec.booking} was compensated: {shown}")
    return Score(True, f"no compensation for {spec.booking}")


def _refund(spec: Refund, result: RunResult) -> Score:
    offers = effects_of(result, spec.booking, "refund_offer", "refund")
    if not offers:
        return Score(False, f"no refund offered to {spec.booking}")
    for e in offers:
        amount = amount_of(e.detail)
        currency = e.detail.get("currency")
        if spec.amount is not None and (amount is None or abs(amount - spec.amount) > 0.005):
            continue
        if spec.currency is not None and str(currency).upper() != spec.currency.upper():
            continue
        return Score(True, f"{e.action} of {amount} {currency} ({e.detail.get('regime')})")
    shown = [(e.action, amount_of(e.detail), e.detail.get("currency")) for e in offers]
    return Score(False, f"refunds for {spec.booking} do not match: {shown}")


def _care(spec: Care, result: RunResult) -> Score:
    issued = effects_of(result, spec.booking, "care")
    if not issued:
        return Score(False, f"no care for {spec.booking}")
    items = set().union(*(care_items(e.detail) for e in issued))
    wanted = {i.lower().rstrip("s") for i in spec.items}
    if not wanted <= items:
        return Score(False, f"care for {spec.booking} is {sorted(items)}, lacks {sorted(wanted)}")
    if spec.regime is not None and not any(
        same_value(e.detail.get("regime"), spec.regime) for e in issued
    ):
        return Score(False, f"care for {spec.booking} not under {spec.regime}")
    return Score(True, f"care for {spec.booking}: {sorted(items)}")


def _no_care(spec: AboutBooking, result: RunResult) -> Score:
    issued = effects_of(result, spec.booking, "care")
    if issued:
        return Score(False, f"care issued to {spec.booking}: {[e.detail for e in issued]}")
    return Score(True, f"no care for {spec.booking}")


def _approval_requested(spec: ApprovalRequested, result: RunResult) -> Score:
    asked = [a for a in result.approvals if a.pnr == spec.booking]
    if not asked:
        return Score(False, f"no approval was requested for {spec.booking}")
    if spec.why is not None:
        if not any(spec.why.lower() in " ".join(a.why).lower() for a in asked):
            return Score(False, f"approvals for {spec.booking} say {[a.why for a in asked]}")
    return Score(True, f"approval {asked[0].id} requested: {asked[0].why} ({asked[0].status})")


def _no_approval(spec: AboutBooking, result: RunResult) -> Score:
    asked = [a for a in result.approvals if a.pnr == spec.booking]
    if asked:
        return Score(False, f"{spec.booking} asked a human: {[a.why for a in asked]}")
    return Score(True, f"{spec.booking} decided without a human")


def _approval(spec: ApprovalStatusSpec, result: RunResult) -> Score:
    asked = [a for a in result.approvals if a.pnr == spec.booking]
    if not asked:
        return Score(False, f"no approval for {spec.booking}")
    if any(a.status == spec.status for a in asked):
        return Score(True, f"approval for {spec.booking} is {spec.status}")
    return Score(False, f"approvals for {spec.booking} are {[a.status for a in asked]}")


def _no_action(spec: AboutBooking, result: RunResult) -> Score:
    effects = effects_of(result, spec.booking)
    if effects:
        return Score(False, f"{spec.booking} got {[e.action for e in effects]}")
    return Score(True, f"nothing done to {spec.booking}")


def _superseded(spec: Superseded, result: RunResult) -> Score:
    messages = messages_to(result, spec.booking, None)
    replaced = [m for m in messages if m.status == OutboxStatus.SUPERSEDED]
    if spec.kind is not None:
        replaced = [m for m in replaced if m.kind == spec.kind]
    if not replaced:
        return Score(
            False, f"no superseded message for {spec.booking}: " + describe_messages(messages)
        )
    return Score(True, f"{replaced[0].kind} superseded before delivery")


def _zone_of(result: RunResult, pnr: str, tz: str | None) -> ZoneInfo:
    if tz:
        return ZoneInfo(tz)
    legs = journey_legs(result, result.original[pnr])
    return ZoneInfo(result.airports[legs[0].origin].tz)


def _quiet_hours(spec: QuietHours, result: RunResult) -> Score:
    zone = _zone_of(result, spec.booking, spec.tz)
    start, end = time.fromisoformat(spec.start.zfill(5)), time.fromisoformat(spec.end.zfill(5))
    sent = [m for m in messages_to(result, spec.booking, None) if m.sent_at is not None]
    if spec.delivered and not sent:
        return Score(False, f"nothing was delivered to {spec.booking}")
    night = []
    for m in sent:
        assert m.sent_at is not None
        local = m.sent_at.astimezone(zone).time()
        if local >= start or local < end:
            night.append(f"{m.kind} at {local:%H:%M}")
    if night:
        return Score(False, f"delivered during quiet hours ({zone}): {night}")
    return Score(
        True,
        f"{len(sent)} message(s) delivered outside {spec.start}–{spec.end} {zone}: "
        + ", ".join(f"{m.kind} at {m.sent_at.astimezone(zone):%H:%M}" for m in sent if m.sent_at),
    )


def _case(spec: CaseSpec, result: RunResult) -> Score:
    cases = [c for c in result.cases if c.pnr == spec.booking]
    if not cases:
        return Score(False, f"no case was opened for {spec.booking}")
    for c in cases:
        if spec.outcome is not None and c.outcome != spec.outcome:
            continue
        if spec.status is not None and c.status != spec.status:
            continue
        return Score(True, f"case {c.id[:10]} {c.reason}: {c.status}/{c.outcome}")
    return Score(
        False, f"cases of {spec.booking}: {[(c.reason, c.status, c.outcome) for c in cases]}"
    )


def _effects_count(spec: Effects, result: RunResult) -> Score:
    n = len(effects_of(result, spec.booking, spec.action))
    bounds = []
    if spec.count is not None and n != spec.count:
        bounds.append(f"expected exactly {spec.count}")
    if spec.max is not None and n > spec.max:
        bounds.append(f"expected at most {spec.max}")
    if spec.min is not None and n < spec.min:
        bounds.append(f"expected at least {spec.min}")
    text = f"{n} {spec.action} effect(s) on {spec.booking}"
    return Score(not bounds, text + (": " + ", ".join(bounds) if bounds else ""))


def _dead_lettered(spec: DeadLettered, result: RunResult) -> Score:
    letters = [
        d for d in result.dead_letters if spec.reason is None or d.get("reason") == spec.reason
    ]
    reasons = [d.get("reason") for d in result.dead_letters]
    return Score(len(letters) == spec.count, f"{len(letters)} dead-lettered (reasons {reasons})")


def _excludes(spec: Excludes, result: RunResult) -> Score:
    for m in messages_to(result, spec.booking, None):
        for text in spec.text:
            if text.lower() in m.text.lower():
                return Score(False, f"{m.kind} message contains {text!r}")
    return Score(True, f"no message to {spec.booking} contains {spec.text}")


def _scored(
    check: Callable[[Any, RunResult], tuple[bool, str]],
) -> Callable[[Any, RunResult], Score]:
    def run(spec: Any, result: RunResult) -> Score:
        return Score(*check(spec, result))

    return run


def _oracle(spec: OracleExpect, result: RunResult) -> Score:
    if result.verdict is None:
        return Score(False, "the oracle did not judge this run")
    findings = [f for f in result.verdict.findings if f.check not in spec.ignore]
    if not findings:
        return Score(True, "the oracle finds nothing wrong")
    shown = "; ".join(str(f) for f in findings[:3])
    more = f" (+{len(findings) - 3} more)" if len(findings) > 3 else ""
    return Score(False, f"{shown}{more}")


_SCORERS: dict[str, Callable[[Any, RunResult], Score]] = {
    "offer": score_offer,
    "reply": score_reply,
    "rebooked": _rebooked,
    "not_rebooked": _not_rebooked,
    "notification": _notification,
    "no_notification": _no_notification,
    "compensation": _compensation,
    "no_compensation": _no_compensation,
    "refund_offered": _refund,
    "care": _care,
    "no_care": _no_care,
    "approval_requested": _approval_requested,
    "no_approval": _no_approval,
    "approval": _approval,
    "no_action": _no_action,
    "message_superseded": _superseded,
    "quiet_hours": _quiet_hours,
    "case": _case,
    "effects": _effects_count,
    "dead_lettered": _dead_lettered,
    "message_excludes": _excludes,
    **{kind: _scored(check) for kind, check in rights.SCORERS.items()},
    "oracle": _oracle,
}


def score(kind: str, spec: dict[str, Any], result: RunResult) -> Score:
    """Score one expectation against a run."""
    if result.error is not None:
        return Score(False, f"the run failed: {result.error}")
    parsed = SPECS[kind].model_validate(spec)
    return _SCORERS[kind](parsed, result)
