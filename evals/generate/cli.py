"""The command-line glue of the generated evaluations (`travel-agent eval --generate`)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

from agent.settings import Settings
from evals.cli import default_memory_factory
from evals.generate.run import GeneratedReport, load_known, run_generated, table
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
    settings: Settings,
    *,
    count: int,
    seed: int,
    size: str = "small",
    shrink: str = "first",
    out: Path | None = None,
    known_path: Path | None = None,
    say: Any = print,
) -> GeneratedReport:
    runner = ScenarioRunner(settings, memory_factory=default_memory_factory())
    known = load_known(known_path) if known_path else {}

    def progress(outcome: Any) -> None:
        mark = "ok  " if not outcome.checks else "FAIL"
        detail = ", ".join(f"{k} {v}" for k, v in sorted(outcome.checks.items()))
        say(f"  {mark} {outcome.name} ({outcome.bookings} bookings, {outcome.events} events, "
            f"{outcome.seconds:.2f} s) {detail}")

    return await run_generated(
        scenario_judge(runner), count=count, seed=seed, size=size, shrink=shrink, out=out,
        known=known, on_world=progress,
    )


def run_generate(
    *,
    count: int,
    seed: int,
    size: str,
    shrink: str,
    out: Path,
    known_path: Path,
    json_path: Path | None,
    reasoner: str,
    say: Any,
    echo: Any,
) -> int:
    """`travel-agent eval --generate N --seed S`; 1 when a failure class is not known."""
    quiet_logs()
    settings = Settings(reasoner=reasoner)
    say(f"generating {count} worlds from seed {seed} ({size}); shrunk failures go to {out}")
    report = asyncio.run(
        generated(settings, count=count, seed=seed, size=size, shrink=shrink, out=out,
                  known_path=known_path, say=say)
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
