"""The neutral kernel under every room: the error tree (`travel_agent.errors`) and the SQL
kernel (`travel_agent.db`: one declarative base, UTC datetimes, the `Database` handle).

It is named after the distribution so that no other installed package can shadow it, and
it imports nothing from the rooms above it (app, dashboard, evals, agent, tools, memory,
streams, airline).
"""

__all__ = [
    "db",
    "errors",
]
"""The public modules; the others are the package's own."""
