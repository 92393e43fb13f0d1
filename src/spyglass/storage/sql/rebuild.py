"""Recompute the hourly rollups from the spans and trace summaries they add up.

The ingest writer keeps both rollup tables current in the transaction that writes the spans
(``rollups.py``), so they drift only when something else changed the spans or summaries: a
server of an older version still writing to the same PostgreSQL database after another one
upgraded it, or a hand edit. ``spyglass db rebuild-rollups`` then puts them right.

It runs in one transaction that ingest writers wait for: on PostgreSQL the rollup tables are
locked first (a writer's rollup upsert waits, and what it adds lands on the rebuilt rows); on
SQLite the rebuild holds the one write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

from spyglass.storage.sql import rollups

_H = rollups.HOUR_NS

_SPAN_KEYS = (
    f"project_id, kind, start_ns - start_ns % {_H}, COALESCE(model, ''), latency_bin, name, "
    "COALESCE(release, ''), COALESCE(environment, '')"
)
_SPAN_SUMS = (
    "COUNT(*)",
    "SUM(CASE WHEN status = 'ERROR' THEN 1 ELSE 0 END)",
    "COALESCE(SUM(input_tokens), 0)",
    "COALESCE(SUM(output_tokens), 0)",
    "COALESCE(SUM(total_tokens), 0)",
    "COALESCE(SUM(cost), 0.0)",
    "COUNT(cost)",
    "COALESCE(SUM(ttft_ns), 0)",
    "COUNT(ttft_ns)",
)
_TRACE_KEYS = (
    f"project_id, start_ns - start_ns % {_H}, latency_bin, name, "
    "COALESCE(release, ''), COALESCE(environment, ''), COALESCE(service, '')"
)
_TRACE_SUMS = (
    "COUNT(*)",
    "SUM(CASE WHEN status = 'ERROR' THEN 1 ELSE 0 END)",
    "SUM(input_tokens)",
    "SUM(output_tokens)",
    "SUM(total_tokens)",
    "COALESCE(SUM(cost), 0.0)",
    "COUNT(cost)",
)


def span_sums_sql(where: str = "", sign: str = "") -> str:
    """What ``rollups.accumulate`` adds up per rollup key for the spans ``where`` selects
    (``KEY_COLUMNS`` then ``SUM_COLUMNS``), each sum with ``sign`` ("-": what they take away)."""
    sums = ", ".join(f"{sign}{c}" for c in _SPAN_SUMS)
    return f"SELECT {_SPAN_KEYS}, {sums} FROM spans {where} GROUP BY {_SPAN_KEYS}"


def trace_sums_sql(where: str = "", sign: str = "") -> str:
    """What ``rollups.accumulate_traces`` adds up per trace rollup key for the trace summaries
    ``where`` selects, as ``span_sums_sql`` does for spans."""
    sums = ", ".join(f"{sign}{c}" for c in _TRACE_SUMS)
    return f"SELECT {_TRACE_KEYS}, {sums} FROM traces {where} GROUP BY {_TRACE_KEYS}"


_SPAN_COLS = ", ".join((*rollups.KEY_COLUMNS, *rollups.SUM_COLUMNS))
_TRACE_COLS = ", ".join((*rollups.TRACE_KEY_COLUMNS, *rollups.TRACE_SUM_COLUMNS))
# The rebuild: sums over all stored spans and trace summaries.
_SPANS_SQL = f"INSERT INTO span_rollups ({_SPAN_COLS}) {span_sums_sql()}"
_TRACES_SQL = f"INSERT INTO trace_rollups ({_TRACE_COLS}) {trace_sums_sql()}"

_TABLES = {
    "span_rollups": (rollups.KEY_COLUMNS, rollups.SUM_COLUMNS, _SPANS_SQL),
    "trace_rollups": (rollups.TRACE_KEY_COLUMNS, rollups.TRACE_SUM_COLUMNS, _TRACES_SQL),
}


@dataclass(frozen=True, slots=True)
class RebuiltTable:
    table: str
    rows: int
    # Keys whose counts or sums were wrong: missing, extra or different (rows that count
    # nothing, which the writer may leave behind, are not counted as wrong).
    corrected: int


def rebuild_rollups(engine: Engine) -> list[RebuiltTable]:
    """Replace both rollup tables with sums over the stored spans and trace summaries."""
    out = []
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("LOCK TABLE span_rollups, trace_rollups IN EXCLUSIVE MODE"))
        for table, (keys, sums, sql) in _TABLES.items():
            before = _contents(conn, table, keys, sums)
            conn.execute(text(f"DELETE FROM {table}"))
            conn.execute(text(sql))
            after = _contents(conn, table, keys, sums)
            wrong = sum(1 for k in before.keys() | after.keys() if before.get(k) != after.get(k))
            out.append(RebuiltTable(table, len(after), wrong))
    return out


def _contents(
    conn: Connection, table: str, keys: tuple[str, ...], sums: tuple[str, ...]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The rows that count something, by key; float sums rounded (added in another order, they
    differ in their last digits)."""
    n = len(keys)
    rows = conn.execute(text(f"SELECT {', '.join((*keys, *sums))} FROM {table}"))
    return {
        tuple(r[:n]): tuple(round(v, 9) if isinstance(v, float) else int(v) for v in r[n:])
        for r in rows
        if r[n]
    }
