"""What the agent may do: flight search, rebooking, notifications, channels and policy,
over airline/."""

__all__ = [
    "agent_tools",
    "channels",
    "effects",
    "flights",
    "notifications",
    "policy",
    "ports",
    "rebooking",
    "sql_outbox",
    "tables",
]
"""The public modules; the others are the package's own."""
