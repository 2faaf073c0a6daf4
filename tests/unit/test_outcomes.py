"""A case's outcome from its recorded effects: kinds read as enums, strings as stored."""

from __future__ import annotations

from agent.nodes.closing import case_outcome
from agent.state import ALREADY_DONE, Effect, NotifyAction, Outcome
from tools.notifications import MessageKind


def test_effects_recorded_by_earlier_releases_read_the_same() -> None:
    """Checkpoints hold the strings `act` wrote; the enum reads them without a change."""
    assert case_outcome(["rebook:already-done", "notify:already-sent"], []) == Outcome.REBOOKED
    assert case_outcome(["care", "notify:delay"], []) == Outcome.NOTIFIED
    assert case_outcome(["seat-race-exhausted", "notify:delay"], []) == Outcome.NO_ALTERNATIVE
    assert case_outcome(["compensate:already-done"], []) == Outcome.NOTHING_TO_DO
    assert Effect.REBOOK.record(ALREADY_DONE) == "rebook:already-done"
    assert Effect.SEAT_RACE_LOST.record() == "seat-race-lost"


def test_a_message_saying_no_alternative_makes_the_outcome() -> None:
    told = [NotifyAction(message=MessageKind.DIVERTED_NO_ALTERNATIVE)]
    assert case_outcome(["notify:diverted_no_alternative"], told) == Outcome.NO_ALTERNATIVE
    rebooked = [NotifyAction(message=MessageKind.DIVERTED_REBOOKED)]
    assert case_outcome(["notify:diverted_rebooked"], rebooked) == Outcome.NOTIFIED


def test_a_kind_is_read_whole_not_by_its_prefix() -> None:
    """``rebooking_pending`` is a message, not a rebooking (a prefix match said it was)."""
    assert Effect.of("rebooking_pending") is None
    assert Effect.of("notify:rebooking_pending") is Effect.NOTIFY
    assert case_outcome(["rebooking_pending"], []) == Outcome.NOTHING_TO_DO
