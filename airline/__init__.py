"""The airline systems the agent acts upon: an embedded reference implementation.

This is the bottom room of the house: it imports nothing from the other packages but
the neutral kernel (`travel_agent`).
"""

__all__ = [
    "board",
    "clock",
    "holds",
    "models",
    "ports",
    "reservations",
    "schedule",
    "seed",
    "sql_ports",
    "tables",
]
"""The public modules; the others are the package's own."""
