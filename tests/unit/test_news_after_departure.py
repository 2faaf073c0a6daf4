"""News of a flight that had already left reaches its passengers in the air: it tells
them when they land and what they are owed, never a new departure or a refund instead
of a journey they are making."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from airline.board import FlightState
from airline.models import FlightStatus
from app.eval_cli import EvalHarness
from app.settings import Settings
from evals.runner import ScenarioRunner
from evals.scenario import load_scenario
from tools.notifications import MessageKind, compose

DEP = datetime(2026, 3, 1, 13, 30, tzinfo=UTC)
SCENARIOS = Path(__file__).resolve().parents[2] / "evals" / "scenarios"
LANGUAGES = ("en", "de", "fr", "es", "zh")


def state(status: FlightStatus, emitted: timedelta) -> FlightState:
    return FlightState(
        flight_key="XA120/2026-03-01",
        status=status,
        est_dep=DEP,
        est_arr=DEP + timedelta(hours=3),
        event_id="e1",
        emitted_at=DEP + emitted,
    )


@pytest.mark.parametrize(
    ("status", "emitted", "gone"),
    [
        pytest.param(FlightStatus.DEPARTED, timedelta(0), True, id="says it departed"),
        pytest.param(FlightStatus.ARRIVED, timedelta(hours=3), True, id="says it arrived"),
        pytest.param(FlightStatus.DELAYED, timedelta(minutes=5), True, id="delay told after it"),
        pytest.param(FlightStatus.DELAYED, timedelta(0), True, id="delay told at departure"),
        pytest.param(FlightStatus.DELAYED, -timedelta(minutes=1), False, id="delay told before"),
        pytest.param(FlightStatus.CANCELLED, timedelta(hours=1), False, id="cancelled: never left"),
        pytest.param(FlightStatus.DIVERTED, timedelta(hours=1), False, id="diverted: own news"),
    ],
)
def test_a_record_says_whether_the_flight_had_left_when_it_was_written(
    status: FlightStatus, emitted: timedelta, gone: bool
) -> None:
    assert state(status, emitted).left_before_news is gone


FIELDS = {
    "flight": "XA120",
    "route": "FRA→LIS",
    "date": "2026-03-01",
    "new_dep": "14:30",
    "new_arr": "16:30",
    "minutes": "330",
    "care_meals": "yes",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_delay_told_in_the_air_gives_the_landing_and_care_to_claim_back(language: str) -> None:
    subject, body = compose(MessageKind.DELAY, language, {**FIELDS, "departed": "yes"})
    waiting_subject, waiting_body = compose(MessageKind.DELAY, language, FIELDS)
    assert "16:30" in subject and "16:30" in body
    assert "14:30" not in subject and "14:30" not in body
    assert "14:30" in waiting_subject and "16:30" not in waiting_body
    # The care sentence is another one: reimbursed, not shown at a desk.
    assert body.split("330", 1)[1] != waiting_body.split("330", 1)[1]


async def test_a_passenger_in_the_air_is_told_the_landing_and_offered_no_refund(
    tmp_path: Path,
) -> None:
    runner = ScenarioRunner(EvalHarness(Settings(data_dir=tmp_path)), workdir=tmp_path)
    result = await runner.run(load_scenario(SCENARIOS / "delay-first-told-in-the-air.yaml"))
    assert result.error is None
    [delay] = [m for m in result.notifications() if m.kind == "delay"]
    # 11:00 + 5 h 30 min, in Lisbon (on UTC in March)
    assert delay.payload["subject"] == "Flight XA120 left late: landing 16:30"
    assert "lands at 16:30 local time" in delay.payload["body"]
    assert "keep the receipts" in delay.payload["body"]
    assert "departure" not in delay.payload["body"] and "refund" not in delay.payload["body"]
    actions = [e.action for e in result.ledger if e.pnr == "INAIR1"]
    assert "refund_offer" not in actions
    assert {"care", "compensate"} <= set(actions)
