"""Time-bucketed metrics: counts, error rate, latency percentiles, tokens and cost.

The database returns one row per (bucket, group, latency bin) with counts and sums, so the
heavy aggregation runs in C inside SQLite or PostgreSQL and only a few thousand rows reach
Python, whatever the number of spans in the window. Percentiles are read off the merged latency
bins (see ``storage/latency.py``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Engine, case, func, literal, select

from spyglass.exceptions import BadRequest
from spyglass.storage import latency
from spyglass.storage.filters import MetricsQuery
from spyglass.storage.models import MetricPoint, MetricsResult
from spyglass.storage.sql.schema import spans, traces

# A chart with more points than this is unreadable and the query would be slow to serialise.
MAX_BUCKETS = 2_000
GROUP_COLUMNS = {
    "traces": {
        "name": "name",
        "user": "user_id",
        "release": "release",
        "environment": "environment",
        "service": "service",
        "session": "session_id",
    },
    "spans": {
        "model": "model",
        "name": "name",
        "user": "user_id",
        "release": "release",
        "environment": "environment",
        "provider": "provider",
        "kind": "kind",
        "service": "service",
    },
}
OTHER = "(other)"


class _Acc:
    __slots__ = (
        "bins",
        "cost",
        "cost_n",
        "count",
        "errors",
        "in_tok",
        "out_tok",
        "tot_tok",
        "ttft_n",
        "ttft_sum",
    )

    def __init__(self) -> None:
        self.bins: Counter[int] = Counter()
        self.count = self.errors = self.in_tok = self.out_tok = self.tot_tok = 0
        self.cost = 0.0
        self.cost_n = self.ttft_n = 0
        self.ttft_sum = 0.0

    def add(self, r: Any) -> None:
        self.bins[r.bin] += r.n
        self.count += r.n
        self.errors += r.errors or 0
        self.in_tok += r.in_tok or 0
        self.out_tok += r.out_tok or 0
        self.tot_tok += r.tot_tok or 0
        self.cost += r.cost or 0.0
        self.cost_n += r.cost_n or 0
        self.ttft_sum += float(r.ttft_sum or 0)  # PostgreSQL sums BIGINT as NUMERIC
        self.ttft_n += r.ttft_n or 0


def metrics(engine: Engine, project_id: int, q: MetricsQuery) -> MetricsResult:
    if q.scope not in GROUP_COLUMNS:
        raise BadRequest("scope must be 'traces' or 'spans'")
    if q.end_ns <= q.start_ns:
        raise BadRequest("end must be after start")
    if q.bucket_seconds <= 0:
        raise BadRequest("bucket must be a positive number of seconds")
    bucket_ns = q.bucket_seconds * 1_000_000_000
    origin = q.start_ns - q.start_ns % bucket_ns
    if (q.end_ns - origin) // bucket_ns > MAX_BUCKETS:
        raise BadRequest(
            f"window/bucket gives more than {MAX_BUCKETS} buckets; use a larger bucket"
        )
    table = traces if q.scope == "traces" else spans
    c = table.c
    group_col: Any = literal(None)
    if q.group_by is not None:
        name = GROUP_COLUMNS[q.scope].get(q.group_by)
        if name is None:
            allowed = ", ".join(sorted(GROUP_COLUMNS[q.scope]))
            raise BadRequest(f"group_by for scope={q.scope} must be one of: {allowed}")
        group_col = c[name]
    is_spans = q.scope == "spans"
    # Floor division: integer on both backends (SQLAlchemy 2 makes "/" a true division, which
    # groups by every distinct start time and rounds values near a bucket edge up).
    bucket = ((c.start_ns - origin) // bucket_ns).label("b")
    query = (
        select(
            bucket,
            group_col.label("g"),
            c.latency_bin.label("bin"),
            func.count().label("n"),
            func.sum(case((c.status == "ERROR", 1), else_=0)).label("errors"),
            func.sum(c.input_tokens).label("in_tok"),
            func.sum(c.output_tokens).label("out_tok"),
            func.sum(c.total_tokens).label("tot_tok"),
            func.sum(c.cost).label("cost"),
            func.count(c.cost).label("cost_n"),
            (func.sum(c.ttft_ns) if is_spans else literal(None)).label("ttft_sum"),
            (func.count(c.ttft_ns) if is_spans else literal(0)).label("ttft_n"),
        )
        .where(c.project_id == project_id, c.start_ns >= q.start_ns, c.start_ns < q.end_ns)
        .group_by(bucket, group_col, c.latency_bin)
    )
    if q.kind is not None:
        if not is_spans:
            raise BadRequest("kind filters spans: use scope=spans")
        query = query.where(c.kind == q.kind.upper())
    with engine.connect() as conn:
        rows = conn.execute(query).all()

    totals: Counter[Any] = Counter()
    for r in rows:
        totals[r.g] += r.n
    keep = {g for g, _ in totals.most_common(q.max_groups)}
    accs: dict[tuple[int, Any], _Acc] = {}
    for r in rows:
        g = r.g if r.g in keep else OTHER
        accs.setdefault((int(r.b), g), _Acc()).add(r)
    groups = sorted({g for _, g in accs}, key=lambda g: (-totals.get(g, 0), str(g)))

    points: list[MetricPoint] = []
    for (b, g), a in sorted(accs.items(), key=lambda kv: (kv[0][0], groups.index(kv[0][1]))):
        p50, p95, p99 = latency.percentiles(a.bins, (0.5, 0.95, 0.99))
        points.append(
            MetricPoint(
                bucket_start_ns=origin + b * bucket_ns,
                group=None if g is None else str(g),
                count=a.count,
                error_count=a.errors,
                error_rate=a.errors / a.count,
                latency_p50_ms=p50,
                latency_p95_ms=p95,
                latency_p99_ms=p99,
                ttft_avg_ms=(a.ttft_sum / a.ttft_n / 1e6) if a.ttft_n else None,
                input_tokens=a.in_tok,
                output_tokens=a.out_tok,
                total_tokens=a.tot_tok,
                cost=a.cost if a.cost_n else None,
            )
        )
    return MetricsResult(
        scope=q.scope,
        group_by=q.group_by,
        start_ns=q.start_ns,
        end_ns=q.end_ns,
        bucket_seconds=q.bucket_seconds,
        groups=[None if g is None else str(g) for g in groups],
        points=points,
        latency_relative_error=latency.GAMMA - 1,
    )
