"""PostgreSQL: compress the spans' and traces' long text with lz4 instead of pglz.

A span row holds a few KB of text (attributes, input, output), over the size at which
PostgreSQL compresses a row's long values (TOAST). Its default method, pglz, was the largest
single cost of a PostgreSQL insert: with lz4 the ingest benchmark persisted about a seventh more
spans per second (median 7,480 -> 8,474 spans/s in alternating runs at 100,000 spans,
benchmarks/ingest.py), and lz4 decompresses faster when a trace is read back.

Only new values use lz4; stored ones keep pglz, which PostgreSQL reads as before. A server
built without lz4 (or older than 14) keeps pglz: nothing changes there. SQLite does not
compress, so this revision does nothing on it.

Text columns that later revisions add to these tables get the server's default method unless
those revisions set lz4 too. ``SET COMPRESSION`` changes only the catalog, but it takes the
table's exclusive lock for that moment: the migration waits for reads of the table that are
running (another server's page) and holds later ones back until it commits.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

logger = logging.getLogger(__name__)

TABLES = ("spans", "traces")
# The columns a row's long values can be in: every text-like column of the tables.
_TEXT_COLUMNS = sa.text(
    "SELECT attname FROM pg_attribute "
    "WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 AND NOT attisdropped "
    "AND atttypid IN (CAST('text' AS regtype), CAST('varchar' AS regtype)) ORDER BY attnum"
)


def _lz4_available(conn: sa.Connection) -> bool:
    """Whether this server can compress with lz4 (PostgreSQL 14+ built with it)."""
    row = conn.execute(
        sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    ).first()
    return row is not None and "lz4" in (row[0] or ())


def _set_compression(method: str) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or not _lz4_available(conn):
        if conn.dialect.name == "postgresql":
            logger.info("this PostgreSQL has no lz4; long values stay compressed with pglz")
        return
    quote = conn.dialect.identifier_preparer.quote
    for table in TABLES:
        columns = [r[0] for r in conn.execute(_TEXT_COLUMNS, {"table": table})]
        # One statement per table; only the catalog changes, no row is rewritten.
        actions = ", ".join(f"ALTER COLUMN {quote(c)} SET COMPRESSION {method}" for c in columns)
        op.execute(f"ALTER TABLE {quote(table)} {actions}")


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    # 'default': whatever the server's default_toast_compression says, as before 0007.
    _set_compression("default")
