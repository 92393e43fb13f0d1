"""The ingest write path: insert spans and refresh the summaries of the traces they touch.

Called only from the single ingest writer, one transaction per batch. Spans are inserted with
ON CONFLICT DO NOTHING, so an exporter's retry of an accepted batch stores nothing twice. Each
touched trace's summary is then recomputed from all of its stored spans rather than
incremented, which keeps it right whatever order or how many times its spans arrive.

Trace totals (tokens, cost) add up only spans of kind LLM, EMBEDDING and RERANKER: frameworks
often repeat their children's usage on agent or chain spans, and adding those would count the
same tokens twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from spyglass.storage.latency import latency_bin
from spyglass.storage.sql.dialect import Dialect
from spyglass.storage.sql.schema import SPAN_COLUMNS, TRACE_COLUMNS

_USAGE_KINDS = frozenset({"LLM", "EMBEDDING", "RERANKER"})
# Trace ids per IN (...) list: below SQLite's default limit of 32,766 variables with room.
_IN_CHUNK = 500
# Characters of the root span's input/output kept on the trace for lists and previews.
PREVIEW_CHARS = 300

_SUMMARY_SELECT = (
    "SELECT trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, status, "
    "input_tokens, output_tokens, total_tokens, cost, user_id, session_id, environment, "
    "release, service, tags, metadata, model, "
    f"substr(input, 1, {PREVIEW_CHARS}), substr(output, 1, {PREVIEW_CHARS}) "
    "FROM spans WHERE project_id = {p} AND trace_id IN ({ids})"
)


class SpanWriter:
    """Holds the prepared SQL for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        ph = dialect.placeholder
        self._insert_spans = (
            f"INSERT INTO spans ({', '.join(SPAN_COLUMNS)}) "
            f"VALUES ({', '.join([ph] * len(SPAN_COLUMNS))}) ON CONFLICT DO NOTHING"
        )
        updates = ", ".join(f"{c} = excluded.{c}" for c in TRACE_COLUMNS[2:])
        self._upsert_traces = (
            f"INSERT INTO traces ({', '.join(TRACE_COLUMNS)}) "
            f"VALUES ({', '.join([ph] * len(TRACE_COLUMNS))}) "
            f"ON CONFLICT (project_id, trace_id) DO UPDATE SET {updates}"
        )

    def write(self, conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` and refresh their traces; the caller commits."""
        cur = conn.cursor()
        cur.executemany(self._insert_spans, rows)
        touched: dict[int, set[str]] = {}
        for row in rows:
            touched.setdefault(row[0], set()).add(row[1])
        summaries: list[tuple[Any, ...]] = []
        ph = self.dialect.placeholder
        for project_id, trace_ids in touched.items():
            ids = sorted(trace_ids)
            by_trace: dict[str, list[tuple[Any, ...]]] = {}
            for i in range(0, len(ids), _IN_CHUNK):
                chunk = ids[i:i + _IN_CHUNK]
                sql = _SUMMARY_SELECT.format(p=ph, ids=", ".join([ph] * len(chunk)))
                cur.execute(sql, (project_id, *chunk))
                for span in cur.fetchall():
                    by_trace.setdefault(span[0], []).append(span)
            summaries.extend(summarize(project_id, tid, spans) for tid, spans in by_trace.items())
        if summaries:
            cur.executemany(self._upsert_traces, summaries)
        cur.close()


def summarize(project_id: int, trace_id: str, spans: list[tuple[Any, ...]]) -> tuple[Any, ...]:
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
    found: dict[str, Any] = {}
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
        for idx, key in ((12, "user"), (13, "session"), (14, "env"), (15, "release"),
                         (16, "service")):
            if s[idx] is not None and (s is root or key not in found):
                found[key] = s[idx]
        if s[17]:
            tags.update(json.loads(s[17]))
        if s[18]:
            metadata.update(json.loads(s[18]))
    duration = end - start
    return (
        project_id, trace_id, root[1] if root[2] is None else None, root[3], start, end,
        duration, latency_bin(duration), "ERROR" if errors else "OK", len(spans), errors,
        in_tok, out_tok, total_tok, cost, found.get("user"), found.get("session"),
        found.get("env"), found.get("release"), found.get("service"),
        json.dumps(sorted(tags)) if tags else None,
        json.dumps(metadata, ensure_ascii=False) if metadata else None,
        json.dumps(sorted(models)) if models else None, root[20], root[21],
    )
