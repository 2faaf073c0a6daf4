"""Planner-only benchmark: the storm's wave planned again and again, CPU timed.

    .venv/bin/python scripts/bench_plan.py [--storm 50] [--repeat 3] [--against main]

The first run records the wave the daemon plans in `bench_storm`'s synthetic storm (its
`plan_wave` inputs, and what `Network` was built from and asked) to a pickle under
`--cache` and stops the daemon there; later runs load it. Then it times, in CPU
(`time.process_time`), building the `Network` and every party's `options`, and
`plan_wave` on the recorded inputs. With `--against REF`, the same is timed for the
planner modules of git REF (loaded beside this tree's, in the same process, so both see
the same load), and the two plans are compared placement by placement.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_storm  # noqa: E402

import agent.planner.place as place_module  # noqa: E402
from agent.planner import options as options_module  # noqa: E402
from agent.planner import solve as solve_module  # noqa: E402


class _Recorded(BaseException):
    """Raised through the daemon once the wave's inputs are kept (nothing else to run)."""


def record(path: Path, storm: int) -> None:
    kept: dict[str, Any] = {}
    real_network = options_module.Network

    class RecordingNetwork(real_network):  # type: ignore[misc,valid-type]
        def __init__(self, schedule: Any, board: Any, **kw: Any) -> None:
            super().__init__(schedule, board, **kw)
            kept["network"] = (schedule, board, kw)
            kept.setdefault("asked", [])

        def options(self, party: Any, horizon: Any, limit: Any = None) -> Any:
            kept["asked"].append((party, horizon))
            return super().options(party, horizon, limit)

    def recording_plan(parties: Any, options: Any, capacity: Any, weights: Any) -> Any:
        kept["plan"] = (list(parties), dict(options), dict(capacity), weights)
        path.write_bytes(pickle.dumps(kept))
        raise _Recorded

    place_module.__dict__["Network"] = RecordingNetwork
    bench_storm.PlanRecorder.__call__ = lambda self, *a: recording_plan(*a)  # type: ignore[method-assign]
    bench_storm.ARGS = argparse.Namespace(
        storm=storm,
        concurrency=8,
        horizon_days=2,
        risk_hours=None,
        real_day=None,
        profile=False,
        max_passengers=None,
    )
    root = Path(tempfile.mkdtemp(prefix="bench-plan-"))
    try:
        asyncio.run(bench_storm.synthetic(root))
    except _Recorded:
        pass
    finally:
        subprocess.run(["rm", "-rf", str(root)], check=False)
        place_module.__dict__["Network"] = real_network


def load_ref(ref: str, name: str) -> ModuleType:
    """`agent/planner/<name>.py` as it is at git `ref`, as a module of its own."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:agent/planner/{name}.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader(f"_ref_{name}", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, f"{ref}:agent/planner/{name}.py", "exec"), module.__dict__)
    return module


def cpu(fn: Any, repeat: int) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.process_time()
        result = fn()
        best = min(best, time.process_time() - started)
    return best, result


def time_options(module: Any, kept: dict[str, Any], repeat: int) -> tuple[float, dict[str, Any]]:
    schedule, board, kw = kept["network"]

    def run() -> dict[str, Any]:
        network = module.Network(schedule, board, **kw)
        return {party.ref: network.options(party, horizon) for party, horizon in kept["asked"]}

    return cpu(run, repeat)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--storm", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many")
    parser.add_argument("--against", default=None, help="a git ref to time beside this tree")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    path = args.cache / f"bench-plan-storm{args.storm}.pickle"
    if not path.exists():
        record(path, args.storm)
    kept = pickle.loads(path.read_bytes())
    parties, options, capacity, recorded = kept["plan"]
    # The settings of this tree, with the recorded values: a field added since the
    # recording takes its default (a pickle restores only the fields it held).
    weights = type(recorded)(**recorded.__dict__)
    print(f"wave: {len(parties)} parties, {sum(map(len, options.values()))} options")
    mine_opts_s, mine_opts = time_options(options_module, kept, args.repeat)
    mine_s, mine = cpu(
        lambda: solve_module.plan_wave(parties, options, capacity, weights), args.repeat
    )
    print(
        f"this tree: options {mine_opts_s * 1000:.0f} ms CPU, plan_wave {mine_s * 1000:.0f} ms CPU "
        f"({mine_s * 1e6 / len(parties):.0f} us/party); solver {mine.solver}, ratio "
        f"{mine.quality_ratio:.5f}, stats {mine.stats}"
    )
    if args.against:
        ref_opts_s, ref_opts = time_options(load_ref(args.against, "options"), kept, args.repeat)
        solve = load_ref(args.against, "solve")
        ref_s, ref = cpu(lambda: solve.plan_wave(parties, options, capacity, weights), args.repeat)
        print(
            f"{args.against}: options {ref_opts_s * 1000:.0f} ms CPU, plan_wave "
            f"{ref_s * 1000:.0f} ms CPU; solver {ref.solver}, ratio {ref.quality_ratio:.5f}, "
            f"stats {ref.stats}"
        )
        same_opts = sum(mine_opts[r] == ref_opts[r] for r in ref_opts)
        print(f"options identical for {same_opts}/{len(ref_opts)} parties")
        differ = [r for r in ref.placements if ref.placements[r] != mine.placements.get(r)]
        moved = [r for r in differ if ref.placements[r].option != mine.placements[r].option]
        print(
            f"placements differing: {len(differ)} (assigned option: {len(moved)}); "
            f"placed {sum(p.option is not None for p in mine.placements.values())} vs "
            f"{sum(p.option is not None for p in ref.placements.values())}; objective "
            f"{mine.objective} vs {ref.objective}; bound {mine.lower_bound} vs {ref.lower_bound}; "
            f"digest {'same' if mine.digest == ref.digest else 'DIFFERENT'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
