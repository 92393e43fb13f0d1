"""Alembic environment: runs on the connection handed over by ``spyglass.storage.sql.migrate``."""

from __future__ import annotations

from alembic import context

from spyglass.storage.sql.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
