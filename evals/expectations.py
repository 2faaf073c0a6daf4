"""One scorer per expectation kind: each reads a `RunResult` and says passed, and why.

The fields of each kind are a small pydantic model (`SPECS`), so a scenario with a typo
in an expectation fails at load time with the path of the mistake, not at scoring time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from airline.models import Booking, Cabin, Flight
from evals import rights_expectations as rights
from evals.replies import OfferSpec, ReplyExpectation, score_offer, score_reply
from evals.run_result import LedgerEntry, OutboxEntry, RunResult
from evals.scenario import EXPECTATION_KINDS, parse_duration, split_flight

NOTIFICATIONS = "notifications.outbound"


@dataclass(frozen=True)
class Score:
    passed: bool
    reason: str


# --- the fields of each kind ----------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Booking(_Spec):
    booking: str


class Rebooked(_Booking):
    arrives_before: str | None = Field(
        default=None, description='"+4h" after the original arrival, or an absolute time'
    )
    departs_after: str | None = None
    cabin: str | None = Field(default=None, description="same, or a cabin name")
    carrier: str | None = None
    flights: list[str] | None = Field(default=None, description='e.g. ["XA104"]')
    same_day: bool | None = Field(default=None, description="arrives on the booked local date")
    journey: int | None = Field(
        default=None, ge=1, description="the journey judged; default: the one rebooked"
    )
    no_overnight: bool | None = Field(
        default=None, description="no leg leaves between 22:00 and 05:59 local"
    )


class Notification(_Spec):
    booking: str | None = None
    customer: str | None = None
    kind: str | list[str] | None = None
    channel: str | None = None
    language: str | None = None
    within: str | None = Field(default=None, description="delivered this soon after the case")
    not_before: str | None = Field(
        default=None, description='delivered no earlier than this local time, e.g. "07:00"'
    )
    count: int | None = Field(default=None, ge=0, description="exactly this many delivered")
    contains: str | None = None

    @model_validator(mode="after")
    def _who(self) -> Notification:
        if (self.booking is None) == (self.customer is None):
            raise ValueError("name either booking or customer")
        return self


class NoNotification(_Spec):
    booking: str | None = None
    customer: str | None = None
    kind: str | list[str] | None = None

    @model_validator(mode="after")
    def _who(self) -> NoNotification:
        if (self.booking is None) == (self.customer is None):
            raise ValueError("name either booking or customer")
        return self


class Compensation(_Booking):
    regime: str | None = None
    amount: float | None = Field(default=None, description="in major units, e.g. 400")
    currency: str | None = None
    passengers: int | None = Field(default=None, ge=1, description="travellers paid it each")


class Refund(_Booking):
    amount: float | None = None
    currency: str | None = None


class Care(_Booking):
    items: list[str] = Field(default_factory=list, description="meals, hotel, ...")
    regime: str | None = None


class ApprovalRequested(_Booking):
    why: str | None = Field(default=None, description="a word the reason must contain")


class ApprovalStatusSpec(_Booking):
    status: Literal["pending", "approved", "edited", "rejected", "stale", "expired"]


class Superseded(_Booking):
    kind: str | None = None


class QuietHours(_Booking):
    tz: str | None = Field(default=None, description="default: the first origin's zone")
    start: str = "22:00"
    end: str = "07:00"
    delivered: bool = Field(default=True, description="and at least one message went out")


class CaseSpec(_Booking):
    outcome: str | None = None
    status: str | None = None


class Effects(_Booking):
    action: str
    count: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    min: int | None = Field(default=None, ge=0)


class DeadLettered(_Spec):
    count: int = Field(ge=0)
    reason: str | None = None


class Excludes(_Booking):
    text: list[str] = Field(min_length=1)


class OracleExpect(_Spec):
    ignore: list[str] = Field(default_factory=list, description="checks not to count")


SPECS: dict[str, type[BaseModel]] = {
    "rebooked": Rebooked,
    "not_rebooked": _Booking,
    "notification": Notification,
    "no_notification": NoNotification,
    "compensation": Compensation,
    "no_compensation": _Booking,
    "refund_offered": Refund,
    "care": Care,
    "no_care": _Booking,
    "approval_requested": ApprovalRequested,
    "no_approval": _Booking,
    "approval": ApprovalStatusSpec,
    "no_action": _Booking,
    "message_superseded": Superseded,
    "quiet_hours": QuietHours,
    "case": CaseSpec,
    "effects": Effects,
    "dead_lettered": DeadLettered,
    "message_excludes": Excludes,
    "offer": OfferSpec,
    "reply": ReplyExpectation,
    **rights.SPECS,
    "oracle": OracleExpect,
}
assert set(SPECS) == set(EXPECTATION_KINDS)


def validate_spec(kind: str, spec: dict[str, Any], pnrs: set[str], customers: set[str]) -> str:
    """The first problem with an expectation's fields, or "" when there is none."""
    try:
        parsed = SPECS[kind].model_validate(spec)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where + ': ' if where else ''}{first['msg'].removeprefix('Value error, ')}"
    booking = getattr(parsed, "booking", None)
    if booking is not None and booking not in pnrs:
        return f"booking {booking!r} is not in the world ({', '.join(sorted(pnrs)) or 'none'})"
    customer = getattr(parsed, "customer", None)
    if customer is not None and customer not in customers:
        return f"customer {customer!r} is not in the world"
    for name in ("arrives_before", "departs_after", "within"):
        value = getattr(parsed, name, None)
        if value is not None and not _time_ok(value):
            return f"{name}: {value!r} is neither a duration nor a time"
    return ""


def _time_ok(value: str) -> bool:
    try:
        parse_duration(value)
        return True
    except ValueError:
        pass
    try:
        _absolute(value, datetime(2026, 1, 1, tzinfo=UTC))
        return True
    except ValueError:
        return False


def _absolute(value: str, base: datetime) -> datetime:
    text = value.strip()
    if len(text) <= 5 and ":" in text:
        return datetime.combine(base.date(), time.fromisoformat(text.zfill(5)), tzinfo=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return parsed


def _instant(value: str, reference: datetime, day: datetime) -> datetime:
    """``"+4h"`` after `reference`, or an absolute time (``HH:MM`` is UTC on `day`)."""
    if value.strip()[:1] in "+-" or value.strip()[-1:] in "dhms":
        return reference + parse_duration(value)
    return _absolute(value, day)


# --- helpers over a run ---------------------------------------------------------------


def _effects(result: RunResult, pnr: str, *actions: str) -> list[LedgerEntry]:
    return [e for e in result.ledger if e.pnr == pnr and (not actions or e.action in actions)]


def _messages(result: RunResult, pnr: str | None, customer: str | None) -> list[OutboxEntry]:
    return [
        o
        for o in result.notifications()
        if (pnr is None or o.pnr == pnr) and (customer is None or o.customer_id == customer)
    ]


def _kinds(kind: str | list[str] | None) -> set[str] | None:
    if kind is None:
        return None
    return {kind} if isinstance(kind, str) else set(kind)


def _fmt(instant: datetime | None) -> str:
    return "never" if instant is None else instant.astimezone(UTC).strftime("%d %H:%MZ")


def _describe_messages(messages: list[OutboxEntry]) -> str:
    if not messages:
        return "no messages"
    return "; ".join(
        f"{m.kind} via {m.payload.get('channel')} in {m.payload.get('language')} "
        f"[{m.status}, sent {_fmt(m.sent_at)}]"
        for m in messages
    )


def _first_case_at(result: RunResult, pnr: str | None, customer: str | None) -> datetime:
    pnrs = {p for p, c in result.customers.items() if customer is None or c == customer}
    if pnr is not None:
        pnrs &= {pnr}
    opened = [c.created_at for c in result.cases if c.pnr in pnrs]
    if opened:
        return min(opened)
    return result.fed[0].at if result.fed else result.start


def _opened(result: RunResult, message: OutboxEntry) -> datetime | None:
    """When the case that wrote `message` was opened."""
    case_id = next((e.case_id for e in result.ledger if e.key == message.key), None)
    return next((c.created_at for c in result.cases if c.id == case_id), None)


def _legs(result: RunResult, booking: Booking, journey: int | None = None) -> list[Flight]:
    """The booking's active flights (of one journey), in travel order."""
    return sorted(
        (
            result.flights[s.flight_key]
            for s in booking.active_segments
            if journey is None or s.journey == journey
        ),
        key=lambda f: f.sched_dep,
    )


def _replaced_journey(before: Booking, after: Booking, rebook: LedgerEntry) -> int:
    seqs = {int(x) for x in rebook.detail.get("replace_seqs") or []}
    for segment in (*after.segments, *before.segments):
        if segment.seq in seqs:
            return segment.journey
    return 1


def _flight_key(code: str, result: RunResult) -> str:
    if "/" in code:
        return code
    carrier, number = split_flight(code)
    return f"{carrier}{number}/{result.scenario.world.date.isoformat()}"


def _money(detail: dict[str, Any]) -> float | None:
    if "amount_cents" in detail and detail["amount_cents"] is not None:
        return float(detail["amount_cents"]) / 100
    if "amount" in detail and detail["amount"] is not None:
        return float(detail["amount"])
    return None


def _same(a: object, b: object) -> bool:
    return str(a).replace("_", "").lower() == str(b).replace("_", "").lower()


def _care_items(detail: dict[str, Any]) -> set[str]:
    raw = detail.get("items") or detail.get("care") or []
    if isinstance(raw, str):
        raw = [raw]
    return {str(i).lower().rstrip("s") for i in raw}


# --- scorers --------------------------------------------------------------------------


def _rebooked(spec: Rebooked, result: RunResult) -> Score:
    before = result.original[spec.booking]
    after = result.bookings.get(spec.booking, before)
    rebooks = _effects(result, spec.booking, "rebook")
    if not rebooks:
        return Score(False, f"{spec.booking} was not rebooked (no rebook in the ledger)")
    # Judged on the journey the (last) rebooking re-accommodated: a return keeps its own.
    journey = spec.journey or _replaced_journey(before, after, rebooks[-1])
    legs = _legs(result, after, journey)
    if not legs:
        return Score(False, f"{spec.booking} has no active segment after rebooking")
    original_legs = _legs(result, before, journey)
    sched_arr = original_legs[-1].sched_arr
    route = " + ".join(f.key for f in legs)
    problems: list[str] = []
    if spec.arrives_before is not None:
        limit = _instant(spec.arrives_before, sched_arr, result.start)
        if legs[-1].sched_arr > limit:
            problems.append(f"arrives {_fmt(legs[-1].sched_arr)}, after {_fmt(limit)}")
    if spec.departs_after is not None:
        limit = _instant(spec.departs_after, original_legs[0].sched_dep, result.start)
        if legs[0].sched_dep < limit:
            problems.append(f"departs {_fmt(legs[0].sched_dep)}, before {_fmt(limit)}")
    if spec.cabin is not None:
        booked = {s.cabin for s in before.active_segments if s.journey == journey}
        wanted = booked if spec.cabin == "same" else {Cabin(spec.cabin)}
        flown = {s.cabin for s in after.active_segments if s.journey == journey}
        if not flown <= wanted:
            problems.append(f"flies {sorted(flown)}, expected {sorted(wanted)}")
    if spec.carrier is not None and any(f.carrier != spec.carrier for f in legs):
        problems.append(f"carriers {[f.carrier for f in legs]}, expected {spec.carrier}")
    if spec.flights is not None:
        wanted_keys = [_flight_key(code, result) for code in spec.flights]
        onto = [str(k) for k in rebooks[-1].detail.get("flights") or []]
        if onto != wanted_keys:
            problems.append(f"rebooked onto {' + '.join(onto)}, expected {' + '.join(wanted_keys)}")
    if spec.same_day:
        zone = ZoneInfo(result.airports[legs[-1].destination].tz)
        if legs[-1].sched_arr.astimezone(zone).date() != sched_arr.astimezone(zone).date():
            problems.append(f"arrives {_fmt(legs[-1].sched_arr)}, not on the booked day")
    if spec.no_overnight:
        for f in legs:
            local = f.sched_dep.astimezone(ZoneInfo(result.airports[f.origin].tz)).time()
            if local >= time(22) or local < time(6):
                problems.append(f"{f.key} leaves at {local:%H:%M} local (overnight)")
    if problems:
        return Score(False, f"{spec.booking} now flies {route}, but " + "; ".join(problems))
    return Score(True, f"{spec.booking} rebooked onto {route}, arriving {_fmt(legs[-1].sched_arr)}")


def _not_rebooked(spec: _Booking, result: RunResult) -> Score:
    rebooks = _effects(result, spec.booking, "rebook")
    if rebooks:
        flights = [e.detail.get("flights") for e in rebooks]
        return Score(False, f"{spec.booking} was rebooked: {flights}")
    return Score(True, f"{spec.booking} keeps its itinerary")


def _notification(spec: Notification, result: RunResult) -> Score:
    messages = _messages(result, spec.booking, spec.customer)
    who = spec.booking or spec.customer
    kinds = _kinds(spec.kind)
    matching = [m for m in messages if kinds is None or m.kind in kinds]
    delivered = [m for m in matching if m.status == "sent"]
    if spec.count is not None and len(delivered) != spec.count:
        return Score(
            False,
            f"{len(delivered)} message(s) delivered to {who}, expected {spec.count}: "
            + _describe_messages(messages),
        )
    if not delivered:
        return Score(
            False,
            f"no {'/'.join(sorted(kinds or {'any'}))} message delivered to {who}: "
            + _describe_messages(messages),
        )
    problems: list[str] = []
    for m in delivered:
        issues = []
        if spec.channel is not None and m.payload.get("channel") != spec.channel:
            issues.append(f"channel {m.payload.get('channel')}, expected {spec.channel}")
        if spec.language is not None and m.payload.get("language") != spec.language:
            issues.append(f"language {m.payload.get('language')}, expected {spec.language}")
        if spec.within is not None:
            opened = _opened(result, m) or _first_case_at(result, spec.booking, spec.customer)
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
                f"{m.payload.get('language')} at {_fmt(m.sent_at)}",
            )
        problems.append(f"{m.kind}: " + ", ".join(issues))
    return Score(False, f"messages to {who} miss: " + "; ".join(problems))


def _no_notification(spec: NoNotification, result: RunResult) -> Score:
    kinds = _kinds(spec.kind)
    sent = [
        m
        for m in _messages(result, spec.booking, spec.customer)
        if m.status == "sent" and (kinds is None or m.kind in kinds)
    ]
    who = spec.booking or spec.customer
    if sent:
        return Score(False, f"{who} was sent: {_describe_messages(sent)}")
    return Score(True, f"nothing{' of ' + '/'.join(sorted(kinds)) if kinds else ''} sent to {who}")


def _compensation(spec: Compensation, result: RunResult) -> Score:
    paid = _effects(result, spec.booking, "compensate")
    if not paid:
        return Score(False, f"no compensation for {spec.booking}")
    problems = []
    for e in paid:
        issues = []
        if spec.regime is not None and not _same(e.detail.get("regime"), spec.regime):
            issues.append(f"regime {e.detail.get('regime')}, expected {spec.regime}")
        amount = _money(e.detail)
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


def _no_compensation(spec: _Booking, result: RunResult) -> Score:
    paid = _effects(result, spec.booking, "compensate")
    if paid:
        shown = [
            f"{e.detail.get('regime')} {_money(e.detail)} {e.detail.get('currency')}" for e in paid
        ]
        return Score(False, f"{spec.booking} was compensated: {shown}")
    return Score(True, f"no compensation for {spec.booking}")


def _refund(spec: Refund, result: RunResult) -> Score:
    offers = _effects(result, spec.booking, "refund_offer", "refund")
    if not offers:
        return Score(False, f"no refund offered to {spec.booking}")
    for e in offers:
        amount = _money(e.detail)
        currency = e.detail.get("currency")
        if spec.amount is not None and (amount is None or abs(amount - spec.amount) > 0.005):
            continue
        if spec.currency is not None and str(currency).upper() != spec.currency.upper():
            continue
        return Score(True, f"{e.action} of {amount} {currency} ({e.detail.get('regime')})")
    shown = [(e.action, _money(e.detail), e.detail.get("currency")) for e in offers]
    return Score(False, f"refunds for {spec.booking} do not match: {shown}")


def _care(spec: Care, result: RunResult) -> Score:
    issued = _effects(result, spec.booking, "care")
    if not issued:
        return Score(False, f"no care for {spec.booking}")
    items = set().union(*(_care_items(e.detail) for e in issued))
    wanted = {i.lower().rstrip("s") for i in spec.items}
    if not wanted <= items:
        return Score(False, f"care for {spec.booking} is {sorted(items)}, lacks {sorted(wanted)}")
    if spec.regime is not None and not any(
        _same(e.detail.get("regime"), spec.regime) for e in issued
    ):
        return Score(False, f"care for {spec.booking} not under {spec.regime}")
    return Score(True, f"care for {spec.booking}: {sorted(items)}")


def _no_care(spec: _Booking, result: RunResult) -> Score:
    issued = _effects(result, spec.booking, "care")
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


def _no_approval(spec: _Booking, result: RunResult) -> Score:
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


def _no_action(spec: _Booking, result: RunResult) -> Score:
    effects = _effects(result, spec.booking)
    if effects:
        return Score(False, f"{spec.booking} got {[e.action for e in effects]}")
    return Score(True, f"nothing done to {spec.booking}")


def _superseded(spec: Superseded, result: RunResult) -> Score:
    messages = _messages(result, spec.booking, None)
    replaced = [m for m in messages if m.status == "superseded"]
    if spec.kind is not None:
        replaced = [m for m in replaced if m.kind == spec.kind]
    if not replaced:
        return Score(
            False, f"no superseded message for {spec.booking}: " + _describe_messages(messages)
        )
    return Score(True, f"{replaced[0].kind} superseded before delivery")


def _zone_of(result: RunResult, pnr: str, tz: str | None) -> ZoneInfo:
    if tz:
        return ZoneInfo(tz)
    legs = _legs(result, result.original[pnr])
    return ZoneInfo(result.airports[legs[0].origin].tz)


def _quiet_hours(spec: QuietHours, result: RunResult) -> Score:
    zone = _zone_of(result, spec.booking, spec.tz)
    start, end = time.fromisoformat(spec.start.zfill(5)), time.fromisoformat(spec.end.zfill(5))
    sent = [m for m in _messages(result, spec.booking, None) if m.sent_at is not None]
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
    n = len(_effects(result, spec.booking, spec.action))
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
    for m in _messages(result, spec.booking, None):
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
