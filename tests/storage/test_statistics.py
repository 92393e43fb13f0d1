"""The writer keeps the planner's statistics fresh as tables grow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from spyglass.storage.sql.store import SqlStore
from tests.conftest import _truncate
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


def _counts(store: SqlStore) -> dict[str, tuple[int, int]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT relname, vacuum_count, analyze_count FROM pg_stat_user_tables")
        ).all()
    return {r[0]: (r[1], r[2]) for r in rows}


@pytest.fixture
def pg_store(_postgres_store_url: str) -> Iterator[SqlStore]:
    """A migrated, empty store on PostgreSQL alone."""
    _truncate(_postgres_store_url)
    s = SqlStore(_postgres_store_url)
    try:
        yield s
    finally:
        s.close()


@pytest.mark.postgres
@pytest.mark.parametrize("autovacuum", [True, False], ids=["autovacuum", "no-autovacuum"])
def test_postgresql_without_autovacuum_gets_a_vacuum_with_its_statistics(
    pg_store: SqlStore, monkeypatch: pytest.MonkeyPatch, autovacuum: bool
) -> None:
    """Without autovacuum nothing else marks pages all-visible, which index-only scans need."""
    store = pg_store
    monkeypatch.setattr(store._sink, "_analyze_after", 50)
    monkeypatch.setattr(store._sink, "_autovacuum", autovacuum)  # as if asked already
    pid = store.create_project("main").id
    before = _counts(store)
    store.write_spans(sample_rows(pid, 40))
    after = _counts(store)
    for table in ("spans", "traces", "span_rollups", "trace_rollups"):
        vacuums = after[table][0] - before[table][0]
        analyzes = after[table][1] - before[table][1]
        # Spans are read row by row anyway: no index-only scan needs them vacuumed.
        vacuumed = not autovacuum and table != "spans"
        assert (vacuums, analyzes) == (int(vacuumed), 1), table
    store.write_spans(sample_rows(pid, 5, seed=2))  # the connection is usable after it
    assert store._sink._autovacuum is autovacuum


@pytest.mark.postgres
def test_the_first_refresh_asks_the_server_whether_it_runs_autovacuum(pg_store: SqlStore) -> None:
    store = pg_store
    store._sink._analyze_after = 1
    store.write_spans(sample_rows(store.create_project("main").id, 2))
    with store.engine.connect() as conn:
        running = conn.execute(text("SHOW autovacuum")).scalar() != "off"
    assert store._sink._autovacuum is running
