"""The console script `travel-agent`: first make sure our packages are ours, then the CLI.

The check runs before `app.cli` is imported, since importing it imports `agent`, `tools`
and the rest: a shadowed package would fail there with an ImportError deep in a
traceback instead of one line naming the distribution that shadows it (`app.packages`).
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    from app.early_stop import remember_stop_requests

    remember_stop_requests()  # first: a stop during the imports below exits cleanly
    from app.packages import check_packages_are_ours
    from travel_agent.errors import ConfigError

    try:
        check_packages_are_ours()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    from app.cli import main as cli

    cli()
