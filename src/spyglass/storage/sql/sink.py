"""``SpanSink``: one ingest writer's connection, transactions and planner-statistics upkeep.

``SqlStore.write_spans`` writes through one; an ingest process (``server/ingest/worker.py``)
holds one of its own without the rest of the store, so it imports no migrations, no query
modules and no models.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from spyglass.exceptions import StoreError
from spyglass.storage.sql.dialect import Dialect, open_writer
from spyglass.storage.sql.walsync import WalSync
from spyglass.storage.sql.writes import PreparedBatch, SpanWriter, prepare

logger = logging.getLogger(__name__)

# Spans written between refreshes of the planner's statistics: often enough that a fast-growing
# table never runs long on stale numbers, rarely enough that the cost (about a second on
# PostgreSQL at a million spans, sampled) stays a small fraction of the writing time.
ANALYZE_EVERY_SPANS = 200_000
# The first refresh: PostgreSQL planned a fresh table's dedup lookup as a sequential scan, so
# each batch cost 0.5 s at 50,000 spans until the first ANALYZE.
FIRST_ANALYZE_AFTER_SPANS = 2_000


class _NulRefused(Exception):
    """PostgreSQL refused a batch for a NUL in its text; it was rolled back."""


def _without_nul(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(v.replace("\x00", "\ufffd") if isinstance(v, str) else v for v in row)


class SpanSink:
    """Writes span batches, one transaction each, on a connection of its own.

    Not thread-safe: callers serialise (``SqlStore`` with a lock, an ingest process by
    handling one request at a time).

    ``deferred_sync`` (SQLite only): ``write`` commits without waiting for the disk
    (``synchronous = NORMAL``), and whoever reports the batch as saved must first call
    ``sync`` or a ``WalSync`` of the same database (``walsync.py``, which says why that is as
    durable as ``synchronous = FULL``). The ingest processes leave it to the server process,
    so a process goes on to its next request while the disk flushes.
    """

    def __init__(self, dialect: Dialect, *, deferred_sync: bool = False) -> None:
        self.dialect = dialect
        self._writer = SpanWriter(dialect)
        self._conn: Any = None
        self._deferred_sync = deferred_sync and dialect.is_sqlite
        self._wal = WalSync(dialect.driver_url) if self._deferred_sync else None
        self._since_analyze = 0
        self._analyze_after = min(FIRST_ANALYZE_AFTER_SPANS, ANALYZE_EVERY_SPANS)
        # PostgreSQL: whether the server runs autovacuum (asked at the first refresh).
        self._autovacuum: bool | None = None

    def write(self, rows: Sequence[tuple[Any, ...]] | PreparedBatch) -> None:
        """Insert the spans, refresh their traces and rollups, commit.

        PostgreSQL text cannot hold U+0000, which OTLP strings may: a batch refused for it is
        written again with each NUL replaced by U+FFFD, rather than failing every span in it
        (and, retried by the exporter, failing again forever). SQLite keeps NUL as sent.
        """
        try:
            self._write(rows)
        except _NulRefused:
            plain = rows.rows if isinstance(rows, PreparedBatch) else rows
            logger.info("spans with NUL characters: stored with U+FFFD in their place")
            self._write(prepare([_without_nul(r) for r in plain]))

    def _write(self, rows: Sequence[tuple[Any, ...]] | PreparedBatch) -> None:
        count = len(rows.rows) if isinstance(rows, PreparedBatch) else len(rows)
        is_sqlite = self.dialect.is_sqlite
        if self._conn is None:
            self._conn = open_writer(self.dialect)
            if self._deferred_sync:
                self._conn.execute("PRAGMA synchronous = NORMAL")
        conn = self._conn
        try:
            if is_sqlite:
                # IMMEDIATE takes the write lock now, so the batch cannot fail halfway on a
                # lock upgrade.
                conn.execute("BEGIN IMMEDIATE")
            self._writer.write(conn, rows)
            conn.commit() if not is_sqlite else conn.execute("COMMIT")
        except Exception as exc:
            try:
                conn.rollback() if not is_sqlite else conn.execute("ROLLBACK")
            except Exception:  # the connection itself may be gone
                logger.debug("rollback failed", exc_info=True)
            else:
                if not is_sqlite and "NUL (0x00)" in str(exc):
                    raise _NulRefused from exc
            self.close()
            raise StoreError(f"writing {count} spans failed: {exc}") from exc
        self._since_analyze += count
        if self._since_analyze >= self._analyze_after:
            self._since_analyze = 0
            # Soon after start, then at doubling intervals up to the regular one: a table that
            # grows from empty is the one whose statistics go stale fastest.
            self._analyze_after = min(self._analyze_after * 2, ANALYZE_EVERY_SPANS)
            self._refresh_statistics(conn)

    def sync(self) -> None:
        """Wait until every commit so far is on disk (a no-op without ``deferred_sync``)."""
        if self._wal is None:
            return
        try:
            self._wal.sync()
        except OSError as exc:
            # Committed but maybe not on disk: the caller must not report the batch as saved.
            # A retry of it is harmless (spans already stored are merged, not duplicated).
            raise StoreError(f"syncing the write-ahead log failed: {exc}") from exc

    def _refresh_statistics(self, conn: Any) -> None:
        """Keep the planner's statistics current as tables grow.

        Without them both databases pick bad plans on a table that grew fast since its last
        analysis: PostgreSQL, before autovacuum gets to it, estimated 2,000 rows for a 300,000
        row project and sorted the whole project for a filtered page (0.9 s instead of 5 ms).

        A PostgreSQL server without autovacuum also never marks new pages all-visible, so no
        index-only scan stays index-only: the sessions and users lists read the covering
        indexes and then every row again (at 1,000,000 spans, first runs after a fill: 135 and
        155 ms p95 without, 57 and 115 ms with these vacuums; benchmarks/ui_pages.py). There
        the refresh vacuums the tables read by index-only scans (trace summaries and rollups;
        after the first time only the pages written since), and analyzes the spans, whose
        reads go to their rows anyway.
        """
        tables = "spans, traces, span_rollups, trace_rollups"
        try:
            if self.dialect.is_sqlite:
                conn.execute("PRAGMA optimize")
                return
            if self._autovacuum is None:
                self._autovacuum = conn.execute("SHOW autovacuum").fetchone()[0] != "off"
                conn.commit()
            if self._autovacuum:
                conn.execute(f"ANALYZE {tables}")
                conn.commit()
            else:
                # VACUUM runs outside a transaction block.
                conn.autocommit = True
                try:
                    conn.execute("VACUUM (ANALYZE) traces, span_rollups, trace_rollups")
                    conn.execute("ANALYZE spans")
                finally:
                    conn.autocommit = False
        except Exception:
            logger.warning("refreshing planner statistics failed", exc_info=True)
            if not self.dialect.is_sqlite:
                try:  # an aborted transaction would fail the next batch too
                    conn.rollback()
                except Exception:
                    logger.debug("rollback failed", exc_info=True)

    def close(self) -> None:
        if self._wal is not None:
            self._wal.close()
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.close()
            except Exception:  # a broken connection may fail to close; it is gone either way
                logger.debug("closing the writer connection failed", exc_info=True)
