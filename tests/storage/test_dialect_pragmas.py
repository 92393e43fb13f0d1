"""SQLite connection settings (``sqlite_pragmas``): new files get ``SQLITE_PAGE_SIZE`` pages,
while a file made before keeps its own page size and still works; writers checkpoint inline
after ``SQLITE_AUTOCHECKPOINT_PAGES``.

Page sizes are read with plain ``sqlite3`` from the file itself, not through the store.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from spyglass.storage.sql.dialect import (
    SQLITE_AUTOCHECKPOINT_PAGES,
    SQLITE_PAGE_SIZE,
    dialect_for,
    open_writer,
    sqlite_pragmas,
)
from spyglass.storage.sql.store import open_store
from tests.otlp_rows import rows, span, tid

OLD_PAGE_SIZE = 4_096


def _page_size(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    finally:
        conn.close()
    return int(size)


def test_a_new_database_gets_16_kib_pages(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_store(f"sqlite:///{path}").close()
    assert SQLITE_PAGE_SIZE == 16_384
    assert _page_size(path) == SQLITE_PAGE_SIZE


def test_the_settings_fix_the_page_size_before_wal_does(tmp_path: Path) -> None:
    # Switching to WAL writes the file's header; the page size must be set before that.
    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        sqlite_pragmas(conn)
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    finally:
        conn.close()
    assert mode == "wal"
    assert _page_size(path) == SQLITE_PAGE_SIZE


def test_an_existing_database_keeps_its_page_size_and_works(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA page_size = {OLD_PAGE_SIZE}")
        conn.execute("CREATE TABLE made_before (x INTEGER)")
        conn.commit()
    finally:
        conn.close()
    assert _page_size(path) == OLD_PAGE_SIZE

    store = open_store(f"sqlite:///{path}")  # migrates the file
    try:
        pid = store.create_project("p").id
        store.write_spans(
            rows(
                pid,
                [
                    span(1, 10, "root", 0, 100),
                    span(1, 11, "llm", 10, 50, {"llm.model_name": "gpt-4o"}, parent=10),
                ],
            )
        )
        trace = store.get_trace(pid, tid(1))
        assert trace is not None
        assert [s.name for s in trace.spans] == ["root", "llm"]
        assert _page_size(path) == OLD_PAGE_SIZE
    finally:
        store.close()
    assert _page_size(path) == OLD_PAGE_SIZE


def test_a_writer_checkpoints_after_the_named_number_of_pages(tmp_path: Path) -> None:
    conn = open_writer(dialect_for(f"sqlite:///{tmp_path / 'w.db'}"))
    try:
        (pages,) = conn.execute("PRAGMA wal_autocheckpoint").fetchone()
    finally:
        conn.close()
    assert pages == SQLITE_AUTOCHECKPOINT_PAGES
