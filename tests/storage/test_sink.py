"""``SpanSink(deferred_sync=True)``: on SQLite its commits do not wait for the disk
(``synchronous = NORMAL``) and ``sync`` flushes the log instead; a failed flush is a
``StoreError`` that leaves the sink writing. Without the flag, and on PostgreSQL whatever the
flag, commits wait for the disk themselves and ``sync`` does nothing.
"""

from __future__ import annotations

import errno
import os

import pytest

from spyglass.exceptions import StoreError
from spyglass.server.ingest.rows import SpanRow
from spyglass.storage.sql import walsync
from spyglass.storage.sql.sink import SpanSink
from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import rows, span, tid

# PRAGMA synchronous answers.
NORMAL = 1
FULL = 2


@pytest.fixture
def datasyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The inode of each file ``WalSync`` flushes."""
    seen: list[int] = []
    monkeypatch.setattr(walsync, "_datasync", lambda fd: seen.append(os.fstat(fd).st_ino))
    return seen


def _batch(pid: int, n: int) -> list[SpanRow]:
    """Trace ``n``: a root and one child."""
    return rows(
        pid,
        [
            span(n, n * 10, "root", 0, 100),
            span(n, n * 10 + 1, "child", 10, 50, {"llm.model_name": "gpt-4o"}, parent=n * 10),
        ],
    )


def _span_count(store: SqlStore, pid: int, n: int) -> int:
    trace = store.get_trace(pid, tid(n))
    return 0 if trace is None else len(trace.spans)


def _synchronous(sink: SpanSink) -> int:
    (level,) = sink._conn.execute("PRAGMA synchronous").fetchone()
    return int(level)


@pytest.mark.parametrize(("deferred", "level"), [(True, NORMAL), (False, FULL)])
def test_deferred_sync_commits_with_synchronous_normal(
    sqlite_store: SqlStore, deferred: bool, level: int
) -> None:
    pid = sqlite_store.create_project("p").id
    sink = SpanSink(sqlite_store.dialect, deferred_sync=deferred)
    try:
        sink.write(_batch(pid, 1))
        assert _synchronous(sink) == level
    finally:
        sink.close()
    assert _span_count(sqlite_store, pid, 1) == 2


def test_sync_flushes_the_log_of_its_database(sqlite_store: SqlStore, datasyncs: list[int]) -> None:
    pid = sqlite_store.create_project("p").id
    sink = SpanSink(sqlite_store.dialect, deferred_sync=True)
    try:
        sink.write(_batch(pid, 1))
        assert datasyncs == []  # the write itself leaves the flush to sync()
        sink.sync()
        wal_inode = os.stat(f"{sqlite_store.dialect.driver_url}-wal").st_ino
    finally:
        sink.close()
    assert datasyncs == [wal_inode]


def test_without_deferred_sync_sync_does_nothing(
    sqlite_store: SqlStore, datasyncs: list[int]
) -> None:
    pid = sqlite_store.create_project("p").id
    sink = SpanSink(sqlite_store.dialect)
    try:
        sink.write(_batch(pid, 1))
        sink.sync()
    finally:
        sink.close()
    assert datasyncs == []


@pytest.mark.parametrize(
    "store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_postgresql_ignores_deferred_sync(store: SqlStore, datasyncs: list[int]) -> None:
    pid = store.create_project("p").id
    sink = SpanSink(store.dialect, deferred_sync=True)
    try:
        sink.write(_batch(pid, 1))
        sink.sync()
        sink.write(_batch(pid, 2))
    finally:
        sink.close()
    assert datasyncs == []
    assert (_span_count(store, pid, 1), _span_count(store, pid, 2)) == (2, 2)


def test_a_failed_sync_is_a_store_error_and_the_sink_writes_on(
    sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = sqlite_store.create_project("p").id
    sink = SpanSink(sqlite_store.dialect, deferred_sync=True)

    def broken_disk(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    try:
        sink.write(_batch(pid, 1))
        monkeypatch.setattr(walsync, "_datasync", broken_disk)
        with pytest.raises(StoreError, match="write-ahead log") as failed:
            sink.sync()
        assert isinstance(failed.value.__cause__, OSError)

        sink.write(_batch(pid, 2))
        flushed: list[int] = []
        monkeypatch.setattr(walsync, "_datasync", flushed.append)
        sink.sync()
        assert len(flushed) == 1
    finally:
        sink.close()
    assert (_span_count(sqlite_store, pid, 1), _span_count(sqlite_store, pid, 2)) == (2, 2)
