"""The writer keeps the planner's statistics fresh as tables grow."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import sample_rows


def test_statistics_are_refreshed_after_enough_spans(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store._sink, "_analyze_after", 50)  # the store exists already
    pid = store.create_project("main").id
    rows = sample_rows(pid, 40)
    assert len(rows) >= 50
    store.write_spans(rows)
    if store.is_sqlite:
        return  # PRAGMA optimize decides for itself; it must just not fail the write
    with store.engine.connect() as conn:
        analyzed = (
            conn.execute(
                text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
            )
            .scalars()
            .all()
        )
    assert {"spans", "traces", "span_rollups", "trace_rollups"} <= set(analyzed)
