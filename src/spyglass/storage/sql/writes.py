"""The ingest write path: insert spans and refresh the summaries of the traces they touch.

Called only from the single ingest writer, one transaction per batch. Spans already stored
are skipped, so an exporter's retry of an accepted batch stores and counts nothing twice. Each
touched trace's summary is recomputed from all of its spans rather than incremented, which
keeps it right whatever order its spans arrive in; hourly metric rollups are incremented for
the new spans only (see ``rollups.py``).

Trace totals (tokens, cost) add up only spans of kind LLM, EMBEDDING and RERANKER: frameworks
often repeat their children's usage on agent or chain spans, and adding those would count the
same tokens twice.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from spyglass._json import dumps, loads
from spyglass.storage.latency import latency_bin
from spyglass.storage.sql import rollups
from spyglass.storage.sql.dialect import Dialect
from spyglass.storage.sql.schema import SPAN_COLUMNS, TRACE_COLUMNS

_USAGE_KINDS = frozenset({"LLM", "EMBEDDING", "RERANKER"})
# Trace ids per IN (...) list: below SQLite's default limit of 32,766 variables with room.
_IN_CHUNK = 500
# Characters of the root span's input/output kept on the trace for lists and previews.
PREVIEW_CHARS = 300

# Rows per multi-row INSERT: one statement binds up to 39 x 400 = 15,600 values, under
# SQLite's limit of 32,766. One statement per chunk instead of one per row also means the
# writer releases the GIL for one long sqlite3_step instead of thousands of short ones,
# which is what lets request decoding run beside it on the other core.
INSERT_CHUNK = 400

_LIGHT_COLUMNS = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "kind",
    "start_ns",
    "end_ns",
    "status",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost",
    "user_id",
    "session_id",
    "environment",
    "release",
    "service",
    "tags",
    "metadata",
    "model",
)
_LIGHT_INDEXES = tuple(SPAN_COLUMNS.index(c) for c in _LIGHT_COLUMNS)
_SUMMARY_SELECT = (
    f"SELECT {', '.join(_LIGHT_COLUMNS)} FROM spans "
    "WHERE project_id = {p} AND trace_id IN ({ids})"
)
_I_TRACE, _I_SPAN, _I_PARENT = 1, 2, 3
# user_id, session_id, environment, release, service in the light tuple.
_TRACE_FIELD_INDEXES = (12, 13, 14, 15, 16)
_I_INPUT, _I_OUTPUT = SPAN_COLUMNS.index("input"), SPAN_COLUMNS.index("output")


class SpanWriter:
    """Holds the prepared SQL for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        ph = dialect.placeholder
        self._row_values = f"({', '.join([ph] * len(SPAN_COLUMNS))})"
        self._insert_full = self._insert_sql(INSERT_CHUNK)
        updates = ", ".join(
            f"{c} = COALESCE(excluded.{c}, traces.{c})"
            if c.endswith("_preview")
            else f"{c} = excluded.{c}"
            for c in TRACE_COLUMNS[2:]
        )
        self._upsert_traces = (
            f"INSERT INTO traces ({', '.join(TRACE_COLUMNS)}) "
            f"VALUES ({', '.join([ph] * len(TRACE_COLUMNS))}) "
            f"ON CONFLICT (project_id, trace_id) DO UPDATE SET {updates}"
        )

    def _insert_sql(self, n_rows: int) -> str:
        return (
            f"INSERT INTO spans ({', '.join(SPAN_COLUMNS)}) VALUES "
            + ", ".join([self._row_values] * n_rows)
            + " ON CONFLICT DO NOTHING"
        )

    def write(self, conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` and refresh their traces and rollups; the caller commits.

        The stored spans of every touched trace are read first: that says which incoming
        spans are retries of stored ones (skipped, so nothing is counted twice) and gives the
        rest of each trace for its summary, which is then computed in memory.
        """
        cur = conn.cursor()
        ph = self.dialect.placeholder
        touched: dict[int, set[str]] = {}
        for row in rows:
            touched.setdefault(row[0], set()).add(row[_I_TRACE])
        stored: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
        for project_id, trace_ids in touched.items():
            ids = sorted(trace_ids)
            for i in range(0, len(ids), _IN_CHUNK):
                id_chunk = ids[i : i + _IN_CHUNK]
                sql = _SUMMARY_SELECT.format(p=ph, ids=", ".join([ph] * len(id_chunk)))
                cur.execute(sql, (project_id, *id_chunk))
                for span in cur.fetchall():
                    stored.setdefault((project_id, span[0]), []).append(span)

        seen = {(p, s[0], s[1]) for (p, _), spans in stored.items() for s in spans}
        fresh: list[tuple[Any, ...]] = []
        for row in rows:
            key = (row[0], row[_I_TRACE], row[_I_SPAN])
            if key not in seen:
                seen.add(key)
                fresh.append(row)
                stored.setdefault((row[0], row[_I_TRACE]), []).append(_light(row))

        # ON CONFLICT still guards against another server writing the same span meanwhile.
        if self.dialect.is_sqlite:
            for i in range(0, len(fresh), INSERT_CHUNK):
                chunk = fresh[i : i + INSERT_CHUNK]
                sql = (
                    self._insert_full
                    if len(chunk) == INSERT_CHUNK
                    else self._insert_sql(len(chunk))
                )
                cur.execute(sql, [value for row in chunk for value in row])
        elif fresh:
            # psycopg pipelines executemany in one round trip, while parsing a statement with
            # thousands of placeholders costs more in Python than the insert itself.
            cur.executemany(self._insert_sql(1), fresh)

        # Previews come from the batch in memory: re-reading 2 KB texts would cost more
        # than the insert. A root that arrived earlier keeps its stored preview (COALESCE).
        previews = {
            (row[0], row[_I_TRACE], row[_I_SPAN]): (
                _preview(row[_I_INPUT]),
                _preview(row[_I_OUTPUT]),
            )
            for row in fresh
            if row[_I_PARENT] is None
        }
        summaries = [
            summarize(project_id, trace_id, spans, previews)
            for (project_id, trace_id), spans in stored.items()
        ]
        if summaries:
            cur.executemany(self._upsert_traces, summaries)
        rollups.add(cur, ph, fresh)
        cur.close()


# The ``_SUMMARY_SELECT`` columns of a span row, picked in C.
_light = operator.itemgetter(*_LIGHT_INDEXES)


def _preview(text: str | None) -> str | None:
    return text[:PREVIEW_CHARS] if text else None


def summarize(
    project_id: int,
    trace_id: str,
    spans: list[tuple[Any, ...]],
    previews: dict[tuple[int, str, str], tuple[str | None, str | None]],
) -> tuple[Any, ...]:
    """One ``traces`` row (``TRACE_COLUMNS`` order) from the stored spans of a trace."""
    # Root: a span without a parent (earliest if several); until it arrives, the earliest span.
    ordered = sorted(spans, key=lambda s: s[5])
    root = next((s for s in ordered if s[2] is None), ordered[0])
    start = min(s[5] for s in spans)
    end = max(s[6] for s in spans)
    errors = sum(1 for s in spans if s[7] == "ERROR")
    in_tok = out_tok = total_tok = 0
    cost: float | None = None
    models: set[str] = set()
    tags: set[str] = set()
    metadata: dict[str, Any] = {}
    found: dict[int, Any] = {}
    # Root last so its values win for the trace-level fields.
    for s in [*[s for s in ordered if s is not root], root]:
        if s[4] in _USAGE_KINDS:
            in_tok += s[8] or 0
            out_tok += s[9] or 0
            total_tok += s[10] or 0
            if s[11] is not None:
                cost = (cost or 0.0) + s[11]
            if s[19]:
                models.add(s[19])
        for idx in _TRACE_FIELD_INDEXES:
            if s[idx] is not None and (s is root or idx not in found):
                found[idx] = s[idx]
        if s[17]:
            tags.update(loads(s[17]))
        if s[18]:
            metadata.update(loads(s[18]))
    duration = end - start
    in_preview, out_preview = previews.get((project_id, trace_id, root[1]), (None, None))
    return (
        project_id,
        trace_id,
        root[1] if root[2] is None else None,
        root[3],
        start,
        end,
        duration,
        latency_bin(duration),
        "ERROR" if errors else "OK",
        len(spans),
        errors,
        in_tok,
        out_tok,
        total_tok,
        cost,
        found.get(12),
        found.get(13),
        found.get(14),
        found.get(15),
        found.get(16),
        dumps(sorted(tags)) if tags else None,
        dumps(metadata) if metadata else None,
        dumps(sorted(models)) if models else None,
        in_preview,
        out_preview,
    )
