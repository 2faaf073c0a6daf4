"""Each expectation kind and the policy check, scored on crafted runs (no daemon)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airline.models import Cabin, FlightStatus, ReasonCode, Segment, SegmentStatus
from evals.expectations import score
from evals.metrics import duplicate_actions, run_metrics, unneeded_actions
from evals.policy_checks import policy_violations
from evals.run_result import ApprovalEntry, CaseEntry, FedEvent, LedgerEntry, OutboxEntry, RunResult
from evals.runner import build_event
from evals.scenario import EventSpec, parse_scenario
from evals.world import build

T0 = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
SCENARIO = {
    "name": "crafted",
    "world": {
        "customers": [{"id": "C1", "language": "de", "channels": [{"kind": "sms"}]}],
        "bookings": [
            {"pnr": "PNR123", "customer": "C1", "price": 200, "segments": [{"flight": "XA106"}]},
            {"pnr": "PNR555", "customer": "C1", "segments": [{"flight": "XA104"}]},
        ],
    },
    "events": [{"at": "0m", "flight": "XA106", "status": "cancelled", "reason": "crew"}],
    "expect": [{"no_action": {"booking": "PNR555"}}],
}


def crafted(**changes: Any) -> RunResult:
    scenario = parse_scenario({**SCENARIO, **changes.pop("scenario", {})})
    world = build(scenario.world)
    flights = {f.key: f for f in world.flights}
    event = build_event(scenario, scenario.events[0], 0, flights)
    result = RunResult(
        scenario=scenario,
        start=T0,
        end=T0 + timedelta(hours=1),
        flights=flights,
        airports={a.iata: a for a in world.airports},
        original={b.pnr: b for b in world.bookings},
        bookings={b.pnr: b for b in world.bookings},
        customers={b.pnr: b.customer_id for b in world.bookings},
        fed=[FedEvent(T0, event)],
        cases=[
            CaseEntry(
                "c-1",
                "PNR123",
                "cancelled",
                "done",
                "rebooked",
                "XA106/2026-03-01",
                "cancellation",
                T0,
                T0,
            )
        ],
    )
    for key, value in changes.items():
        setattr(result, key, value)
    return result


def rebooked_onto(result: RunResult, *keys: str, cabin: Cabin = Cabin.ECONOMY) -> RunResult:
    booking = result.original["PNR123"]
    result.bookings["PNR123"] = booking.model_copy(
        update={
            "segments": [
                booking.segments[0].model_copy(update={"status": SegmentStatus.REPLACED}),
                *(Segment(seq=2 + i, flight_key=k, cabin=cabin) for i, k in enumerate(keys)),
            ]
        }
    )
    result.ledger.append(
        LedgerEntry(
            "c-1:rebook:v1",
            "c-1",
            "rebook",
            "PNR123",
            {"flights": list(keys), "replace_seqs": [1], "cabin": cabin.value},
            T0,
        )
    )
    return result


def message(
    kind: str, *, status: str = "sent", sent: datetime | None = T0, **payload: Any
) -> OutboxEntry:
    body = {"kind": kind, "channel": "sms", "language": "de", "subject": "s", "body": "b"}
    return OutboxEntry(
        f"notify:{kind}",
        "notifications.outbound",
        "PNR123",
        "C1",
        "sms",
        body | payload,
        status,
        T0,
        sent if status == "sent" else None,
    )


def check(kind: str, spec: dict[str, Any], result: RunResult) -> tuple[bool, str]:
    verdict = score(kind, spec, result)
    return verdict.passed, verdict.reason


def test_rebooked_checks_each_condition() -> None:
    result = rebooked_onto(crafted(), "XA108/2026-03-01")
    assert check("rebooked", {"booking": "PNR123", "flights": ["XA108"], "cabin": "same"}, result)[
        0
    ]
    assert check(
        "rebooked", {"booking": "PNR123", "arrives_before": "+4h", "same_day": True}, result
    )[0]
    ok, why = check("rebooked", {"booking": "PNR123", "arrives_before": "+2h"}, result)
    assert not ok and "arrives 01 17:15Z, after 01 16:15Z" in why
    ok, why = check("rebooked", {"booking": "PNR123", "carrier": "XB"}, result)
    assert not ok and "expected XB" in why
    assert not check("rebooked", {"booking": "PNR555"}, result)[0]
    late = rebooked_onto(crafted(), "XA112/2026-03-01")
    ok, why = check("rebooked", {"booking": "PNR123", "no_overnight": True}, late)
    assert not ok and "22:30 local" in why
    down = rebooked_onto(crafted(), "XA108/2026-03-01", cabin=Cabin.BUSINESS)
    assert not check("rebooked", {"booking": "PNR123", "cabin": "same"}, down)[0]
    assert check("not_rebooked", {"booking": "PNR555"}, result)[0]
    assert not check("not_rebooked", {"booking": "PNR123"}, result)[0]


def test_notification_checks_kind_channel_language_and_timing() -> None:
    result = crafted(outbox=[message("cancelled_rebooked", sent=T0 + timedelta(minutes=1))])
    spec = {"customer": "C1", "kind": "cancelled_rebooked", "channel": "sms", "language": "de"}
    assert check("notification", spec | {"within": "2m", "count": 1}, result)[0]
    ok, why = check("notification", spec | {"within": "30s"}, result)
    assert not ok and "after the case opened" in why
    ok, why = check("notification", spec | {"language": "en"}, result)
    assert not ok and "language de, expected en" in why
    assert not check("notification", {"booking": "PNR123", "kind": "delay"}, result)[0]
    assert check("no_notification", {"booking": "PNR123", "kind": "delay"}, result)[0]
    assert not check("no_notification", {"booking": "PNR123"}, result)[0]
    assert check("message_excludes", {"booking": "PNR123", "text": ["5000"]}, result)[0]


def test_held_superseded_and_quiet_hours() -> None:
    morning = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 07:00 in Frankfurt
    result = crafted(
        outbox=[
            message("delay", status="superseded"),
            message("cancelled_rebooked", sent=morning),
        ]
    )
    assert check("message_superseded", {"booking": "PNR123", "kind": "delay"}, result)[0]
    assert check("quiet_hours", {"booking": "PNR123"}, result)[0]
    assert check("notification", {"booking": "PNR123", "not_before": "07:00"}, result)[0]
    night = crafted(outbox=[message("delay", sent=datetime(2026, 3, 1, 23, 0, tzinfo=UTC))])
    ok, why = check("quiet_hours", {"booking": "PNR123"}, night)
    assert not ok and "delay at 00:00" in why
    assert not check("message_superseded", {"booking": "PNR123"}, night)[0]


def test_money_care_and_refunds() -> None:
    result = crafted(
        ledger=[
            LedgerEntry(
                "k1",
                "c-1",
                "compensate",
                "PNR123",
                {"regime": "eu261", "amount_cents": 25000, "currency": "EUR"},
                T0,
            ),
            LedgerEntry("k2", "c-1", "care", "PNR123", {"items": ["meal", "hotel"]}, T0),
            LedgerEntry(
                "k3",
                "c-1",
                "refund_offer",
                "PNR123",
                {"amount_cents": 20000, "currency": "EUR"},
                T0,
            ),
        ]
    )
    spec = {"booking": "PNR123", "regime": "EU261", "amount": 250, "currency": "EUR"}
    assert check("compensation", spec, result)[0]
    ok, why = check("compensation", spec | {"amount": 400}, result)
    assert not ok and "amount 250.0, expected 400" in why
    assert not check("no_compensation", {"booking": "PNR123"}, result)[0]
    assert check("no_compensation", {"booking": "PNR555"}, result)[0]
    assert check("care", {"booking": "PNR123", "items": ["meals", "hotel"]}, result)[0]
    assert not check("no_care", {"booking": "PNR123"}, result)[0]
    assert check("refund_offered", {"booking": "PNR123", "amount": 200, "currency": "EUR"}, result)[
        0
    ]
    assert not check("refund_offered", {"booking": "PNR555"}, result)[0]
    assert check("effects", {"booking": "PNR123", "action": "care", "count": 1}, result)[0]
    assert not check("effects", {"booking": "PNR123", "action": "care", "max": 0}, result)[0]
    assert not check("no_action", {"booking": "PNR123"}, result)[0]


def test_approvals_cases_and_dead_letters() -> None:
    approval = ApprovalEntry(
        "AP-1", "c-1", "PNR123", "expired", ["all rebookings"], T0, T0, None, None
    )
    result = crafted(approvals=[approval], dead_letters=[{"reason": "not_json"}])
    assert check("approval_requested", {"booking": "PNR123", "why": "rebookings"}, result)[0]
    assert check("approval", {"booking": "PNR123", "status": "expired"}, result)[0]
    assert not check("approval", {"booking": "PNR123", "status": "approved"}, result)[0]
    assert not check("no_approval", {"booking": "PNR123"}, result)[0]
    assert check("case", {"booking": "PNR123", "outcome": "rebooked"}, result)[0]
    assert not check("case", {"booking": "PNR555"}, result)[0]
    assert check("dead_lettered", {"count": 1, "reason": "not_json"}, result)[0]


def test_a_failed_run_fails_every_expectation_with_its_error() -> None:
    result = crafted(error="TimeoutError: the daemon did not settle")
    ok, why = check("no_action", {"booking": "PNR555"}, result)
    assert not ok and "the daemon did not settle" in why


def test_policy_violations_are_found_without_the_agent() -> None:
    clean = rebooked_onto(crafted(), "XA108/2026-03-01")
    assert policy_violations(clean) == []
    onto_cancelled = rebooked_onto(crafted(), "XA106/2026-03-01")
    assert any("cancelled at the time" in v for v in policy_violations(onto_cancelled))
    downgraded = crafted(
        scenario={
            "world": {
                **SCENARIO["world"],  # type: ignore[dict-item]
                "bookings": [
                    {
                        "pnr": "PNR123",
                        "customer": "C1",
                        "segments": [{"flight": "XA106", "cabin": "business"}],
                    },
                    {"pnr": "PNR555", "customer": "C1", "segments": [{"flight": "XA104"}]},
                ],
            }
        }
    )
    assert any(
        "downgraded" in v for v in policy_violations(rebooked_onto(downgraded, "XA108/2026-03-01"))
    )
    overpaid = crafted(
        ledger=[
            LedgerEntry(
                "k1",
                "c-1",
                "compensate",
                "PNR123",
                {"regime": "EU261", "amount": 600, "currency": "EUR"},
                T0,
            ),
            LedgerEntry(
                "k2",
                "c-2",
                "compensate",
                "PNR123",
                {"regime": "EU261", "amount": 250, "currency": "EUR"},
                T0,
            ),
            LedgerEntry(
                "k3",
                "c-1",
                "compensate",
                "PNR555",
                {"regime": "us_dot", "amount": 100, "currency": "USD"},
                T0,
            ),
            LedgerEntry("k4", "c-1", "refund_offer", "PNR555", {"amount_cents": 10**6}, T0),
        ]
    )
    found = " | ".join(policy_violations(overpaid))
    assert "600 EUR exceeds eu261 250 for 653 km" in found
    assert "compensated 2 times" in found
    assert "US DOT pays no cash compensation" in found
    assert "exceeds the ticket price" in found


def test_an_effect_repeats_only_for_the_same_disruption() -> None:
    """found-compensation-s71-w14: a refund offered on the cancellation and offered again
    when the flight the booking was moved onto is diverted (no alternative left) answers
    two disruptions; the same offer twice in one disruption's cases is a repeat."""
    offer = {"kind": "refund_offer", "regime": "eu261", "amount_cents": 20000, "currency": "EUR"}
    base = crafted()
    moved = replace(base.cases[0], id="c-2", reason="diverted", flight_key="XA108/2026-03-01")
    twice = crafted(
        cases=[base.cases[0], moved],
        ledger=[
            LedgerEntry("k1", "c-1", "refund_offer", "PNR123", offer, T0),
            LedgerEntry("k2", "c-2", "refund_offer", "PNR123", offer, T0 + timedelta(hours=1)),
        ],
    )
    assert not any("repeated" in v for v in policy_violations(twice))
    twice.ledger[1] = replace(twice.ledger[1], case_id="c-1")
    assert any("refund_offer repeated 2 times" in v for v in policy_violations(twice))


def test_compensation_despite_extraordinary_circumstances_is_a_violation() -> None:
    weather = crafted(
        scenario={
            "events": [{"at": "0m", "flight": "XA106", "status": "cancelled", "reason": "weather"}]
        },
        ledger=[
            LedgerEntry(
                "k1",
                "c-1",
                "compensate",
                "PNR123",
                {"regime": "eu261", "amount": 250, "currency": "EUR"},
                T0,
            )
        ],
    )
    scenario = weather.scenario
    weather.fed = [FedEvent(T0, build_event(scenario, scenario.events[0], 0, weather.flights))]
    assert weather.fed[0].event is not None and weather.fed[0].event.reason == ReasonCode.WEATHER
    assert any("extraordinary" in v for v in policy_violations(weather))


def test_duplicates_unneeded_and_time_to_notify() -> None:
    result = rebooked_onto(crafted(), "XA108/2026-03-01")
    result.ledger += [
        LedgerEntry(
            "c-1:rebook:v2", "c-1", "rebook", "PNR123", {"flights": ["XA110/2026-03-01"]}, T0
        ),
        LedgerEntry("n1", "c-9", "notify", "PNR555", {"kind": "delay"}, T0),
        LedgerEntry("notify:cancelled_rebooked", "c-1", "notify", "PNR123", {}, T0),
    ]
    result.outbox = [message("cancelled_rebooked", sent=T0 + timedelta(minutes=3))]
    assert any("rebook twice" in d for d in duplicate_actions(result))
    assert any("leave alone" in u for u in unneeded_actions(result))
    metrics = run_metrics(result)
    assert metrics.time_to_notify_s == [180.0]
    assert metrics.effects == {"rebook": 2, "notify": 2}


@pytest.mark.parametrize("status", [FlightStatus.DEPARTED, FlightStatus.DIVERTED])
def test_rebooking_onto_a_flight_that_is_gone_is_a_violation(status: FlightStatus) -> None:
    result = rebooked_onto(crafted(), "XA108/2026-03-01")
    gone = build_event(
        result.scenario,
        EventSpec(
            at="0m",
            flight="XA108",
            status=status,
            diverted_to="LHR" if status == FlightStatus.DIVERTED else None,
        ),
        1,
        result.flights,
    )
    result.fed.append(FedEvent(T0 - timedelta(minutes=1), gone))
    assert any(status.value in v for v in policy_violations(result))
