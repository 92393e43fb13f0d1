"""Hourly metric rollups of spans, kept up to date by the ingest writer.

A metrics query over a day of spans would otherwise aggregate every span in the window. The
writer adds each new span to one row keyed by (project, hour, kind, model, name, release,
environment, latency bin) holding counts and sums, so a day is at most a few thousand rows
whatever the volume. Queries read full hours from here and the partial hours at the edges of
their window from the spans themselves (``metrics.py``); rollups can only serve dimensions
they keep, so grouping by user, provider or service reads spans.

Dimensions are stored as '' rather than NULL, because NULLs never conflict in a unique key and
the upsert would then insert instead of add.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spyglass.storage.sql.schema import SPAN_COLUMNS

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


def _upsert_sql(ph: str) -> str:
    cols = (*KEY_COLUMNS, *SUM_COLUMNS)
    adds = ", ".join(f"{c} = span_rollups.{c} + excluded.{c}" for c in SUM_COLUMNS)
    return (
        f"INSERT INTO span_rollups ({', '.join(cols)}) VALUES ({', '.join([ph] * len(cols))}) "
        f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {adds}"
    )


_SQL: dict[str, str] = {}


def accumulate(rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rollup upsert parameters (``KEY_COLUMNS`` then ``SUM_COLUMNS``) of span ``rows``.

    Pure Python and no database: the ingest processes run it before they take the write lock.
    """
    acc: dict[tuple[Any, ...], list[float]] = {}
    ix = _IX
    for r in rows:
        key = (  # KEY_COLUMNS order
            r[ix["project_id"]],
            r[ix["kind"]],
            r[ix["start_ns"]] - r[ix["start_ns"]] % HOUR_NS,
            r[ix["model"]] or "",
            r[ix["latency_bin"]],
            r[ix["name"]],
            r[ix["release"]] or "",
            r[ix["environment"]] or "",
        )
        sums = acc.get(key)
        if sums is None:
            sums = acc[key] = [0, 0, 0, 0, 0, 0.0, 0, 0, 0]
        sums[0] += 1
        if r[ix["status"]] == "ERROR":
            sums[1] += 1
        sums[2] += r[ix["input_tokens"]] or 0
        sums[3] += r[ix["output_tokens"]] or 0
        sums[4] += r[ix["total_tokens"]] or 0
        if r[ix["cost"]] is not None:
            sums[5] += r[ix["cost"]]
            sums[6] += 1
        if r[ix["ttft_ns"]] is not None:
            sums[7] += r[ix["ttft_ns"]]
            sums[8] += 1
    return [(*k, *v) for k, v in acc.items()]


# PostgreSQL types of KEY_COLUMNS then SUM_COLUMNS, for the arrays of ``_UNNEST_SQL``.
_PG_TYPES = (
    "int",
    "text",
    "bigint",
    "text",
    "int",
    "text",
    "text",
    "text",
    "bigint",
    "bigint",
    "bigint",
    "bigint",
    "bigint",
    "float8",
    "bigint",
    "bigint",
    "bigint",
)


def _unnest_sql() -> str:
    cols = (*KEY_COLUMNS, *SUM_COLUMNS)
    adds = ", ".join(f"{c} = span_rollups.{c} + excluded.{c}" for c in SUM_COLUMNS)
    arrays = ", ".join(f"%s::{t}[]" for t in _PG_TYPES)
    return (
        f"INSERT INTO span_rollups ({', '.join(cols)}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {adds}"
    )


_UNNEST_SQL = _unnest_sql()


def write(cur: Any, ph: str, params: Sequence[tuple[Any, ...]]) -> None:
    """Add accumulated rollups (from ``accumulate``) to the stored ones.

    PostgreSQL gets them in one statement, a column per array, rather than a statement per
    row: a batch has hundreds of rollup rows (one per latency bin, nearly one per span), and
    row by row they cost a third of the client's write time. Its rows keep the order given
    (callers sort them, so concurrent writers lock shared rows in one order).
    """
    if not params:
        return
    if ph == "%s":
        cur.execute(_UNNEST_SQL, [list(col) for col in zip(*params, strict=True)])
        return
    sql = _SQL.get(ph) or _SQL.setdefault(ph, _upsert_sql(ph))
    cur.executemany(sql, params)


def add(cur: Any, ph: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Add span ``rows`` (``SPAN_COLUMNS`` tuples) to their hourly rollups."""
    write(cur, ph, accumulate(rows))
