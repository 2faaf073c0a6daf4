"""The event streams: flight-status events in, agent actions and notifications out."""

__all__ = [
    "base",
    "config",
    "embedded",
    "events",
    "kafka",
    "replay",
    "simulator",
]
"""The public modules; the others are the package's own."""
