"""The runner drives the real daemon through scenarios: what it collects, how time moves."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.eval_cli import EvalHarness, scenario_settings
from app.settings import Settings
from evals.runner import ScenarioRunner
from evals.scenario import load_scenario
from evals.suite import run_record
from travel_agent.errors import ConfigError

SCENARIOS = Path(__file__).resolve().parents[2] / "evals" / "scenarios"


@pytest.fixture
def runner(tmp_path: Path) -> ScenarioRunner:
    return ScenarioRunner(EvalHarness(Settings(data_dir=tmp_path)), workdir=tmp_path)


async def test_a_cancellation_runs_through_the_daemon_and_is_collected(
    runner: ScenarioRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[str] = []
    runner.progress = told.append
    monkeypatch.setattr("evals.runner.PROGRESS_SECONDS", 0.0)  # every moment says where
    scenario = load_scenario(SCENARIOS / "no-seats-second-carrier.yaml")
    result = await runner.run(scenario)
    assert result.error is None
    assert told and "scripted steps fed" in told[0], told
    assert told[-1].endswith("run over, the oracle judges it"), told
    assert [(c.pnr, c.reason, c.status, c.outcome) for c in result.cases] == [
        ("OTHERC", "cancelled", "done", "rebooked")
    ]
    assert [e.action for e in result.ledger][:2] == ["rebook", "notify"]
    assert {e.pnr for e in result.ledger} == {"OTHERC"}
    [sent] = result.notifications()
    assert (sent.status, sent.kind, sent.payload["language"]) == (
        "sent",
        "cancelled_rebooked",
        "es",
    )
    assert result.plans[result.cases[0].id].reasoner == "rules"
    assert [s.flight_key for s in result.bookings["OTHERC"].active_segments] == [
        "XB1100/2026-03-01"
    ]
    record = run_record(result, 1)
    assert record["passed"], record["expectations"]
    assert record["metrics"]["policy_violations"] == 0


async def test_each_run_has_its_own_world(runner: ScenarioRunner) -> None:
    scenario = load_scenario(SCENARIOS / "duplicate-events-exactly-once.yaml")
    first, second = await runner.run(scenario), await runner.run(scenario)
    for result in (first, second):
        assert result.error is None
        assert [e.action for e in result.ledger].count("rebook") == 1
        assert result.directory is not None and not result.directory.exists()


async def test_the_clock_jumps_to_a_held_message_and_delivers_it_in_the_morning(
    runner: ScenarioRunner,
) -> None:
    scenario = load_scenario(SCENARIOS / "quiet-hours-delay-held-until-morning.yaml")
    result = await runner.run(scenario)
    [held] = result.notifications()
    assert held.payload["not_before"] == "2026-03-02T06:00:00+00:00"
    assert held.sent_at is not None and held.sent_at.isoformat() == "2026-03-02T06:00:00+00:00"
    assert run_record(result, 1)["passed"]


async def test_a_torn_record_is_dead_lettered_and_the_stream_goes_on(
    runner: ScenarioRunner,
) -> None:
    result = await runner.run(load_scenario(SCENARIOS / "dead-letter-torn-record.yaml"))
    assert [d["reason"] for d in result.dead_letters] == ["not_json"]
    assert run_record(result, 1)["passed"]


async def test_an_operator_decision_at_its_time_resumes_the_parked_case(
    runner: ScenarioRunner,
) -> None:
    result = await runner.run(load_scenario(SCENARIOS / "approval-required-approved.yaml"))
    [approval] = result.approvals
    assert (approval.status, approval.decided_by) == ("approved", "eval-operator")
    assert approval.decided_at is not None
    assert approval.decided_at - result.start == timedelta(minutes=15)
    rebook = next(e for e in result.ledger if e.action == "rebook")
    assert rebook.at == approval.decided_at  # it ran when the operator said so, not before
    assert result.decisions == ["15m approve APPRV1: recorded on " + approval.id]
    assert run_record(result, 1)["passed"]


async def test_the_deadline_job_runs_on_the_simulated_clock(runner: ScenarioRunner) -> None:
    result = await runner.run(load_scenario(SCENARIOS / "approval-deadline-expires.yaml"))
    [approval] = result.approvals
    assert (approval.status, approval.decided_by) == ("expired", "scheduler")
    assert approval.decided_at == approval.deadline == result.start + timedelta(minutes=30)
    assert run_record(result, 1)["passed"]


def test_settings_overrides_are_checked(tmp_path: Path) -> None:
    base = Settings(data_dir=tmp_path)
    merged = scenario_settings(base, {"agent": {"concurrency": 2}}, tmp_path / "run")
    assert merged.agent.concurrency == 2
    assert merged.data_dir == tmp_path / "run"
    assert merged.agent.rebook_horizon_hours == base.agent.rebook_horizon_hours
    with pytest.raises(ConfigError, match=r"agent\.concurrancy: no such setting"):
        scenario_settings(base, {"agent": {"concurrancy": 2}}, tmp_path / "run")


async def test_what_falls_due_at_a_moment_runs_before_that_moments_records(
    runner: ScenarioRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daemon on event time runs the jobs due by a record's instant before the record
    (`Daemon.run_due_jobs`); the runner, which moves a driven daemon's clock, keeps that
    order, so a scenario judges the order production runs (a reminder due at a
    cancellation's instant re-checks the itinerary before the cancellation, not after)."""
    seen: list[tuple[str, object]] = []
    follow_up, publish = ScenarioRunner._follow_up, ScenarioRunner._publish

    async def following(self: ScenarioRunner, runtime: Any, task: Any) -> None:
        seen.append(("jobs", runtime.deps.clock.now()))
        await follow_up(self, runtime, task)

    async def publishing(self: ScenarioRunner, scenario: Any, step: Any, *rest: Any) -> None:
        seen.append(("record", step.at))
        await publish(self, scenario, step, *rest)

    monkeypatch.setattr(ScenarioRunner, "_follow_up", following)
    monkeypatch.setattr(ScenarioRunner, "_publish", publishing)
    result = await runner.run(load_scenario(SCENARIOS / "gate-change.yaml"))
    assert result.error is None
    records = [(n, at) for n, (what, at) in enumerate(seen) if what == "record"]
    assert len(records) == 2
    for n, at in records:
        assert ("jobs", at) in seen[:n], (at, seen)
