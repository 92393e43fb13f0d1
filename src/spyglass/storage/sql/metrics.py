"""Time-bucketed metrics: counts, error rate, latency percentiles, tokens and cost.

The database returns one row per (bucket, group, latency bin) with counts and sums, so the
heavy aggregation runs in C inside SQLite or PostgreSQL and only a few thousand rows reach
Python, whatever the number of spans in the window. Percentiles are read off the merged latency
bins (see ``storage/latency.py``).
"""

from __future__ import annotations

import dataclasses
import operator
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, case, func, literal, select

from spyglass.exceptions import BadRequest
from spyglass.storage import latency
from spyglass.storage.filters import MetricsQuery
from spyglass.storage.models import MetricPoint, MetricsResult
from spyglass.storage.sql import rollups
from spyglass.storage.sql.schema import span_rollups, spans, trace_rollups, traces

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
# Raw rows are read in pieces of whole buckets spanning at least this long. SQLite groups by
# sorting, and a day of a busy project's traces (333k) overflows its sorter's memory and is
# merged through temporary files; an hour's rows sort in memory. Hourly pieces made the 24 h
# traces query 15-25 % faster at 333k traces; PostgreSQL (hash aggregates) does not mind.
RAW_PIECE_NS = rollups.HOUR_NS


class _Acc:
    """Counts and sums of one (bucket, group); ``sums`` in the order of the query columns
    errors, input, output, total tokens, cost, cost count, ttft sum, ttft count; ``bins`` the
    counts per latency bin (empty when the query skips latency)."""

    __slots__ = ("bins", "count", "sums")

    def __init__(self) -> None:
        self.bins: Counter[int] = Counter()
        self.count = 0
        self.sums: list[Any] = [0, 0, 0, 0, 0.0, 0, 0, 0]


def _sum0(column: Any, zero: float = 0) -> Any:
    """SUM that gives 0 instead of NULL when every value is NULL."""
    return func.coalesce(func.sum(column), literal(zero))


# Rollup dimensions stored as '' when the span or trace has none.
_EMPTY_AS_NONE = frozenset({"model", "release", "environment", "service"})


def _raw_query(
    table: Any,
    project_id: int,
    lo: int,
    hi: int,
    origin: int,
    bucket_ns: int,
    group_name: str | None,
    kind: str | None,
    latency: bool,
) -> Any:
    """Counts and sums per (bucket, group, latency bin), or per (bucket, group) with a bin of
    0 when ``latency`` is off."""
    c = table.c
    is_spans = table is spans
    group_col: Any = c[group_name] if group_name else literal(None)
    if group_name in _EMPTY_AS_NONE:
        # One group for a missing value, as the rollups give it ('' there): older spans may
        # hold '' (an empty model or service name).
        group_col = func.nullif(group_col, "")
    bin_col: Any = c.latency_bin if latency else literal(0)
    # Floor division: integer on both backends (SQLAlchemy 2 makes "/" a true division, which
    # groups by every distinct start time and rounds values near a bucket edge up).
    bucket = ((c.start_ns - origin) // bucket_ns).label("b")
    query = (
        select(
            bucket,
            group_col.label("g"),
            bin_col.label("bin"),
            func.count().label("n"),
            func.sum(case((c.status == "ERROR", 1), else_=0)).label("errors"),
            _sum0(c.input_tokens).label("in_tok"),
            _sum0(c.output_tokens).label("out_tok"),
            _sum0(c.total_tokens).label("tot_tok"),
            _sum0(c.cost, 0.0).label("cost"),
            func.count(c.cost).label("cost_n"),
            (_sum0(c.ttft_ns) if is_spans else literal(0)).label("ttft_sum"),
            (func.count(c.ttft_ns) if is_spans else literal(0)).label("ttft_n"),
        )
        .where(c.project_id == project_id, c.start_ns >= lo, c.start_ns < hi)
        .group_by(bucket, group_col, *([c.latency_bin] if latency else []))
    )
    if kind is not None:
        query = query.where(c.kind == kind)
    return query


def _hourly_rows(rows: Sequence[Any], origin: int, group_name: str | None) -> list[Any]:
    """Rows of an hourly ``_rollup_query``, as the other queries give them."""
    blank = group_name in _EMPTY_AS_NONE
    return [
        ((hour - origin) // rollups.HOUR_NS, None if blank and g == "" else g, *rest)
        for hour, g, *rest in rows
    ]


def _rollup_queries(
    is_spans: bool,
    project_id: int,
    lo: int,
    hi: int,
    origin: int,
    bucket_ns: int,
    group_name: str | None,
    kind: str | None,
    latency: bool,
) -> tuple[Any | None, Any]:
    """Two queries over the span or trace rollups: counts per (bucket, group, latency bin)
    (None when ``latency`` is off), and the count and sums per (bucket, group). One query with
    the sums per latency bin returned a row of twelve columns for each of thousands of bins
    that the sums do not need (25 % slower in SQLite, and twice the Python work)."""
    r = span_rollups.c if is_spans else trace_rollups.c
    count = r.span_count if is_spans else r.trace_count
    group_col: Any = r[group_name] if group_name else literal(None)
    if bucket_ns == rollups.HOUR_NS:
        # Hourly buckets are the rollup hours themselves: grouped by the bare key columns,
        # SQLite reads the groups in primary-key order instead of sorting them through a
        # temporary B-tree (40 % faster for a day by model). ``_hourly_rows`` turns the hours
        # into bucket numbers and '' into None.
        bucket: Any = r.hour_ns.label("b")
    else:
        if group_name in _EMPTY_AS_NONE:
            group_col = func.nullif(group_col, "")  # rollups store a missing value as ''
        bucket = ((r.hour_ns - origin) // bucket_ns).label("b")
    where = [r.project_id == project_id, r.hour_ns >= lo, r.hour_ns < hi]
    if kind is not None:
        where.append(r.kind == kind)
    bins = (
        select(
            bucket,
            group_col.label("g"),
            r.latency_bin.label("bin"),
            func.sum(count).label("n"),
        )
        .where(*where)
        .group_by(bucket, group_col, r.latency_bin)
        if latency
        else None
    )
    sums = (
        select(
            bucket,
            group_col.label("g"),
            func.sum(count).label("n"),
            _sum0(r.error_count).label("errors"),
            _sum0(r.input_tokens).label("in_tok"),
            _sum0(r.output_tokens).label("out_tok"),
            _sum0(r.total_tokens).label("tot_tok"),
            _sum0(r.cost, 0.0).label("cost"),
            _sum0(r.cost_count).label("cost_n"),
            (_sum0(r.ttft_sum_ns) if is_spans else literal(0)).label("ttft_sum"),
            (_sum0(r.ttft_count) if is_spans else literal(0)).label("ttft_n"),
        )
        .where(*where)
        .group_by(bucket, group_col)
    )
    return bins, sums


def _pieces(lo: int, hi: int, origin: int, bucket_ns: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` cut at bucket edges into pieces of at least ``RAW_PIECE_NS``."""
    step = bucket_ns * -(-RAW_PIECE_NS // bucket_ns)
    out = []
    edge = origin + ((lo - origin) // step + 1) * step
    while lo < hi:
        out.append((lo, min(edge, hi)))
        lo, edge = edge, edge + step
    return out


def _any_row(conn: Connection, table: Any, project_id: int, lo: int, hi: int) -> bool:
    """Whether ``table`` (spans or traces) has a row of the project starting in [lo, hi)."""
    c = table.c
    query = (
        select(c.trace_id)
        .where(c.project_id == project_id, c.start_ns >= lo, c.start_ns < hi)
        .limit(1)
    )
    return conn.execute(query).first() is not None


@contextmanager
def _reader(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads see one snapshot: on PostgreSQL a read-only REPEATABLE READ
    transaction (READ COMMITTED takes a new snapshot per statement); SQLite's reads already
    share the transaction the connection begins."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            # Reset when the connection goes back to the pool.
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        yield conn


def metrics(engine: Engine, project_id: int, q: MetricsQuery) -> MetricsResult:
    if q.scope not in GROUP_COLUMNS:
        raise BadRequest("scope must be 'traces' or 'spans'")
    if q.end_ns <= q.start_ns:
        raise BadRequest("end must be after start")
    if q.bucket_seconds <= 0:
        raise BadRequest("bucket must be a positive number of seconds")
    bucket_ns = q.bucket_seconds * 1_000_000_000
    origin = q.start_ns - q.start_ns % bucket_ns
    # Buckets are whole: the window starts at the boundary of the bucket holding ``start``,
    # so the first point of a chart is not a partial bucket that looks like a dip.
    q = dataclasses.replace(q, start_ns=origin)
    if (q.end_ns - origin) // bucket_ns > MAX_BUCKETS:
        raise BadRequest(
            f"window/bucket gives more than {MAX_BUCKETS} buckets; use a larger bucket"
        )
    table = traces if q.scope == "traces" else spans
    group_name: str | None = None
    if q.group_by is not None:
        group_name = GROUP_COLUMNS[q.scope].get(q.group_by)
        if group_name is None:
            allowed = ", ".join(sorted(GROUP_COLUMNS[q.scope]))
            raise BadRequest(f"group_by for scope={q.scope} must be one of: {allowed}")
    is_spans = q.scope == "spans"
    if q.kind is not None and not is_spans:
        raise BadRequest("kind filters spans: use scope=spans")
    kind = q.kind.upper() if q.kind is not None else None

    # One snapshot for every read: the rollups and the traces they sum up change together as
    # late spans move a trace to another hour or latency bin, so reads of both must agree.
    with _reader(engine) as conn:
        # Full hours come from the rollups when they hold the grouping and the buckets are whole
        # hours; the partial hours at both edges of the window come from the spans or traces.
        raw_ranges = [(q.start_ns, q.end_ns)]
        rollup_queries: tuple[Any, Any] | None = None
        dimensions = rollups.DIMENSIONS if is_spans else rollups.TRACE_DIMENSIONS
        if (group_name is None or group_name in dimensions) and bucket_ns % rollups.HOUR_NS == 0:
            first_hour = -(-q.start_ns // rollups.HOUR_NS) * rollups.HOUR_NS
            last_hour = q.end_ns - q.end_ns % rollups.HOUR_NS
            if last_hour < q.end_ns and not _any_row(
                conn, table, project_id, q.end_ns, last_hour + rollups.HOUR_NS
            ):
                # Nothing after the end of the window in its last hour (the usual case when the
                # window ends now): that hour's rollup holds exactly the rows before the end.
                last_hour += rollups.HOUR_NS
            if first_hour < last_hour:
                rollup_queries = _rollup_queries(
                    is_spans,
                    project_id,
                    first_hour,
                    last_hour,
                    origin,
                    bucket_ns,
                    group_name,
                    kind,
                    q.latency,
                )
                raw_ranges = [(q.start_ns, first_hour), (last_hour, q.end_ns)]
        raw_queries = [
            _raw_query(table, project_id, a, b, origin, bucket_ns, group_name, kind, q.latency)
            for lo, hi in raw_ranges
            for a, b in _pieces(lo, hi, origin, bucket_ns)
        ]
        # (bucket, group, count, sums...) rows; (bucket or hour, group, latency bin, count) rows,
        # by whether their bucket is a rollup hour (``hourly_bins``) or a bucket number.
        count_rows: list[Any] = []
        hourly_bins: Sequence[Any] = ()
        bin_rows: list[Any] = []
        if rollup_queries is not None:
            bins_query, sums_query = rollup_queries
            sums = conn.execute(sums_query).all()
            bins = conn.execute(bins_query).all() if bins_query is not None else []
            if bucket_ns == rollups.HOUR_NS:
                count_rows.extend(_hourly_rows(sums, origin, group_name))
                hourly_bins = bins  # thousands of rows: converted in the loop below
            else:
                count_rows.extend(sums)
                bin_rows.extend(bins)
        for query in raw_queries:
            for r in conn.execute(query).all():
                count_rows.append((r[0], r[1], *r[3:]))
                bin_rows.append(r[:4])

    totals: Counter[Any] = Counter()
    for r in count_rows:
        totals[r[1]] += r[2]
    keep = {g for g, n in totals.most_common(q.max_groups) if n}
    accs: dict[tuple[int, Any], _Acc] = {}
    for r in count_rows:
        n = int(r[2])  # PostgreSQL sums BIGINT columns as NUMERIC (Decimal)
        if not n:
            # A trace rollup row whose traces all moved to other keys (a late span changed
            # their duration or name): it must not make a point.
            continue
        g = r[1]
        key = (int(r[0]), g if g in keep else OTHER)
        acc = accs.get(key)
        if acc is None:
            acc = accs[key] = _Acc()
        acc.count += n
        # Never NULL (COALESCE in the queries): added in C, not column by column.
        acc.sums = list(map(operator.add, acc.sums, r[3:]))
    if q.latency:
        # The hottest loop (a row per bucket, group and latency bin): local names, no calls
        # but the lookups. An acc is missing only for rollup rows that count nothing.
        get = accs.get
        blank = group_name in _EMPTY_AS_NONE
        hour_ns = rollups.HOUR_NS
        for hour, g, lbin, n in hourly_bins:
            if n:
                group = None if blank and g == "" else g
                acc = get(((hour - origin) // hour_ns, group if group in keep else OTHER))
                if acc is not None:
                    acc.bins[lbin] += int(n)
        for b, g, lbin, n in bin_rows:
            if n:
                acc = get((int(b), g if g in keep else OTHER))
                if acc is not None:
                    acc.bins[lbin] += int(n)
    groups = sorted({g for _, g in accs}, key=lambda g: (-totals.get(g, 0), str(g)))

    points: list[MetricPoint] = []
    order = {g: k for k, g in enumerate(groups)}
    for (b, g), a in sorted(accs.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        p50, p95, p99 = latency.percentiles(a.bins, (0.5, 0.95, 0.99))
        errors, in_tok, out_tok, tot_tok, cost, cost_n, ttft_sum, ttft_n = a.sums
        points.append(
            MetricPoint(
                bucket_start_ns=origin + b * bucket_ns,
                group=None if g is None else str(g),
                count=a.count,
                error_count=int(errors),
                error_rate=int(errors) / a.count,
                latency_p50_ms=p50,
                latency_p95_ms=p95,
                latency_p99_ms=p99,
                ttft_avg_ms=float(ttft_sum) / int(ttft_n) / 1e6 if ttft_n else None,
                input_tokens=int(in_tok),
                output_tokens=int(out_tok),
                total_tokens=int(tot_tok),
                cost=float(cost) if cost_n else None,
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
