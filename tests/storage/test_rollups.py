"""Hourly rollups give the same metrics as aggregating the spans themselves."""

from __future__ import annotations

import pytest

from spyglass.storage.filters import MetricsQuery, TraceFilter
from spyglass.storage.sql import rollups
from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import T0, sample_rows

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
