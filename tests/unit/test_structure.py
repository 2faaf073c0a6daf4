"""The house's shape: import arrows point down only, modules stay small, our names are ours.

    app → dashboard · evals → agent → tools · memory · streams → airline → travel_agent

The arrow test reads every module's imports with `ast` — the lazy ones inside functions
too, which is where a back-arrow likes to hide — and fails on any that runs back up.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.packages import PACKAGES, check_packages_are_ours

REPO = Path(__file__).resolve().parents[2]

MAY_IMPORT: dict[str, set[str]] = {
    "app": set(PACKAGES),
    "dashboard": {"agent", "tools", "memory", "streams", "airline", "travel_agent"},
    "evals": {"agent", "tools", "memory", "streams", "airline", "travel_agent"},
    "agent": {"tools", "memory", "streams", "airline", "travel_agent"},
    "tools": {"memory", "streams", "airline", "travel_agent"},
    "memory": {"tools", "streams", "airline", "travel_agent"},
    "streams": {"tools", "memory", "airline", "travel_agent"},
    "airline": {"travel_agent"},
    "travel_agent": set(),
}
"""Which of our packages each package may import (besides itself)."""

ENTRY_POINTS = {"app.main"}
"""Modules nothing of ours imports: the console script `app.main:main` is the way in
(`app.cli` is imported by it alone, lazily, after the shadowing check)."""

MAX_LINES = 400
LONG_REASON = "Why it is long:"
"""A module over `MAX_LINES` says why in its docstring, in a paragraph starting so."""

SPLIT_ELSEWHERE: dict[str, str] = {}
"""Long modules other engineers split in this round; the lead removes each at merge."""


def _modules() -> list[Path]:
    return sorted(p for name in PACKAGES for p in (REPO / name).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    package = None
    if path.is_relative_to(REPO):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                found.append((node.lineno, node.module))
            elif node.level and package:  # relative: inside the importing package
                found.append((node.lineno, package))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))  # importlib.import_module("x")
    return found


def test_every_package_is_in_the_arrow_table() -> None:
    assert set(MAY_IMPORT) == set(PACKAGES)


def test_imports_point_down_only() -> None:
    back: list[str] = []
    for path in _modules():
        room = path.relative_to(REPO).parts[0]
        for line, module in _imports(path):
            target = module.split(".")[0]
            if target in PACKAGES and target != room and target not in MAY_IMPORT[room]:
                back.append(f"{path.relative_to(REPO)}:{line} imports {module}")
            if module in ENTRY_POINTS or (module == "app.cli" and path.name != "main.py"):
                back.append(f"{path.relative_to(REPO)}:{line} imports the CLI ({module})")
    assert not back, "imports that run back up:\n" + "\n".join(back)


def test_the_arrow_test_sees_a_lazy_back_arrow(tmp_path: Path) -> None:
    """The walk finds an import inside a function body (where the old back-arrows hid)."""
    module = tmp_path / "sample.py"
    module.write_text(
        "def late():\n    from dashboard.app import create_app\n    return create_app\n",
        encoding="utf-8",
    )
    assert (2, "dashboard.app") in _imports(module)


NODE_SQL_OFF_LIMITS = {"travel_agent.db"}
"""What a graph node may not import besides SQLAlchemy, the rooms' tables (`*.tables`) and
the SQL adapters (`*.sql_*`): it reads and writes through the unit of work's ports."""

NODE_DB_ATTRIBUTES = {"db", "session"}
"""Attributes a node may not touch: `deps.db` (and a session) are the runtime's; a node
opens `deps.persistence.transaction()` or `.reading()`."""


def _takes_a_session(found: object) -> bool:
    """Does `found` (a function, or a class to construct) take a database session?"""
    if not callable(found):
        return False
    try:
        parameters = inspect.signature(found).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature
        return False
    return any("AsyncSession" in str(p.annotation) for p in parameters)


def _off_limits_module(module: str) -> bool:
    parts = module.split(".")
    return (
        parts[0] == "sqlalchemy"
        or module in NODE_SQL_OFF_LIMITS
        or (parts[0] in PACKAGES and (parts[-1] == "tables" or parts[-1].startswith("sql_")))
    )


def _session_in_nodes(paths: list[Path]) -> list[str]:
    """Where a node reaches past the unit of work: imports SQLAlchemy, a table or a SQL
    adapter; uses a function (or class) of ours that takes a session, imported by name
    or through its module; touches `.db` or `.session`; or declares a session parameter."""
    found: list[str] = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        modules: dict[str, str] = {}  # local name -> our module it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [(alias.name, None, alias.asname) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [(node.module, alias.name, alias.asname) for alias in node.names]
            else:
                continue
            for module, name, asname in names:
                where = f"{path.name}:{node.lineno} imports {module}.{name or ''}"
                if _off_limits_module(module):
                    found.append(where)
                    continue
                if module.split(".")[0] not in PACKAGES:
                    continue
                if name is None:  # `import a.b` is used as `a.b.f`; `import a.b as m`, `m.f`
                    modules[asname or module] = module
                    continue
                imported = getattr(importlib.import_module(module), name, None)
                if imported is None and importlib.util.find_spec(f"{module}.{name}"):
                    imported = importlib.import_module(f"{module}.{name}")  # not loaded yet
                if inspect.ismodule(imported):
                    modules[asname or name] = imported.__name__
                elif _takes_a_session(imported):
                    found.append(f"{where} (takes a session)")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                if node.attr in NODE_DB_ATTRIBUTES:
                    found.append(f"{path.name}:{node.lineno} touches .{node.attr}")
                dotted = ast.unparse(node.value)
                if dotted in modules:
                    target = getattr(importlib.import_module(modules[dotted]), node.attr, None)
                    if _takes_a_session(target):
                        found.append(
                            f"{path.name}:{node.lineno} uses {modules[dotted]}.{node.attr} "
                            "(takes a session)"
                        )
            elif isinstance(node, ast.arg) and "Session" in ast.unparse(node.annotation or node):
                found.append(f"{path.name}:{node.lineno} takes a session ({node.arg})")
    return sorted(found, key=lambda f: int(f.split(":")[1].split()[0]))


def test_nodes_never_see_a_session() -> None:
    """Graph nodes depend on the ports a unit of work hands out (`agent.work`: the case
    store, reservations, ledger, outbox), never on their SQL adapters: no SQLAlchemy, no
    table, no function that takes a session, no `deps.db`."""
    offenders = _session_in_nodes(sorted((REPO / "agent" / "nodes").glob("*.py")))
    assert not offenders, "nodes reaching past the unit of work:\n" + "\n".join(offenders)


def test_the_node_test_sees_every_way_to_a_session(tmp_path: Path) -> None:
    node = tmp_path / "node.py"
    node.write_text(
        "from agent.scheduler import JobKind, schedule_job\n"
        "from sqlalchemy.ext.asyncio import AsyncSession\n"
        "from airline import holds\n"
        "import airline.ledger\n"
        "from agent.sql_work import SqlPersistence\n"
        "from airline.tables import SeatHoldRow\n"
        "async def node(deps, session: AsyncSession):\n"
        "    async with deps.db.transaction() as tx:\n"
        "        await holds.confirm_hold(tx)\n"
        "        await airline.ledger.effect_done(tx, 'k')\n"
        "        holds.hold_id_for('k')\n",  # takes no session: fine
        encoding="utf-8",
    )
    assert _session_in_nodes([node]) == [
        "node.py:1 imports agent.scheduler.schedule_job (takes a session)",
        "node.py:2 imports sqlalchemy.ext.asyncio.AsyncSession",
        "node.py:5 imports agent.sql_work.SqlPersistence",
        "node.py:6 imports airline.tables.SeatHoldRow",
        "node.py:7 takes a session (session)",
        "node.py:8 touches .db",
        "node.py:9 uses airline.holds.confirm_hold (takes a session)",
        "node.py:10 uses airline.ledger.effect_done (takes a session)",
    ]


def _too_long() -> dict[str, int]:
    long: dict[str, int] = {}
    for path in _modules() + sorted((REPO / "scripts").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines <= MAX_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if LONG_REASON not in docstring:
            long[str(path.relative_to(REPO))] = lines
    return long


def test_no_module_is_long_without_a_reason() -> None:
    long = _too_long()
    pending = {p: n for p, n in long.items() if p in SPLIT_ELSEWHERE}
    offenders = {p: n for p, n in long.items() if p not in SPLIT_ELSEWHERE}
    assert not offenders, (
        f"modules over {MAX_LINES} lines without a '{LONG_REASON}' paragraph in their "
        "docstring (split them along their seams, or say why not):\n"
        + "\n".join(f"  {p}: {n} lines" for p, n in sorted(offenders.items()))
    )
    # Split by now (or never long): the entry can go.
    stale = sorted(set(SPLIT_ELSEWHERE) - set(pending))
    assert not stale, f"no longer long, remove from SPLIT_ELSEWHERE: {stale}"


def test_our_packages_resolve_to_our_distribution() -> None:
    check_packages_are_ours()


def test_a_shadowing_distribution_is_named(tmp_path: Path) -> None:
    """Another distribution's `tools` earlier on the path: the CLI stops and names it."""
    site = tmp_path / "site"
    (site / "tools").mkdir(parents=True)
    (site / "tools" / "__init__.py").write_text("", encoding="utf-8")
    info = site / "tools-9.9.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tools\nVersion: 9.9\n")
    (info / "top_level.txt").write_text("tools\n", encoding="utf-8")
    (info / "RECORD").write_text("tools/__init__.py,,\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    result = subprocess.run(
        [sys.executable, "-c", "from app.main import main; main()", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # not the checkout, which `python -c` would put first on the path
        check=False,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "`tools` resolves to the distribution tools" in result.stderr
    assert "pip uninstall tools" in result.stderr


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_declares_its_public_api(name: str) -> None:
    """A package's `__init__` says what is public with `__all__` (possibly empty)."""
    tree = ast.parse((REPO / name / "__init__.py").read_text(encoding="utf-8"))
    names = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    assert "__all__" in names, f"{name}/__init__.py has no __all__"
