"""Flush a SQLite database's write-ahead log to disk, apart from the commits that wrote it.

A writer that commits with ``synchronous = NORMAL`` (``SpanSink(deferred_sync=True)``) leaves
its log frames in the operating system's cache. ``WalSync.sync`` then waits for them to reach
the disk. Done after the writer gave up its turn, the wait overlaps the next writer's work, and
one flush covers every commit before it (group commit).

Why that is as durable as ``synchronous = FULL``: in WAL mode FULL differs from NORMAL only by
syncing the log at each commit. Both sync the log before a checkpoint copies it into the
database file, and the database file before the log is reused. So when ``sync`` returns, each
earlier commit is on disk: in the log it flushed, or already in the synced database file.
"""

from __future__ import annotations

import os
import threading

# Linux and most POSIX systems sync a file's data without its times; macOS has only fsync.
_datasync = getattr(os, "fdatasync", os.fsync)


class WalSync:
    """Syncs the log of the SQLite database at ``db_path``; safe to call from any thread."""

    def __init__(self, db_path: str) -> None:
        self.path = f"{db_path}-wal"
        self._fd: int | None = None
        self._ino = 0
        # Held over the flush too: a second caller then waits and flushes only what came
        # after, and no descriptor is closed while another thread flushes it.
        self._lock = threading.Lock()
        self.syncs = 0

    def sync(self) -> None:
        """Return once every commit made so far is on disk. Raises ``OSError``."""
        with self._lock:
            # SQLite deletes the log when its last connection closes and a new one creates a
            # new file: a descriptor kept from before would flush the wrong one.
            ino = os.stat(self.path).st_ino
            if self._fd is None or ino != self._ino:
                self._close()
                self._fd = os.open(self.path, os.O_RDONLY)
                self._ino = os.fstat(self._fd).st_ino
            _datasync(self._fd)
            self.syncs += 1

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        with self._lock:
            self._close()
