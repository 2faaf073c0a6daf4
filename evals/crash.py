"""Crash-invariance as an evaluation: the same generated storm, once uninterrupted and once
with the daemon killed and restarted at random moments, compared by the oracle and by a
diff of what each passenger ended with.

The kill is in-process: the daemon's task is cancelled wherever it is (its open
transactions roll back, as a killed process's do), everything it had open is closed, and
a new agent and daemon are opened on the same database, checkpoints and embedded stream
(whose committed offsets survive, as Kafka's do). `tests/integration` kills real
processes on Kafka; this runs the same comparison fast, on every generated world.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from evals.generate.model import to_scenario
from evals.generate.worlds import generate_world
from evals.harness import Harness
from evals.live import LiveDaemon
from evals.run_result import RunResult
from evals.runner import ScenarioRunner
from evals.scenario import parse_scenario
from tools.tables import OutboxStatus


class CrashingRunner(ScenarioRunner):
    """A runner that kills the daemon at `crashes` random moments of each timeline.

    Args:
        crashes: how many kills per run.
        seed: where the kill moments and the time into the moment come from.
    """

    def __init__(self, harness: Harness, *, crashes: int, seed: int, **kwargs: Any) -> None:
        super().__init__(harness, **kwargs)
        self.crashes = crashes
        self.rng = random.Random(seed)
        self.moments: set[int] = set()
        self.kills: list[str] = []

    async def run(self, scenario: Any) -> RunResult:
        steps = max(1, len({e.at for e in scenario.events}))
        self.moments = set(self.rng.sample(range(steps), min(self.crashes, steps)))
        self.kills = []
        return await super().run(scenario)

    async def interrupt(self, live: LiveDaemon, moment: int, result: RunResult) -> LiveDaemon:
        if moment not in self.moments:
            return live
        # Let the daemon get somewhere into the moment's records, then kill it there.
        for _ in range(self.rng.randint(0, 60)):
            await asyncio.sleep(0)
        await live.stop_daemon(graceful=False)
        await live.stack.aclose()
        self.kills.append(f"moment {moment} at {live.runtime.deps.clock.now():%H:%M}Z")
        return await live.reopen()


def outcome(result: RunResult) -> dict[str, Any]:
    """What each passenger ended with, in a form two runs can be compared in."""
    per: dict[str, dict[str, Any]] = {}
    for pnr, booking in result.bookings.items():
        per[pnr] = {
            "flights": tuple(s.flight_key for s in booking.active_segments),
            "status": str(booking.status),
        }
    effects: dict[str, Counter[str]] = {}
    for e in result.ledger:
        if e.action == "notify":
            continue
        d = e.detail
        what = {
            "rebook": f"rebook {'+'.join(d.get('flights') or [])} {d.get('cabin')}",
            "compensate": (
                f"compensate {d.get('regime')} {d.get('amount_cents')} {d.get('currency')}"
            ),
            "care": f"care {','.join(sorted(d.get('items') or []))}",
        }.get(e.action, f"{e.action} {d.get('amount_cents', '')}")
        effects.setdefault(e.pnr, Counter())[what] += 1
    told: dict[str, Counter[str]] = {}
    for m in result.notifications():
        if m.status == OutboxStatus.SENT:
            told.setdefault(m.pnr, Counter())[
                f"{m.kind} {(m.payload.get('meta') or {}).get('about')}"
            ] += 1
    for pnr in per:
        per[pnr]["effects"] = effects.get(pnr, Counter())
        per[pnr]["messages"] = told.get(pnr, Counter())
    return per


def differences(plain: RunResult, crashed: RunResult) -> list[str]:
    """Each way the crashed run's outcome differs from the uninterrupted one's."""
    a, b = outcome(plain), outcome(crashed)
    found = []
    for pnr in sorted(a):
        x, y = a[pnr], b.get(pnr, {})
        if x["flights"] != y.get("flights"):
            found.append(
                f"{pnr}: ends on {'+'.join(x['flights'])} uninterrupted, "
                f"{'+'.join(y.get('flights') or ())} with crashes"
            )
        for name in ("effects", "messages"):
            more, fewer = y.get(name, Counter()) - x[name], x[name] - y.get(name, Counter())
            if more:
                found.append(
                    f"{pnr}: {name} only with crashes: {', '.join(sorted(more.elements()))}"
                )
            if fewer:
                found.append(
                    f"{pnr}: {name} missing with crashes: {', '.join(sorted(fewer.elements()))}"
                )
    if crashed.error and not plain.error:
        found.append(f"the crashed run failed: {crashed.error}")
    return found


@dataclass
class CrashReport:
    worlds: int = 0
    kills: int = 0
    differing: int = 0
    differences: list[tuple[str, str]] = field(default_factory=list)
    new_findings: Counter[str] = field(default_factory=Counter)
    """Oracle findings (by check) in crashed runs and not in their uninterrupted twin."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "worlds": self.worlds,
            "kills": self.kills,
            "worlds_differing": self.differing,
            "differences": len(self.differences),
            "new_findings_by_check": dict(self.new_findings),
        }


async def crash_invariance(
    harness: Harness,
    *,
    count: int,
    seed: int,
    crashes: int,
    size: str = "medium",
    say: Any = print,
) -> CrashReport:
    plain_runner = ScenarioRunner(harness)
    crash_runner = CrashingRunner(harness, crashes=crashes, seed=seed)
    report = CrashReport()
    for index in range(count):
        world = generate_world(seed, index, size=size)
        world.memory, world.injections = [], [i for i in world.injections if i["where"] != "memory"]
        scenario = parse_scenario(to_scenario(world), source=world.name)
        plain = await plain_runner.run(scenario)
        crashed = await crash_runner.run(scenario)
        report.worlds += 1
        report.kills += len(crash_runner.kills)
        diff = differences(plain, crashed)
        assert plain.verdict is not None and crashed.verdict is not None
        before = {str(f) for f in plain.verdict.findings}
        report.new_findings.update(
            f.check for f in crashed.verdict.findings if str(f) not in before
        )
        if diff:
            report.differing += 1
            report.differences += [(world.name, d) for d in diff]
        say(
            f"  {'same' if not diff else 'DIFF'} {world.name}: "
            f"killed at {', '.join(crash_runner.kills) or 'no moment'}"
            + "".join(f"\n      {d}" for d in diff)
        )
    return report
