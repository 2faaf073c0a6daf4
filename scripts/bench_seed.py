"""What the first demo spends before it plays: seeding the world and its customers' memory.

    PYTHONPATH=. .venv/bin/python scripts/bench_seed.py [--data-dir DIR]

Runs the demo's own `ensure_world` and `ensure_memory_template` (6 % of the customers get
a history) into an empty data directory (default: a temporary one, removed afterwards) and
prints the process CPU time (user + system, every thread) and wall time of each, and one
JSON line. On a shared machine compare CPU time; wall time follows the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measure(data_dir: Path) -> dict[str, float]:
    os.environ["TRAVEL_AGENT_DATA_DIR"] = str(data_dir)
    from app.demo import ensure_memory_template, ensure_world
    from app.settings import load_settings

    settings = load_settings()
    cpu, wall = _cpu(), time.perf_counter()
    world = await ensure_world(settings, print)
    world_cpu, world_wall = _cpu() - cpu, time.perf_counter() - wall
    cpu, wall = _cpu(), time.perf_counter()
    await ensure_memory_template(settings, world, print)
    return {
        "world_cpu_s": round(world_cpu, 2),
        "world_wall_s": round(world_wall, 2),
        "memory_cpu_s": round(_cpu() - cpu, 2),
        "memory_wall_s": round(time.perf_counter() - wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an empty directory to seed into")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-seed-"))
    try:
        figures = asyncio.run(_measure(data_dir))
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(
        f"world: {figures['world_cpu_s']} s CPU, {figures['world_wall_s']} s wall; "
        f"memory: {figures['memory_cpu_s']} s CPU, {figures['memory_wall_s']} s wall; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
