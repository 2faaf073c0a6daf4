"""The decision-maker: the case graph and its nodes, the reasoners, triage, the daemon
that runs cases off the stream, approvals, the scheduler, the outbox relay, retention."""

__all__ = [
    "approvals",
    "claims",
    "deps",
    "graph",
    "metrics",
    "relay",
    "retention",
    "runtime",
    "scheduler",
    "settings",
    "sql_store",
    "sql_work",
    "state",
    "store",
    "tables",
    "work",
]
"""The public modules; the others are the package's own."""
