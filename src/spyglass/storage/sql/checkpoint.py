"""Checkpoint SQLite's write-ahead log from a background thread.

By default SQLite copies the WAL back into the database file inside whichever commit pushes
the log past its threshold, so every so often one ingest batch pays for the pages of many.
The server instead runs passive checkpoints here, on its own connection: they never block
writers or readers, and the ingest writers' commits only append to the log. The connections'
own ``wal_autocheckpoint`` (dialect.py) stays as a backstop for when this thread is not running.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from spyglass.storage.sql.dialect import Dialect, open_writer

logger = logging.getLogger(__name__)

# Seconds between checkpoints while the log grows; an idle log costs one cheap PRAGMA each.
INTERVAL_S = 0.2


class WalCheckpointer:
    """A daemon thread that checkpoints one SQLite database's WAL every ``interval_s``."""

    def __init__(self, dialect: Dialect, interval_s: float = INTERVAL_S) -> None:
        self._dialect = dialect
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spyglass-checkpoint", daemon=True)
        self.checkpoints = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def _run(self) -> None:
        conn: sqlite3.Connection = open_writer(self._dialect)
        last: tuple[int, int] | None = None
        try:
            while not self._stop.wait(self._interval):
                try:
                    # (busy, frames in the log, frames checkpointed). A log keeps its frames
                    # until the next write restarts it, so only a change is a checkpoint.
                    row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:
                    logger.warning("WAL checkpoint failed; retrying", exc_info=True)
                    continue
                if row and row[2] > 0 and (row[1], row[2]) != last:
                    self.checkpoints += 1
                last = (row[1], row[2]) if row else None
        finally:
            conn.close()


def start_checkpointer(dialect: Dialect) -> WalCheckpointer | None:
    """A running checkpointer for a SQLite database; None for PostgreSQL."""
    if not dialect.is_sqlite:
        return None
    checkpointer = WalCheckpointer(dialect)
    checkpointer.start()
    return checkpointer
