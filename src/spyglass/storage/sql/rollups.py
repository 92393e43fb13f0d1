"""Hourly metric rollups of spans and of traces, kept up to date by the ingest writer.

A metrics query over a day of spans would otherwise aggregate every span in the window. The
writer adds each new span to one row keyed by (project, hour, kind, model, name, release,
environment, latency bin) holding counts and sums, so a day is at most a few thousand rows
whatever the volume. Queries read full hours from here and the partial hours at the edges of
their window from the spans themselves (``metrics.py``); rollups can only serve dimensions
they keep, so grouping by user, provider or service reads spans.

Traces have rollups of their own (``trace_rollups``: hour, latency bin, name, release,
environment, service), which the dashboard's request, error and latency charts read. A trace's
summary changes when a late span arrives (its duration, status, totals, even its root name):
the writer then subtracts the old summary's contribution and adds the new one
(``accumulate_traces``), in the same transaction that rewrites the summary. A row whose count
falls to zero stays, and queries skip it.

Dimensions are stored as '' rather than NULL, because NULLs never conflict in a unique key and
the upsert would then insert instead of add.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import Any

from spyglass.storage.sql.schema import SPAN_COLUMNS, TRACE_COLUMNS

HOUR_NS = 3_600 * 1_000_000_000
DIMENSIONS = ("kind", "model", "name", "release", "environment")
# The primary key's column order; upserts name the same columns.
KEY_COLUMNS = (
    "project_id",
    "kind",
    "hour_ns",
    "model",
    "latency_bin",
    "name",
    "release",
    "environment",
)
SUM_COLUMNS = (
    "span_count",
    "error_count",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost",
    "cost_count",
    "ttft_sum_ns",
    "ttft_count",
)
_IX = {
    c: SPAN_COLUMNS.index(c)
    for c in (
        "project_id",
        "start_ns",
        *DIMENSIONS,
        "latency_bin",
        "status",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "cost",
        "ttft_ns",
    )
}


_KEY_IX = tuple(
    _IX[c]
    for c in (
        "project_id",
        "kind",
        "start_ns",
        "model",
        "latency_bin",
        "name",
        "release",
        "environment",
    )
)
_SUM_IX = tuple(
    _IX[c] for c in ("status", "input_tokens", "output_tokens", "total_tokens", "cost", "ttft_ns")
)


def accumulate(rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rollup upsert parameters (``KEY_COLUMNS`` then ``SUM_COLUMNS``) of span ``rows``.

    Pure Python and no database: the ingest processes run it before they take the write lock.
    """
    acc: dict[tuple[Any, ...], list[float]] = {}
    # Column positions as locals: this runs for every span, before the write lock.
    i_pid, i_kind, i_start, i_model, i_bin, i_name, i_rel, i_env = _KEY_IX
    i_status, i_in, i_out, i_total, i_cost, i_ttft = _SUM_IX
    for r in rows:
        start = r[i_start]
        key = (  # KEY_COLUMNS order
            r[i_pid],
            r[i_kind],
            start - start % HOUR_NS,
            r[i_model] or "",
            r[i_bin],
            r[i_name],
            r[i_rel] or "",
            r[i_env] or "",
        )
        sums = acc.get(key)
        if sums is None:
            sums = acc[key] = [0, 0, 0, 0, 0, 0.0, 0, 0, 0]
        sums[0] += 1
        if r[i_status] == "ERROR":
            sums[1] += 1
        sums[2] += r[i_in] or 0
        sums[3] += r[i_out] or 0
        sums[4] += r[i_total] or 0
        cost = r[i_cost]
        if cost is not None:
            sums[5] += cost
            sums[6] += 1
        ttft = r[i_ttft]
        if ttft is not None:
            sums[7] += ttft
            sums[8] += 1
    return [(*k, *v) for k, v in acc.items()]


TRACE_DIMENSIONS = ("name", "release", "environment", "service")
# Hour then latency bin first: the dashboard's overall series (no breakdown) groups by exactly
# those, and SQLite then reads its groups in key order instead of sorting them.
TRACE_KEY_COLUMNS = (
    "project_id",
    "hour_ns",
    "latency_bin",
    "name",
    "release",
    "environment",
    "service",
)
TRACE_SUM_COLUMNS = (
    "trace_count",
    "error_count",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost",
    "cost_count",
)
# The summary columns a trace rollup is made of, in the order ``accumulate_traces`` reads.
TRACE_INPUT_COLUMNS = (
    "project_id",
    "start_ns",
    "latency_bin",
    "name",
    "release",
    "environment",
    "service",
    "status",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost",
)
_trace_input = operator.itemgetter(*(TRACE_COLUMNS.index(c) for c in TRACE_INPUT_COLUMNS))


def accumulate_traces(
    added: Iterable[tuple[Any, ...]], removed: Iterable[tuple[Any, ...]] = ()
) -> list[tuple[Any, ...]]:
    """The trace rollup upsert parameters (``TRACE_KEY_COLUMNS`` then ``TRACE_SUM_COLUMNS``):
    ``added`` summaries (``TRACE_COLUMNS`` tuples) count up, ``removed`` ones (the stored
    summaries of traces being rewritten, as ``TRACE_INPUT_COLUMNS`` tuples) count down. Keys
    whose sums cancel out are left out, so rewriting a summary that did not change writes
    nothing."""
    acc: dict[tuple[Any, ...], list[Any]] = {}
    for sign, summaries in ((1, map(_trace_input, added)), (-1, removed)):
        for pid, start, lbin, name, rel, env, svc, status, i_tok, o_tok, t_tok, cost in summaries:
            key = (pid, start - start % HOUR_NS, lbin, name, rel or "", env or "", svc or "")
            sums = acc.get(key)
            if sums is None:
                sums = acc[key] = [0, 0, 0, 0, 0, 0.0, 0]
            sums[0] += sign
            if status == "ERROR":
                sums[1] += sign
            sums[2] += sign * i_tok
            sums[3] += sign * o_tok
            sums[4] += sign * t_tok
            if cost is not None:
                sums[5] += sign * cost
                sums[6] += sign
    return [(*k, *v) for k, v in acc.items() if any(v)]


class _Rollup:
    """The upsert statements of one rollup table."""

    def __init__(
        self, table: str, keys: tuple[str, ...], sums: tuple[str, ...], pg_types: tuple[str, ...]
    ) -> None:
        cols = ", ".join((*keys, *sums))
        adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
        conflict = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {adds}"
        self.sqlite = (
            f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['?'] * len(pg_types))}) {conflict}"
        )
        arrays = ", ".join(f"%s::{t}[]" for t in pg_types)
        self.unnest = f"INSERT INTO {table} ({cols}) SELECT * FROM unnest({arrays}) {conflict}"

    def write(self, cur: Any, ph: str, params: Sequence[tuple[Any, ...]]) -> None:
        if not params:
            return
        if ph == "%s":
            cur.execute(self.unnest, [list(col) for col in zip(*params, strict=True)])
        else:
            cur.executemany(self.sqlite, params)


# PostgreSQL types of the key then the sum columns, for the arrays of the unnest upserts.
_SPANS = _Rollup(
    "span_rollups",
    KEY_COLUMNS,
    SUM_COLUMNS,
    ("int", "text", "bigint", "text", "int", "text", "text", "text")
    + ("bigint",) * 5
    + ("float8", "bigint", "bigint", "bigint"),
)
_TRACES = _Rollup(
    "trace_rollups",
    TRACE_KEY_COLUMNS,
    TRACE_SUM_COLUMNS,
    ("int", "bigint", "int", "text", "text", "text", "text")
    + ("bigint",) * 5
    + ("float8", "bigint"),
)


def write(cur: Any, ph: str, params: Sequence[tuple[Any, ...]]) -> None:
    """Add accumulated span rollups (from ``accumulate``) to the stored ones.

    PostgreSQL gets them in one statement, a column per array, rather than a statement per
    row: a batch has hundreds of rollup rows (one per latency bin, nearly one per span), and
    row by row they cost a third of the client's write time. Its rows keep the order given
    (callers sort them, so concurrent writers lock shared rows in one order).
    """
    _SPANS.write(cur, ph, params)


def write_traces(cur: Any, ph: str, params: Sequence[tuple[Any, ...]]) -> None:
    """Add accumulated trace rollups (from ``accumulate_traces``), as ``write`` does."""
    _TRACES.write(cur, ph, params)
