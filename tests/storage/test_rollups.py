"""Hourly rollups give the same metrics as aggregating the spans or traces themselves, and
the trace rollups follow trace summaries that late spans rewrite."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import text

from spyglass.server.ingest.rows import SpanRow
from spyglass.storage.filters import MetricsQuery, TraceFilter
from spyglass.storage.sql import metrics as metrics_module
from spyglass.storage.sql import migrate, rollups
from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import T0, rows, sample_rows, span

HOUR = 3_600 * 10**9


@pytest.fixture
def pid(store: SqlStore) -> int:
    return store.create_project("main").id


def _as_comparable(result: object) -> list[tuple[object, ...]]:
    return [
        (
            p.bucket_start_ns,
            p.group,
            p.count,
            p.error_count,
            p.latency_p50_ms,
            p.latency_p95_ms,
            p.latency_p99_ms,
            p.input_tokens,
            p.output_tokens,
            p.total_tokens,
            None if p.cost is None else round(p.cost, 9),
            None if p.ttft_avg_ms is None else round(p.ttft_avg_ms, 6),
            p.error_rate,
        )
        for p in result.points  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("group_by", [None, "model", "name", "kind", "release"])
@pytest.mark.parametrize("kind", [None, "LLM"])
# Hourly buckets read the rollup hours as they are; longer ones group them in the database.
@pytest.mark.parametrize("bucket_seconds", [3600, 2 * 3600])
def test_rollups_match_raw_spans(
    store: SqlStore,
    pid: int,
    monkeypatch: pytest.MonkeyPatch,
    group_by: str | None,
    kind: str | None,
    bucket_seconds: int,
) -> None:
    rows = sample_rows(pid, 400, spread_s=6 * 3600)
    store.write_spans(rows)
    # A window with partial hours at both ends, so both paths take part.
    q = MetricsQuery(
        start_ns=T0 - 5 * HOUR - HOUR // 3,
        end_ns=T0 - HOUR // 2,
        bucket_seconds=bucket_seconds,
        scope="spans",
        group_by=group_by,
        kind=kind,
    )
    with_rollups = store.metrics(pid, q)
    monkeypatch.setattr(rollups, "DIMENSIONS", ())  # rollups hold nothing: all from spans
    monkeypatch.setattr(rollups, "HOUR_NS", 7 * HOUR)
    from_spans = store.metrics(pid, q)
    assert sum(p.count for p in from_spans.points) > 300
    assert _as_comparable(with_rollups) == _as_comparable(from_spans)


def test_rollups_count_a_retried_batch_once(store: SqlStore, pid: int) -> None:
    rows = sample_rows(pid, 50, spread_s=3 * 3600)
    store.write_spans(rows)
    store.write_spans(rows)  # an exporter's retry
    store.write_spans(rows[: len(rows) // 2])
    q = MetricsQuery(start_ns=T0 - 10 * HOUR, end_ns=T0 + HOUR, bucket_seconds=3600, scope="spans")
    assert sum(p.count for p in store.metrics(pid, q).points) == len(rows)
    summaries = store.list_traces(pid, TraceFilter(), 500, None).items
    assert sum(t.span_count for t in summaries) == len(rows)


def _written_in_pieces(store: SqlStore, rows: list[SpanRow], seed: int = 5) -> None:
    """``rows`` in shuffled batches, some spans twice: most traces arrive over several batches,
    so their summaries (and the trace rollups) are rewritten as late spans come in."""
    rng = random.Random(seed)
    batches: list[list[SpanRow]] = [[] for _ in range(5)]
    for row in rows:
        for batch in rng.sample(batches, rng.choice((1, 1, 2))):
            batch.append(row)
    for batch in batches:
        rng.shuffle(batch)
        store.write_spans(batch)


def _trace_rollups(store: SqlStore, pid: int) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The stored trace rollups that count something, by key (without the project id)."""
    keys = ", ".join(rollups.TRACE_KEY_COLUMNS[1:])
    sums = ", ".join(rollups.TRACE_SUM_COLUMNS)
    with store.engine.connect() as conn:
        result = conn.execute(
            text(
                f"SELECT {keys}, {sums} FROM trace_rollups "
                "WHERE project_id = :p AND trace_count <> 0"
            ),
            {"p": pid},
        )
        n = len(rollups.TRACE_KEY_COLUMNS) - 1
        return {tuple(r[:n]): _rounded(r[n:]) for r in result.fetchall()}


def _traces_summed(store: SqlStore, pid: int) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """What the trace rollups must hold: the stored trace summaries, summed up by key."""
    with store.engine.connect() as conn:
        result = conn.execute(
            text(
                "SELECT start_ns, latency_bin, name, release, environment, service, status, "
                "input_tokens, output_tokens, total_tokens, cost FROM traces WHERE project_id = :p"
            ),
            {"p": pid},
        )
        acc: dict[tuple[Any, ...], list[Any]] = {}
        for start, lbin, name, rel, env, svc, status, i, o, tot, cost in result.fetchall():
            key = (start - start % HOUR, lbin, name, rel or "", env or "", svc or "")
            s = acc.setdefault(key, [0, 0, 0, 0, 0, 0.0, 0])
            s[0] += 1
            s[1] += status == "ERROR"
            s[2] += i
            s[3] += o
            s[4] += tot
            if cost is not None:
                s[5] += cost
                s[6] += 1
    return {k: _rounded(v) for k, v in acc.items()}


def _rounded(values: Sequence[Any]) -> tuple[Any, ...]:
    # Float costs added and taken away in another order differ in their last digits.
    return tuple(round(v, 12) if isinstance(v, float) else int(v) for v in values)


@pytest.mark.parametrize("group_by", [None, "name", "release", "environment", "service"])
# Hourly buckets read the rollup hours as they are; longer ones group them in the database.
@pytest.mark.parametrize("bucket_seconds", [3600, 2 * 3600])
def test_trace_rollups_match_the_traces(
    store: SqlStore,
    pid: int,
    monkeypatch: pytest.MonkeyPatch,
    group_by: str | None,
    bucket_seconds: int,
) -> None:
    _written_in_pieces(store, sample_rows(pid, 300, spread_s=6 * 3600))
    # A window with partial hours at both ends, so both paths take part.
    q = MetricsQuery(
        start_ns=T0 - 5 * HOUR - HOUR // 3,
        end_ns=T0 - HOUR // 2,
        bucket_seconds=bucket_seconds,
        scope="traces",
        group_by=group_by,
    )
    calls = []
    real = metrics_module._rollup_queries
    monkeypatch.setattr(metrics_module, "_rollup_queries", lambda *a: calls.append(a) or real(*a))
    with_rollups = store.metrics(pid, q)
    assert calls, "the trace rollups were not read"
    monkeypatch.setattr(rollups, "TRACE_DIMENSIONS", ())  # rollups hold nothing: all traces
    monkeypatch.setattr(rollups, "HOUR_NS", 7 * HOUR)
    from_traces = store.metrics(pid, q)
    assert sum(p.count for p in from_traces.points) > 150
    assert _as_comparable(with_rollups) == _as_comparable(from_traces)


def test_trace_rollups_follow_summaries_rewritten_by_late_spans(store: SqlStore, pid: int) -> None:
    _written_in_pieces(store, sample_rows(pid, 120, spread_s=3 * 3600), seed=11)
    assert _trace_rollups(store, pid) == _traces_summed(store, pid)


def test_a_late_root_moves_its_trace_to_its_own_hour_name_and_latency(
    store: SqlStore, pid: int
) -> None:
    """The children arrive first (the trace is summed up under the first child's name, hour
    and duration), then the root that started in the hour before, then a failed late child."""
    root_start_ms = -(T0 % HOUR) / 1e6 - 60_000  # a minute before T0's hour begins
    llm = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini"}
    children = [
        span(1, 2, "llm-call", 1_000, 500, {**llm, "gen_ai.usage.input_tokens": 10}, parent=1),
        span(1, 3, "tool", 2_000, 100, parent=1),
    ]
    store.write_spans(rows(pid, children))
    before = _trace_rollups(store, pid)
    assert [k[2] for k in before] == ["llm-call"]
    store.write_spans(rows(pid, [span(1, 1, "agent", root_start_ms, 70_000)]))
    store.write_spans(rows(pid, [span(1, 4, "retry", 65_000, 1_000, parent=1, error="boom")]))

    after = _trace_rollups(store, pid)
    assert after == _traces_summed(store, pid)
    ((hour, _bin, name, *_dims),) = after
    assert name == "agent"
    assert hour == T0 - T0 % HOUR - HOUR
    (sums,) = after.values()
    assert sums[:3] == (1, 1, 10)  # one trace, failed, the LLM call's tokens


def test_the_migration_sums_up_the_traces_already_stored(store: SqlStore, pid: int) -> None:
    _written_in_pieces(store, sample_rows(pid, 80, spread_s=3 * 3600))
    kept = _trace_rollups(store, pid)
    migrate.downgrade(store.engine, "0005")  # as before trace rollups existed
    migrate.upgrade(store.engine)
    assert _trace_rollups(store, pid) == kept == _traces_summed(store, pid)


def test_a_summary_stored_by_an_older_version_is_taken_away_as_stored(
    store: SqlStore, pid: int
) -> None:
    """A trace summary that the current code would compute differently (an older version wrote
    it; here edited by hand) and its rollup (filled by the migration): a late span takes away
    what is stored, not what the current code makes of the stored spans."""
    store.write_spans(
        rows(pid, [span(1, 1, "agent", 0, 1_000), span(1, 2, "step", 10, 5, parent=1)])
    )
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE traces SET name = 'old-name', latency_bin = 3 WHERE project_id = :p"),
            {"p": pid},
        )
    migrate.downgrade(store.engine, "0005")
    migrate.upgrade(store.engine)
    assert [k[1:3] for k in _trace_rollups(store, pid)] == [(3, "old-name")]
    store.write_spans(rows(pid, [span(1, 3, "late", 500, 5, parent=1)]))
    after = _trace_rollups(store, pid)
    assert after == _traces_summed(store, pid)
    assert [k[2] for k in after] == ["agent"]


@pytest.mark.parametrize("scope", ["traces", "spans"])
@pytest.mark.parametrize("group_by", [None, "name", "release"])
def test_metrics_without_latency_give_the_same_counts_and_sums(
    store: SqlStore, pid: int, scope: str, group_by: str | None
) -> None:
    _written_in_pieces(store, sample_rows(pid, 200, spread_s=6 * 3600))
    # Partial hours at both ends (read from spans or traces), full ones from the rollups.
    window = {"start_ns": T0 - 5 * HOUR - HOUR // 3, "end_ns": T0 - HOUR // 2}
    with_latency = store.metrics(
        pid, MetricsQuery(**window, bucket_seconds=3600, scope=scope, group_by=group_by)
    )
    without = store.metrics(
        pid,
        MetricsQuery(**window, bucket_seconds=3600, scope=scope, group_by=group_by, latency=False),
    )
    assert sum(p.count for p in without.points) > 100
    assert all(p.latency_p50_ms is p.latency_p99_ms is None for p in without.points)
    assert without.groups == with_latency.groups

    def sums(result: object) -> list[tuple[object, ...]]:
        return [row[:4] + row[7:] for row in _as_comparable(result)]

    assert sums(without) == sums(with_latency)


@pytest.mark.parametrize("scope", ["traces", "spans"])
def test_a_missing_value_is_one_group_from_rollups_and_rows_alike(
    store: SqlStore, pid: int, scope: str
) -> None:
    """Full hours come from the rollups (which store a missing value as ''), the partial hour
    at the end from the rows; a value stored as '' by an older version is the same group."""
    spans_ = [span(n, n, "chat", -(n * 20 * 60_000), 100) for n in range(1, 12)]
    # After the window's end in its last hour: that hour is then read from the rows.
    spans_.append(span(99, 99, "chat", -5 * 60_000, 100))
    store.write_spans(rows(pid, spans_, resource={"service.name": "", "service.version": ""}))
    with store.engine.begin() as conn:  # as an older version stored them
        for table in ("spans", "traces"):
            conn.execute(text(f"UPDATE {table} SET release = '' WHERE project_id = :p"), {"p": pid})
    q = MetricsQuery(
        start_ns=T0 - 4 * HOUR, end_ns=T0 - HOUR // 4, bucket_seconds=3600, scope=scope
    )
    for group_by in ("release", "service") if scope == "traces" else ("release",):
        result = store.metrics(pid, dataclasses.replace(q, group_by=group_by))
        assert result.groups == [None], group_by
        assert sum(p.count for p in result.points) == 11


def test_rebuild_puts_drifted_rollups_right_and_says_how_many(store: SqlStore, pid: int) -> None:
    _written_in_pieces(store, sample_rows(pid, 60, spread_s=3 * 3600))
    other = store.create_project("other").id
    store.write_spans(sample_rows(other, 10, seed=3))
    q = MetricsQuery(start_ns=T0 - 4 * HOUR, end_ns=T0, bucket_seconds=3600)
    want = {
        s: _as_comparable(store.metrics(pid, dataclasses.replace(q, scope=s)))
        for s in ("traces", "spans")
    }
    spans_before = _table(store, "span_rollups")
    assert store.rebuild_rollups()[0].corrected == 0  # nothing had drifted
    # Drift, as an older server writing after the upgrade would leave: traces it summed up
    # without their rollups, and a rollup row too many.
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM trace_rollups WHERE hour_ns < :h"), {"h": T0 - 2 * HOUR})
        conn.execute(text("UPDATE span_rollups SET span_count = span_count + 3"))
    drifted = store.metrics(pid, dataclasses.replace(q, scope="traces"))
    assert _as_comparable(drifted) != want["traces"]

    rebuilt = {r.table: r for r in store.rebuild_rollups()}

    assert rebuilt["span_rollups"].corrected == rebuilt["span_rollups"].rows == len(spans_before)
    assert 0 < rebuilt["trace_rollups"].corrected < rebuilt["trace_rollups"].rows
    assert _table(store, "span_rollups") == spans_before
    assert _trace_rollups(store, pid) == _traces_summed(store, pid)
    for scope in ("traces", "spans"):
        got = store.metrics(pid, dataclasses.replace(q, scope=scope))
        assert _as_comparable(got) == want[scope]


def _table(store: SqlStore, table: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table}")).fetchall()
    return sorted(tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rows)
