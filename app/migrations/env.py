"""Alembic's environment: runs the revisions on the connection `app.migrate` hands in.

`app.migrate` opens the connection (async engines, run through `run_sync`) and takes a
lock first, so two processes starting on one database migrate it once. SQLite alters
tables in batch mode (copy and swap), since it cannot drop or alter a column in place.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from app.schema import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "run migrations through `travel-agent db upgrade` (app.migrate), which hands "
        "Alembic its connection"
    )
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
