"""The server's retention: every hour, delete traces older than ``retention_days``.

The deleting itself is the store's (``storage/sql/retention.py``): whole traces with their
spans and scores, the rollups kept equal to what is left, a few hundred traces per
transaction so ingest goes on between them.
"""

from __future__ import annotations

import logging
import threading
import time

from spyglass.storage.sql.retention import DAY_NS
from spyglass.storage.sql.store import SqlStore

logger = logging.getLogger(__name__)

# Seconds between runs. The first runs at start, so a server restarted with a shorter
# retention applies it at once.
INTERVAL_S = 3_600.0


class RetentionThread:
    """A daemon thread pruning ``store`` every ``interval_s``; ``lock_path``: the ingest lock
    file of a SQLite store."""

    def __init__(
        self,
        store: SqlStore,
        days: float,
        lock_path: str | None,
        interval_s: float = INTERVAL_S,
    ) -> None:
        self._store = store
        self._age_ns = int(days * DAY_NS)
        self._lock_path = lock_path
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spyglass-retention", daemon=True)
        self.runs = 0
        self.deleted_traces = 0
        # Set after each run, failed or not (tests wait on it).
        self.ran = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(30)

    def run_once(self) -> None:
        """Delete what is older than the retention now."""
        done = self._store.prune(
            time.time_ns() - self._age_ns,
            lock_path=self._lock_path,
            should_stop=self._stop.is_set,
        )
        self.runs += 1
        self.deleted_traces += done.traces

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # whatever failed, the thread must live on
                # The next run tries again; what one run deleted stays deleted.
                logger.exception("deleting old traces failed")
            self.ran.set()
            if self._stop.wait(self._interval):
                return
