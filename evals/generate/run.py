"""`travel-agent eval --generate N --seed S`: generated worlds through the real daemon and
the oracle, figures by failure class, failing worlds shrunk and written as scenarios.

A failure class is an oracle check (`evals.oracle.CHECKS`). The committed known-failures
file (`evals/known-failures.yaml`) lists the classes the agent is known to fail, each with
its shrunk scenario and a one-line reason; a class not listed is a new failure.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evals.generate.model import GenBooking, GenPassenger, GenWorld, to_scenario
from evals.generate.worlds import generate_world
from evals.oracle import Verdict
from evals.scenario import parse_scenario
from evals.scenario_world import ScenarioError

log = logging.getLogger(__name__)

KNOWN_FAILURES = Path("evals/known-failures.yaml")
MAX_SHRINK_RUNS = 80

Judge = Callable[[dict[str, Any]], Awaitable[Verdict | None]]
"""Runs a scenario mapping through the daemon and the oracle (None: it cannot be built)."""


@dataclass
class WorldOutcome:
    index: int
    name: str
    bookings: int
    events: int
    seconds: float
    checks: Counter[str]
    reasons: list[str]
    figures: dict[str, Any]


@dataclass
class GeneratedReport:
    seed: int
    worlds: list[WorldOutcome] = field(default_factory=list)
    written: dict[str, Path] = field(default_factory=dict)
    """Failure class → the shrunk scenario written for it."""
    known: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def failing(self) -> list[WorldOutcome]:
        return [w for w in self.worlds if w.checks]

    def classes(self) -> Counter[str]:
        """Worlds failing each check."""
        found: Counter[str] = Counter()
        for w in self.worlds:
            found.update(set(w.checks))
        return found

    def unknown(self) -> list[str]:
        return sorted(set(self.classes()) - set(self.known))

    def unseen(self) -> list[str]:
        """Known failures this run did not meet (fixed, or not generated at this size)."""
        return sorted(set(self.known) - set(self.classes()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "worlds": len(self.worlds),
            "failing_worlds": len(self.failing),
            "by_class": dict(self.classes()),
            "findings": dict(sum((w.checks for w in self.worlds), Counter())),
            "unknown_classes": self.unknown(),
            "known_not_seen": self.unseen(),
            "written": {k: str(v) for k, v in self.written.items()},
            "bookings": sum(w.bookings for w in self.worlds),
            "affected": sum(w.figures.get("affected", 0) for w in self.worlds),
            "seconds": round(sum(w.seconds for w in self.worlds), 1),
        }


def load_known(path: Path, suite: str = "generated") -> dict[str, dict[str, Any]]:
    """The known failures of one suite (generated, red-team, storm-day), by class. Each
    entry: check, scenario, reason, issue (and suite, default generated)."""
    if not path.is_file():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    known = {}
    for i, entry in enumerate(entries):
        missing = {"check", "scenario", "reason", "issue"} - set(entry)
        if missing:
            raise ScenarioError(f"{path}: entry {i} lacks {', '.join(sorted(missing))}")
        if entry.get("suite", "generated") == suite:
            known[str(entry["check"])] = dict(entry)
    return known


async def run_generated(
    judge: Judge,
    *,
    count: int,
    seed: int,
    size: str = "small",
    families: bool = False,
    shrink: str = "one",
    out: Path | None = None,
    known: dict[str, dict[str, Any]] | None = None,
    on_world: Callable[[WorldOutcome], None] | None = None,
    concurrency: int = 2,
) -> GeneratedReport:
    """Generate `count` worlds from `seed`, judge each, and shrink failures.

    Args:
        shrink: ``one``: the smallest failing world of each class; ``all``: every failing
            world, once per class it shows; ``none``: write nothing.
        out: where shrunk scenarios go (required unless ``shrink="none"``).
        families: some bookings carry companions and returns (`generate_world`).
        concurrency: worlds run at once (each its own daemon and database); a run waits
            on its database much of the time, so two share a core well.
    """
    report = GeneratedReport(seed, known=dict(known or {}))
    worlds = [generate_world(seed, index, size=size, families=families) for index in range(count)]
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int, world: GenWorld) -> WorldOutcome:
        async with gate:
            started = time.perf_counter()
            verdict = await judge(to_scenario(world))
            assert verdict is not None, f"generated world {world.name} does not build"
            outcome = WorldOutcome(
                index,
                world.name,
                len(world.bookings),
                len(world.events),
                time.perf_counter() - started,
                verdict.by_check(),
                [str(f) for f in verdict.findings],
                verdict.figures,
            )
        if on_world is not None:
            on_world(outcome)
        return outcome

    report.worlds = list(await asyncio.gather(*(one(i, w) for i, w in enumerate(worlds))))
    if shrink == "none" or out is None:
        return report
    # One world per class (the smallest that shows it: fewer parts, faster runs), or every
    # failing world per class; the classes shrink side by side.
    chosen: list[tuple[str, GenWorld]] = []
    for check in sorted(report.classes()):
        showing = [w for o, w in zip(report.worlds, worlds, strict=True) if check in o.checks]
        picked = showing if shrink == "all" else [min(showing, key=_size)]
        chosen += [(check, w) for w in picked]

    async def shrink_one(check: str, world: GenWorld) -> tuple[str, Path]:
        async with gate:
            small = await shrink_world(world, check, judge)
            return check, await write_found(small, check, judge, out)

    for check, path in await asyncio.gather(*(shrink_one(c, w) for c, w in chosen)):
        report.written.setdefault(check, path)
    return report


async def _fails(world: GenWorld, check: str, judge: Judge) -> bool:
    try:
        verdict = await judge(to_scenario(world))
    except ScenarioError:
        return False
    return verdict is not None and check in verdict.by_check()


def _referenced(world: GenWorld) -> set[str]:
    keys = {key for b in world.bookings.values() for key, _ in b.legs}
    return keys | {e.flight for e in world.events if e.flight}


async def shrink_world(world: GenWorld, check: str, judge: Judge) -> GenWorld:
    """A smaller world that still fails `check`: parts are taken away in chunks, halving
    the chunk when none can go (as delta debugging does) — events, bookings (a linked
    companion's PNR is one), a booking's way back, its companions, flights nobody books or
    names, memory, planted texts and loads — until a pass removes nothing or
    `MAX_SHRINK_RUNS` runs are spent."""
    runs = [0]

    async def still(candidate: GenWorld) -> bool:
        runs[0] += 1
        return runs[0] <= MAX_SHRINK_RUNS and await _fails(candidate, check, judge)

    async def drop(
        current: GenWorld, name: str, keys: list[Any], keep_one: bool = False
    ) -> GenWorld:
        chunk = max(1, len(keys) // 2)
        while chunk >= 1 and keys:
            i = 0
            while i < len(keys):
                part = keys[i : i + chunk]
                gone = set(part) if name in ("flights", "returns") else set(map(id, part))
                candidate = _without(current, name, gone)
                if (not keep_one or _count(candidate, name)) and await still(candidate):
                    current, keys = candidate, keys[:i] + keys[i + chunk :]
                else:
                    i += chunk
            chunk //= 2
        return current

    current = world
    for _ in range(3):
        before = _size(current)
        current = await drop(current, "events", list(current.events))
        current = await drop(current, "bookings", list(current.bookings.values()), keep_one=True)
        current = await drop(
            current, "returns", [p for p, b in current.bookings.items() if b.returns_at]
        )
        current = await drop(
            current, "companions", [p for b in current.bookings.values() for p in b.companions]
        )
        current = await drop(
            current, "flights", [k for k in current.flights if k not in _referenced(current)]
        )
        for name in ("memory", "injections", "inventory"):
            current = await drop(current, name, list(getattr(current, name)))
        if _size(current) == before or runs[0] > MAX_SHRINK_RUNS:
            break
    current.notes = [
        *current.notes,
        f"shrunk from {_size(world)} to {_size(current)} parts in {runs[0]} runs",
    ]
    return current


def _without(world: GenWorld, name: str, gone: set[Any]) -> GenWorld:
    if name == "flights":
        return dataclasses.replace(
            world, flights={k: f for k, f in world.flights.items() if k not in gone}
        )
    if name == "bookings":
        return dataclasses.replace(
            world, bookings={p: b for p, b in world.bookings.items() if id(b) not in gone}
        )
    if name == "returns":
        return dataclasses.replace(
            world,
            bookings={p: _one_way(b) if p in gone else b for p, b in world.bookings.items()},
        )
    if name == "companions":
        return dataclasses.replace(
            world, bookings={p: _fewer(b, gone) for p, b in world.bookings.items()}
        )
    kept: list[Any] = [x for x in getattr(world, name) if id(x) not in gone]
    copy = dataclasses.replace(world)
    setattr(copy, name, kept)
    return copy


def _one_way(b: GenBooking) -> GenBooking:
    """The booking without its way back (and that half of its price)."""
    if b.returns_at is None:
        return b
    return dataclasses.replace(
        b, legs=b.legs[: b.returns_at], returns_at=None, price=round(b.price / 2, 2)
    )


def _fewer(b: GenBooking, gone: set[int]) -> GenBooking:
    """The booking without the companions whose ids are `gone` (and their share of the
    price: a lap infant pays a tenth)."""
    kept = [p for p in b.companions if id(p) not in gone]
    if len(kept) == len(b.companions):
        return b

    def fares(party: list[GenPassenger]) -> float:
        return 1 + sum(0.1 if p.type == "infant" else 1 for p in party)

    price = round(b.price * fares(kept) / fares(b.companions), 2)
    return dataclasses.replace(b, companions=kept, price=price)


def _count(world: GenWorld, name: str) -> int:
    return len(getattr(world, name))


def _size(world: GenWorld) -> int:
    return (
        len(world.events)
        + len(world.bookings)
        + len(world.flights)
        + len(world.memory)
        + len(world.injections)
        + len(world.inventory)
        + sum(b.returns_at is not None for b in world.bookings.values())
        + sum(len(b.companions) for b in world.bookings.values())
    )


async def write_found(world: GenWorld, check: str, judge: Judge, out: Path) -> Path:
    """Write the shrunk world as a scenario that names what the oracle found."""
    name = f"found-{check.replace('_', '-')}-{world.name.removeprefix('gen-')}"
    draft = dataclasses.replace(world, name=name)
    verdict = await judge(to_scenario(draft))
    reasons = [str(f) for f in (verdict.findings if verdict else []) if f.check == check][:3]
    description = (
        f"Found by `travel-agent eval --generate` ({world.name}) and shrunk: the oracle's "
        f"{check} check fails. " + " ".join(reasons) + " — " + "; ".join(world.notes)
    )
    data = to_scenario(draft, description=description)
    data["tags"] = ["generated", "found", check]
    parse_scenario(data, source=name)  # it must load as written
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return await asyncio.to_thread(_write, out / f"{name}.yaml", text)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def table(report: GeneratedReport) -> str:
    """The oracle's figures for a generated run, by failure class."""
    figures = report.as_dict()
    lines = [
        f"generated worlds: {figures['worlds']} (seed {report.seed}), "
        f"bookings {figures['bookings']}, "
        f"affected {figures['affected']}, failing worlds {figures['failing_worlds']}, "
        f"{figures['seconds']} s",
        "class                 worlds  findings  status",
    ]
    findings = figures["findings"]
    for check, worlds in sorted(report.classes().items(), key=lambda kv: -kv[1]):
        status = "known" if check in report.known else "NEW"
        where = report.written.get(check) or report.known.get(check, {}).get("scenario", "")
        lines.append(f"{check:<21} {worlds:>6}  {findings[check]:>8}  {status} {where}")
    for check in report.unseen():
        lines.append(
            f"{check:<21} {0:>6}  {0:>8}  known, not seen (fixed? remove it from the list)"
        )
    return "\n".join(lines)
