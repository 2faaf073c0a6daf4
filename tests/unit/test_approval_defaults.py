"""What an approval that nobody decided in time does, per action kind (the safe default),
and that a plan approved on a board that has since changed does not run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from agent.nodes.approve import _changed_since, _resume
from agent.state import (
    CareAction,
    CaseContext,
    CaseReason,
    CaseState,
    CompensateAction,
    NotifyAction,
    Plan,
    ProposedAction,
    RebookAction,
    RefundOfferAction,
    Verdict,
)
from airline.board import FlightState, LiveBoard
from airline.clock import SimulatedClock
from airline.models import Booking, Cabin, Customer, FlightStatus, Segment
from tools.notifications import MessageKind
from tools.policy.results import CareItem, Regime

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
REBOOK = RebookAction(replace_seqs=[1], flights=["XA104/2026-03-01"], cabin=Cabin.ECONOMY)
UPGRADE = RebookAction(replace_seqs=[1], flights=["XA104/2026-03-01"], cabin=Cabin.BUSINESS)
PAY = CompensateAction(regime=Regime.EU261, amount_cents=25000, currency="EUR", passengers=2)
CARE = CareAction(regime=Regime.EU261, items=[CareItem.MEALS], passengers=2)
OFFER = RefundOfferAction(regime=Regime.EU261, amount_cents=30000, currency="EUR")
TOLD = NotifyAction(message=MessageKind.CANCELLED_REBOOKED)


def _context() -> CaseContext:
    return CaseContext(
        now=NOW,
        reason=CaseReason.CANCELLED,
        disrupted_flight="XA102/2026-03-01",
        booking=Booking(
            pnr="DEFLT1",
            customer_id="C1",
            price_cents=30000,
            segments=[Segment(seq=1, flight_key="XA102/2026-03-01", cabin=Cabin.ECONOMY)],
        ),
        customer=Customer(id="C1", name="Ada", language="en"),
        flights={},
        replace_seqs=[1],
        cabin=Cabin.ECONOMY,
    )


def _default(actions: list[ProposedAction]) -> list[ProposedAction]:
    verdict = Verdict(approved=actions, needs_human=["a limit"])
    state: CaseState = {
        "plan": Plan(actions=actions, rationale="", reasoner="rules"),
        "verdict": verdict,
    }
    command: Any = _resume(state, verdict, _context(), {"verdict": "default"}, 0)
    assert command.goto == "act"
    approved: list[ProposedAction] = command.update["verdict"].approved
    return approved


@pytest.mark.parametrize(
    ("action", "runs"),
    [
        pytest.param(REBOOK, True, id="rebook in the booked cabin: runs (Art 8(1)(b))"),
        pytest.param(UPGRADE, False, id="rebook in another cabin: dropped"),
        pytest.param(PAY, True, id="compensation the rules owe: runs"),
        pytest.param(CARE, True, id="care: runs (McDonagh)"),
        pytest.param(OFFER, True, id="refund offer: runs (the passenger decides)"),
    ],
)
def test_each_action_kind_has_its_safe_default(action: ProposedAction, runs: bool) -> None:
    approved = _default([action, TOLD])
    assert (action in approved) is runs
    [message] = [a for a in approved if isinstance(a, NotifyAction)]
    # The passenger is told what ran: no rebooking, no "you are rebooked".
    expected = (
        TOLD.message if runs or action is not UPGRADE else MessageKind.CANCELLED_NO_ALTERNATIVE
    )
    assert message.message == expected


def test_a_whole_plan_keeps_what_is_owed_when_the_upgrade_is_dropped() -> None:
    approved = _default([UPGRADE, TOLD, PAY, CARE, OFFER])
    assert [a.kind for a in approved] == ["notify", "compensate", "care", "refund_offer"]
    assert approved[0] == NotifyAction(message=MessageKind.CANCELLED_NO_ALTERNATIVE)


def _board(**states: FlightStatus) -> LiveBoard:
    board = LiveBoard()
    for key, status in states.items():
        flight = key.replace("_", "/")
        board._states[flight] = FlightState(  # a board as the stream left it
            flight_key=flight,
            status=status,
            est_dep=NOW + timedelta(hours=4),
            est_arr=NOW + timedelta(hours=5),
            event_id=f"ev-{key}",
            emitted_at=NOW,
        )
    return board


@pytest.mark.parametrize(
    ("disrupted", "proposed", "changed"),
    [
        pytest.param(FlightStatus.CANCELLED, FlightStatus.SCHEDULED, None, id="as approved"),
        pytest.param(FlightStatus.SCHEDULED, FlightStatus.SCHEDULED, "operates again", id="back"),
        pytest.param(FlightStatus.CANCELLED, FlightStatus.CANCELLED, "is cancelled", id="gone"),
        pytest.param(FlightStatus.CANCELLED, FlightStatus.DEPARTED, "is departed", id="left"),
    ],
)
def test_an_approved_plan_does_not_run_on_a_board_that_changed(
    disrupted: FlightStatus, proposed: FlightStatus, changed: str | None
) -> None:
    deps: Any = SimpleNamespace(
        board=_board(**{"XA102_2026-03-01": disrupted, "XA104_2026-03-01": proposed}),
        clock=SimulatedClock(NOW, speed=0),
    )
    found = _changed_since(deps, [REBOOK, TOLD], _context())
    assert (found is None) if changed is None else (found is not None and changed in found)
