"""The WAL checkpointer copies SQLite's write-ahead log into the database file from its own
thread, never blocks writers, stops at once, and is not started for PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable

from spyglass.storage.sql.checkpoint import WalCheckpointer, start_checkpointer
from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import sample_rows

# Bounded waits: a checkpoint of a few MB takes milliseconds; a slow CI machine gets margin.
WAIT_S = 10.0
POLL_S = 0.01
# stop() must not wait out the interval: well under it, with room for a busy machine.
PROMPT_STOP_S = 2.0


def _db_path(store: SqlStore) -> str:
    return str(store.dialect.driver_url)


def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(POLL_S)


def _span_count(path: str) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        (n,) = conn.execute("SELECT count(*) FROM spans").fetchone()
    conn.close()
    return int(n)


def test_the_log_is_copied_into_the_database_file(sqlite_store: SqlStore) -> None:
    pid = sqlite_store.create_project("main").id
    data = sample_rows(pid, 200)
    sqlite_store.write_spans(data)
    path = _db_path(sqlite_store)
    # The spans are in the log only: the store's connections stay open, and a few MB are
    # far below the connections' own autocheckpoint threshold.
    main_before = os.path.getsize(path)
    assert os.path.getsize(path + "-wal") > main_before

    checkpointer = WalCheckpointer(sqlite_store.dialect, interval_s=0.005)
    checkpointer.start()
    try:
        _until(
            lambda: checkpointer.checkpoints > 0 and os.path.getsize(path) > main_before,
            "the checkpointer never copied the log into the database file",
        )
    finally:
        checkpointer.stop()

    with sqlite3.connect(path) as conn:
        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    conn.close()
    assert (busy, frames) == (0, copied)  # nothing left to copy
    assert _span_count(path) == len(data)


def test_writers_carry_on_while_it_runs(sqlite_store: SqlStore) -> None:
    pid = sqlite_store.create_project("main").id
    data = sample_rows(pid, 120)
    checkpointer = WalCheckpointer(sqlite_store.dialect, interval_s=0.001)
    checkpointer.start()
    try:
        for i in range(0, len(data), 50):
            sqlite_store.write_spans(data[i : i + 50])
        _until(lambda: checkpointer.checkpoints > 0, "no checkpoint ran")
    finally:
        checkpointer.stop()
    assert _span_count(_db_path(sqlite_store)) == len(data)


def test_stop_does_not_wait_out_the_interval(sqlite_store: SqlStore) -> None:
    checkpointer = WalCheckpointer(sqlite_store.dialect, interval_s=3_600)
    checkpointer.start()
    started = time.monotonic()
    checkpointer.stop()
    assert time.monotonic() - started < PROMPT_STOP_S
    assert not checkpointer._thread.is_alive()
    checkpointer.stop()  # a second stop is harmless


def test_stop_before_start_is_harmless(sqlite_store: SqlStore) -> None:
    WalCheckpointer(sqlite_store.dialect).stop()


def test_started_for_sqlite_only(store: SqlStore) -> None:
    checkpointer = start_checkpointer(store.dialect)
    if not store.is_sqlite:
        assert checkpointer is None
        return
    assert isinstance(checkpointer, WalCheckpointer)
    try:
        assert checkpointer._thread.is_alive()
    finally:
        checkpointer.stop()
    assert not checkpointer._thread.is_alive()
