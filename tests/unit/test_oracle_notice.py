"""The oracle measures a cancellation's notice on the journey's departure (Art 5(1)(c)).

ZRH→FRA→MUC, the FRA→MUC flight cancelled, the passenger told 13 days 22 h before the
journey leaves Zurich, which is 14 days 1 h before the cancelled flight leaves Frankfurt.
Not told "two weeks before the scheduled time of departure" of the journey: with no
re-routing offered, compensation stays owed (Art 5(1)(c)(i) does not apply and (ii)
needs a re-routing). The agent measures the same instant
(`tools.policy.facts.Disruption.notice`; `test_notice_from_journey`).
"""

from __future__ import annotations

from evals.oracle import judge
from evals.oracle.record import RunRecord
from tests.unit.oracle_worlds import after, at, booking, event, flight, message, money, world

TWO_WEEKS = 14 * 24 * 60  # in minutes; the passenger is told at 0


def findings(*, paid: bool, journey_leaves: float) -> set[str]:
    """The oracle's checks that fail on the run: the connection's second flight, leaving
    3 h after the journey does, cancelled (crew) at 0; the passenger told and offered
    their money back, compensation `paid` or not."""
    first = flight("XA5/2026-03-15", "ZRH", "FRA", journey_leaves, journey_leaves + 60)
    second = flight("XA1/2026-03-15", "FRA", "MUC", journey_leaves + 180, journey_leaves + 240)
    effects = [money(0, "P1", "refund_offer", regime="eu261", amount_cents=20000, currency="EUR")]
    if paid:  # ZRH→MUC 245 km: 250 EUR (Art 7(1)(a))
        effects.append(
            money(0, "P1", "compensate", regime="eu261", amount_cents=25000, currency="EUR")
        )
    record = RunRecord(
        world=world([first, second], [booking("P1", first.key, second.key)]),
        events=[event(0, second.key, "cancelled", second.sched_dep, second.sched_arr)],
        end=at(journey_leaves + 600),
        effects=effects,
        messages=[message(0, "P1", "cancelled_no_alternative", second.key)],
    )
    return set(judge(after(record)).by_check())


def test_told_under_two_weeks_before_the_journey_leaves_compensation_is_owed() -> None:
    """13 d 22 h before the journey leaves, 14 d 1 h before the cancelled flight."""
    leaves = TWO_WEEKS - 120
    assert "compensation" in findings(paid=False, journey_leaves=leaves)
    assert "compensation" not in findings(paid=True, journey_leaves=leaves)


def test_told_two_weeks_before_the_journey_leaves_none_is_owed() -> None:
    assert "compensation" not in findings(paid=False, journey_leaves=TWO_WEEKS)
    assert "compensation" in findings(paid=True, journey_leaves=TWO_WEEKS)
