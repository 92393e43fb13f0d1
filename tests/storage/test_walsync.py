"""``WalSync``: flushes the ``-wal`` file of the database it names (the one SQLite writes now,
even after the log was deleted and made anew), fails loudly without a log, counts its flushes,
closes twice without harm, and takes callers from many threads.

The flush itself (``_datasync``) is replaced by a recorder: what matters is which file it is
handed, and a real ``fdatasync`` would only make the tests slower.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from spyglass.storage.sql import walsync
from spyglass.storage.sql.walsync import WalSync

THREADS = 8
SYNCS_PER_THREAD = 25


class Flushes:
    """Stands in for ``_datasync``: the inode behind each descriptor it is handed, read while
    the descriptor is still open, and the most flushes it ever saw at once."""

    def __init__(self) -> None:
        self.inodes: list[int] = []
        self._in_flight = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def __call__(self, fd: int) -> None:
        with self._lock:
            self._in_flight += 1
            self.most_at_once = max(self.most_at_once, self._in_flight)
        try:
            # Raises EBADF if the descriptor was closed under the flush.
            ino = os.fstat(fd).st_ino
        finally:
            with self._lock:
                self._in_flight -= 1
        with self._lock:
            self.inodes.append(ino)


@pytest.fixture
def flushes(monkeypatch: pytest.MonkeyPatch) -> Flushes:
    recorder = Flushes()
    monkeypatch.setattr(walsync, "_datasync", recorder)
    return recorder


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def _write(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    conn.execute("INSERT INTO t VALUES (1)")


def _wal_inode(db: Path) -> int:
    return os.stat(f"{db}-wal").st_ino


def _not_the_log(fd: int, db: Path) -> bool:
    """The descriptor is closed, or its number already reused for another file."""
    try:
        return os.fstat(fd).st_ino != _wal_inode(db)
    except OSError:
        return True


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    """A WAL-mode database with one commit in its log; the connection stays open, so the
    log does too."""
    path = tmp_path / "w.db"
    conn = _connect(path)
    _write(conn)
    yield path
    conn.close()


def test_sync_flushes_the_wal_file(db: Path, flushes: Flushes) -> None:
    wal = WalSync(str(db))
    try:
        wal.sync()
    finally:
        wal.close()
    assert wal.path == f"{db}-wal"
    assert flushes.inodes == [_wal_inode(db)]


def test_a_log_deleted_and_made_anew_is_reopened(tmp_path: Path, flushes: Flushes) -> None:
    path = tmp_path / "w.db"
    conn = _connect(path)
    _write(conn)
    wal = WalSync(str(path))
    try:
        wal.sync()
        first = _wal_inode(path)
        # The last connection to close checkpoints and deletes the log ...
        conn.close()
        assert not os.path.exists(f"{path}-wal")
        # ... and the next writer creates a new one. The old inode cannot be reused while
        # WalSync still holds its descriptor, so the two differ.
        conn = _connect(path)
        _write(conn)
        second = _wal_inode(path)
        assert second != first
        wal.sync()
    finally:
        wal.close()
        conn.close()
    assert flushes.inodes == [first, second]


def test_a_missing_log_raises_oserror(tmp_path: Path, flushes: Flushes) -> None:
    never = WalSync(str(tmp_path / "never.db"))
    with pytest.raises(OSError):
        never.sync()
    assert never.syncs == 0

    # A log that was there and is gone (the last connection closed) raises too, rather than
    # flushing the deleted file through the descriptor kept from before.
    path = tmp_path / "w.db"
    conn = _connect(path)
    _write(conn)
    wal = WalSync(str(path))
    try:
        wal.sync()
        conn.close()
        with pytest.raises(OSError):
            wal.sync()
    finally:
        wal.close()
    assert wal.syncs == 1
    assert len(flushes.inodes) == 1


def test_syncs_counts_each_flush(db: Path, flushes: Flushes) -> None:
    wal = WalSync(str(db))
    assert wal.syncs == 0
    try:
        for n in range(1, 4):
            wal.sync()
            assert wal.syncs == n
    finally:
        wal.close()
    assert len(flushes.inodes) == 3


def test_close_is_idempotent_and_sync_works_after_it(db: Path, flushes: Flushes) -> None:
    wal = WalSync(str(db))
    wal.close()  # before anything was opened
    wal.sync()
    fd = wal._fd
    assert fd is not None
    wal.close()
    wal.close()
    assert _not_the_log(fd, db)
    wal.sync()  # reopens
    wal.close()
    assert wal.syncs == 2
    assert flushes.inodes == [_wal_inode(db)] * 2


def test_threads_may_sync_and_close_at_once(db: Path, flushes: Flushes) -> None:
    """Every flush gets an open descriptor of the log, even with ``close`` called from other
    threads meanwhile, and flushes never overlap (the lock is held over them)."""
    wal = WalSync(str(db))
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            for i in range(SYNCS_PER_THREAD):
                wal.sync()
                if (n + i) % 3 == 0:
                    wal.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wal.close()

    assert errors == []
    assert wal.syncs == THREADS * SYNCS_PER_THREAD
    assert flushes.inodes == [_wal_inode(db)] * (THREADS * SYNCS_PER_THREAD)
    assert flushes.most_at_once == 1
