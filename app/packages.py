"""Our top-level import names, and the guard that they are ours.

**Why bare names.** The product keeps `agent/`, `tools/`, `streams/`, `memory/` and
`evals/` at the top of the repository, and this distribution installs them (with
`airline`, `dashboard`, `app` and `travel_agent`) as top-level packages. The other way —
one namespace (`travel_agent.agent`, …) with the folders mapped into it at build time —
would make every import in the code, the tests and the docs name a package that does
not exist in the source tree (an editable install and `python -m pytest` from the
checkout would each need the mapping), and would still not stop a second distribution
from installing a bare `agent`. Weighed against that, the risk of bare names is one
failure mode: PyPI has distributions named `agent`, `tools`, `memory`, `streams`,
`evals`…, and one installed into the same environment silently shadows ours (or ours
it). So we keep the bare names and check, at every CLI start and in a test, that each
of our packages resolves inside our own distribution; if not, the error names the
distribution that shadows it. The neutral kernel is named after the distribution
(`travel_agent`) so that it, at least, cannot clash.
"""

from __future__ import annotations

import importlib.util
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

from travel_agent.errors import ConfigError

__all__ = ["DISTRIBUTION", "PACKAGES", "check_packages_are_ours"]

DISTRIBUTION = "travel-agent"
PACKAGES = (
    "app",
    "agent",
    "airline",
    "tools",
    "streams",
    "memory",
    "dashboard",
    "evals",
    "travel_agent",
)
"""Every top-level package this distribution installs (pyproject's wheel packages)."""

OUR_ROOT = Path(__file__).resolve().parent.parent
"""The directory our packages sit in (the checkout, or site-packages)."""


def check_packages_are_ours() -> None:
    """Raise `ConfigError` naming the distribution that shadows one of our packages."""
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin).resolve() if spec is not None and spec.origin else None
        if origin is not None and origin.parent.parent == OUR_ROOT:
            continue
        owners = [d for d in packages_distributions().get(name, []) if d != DISTRIBUTION]
        where = f" ({origin.parent})" if origin is not None else ""
        culprit = f"the distribution {', '.join(owners)}" if owners else "another package"
        raise ConfigError(
            f"the package `{name}` resolves to {culprit}{where}, not to {DISTRIBUTION} "
            f"at {OUR_ROOT}: uninstall it (pip uninstall {owners[0] if owners else name}) "
            "or use a virtualenv of its own for travel-agent"
        )


def installed_version() -> str | None:
    """This distribution's version, when it is installed (None from a bare checkout)."""
    try:
        return distribution(DISTRIBUTION).version
    except PackageNotFoundError:
        return None
