"""The whole schema: every room's tables on the one metadata, imported here in one place.

Only the application knows every room, so only it can say what the database holds: the
migrations (`app/migrations`) are checked against `metadata`, and nothing depends on
which modules happened to be imported first (each room declares its tables in its own
`tables` module on `travel_agent.db.Base`).
"""

from __future__ import annotations

from sqlalchemy import MetaData

import agent.tables
import airline.tables
import dashboard.tables
import tools.tables
from travel_agent.db import Base

__all__ = ["ROOM_TABLES", "metadata"]

ROOM_TABLES = (airline.tables, agent.tables, tools.tables, dashboard.tables)
"""The modules that declare tables, one per room that owns some."""

metadata: MetaData = Base.metadata
"""Every table of every room (the modules above are imported, so all are on it)."""
