"""The evaluations' own checks of the passengers' rights, on crafted runs (no daemon):
deadlines met, seats accounted for party by party, journeys kept, refunds and
recipients. Each would let a wrong agent pass if it were missing."""

from __future__ import annotations

from datetime import timedelta

from airline.models import Cabin, Segment, SegmentStatus
from evals.expectations import score
from evals.policy_checks import policy_violations
from evals.rights_metrics import deadline_breaches, seat_accounting
from evals.run_result import LedgerEntry, OutboxEntry
from tests.unit.test_evals_scoring import T0, crafted, message

PARTY = {
    "world": {
        "customers": [{"id": "C1"}],
        "bookings": [
            {
                "pnr": "PNR123",
                "customer": "C1",
                "passengers": [{}, {"name": "B"}, {"name": "C", "type": "infant"}],
                "journeys": [
                    {"segments": [{"flight": "XA106"}]},
                    {"segments": [{"flight": "XA107"}]},
                ],
            },
            {"pnr": "PNR555", "customer": "C1", "segments": [{"flight": "XA104"}]},
        ],
    }
}


def test_a_message_after_its_legal_deadline_is_a_breach() -> None:
    due = (T0 + timedelta(minutes=30)).isoformat()
    meta = {"deadline": due, "deadline_citation": "14 CFR 259.8"}
    on_time = message("delay", sent=T0 + timedelta(minutes=10), meta=meta)
    late = message("delay", sent=T0 + timedelta(minutes=45), meta=meta)
    held = message("delay", status="pending", meta=meta)
    replaced = message("delay", status="superseded", meta=meta)
    assert deadline_breaches(crafted(outbox=[on_time, replaced])) == ([], 1)
    breaches, met = deadline_breaches(crafted(outbox=[late, held]))
    assert met == 0 and len(breaches) == 2
    assert "after" in breaches[0] and "259.8" in breaches[0]
    assert "not delivered" in breaches[1]


def _moved(before: int, after: int) -> list[str]:
    """Seat accounting after the party of two seats (and a lap infant) moved from XA106 to
    XA108, with the inventories the run ends with."""
    run = crafted(scenario=PARTY)
    key = ("XA106/2026-03-01", "economy")
    new = ("XA108/2026-03-01", "economy")
    booking = run.original["PNR123"]
    run.bookings["PNR123"] = booking.model_copy(
        update={
            "segments": [
                booking.segments[0].model_copy(update={"status": SegmentStatus.REPLACED}),
                booking.segments[1],
                Segment(seq=3, flight_key=new[0], cabin=Cabin.ECONOMY, journey=1),
            ]
        }
    )
    run.inventory_before = {key: (150, 2), new: (150, 0), ("XA107/2026-03-01", "economy"): (150, 2)}
    run.inventory_after = {
        key: (150, before),
        new: (150, after),
        ("XA107/2026-03-01", "economy"): (150, 2),
    }
    return seat_accounting(run)


def test_every_seat_that_moves_is_a_partys_and_nothing_is_oversold() -> None:
    assert _moved(0, 2) == []  # two seated travellers moved; the infant took none
    leaks = _moved(1, 1)  # a rebooking that moved one seat for a party of two
    assert leaks and all("the bookings by" in leak for leak in leaks)
    oversold = _moved(0, 151)
    assert any("151 seats sold of 150" in p for p in oversold)


def test_a_rebooking_that_breaks_the_return_is_a_violation() -> None:
    run = crafted(scenario=PARTY)
    booking = run.original["PNR123"]
    late = "XA110/2026-03-01"  # lands 20:15, after the return XA107 left at 18:00
    run.bookings["PNR123"] = booking.model_copy(
        update={
            "segments": [
                booking.segments[0].model_copy(update={"status": SegmentStatus.REPLACED}),
                booking.segments[1],
                Segment(seq=3, flight_key=late, cabin=Cabin.ECONOMY, journey=1),
            ]
        }
    )
    run.ledger.append(
        LedgerEntry("k", "c-1", "rebook", "PNR123", {"flights": [late], "replace_seqs": [1]}, T0)
    )
    assert any("breaks it" in p for p in policy_violations(run))
    fine = crafted(scenario=PARTY)
    fine.ledger.append(
        LedgerEntry(
            "k",
            "c-1",
            "rebook",
            "PNR123",
            {"flights": ["XA104/2026-03-01"], "replace_seqs": [1]},
            T0,
        )
    )
    assert not any("breaks it" in p for p in policy_violations(fine))


def test_compensation_to_more_travellers_than_are_owed_is_a_violation() -> None:
    run = crafted(scenario=PARTY)
    paid = {"regime": "eu261", "amount_cents": 25000, "currency": "EUR", "passengers": 3}
    run.ledger.append(LedgerEntry("k", "c-1", "compensate", "PNR123", paid, T0))
    assert any("2 are owed" in p for p in policy_violations(run))  # the lap infant is not


def test_refunds_and_recipients_are_scored() -> None:
    run = crafted(scenario=PARTY)
    detail = {
        "amount_cents": 25000,
        "currency": "EUR",
        "due_by": (T0 + timedelta(days=7)).isoformat(),
        "chosen_at": T0.isoformat(),
        "journeys": None,
    }
    run.ledger.append(LedgerEntry("refund:k", "c", "refund", "PNR123", detail, T0))
    assert score("refunded", {"booking": "PNR123", "amount": 250, "due_within": "7d"}, run).passed
    assert not score("refunded", {"booking": "PNR123", "due_within": "6d"}, run).passed
    assert not score("no_refund", {"booking": "PNR123"}, run).passed
    contact = message("cancelled_rebooked")
    own = OutboxEntry(
        "notify:x:P2",
        "notifications.outbound",
        "PNR123",
        "PNR123-P2",
        "sms",
        contact.payload,
        "sent",
        T0,
        T0,
    )
    run.outbox = [contact, own]
    spec = {"booking": "PNR123", "count": 2, "passengers": [2]}
    assert score("recipients", spec, run).passed
    assert not score("recipients", {"booking": "PNR123", "count": 1}, run).passed


def test_deadlines_care_periods_and_loads_are_scored() -> None:
    """The scenario expectations `deadline_met`, `care_periods` and `load` fail on a run
    that breaks them, not only pass on one that keeps them."""
    run = crafted(scenario=PARTY)
    due = (T0 + timedelta(minutes=30)).isoformat()
    meta = {"deadline": due, "deadline_citation": "14 CFR 259.8"}
    run.outbox = [message("delay", sent=T0 + timedelta(minutes=10), meta=meta)]
    met = {"booking": "PNR123", "kind": "delay", "citation": "259.8"}
    assert score("deadline_met", met, run).passed
    assert not score("deadline_met", met | {"citation": "Art 14(2)"}, run).passed
    run.outbox = [message("delay", sent=T0 + timedelta(minutes=45), meta=meta)]
    assert not score("deadline_met", met, run).passed

    care = {"regime": "eu261", "items": ["meals"], "passengers": 2}
    run.ledger = [LedgerEntry("care:1", "c-1", "care", "PNR123", care, T0)]
    assert score("care_periods", {"booking": "PNR123", "periods": 1, "travellers": 2}, run).passed
    assert not score("care_periods", {"booking": "PNR123", "periods": 2}, run).passed
    assert not score(
        "care_periods", {"booking": "PNR123", "periods": 1, "travellers": 3}, run
    ).passed

    key = ("XA106/2026-03-01", "economy")
    run.inventory_after = {key: (150, 2)}
    assert score("load", {"flight": "XA106", "sold": 2, "seats_left": 148}, run).passed
    assert not score("load", {"flight": "XA106", "sold": 3}, run).passed
    assert not score("load", {"flight": "XA106", "seats_left": 0}, run).passed
    run.inventory_after = {key: (150, 151)}
    assert not score("load", {"flight": "XA106"}, run).passed  # oversold fails on its own
