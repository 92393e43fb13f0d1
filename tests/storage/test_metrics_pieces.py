"""Raw metric rows are read in pieces of whole buckets (``metrics._pieces``): the answer must
be exactly what one query over the whole window gives, for every scope, bucket and grouping."""

from __future__ import annotations

import random

import pytest

from spyglass.storage.filters import MetricsQuery
from spyglass.storage.sql import metrics as metrics_sql
from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import MS, T0, rows, span

HOUR_MS = 3_600_000
HOUR_NS = HOUR_MS * MS


@pytest.mark.parametrize(
    ("lo", "hi", "origin", "bucket", "piece"),
    [
        (0, 10, 0, 1, 3),  # pieces of three buckets
        (5, 17, 0, 4, 3),  # a piece is at least RAW_PIECE_NS: here one bucket of 4
        (7, 8, 0, 5, 1),  # inside one bucket
        (3, 3, 0, 1, 1),  # empty
        (12, 40, 10, 6, 10),  # buckets counted from ``origin``, two per piece
    ],
)
def test_pieces_cut_at_bucket_edges(
    monkeypatch: pytest.MonkeyPatch, lo: int, hi: int, origin: int, bucket: int, piece: int
) -> None:
    monkeypatch.setattr(metrics_sql, "RAW_PIECE_NS", piece)
    got = metrics_sql._pieces(lo, hi, origin, bucket)
    assert [a for a, _ in got[1:]] == [b for _, b in got[:-1]]  # contiguous
    assert (got[0][0], got[-1][1]) == (lo, hi) if got else lo == hi
    step = bucket * -(-piece // bucket)
    assert all((b - origin) % step == 0 for _, b in got[:-1])  # inner edges on piece edges
    assert all(b - a <= step for a, b in got)


QUERIES = [
    MetricsQuery(T0 + 17 * 60_000 * MS, T0 + 5 * HOUR_NS + 7 * MS, 3600),
    MetricsQuery(T0, T0 + 5 * HOUR_NS, 600, group_by="name"),
    MetricsQuery(T0 + 1, T0 + 6 * HOUR_NS, 2 * 3600, scope="spans", group_by="model"),
    MetricsQuery(T0, T0 + 5 * HOUR_NS, 3600, scope="spans", kind="LLM", group_by="model"),
    MetricsQuery(T0, T0 + 5 * HOUR_NS, 1800, scope="spans", group_by="user"),
]


@pytest.mark.parametrize("query", QUERIES)
def test_pieces_give_what_one_query_gives(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, query: MetricsQuery
) -> None:
    pid = store.create_project("p").id
    rng = random.Random(7)
    spans = []
    for n in range(1, 241):
        start_ms = rng.randint(0, 5 * HOUR_MS)
        dur = rng.lognormvariate(5, 1.5)
        attrs = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": rng.choice(["a", "b", "c"]),
            "gen_ai.usage.input_tokens": rng.randint(1, 100),
            "gen_ai.usage.output_tokens": rng.randint(1, 10),
            "user.id": f"u{rng.randint(1, 4)}",
        }
        failed = rng.random() < 0.1
        spans.append(
            span(n, n, rng.choice(["x", "y"]), start_ms, dur, error="e" if failed else None)
        )
        spans.append(span(n, 10_000 + n, "llm", start_ms + 1, dur / 2, attrs, parent=n))
    store.write_spans(rows(pid, spans))
    monkeypatch.setattr(metrics_sql, "RAW_PIECE_NS", 10**30)  # one piece per range
    whole = store.metrics(pid, query)
    monkeypatch.setattr(metrics_sql, "RAW_PIECE_NS", 1)  # a piece per bucket
    assert store.metrics(pid, query) == whole
    assert sum(p.count for p in whole.points) > 0
