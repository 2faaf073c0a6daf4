"""The application shell: the CLI, settings loading, `open_runtime()` (the one
composition root), the schema's migrations, the daemon process, the demo, the replay and
the ops server. The only room that imports `dashboard` and `evals`; nothing imports it.
"""

__all__ = [
    "main",
    "migrate",
    "packages",
    "runtime",
    "schema",
    "settings",
]
"""The public modules; the others are the package's own."""
