"""Retention: old traces go whole, with their spans and scores, and the rollups stay equal
to what is left (``storage/sql/retention.py``), on both databases."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import text

from spyglass.server.ingest.rows import SpanRow
from spyglass.storage.filters import MetricsQuery, ScoreFilter, TraceFilter
from spyglass.storage.models import Score, ScoreDataType, ScoreSource
from spyglass.storage.sql import retention
from spyglass.storage.sql.retention import Pruned
from spyglass.storage.sql.schema import SPAN_COLUMNS
from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import T0, sample_rows

DAY = 86_400 * 10**9
HOUR = 3_600 * 10**9
_START, _END = SPAN_COLUMNS.index("start_ns"), SPAN_COLUMNS.index("end_ns")


def _shifted(rows: list[SpanRow], by_ns: int) -> list[SpanRow]:
    out = []
    for r in rows:
        row = list(r)
        row[_START] += by_ns
        row[_END] += by_ns
        out.append(tuple(row))
    return out


def _score(
    sid: str, trace: str | None, span: str | None = None, session: str | None = None
) -> Score:
    return Score(
        id=sid,
        name="quality",
        data_type=ScoreDataType.NUMERIC,
        value=1.0,
        source=ScoreSource.HUMAN,
        trace_id=trace,
        span_id=span,
        session_id=session,
        comment=None,
        author=None,
        metadata={},
        created_ns=T0,
    )


def _trace_ids(store: SqlStore, pid: int) -> set[str]:
    page = store.list_traces(pid, TraceFilter(), 1_000, None)
    assert page.next_cursor is None
    return {t.trace_id for t in page.items}


def _metrics(store: SqlStore, pid: int, start: int, end: int, scope: str) -> list[Any]:
    q = MetricsQuery(
        start, end, 3_600, scope=scope, group_by="name" if scope == "traces" else "model"
    )
    return [
        (p.bucket_start_ns, p.group, p.count, p.error_count, p.latency_p95_ms, p.total_tokens)
        for p in store.metrics(pid, q).points
    ]


@pytest.fixture
def two_ages(store: SqlStore) -> tuple[int, list[SpanRow], list[SpanRow]]:
    """Project ``main`` with 30 traces ten days old and 20 from the last hour."""
    pid = store.create_project("main").id
    old = _shifted(sample_rows(pid, 30, seed=1), -10 * DAY)
    new = sample_rows(pid, 20, seed=2)
    store.write_spans(old)
    store.write_spans(new)
    return pid, old, new


def test_prune_deletes_old_traces_whole_and_keeps_the_rest(
    store: SqlStore, two_ages: tuple[int, list[SpanRow], list[SpanRow]]
) -> None:
    pid, old, new = two_ages
    old_ids, new_ids = {r[1] for r in old}, {r[1] for r in new}
    assert len(old_ids) == 30 and len(new_ids) == 20
    an_old, a_new = sorted(old_ids)[0], sorted(new_ids)[0]
    old_span = next(r[2] for r in old if r[1] == an_old)
    for score in (
        _score("s-old-trace", an_old),
        _score("s-old-span", an_old, old_span),
        _score("s-new-trace", a_new),
        _score("s-session", None, session="conversation-1"),
    ):
        store.create_score(pid, score)
    window = (T0 - 2 * DAY, T0 + DAY)
    before = {s: _metrics(store, pid, *window, s) for s in ("traces", "spans")}

    cutoff = T0 - 5 * DAY
    counted = store.prune(cutoff, dry_run=True)
    assert counted == Pruned(traces=30, spans=len(old), scores=2)
    assert _trace_ids(store, pid) == old_ids | new_ids  # a dry run deletes nothing

    assert store.prune(cutoff) == counted
    assert _trace_ids(store, pid) == new_ids
    assert store.get_trace(pid, an_old) is None
    assert store.get_trace(pid, a_new) is not None
    left = {s.id for s in store.list_scores(pid, ScoreFilter(), 100, None).items}
    assert left == {"s-new-trace", "s-session"}
    # The rollups lost exactly what the deleted traces added: a rebuild from what is left
    # corrects nothing, and the recent metrics read the same.
    assert [(t.table, t.corrected) for t in store.rebuild_rollups()] == [
        ("span_rollups", 0),
        ("trace_rollups", 0),
    ]
    assert {s: _metrics(store, pid, *window, s) for s in ("traces", "spans")} == before
    assert _metrics(store, pid, T0 - 12 * DAY, T0 - 8 * DAY, "traces") == []
    # Rows that count nothing in the pruned hours are gone too.
    with store.engine.connect() as conn:
        empty = conn.execute(
            text(
                "SELECT COUNT(*) FROM span_rollups WHERE span_count = 0 AND hour_ns < :h UNION "
                "ALL SELECT COUNT(*) FROM trace_rollups WHERE trace_count = 0 AND hour_ns < :h"
            ),
            {"h": cutoff - cutoff % HOUR},
        )
        assert [n for (n,) in empty] == [0, 0]
    # Nothing left to do: a second run deletes nothing.
    assert store.prune(cutoff) == Pruned()


def test_a_trace_that_started_before_the_cutoff_goes_with_its_later_spans(
    store: SqlStore,
) -> None:
    pid = store.create_project("main").id
    rows = sample_rows(pid, 1, seed=3)
    first = min(r[_START] for r in rows)
    # The cutoff falls inside the trace: its root started before, its children after.
    store.write_spans(rows)
    assert store.prune(first + 1) == Pruned(traces=1, spans=len(rows), scores=0)
    assert _trace_ids(store, pid) == set()
    assert all(t.corrected == 0 for t in store.rebuild_rollups())


def test_prune_keeps_to_the_projects_asked(store: SqlStore) -> None:
    a = store.create_project("a").id
    b = store.create_project("b").id
    store.write_spans(_shifted(sample_rows(a, 5, seed=4), -10 * DAY))
    store.write_spans(_shifted(sample_rows(b, 5, seed=5), -10 * DAY))
    assert store.prune(T0, [a]).traces == 5
    assert _trace_ids(store, a) == set()
    assert len(_trace_ids(store, b)) == 5
    assert all(t.corrected == 0 for t in store.rebuild_rollups())


def test_prune_goes_in_chunks_oldest_first(
    store: SqlStore,
    two_ages: tuple[int, list[SpanRow], list[SpanRow]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    _pid, old, _new = two_ages
    monkeypatch.setattr(retention, "CHUNK_TRACES", 7)
    seen: list[Pruned] = []
    lock = str(tmp_path / "ingest.lock")
    done = store.prune(T0 - 5 * DAY, lock_path=lock, progress=seen.append)
    assert [p.traces for p in seen] == [7, 7, 7, 7, 2]
    assert sum(p.spans for p in seen) == done.spans == len(old)
    assert all(t.corrected == 0 for t in store.rebuild_rollups())


def test_a_sqlite_chunk_holds_the_write_lock_from_its_start(
    store: SqlStore,
    two_ages: tuple[int, list[SpanRow], list[SpanRow]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A chunk reads before it writes. Begun deferred, it failed at once with "database is
    # locked" when any other connection (a score, a login) committed in between.
    if not store.is_sqlite:
        pytest.skip("SQLite's transaction modes")
    probed: list[bool] = []
    chunk = retention._prune_chunk

    def probing(conn: Any, project_id: int, before_ns: int) -> Pruned:
        conn.execute(text("SELECT 1"))
        other = sqlite3.connect(store.dialect.driver_url, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
        probed.append(True)
        return chunk(conn, project_id, before_ns)

    monkeypatch.setattr(retention, "_prune_chunk", probing)
    assert store.prune(T0 - 5 * DAY).traces == 30
    assert probed


def test_the_empty_row_cleanup_skips_rows_a_writer_holds(
    store: SqlStore,
    two_ages: tuple[int, list[SpanRow], list[SpanRow]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # PostgreSQL writers lock rollup rows in their own order: a cleanup that waited for one
    # could close a cycle (a deadlock). It leaves such a row for the next run instead.
    if store.is_sqlite:
        pytest.skip("PostgreSQL's row locks")
    drop = retention._drop_empty_rollups
    held: list[tuple[Any, ...]] = []

    def with_a_writer_holding_a_row(conn: Any, project_ids: list[int], before_ns: int) -> None:
        with store.engine.connect() as writer:
            row = writer.execute(
                text(
                    "SELECT hour_ns, latency_bin, name FROM trace_rollups "
                    "WHERE trace_count = 0 ORDER BY hour_ns LIMIT 1 FOR UPDATE"
                )
            ).one()
            held.append(tuple(row))
            drop(conn, project_ids, before_ns)  # does not wait for ``writer``
            writer.rollback()

    monkeypatch.setattr(retention, "_drop_empty_rollups", with_a_writer_holding_a_row)
    assert store.prune(T0 - 5 * DAY).traces == 30
    with store.engine.connect() as conn:
        left = conn.execute(
            text("SELECT hour_ns, latency_bin, name FROM trace_rollups WHERE trace_count = 0")
        ).all()
    assert [tuple(r) for r in left] == held  # only the held row is left, for the next run


def test_an_empty_store_prunes_nothing(store: SqlStore) -> None:
    assert store.prune(T0, dry_run=True) == Pruned()
    assert store.prune(T0) == Pruned()
    store.create_project("main")
    assert store.prune(T0) == Pruned()
