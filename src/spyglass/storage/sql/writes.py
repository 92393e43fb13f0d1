"""The ingest write path: insert spans and refresh the summaries of the traces they touch.

Called by one writer at a time (the server's writer thread, or an ingest process holding the
ingest lock), one transaction per batch. ``prepare`` does the part that needs no database
before that turn comes. Spans already stored are skipped, so an exporter's retry of an
accepted batch stores and counts nothing twice. Each touched trace's summary is recomputed
from all of its spans rather than incremented, which keeps it right whatever order its spans
arrive in; hourly span rollups are incremented for the new spans only, and trace rollups lose
a rewritten trace's old summary and gain its new one (see ``rollups.py``).

Trace totals (tokens, cost) add up only spans of kind LLM, EMBEDDING and RERANKER: frameworks
often repeat their children's usage on agent or chain spans, and adding those would count the
same tokens twice.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Sequence
from dataclasses import dataclass
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
# The stored summaries of traces that get new spans: the trace rollups lose what these added.
_OLD_SUMMARY_SELECT = (
    f"SELECT {', '.join(rollups.TRACE_INPUT_COLUMNS)} FROM traces "
    "WHERE project_id = {p} AND trace_id IN ({ids})"
)
_I_TRACE, _I_SPAN, _I_PARENT = 1, 2, 3
# user_id, session_id, environment, release, service in the light tuple.
_TRACE_FIELD_INDEXES = (12, 13, 14, 15, 16)
_I_INPUT, _I_OUTPUT = SPAN_COLUMNS.index("input"), SPAN_COLUMNS.index("output")


@dataclass(slots=True)
class PreparedBatch:
    """A batch of span rows with everything the write needs that does not read the database:
    its traces' summaries as if nothing of them were stored yet, and its span and trace rollup
    increments.

    ``prepare`` builds it outside the write lock (in an ingest process, beside the writer);
    ``SpanWriter.write`` then only has to look up which traces already have stored spans.
    """

    rows: list[tuple[Any, ...]]
    traces: dict[tuple[int, str], list[tuple[Any, ...]]]
    previews: dict[tuple[int, str, str], tuple[str | None, str | None]]
    summaries: dict[tuple[int, str], tuple[Any, ...]]
    rollups: list[tuple[Any, ...]]
    trace_rollups: list[tuple[Any, ...]]


def prepare(rows: Sequence[tuple[Any, ...]]) -> PreparedBatch:
    """Group ``rows`` by trace, drop repeats within the batch, summarise each trace."""
    seen: set[tuple[int, str, str]] = set()
    unique: list[tuple[Any, ...]] = []
    by_trace: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
    previews: dict[tuple[int, str, str], tuple[str | None, str | None]] = {}
    for row in rows:
        key = (row[0], row[_I_TRACE], row[_I_SPAN])
        if key in seen:
            continue
        seen.add(key)
        unique.append(row)
        by_trace.setdefault((row[0], row[_I_TRACE]), []).append(_light(row))
        # Previews come from the batch in memory: re-reading 2 KB texts would cost more
        # than the insert. A root that arrived earlier keeps its stored preview (COALESCE).
        if row[_I_PARENT] is None:
            previews[key] = (_preview(row[_I_INPUT]), _preview(row[_I_OUTPUT]))
    summaries = {
        (project_id, trace_id): summarize(project_id, trace_id, spans, previews)
        for (project_id, trace_id), spans in by_trace.items()
    }
    return PreparedBatch(
        unique,
        by_trace,
        previews,
        summaries,
        rollups.accumulate(unique),
        rollups.accumulate_traces(summaries.values()),
    )


class SpanWriter:
    """Holds the prepared SQL for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        ph = dialect.placeholder
        # One row per statement through executemany: SQLite runs it as one prepared
        # statement re-bound per row, which measured faster than multi-row VALUES lists.
        self._insert = (
            f"INSERT INTO spans ({', '.join(SPAN_COLUMNS)}) "
            f"VALUES ({', '.join([ph] * len(SPAN_COLUMNS))}) ON CONFLICT DO NOTHING"
        )
        self._copy = f"COPY spans ({', '.join(SPAN_COLUMNS)}) FROM STDIN"
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

    def write(self, conn: Any, batch: Sequence[tuple[Any, ...]] | PreparedBatch) -> None:
        """Insert the spans and refresh their traces and rollups; the caller commits.

        The stored spans of every touched trace are read first: that says which incoming
        spans are retries of stored ones (skipped, so nothing is counted twice) and gives the
        rest of each trace for its summary. Traces with nothing stored, the usual case, take
        the summaries ``prepare`` already computed.
        """
        prepared = batch if isinstance(batch, PreparedBatch) else prepare(batch)
        cur = conn.cursor()
        ph = self.dialect.placeholder
        if not self.dialect.is_sqlite:
            # PostgreSQL takes concurrent writers (the ingest processes, or several servers),
            # so they take turns per trace: a summary is recomputed from the trace's stored
            # spans, which another open transaction could be adding to. Locks are taken in
            # key order, so two writers never wait on each other in a cycle.
            slots = sorted({trace_lock_slot(p, t) for p, t in prepared.traces})
            cur.execute(
                "SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::int[]) AS k",
                (LOCK_NAMESPACE, slots),
            )
        touched: dict[int, list[str]] = {}
        for project_id, trace_id in prepared.traces:
            touched.setdefault(project_id, []).append(trace_id)
        stored: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
        for project_id, trace_ids in touched.items():
            ids = sorted(trace_ids)
            for i in range(0, len(ids), _IN_CHUNK):
                id_chunk = ids[i : i + _IN_CHUNK]
                sql = _SUMMARY_SELECT.format(p=ph, ids=", ".join([ph] * len(id_chunk)))
                cur.execute(sql, (project_id, *id_chunk))
                for span in cur.fetchall():
                    stored.setdefault((project_id, span[0]), []).append(span)

        rows = prepared.rows
        summaries = prepared.summaries
        rollup_params = prepared.rollups
        trace_rollup_params = prepared.trace_rollups
        if stored:
            old = self._stored_summaries(cur, stored)
            rows, summaries, rollup_params, trace_rollup_params = _merge_stored(
                prepared, stored, old
            )

        if rows:
            if self.dialect.is_sqlite:
                cur.executemany(self._insert, rows)
            else:
                # COPY: one stream instead of a statement per row (a third less client CPU
                # per span). It has no ON CONFLICT, and needs none: this transaction holds
                # the advisory locks of its traces, whose stored spans were read above, and
                # every writer takes them, whichever server it runs in.
                with cur.copy(self._copy) as copy:
                    for row in rows:
                        copy.write_row(row)
        if summaries:
            cur.executemany(self._upsert_traces, list(summaries.values()))
        # Sorted: concurrent PostgreSQL writers then lock shared rollup rows in one order.
        if self.dialect.is_sqlite:
            rollups.write(cur, ph, rollup_params)
            rollups.write_traces(cur, ph, trace_rollup_params)
        else:
            rollups.write(cur, ph, sorted(rollup_params))
            rollups.write_traces(cur, ph, sorted(trace_rollup_params))
        cur.close()

    def _stored_summaries(
        self, cur: Any, stored: dict[tuple[int, str], list[tuple[Any, ...]]]
    ) -> list[tuple[Any, ...]]:
        """The stored summaries of the traces that have stored spans (the columns the trace
        rollups are made of, ``rollups.TRACE_INPUT_COLUMNS``), as stored: read rather
        than recomputed, so the rollups lose exactly what was added for them, even when it was
        added by an older version (or the migration that filled the trace rollups)."""
        ph = self.dialect.placeholder
        by_project: dict[int, list[str]] = {}
        for project_id, trace_id in stored:
            by_project.setdefault(project_id, []).append(trace_id)
        out: list[tuple[Any, ...]] = []
        for project_id, trace_ids in by_project.items():
            ids = sorted(trace_ids)
            for i in range(0, len(ids), _IN_CHUNK):
                id_chunk = ids[i : i + _IN_CHUNK]
                sql = _OLD_SUMMARY_SELECT.format(p=ph, ids=", ".join([ph] * len(id_chunk)))
                cur.execute(sql, (project_id, *id_chunk))
                out.extend(cur.fetchall())
        return out


# Advisory locks: (namespace, slot). A trace maps to one of LOCK_SLOTS slots, so a batch of
# thousands of one-span traces still takes at most that many locks (PostgreSQL's lock table
# holds about 64 per connection by default); two traces sharing a slot merely take turns.
LOCK_NAMESPACE = 0x5397
LOCK_SLOTS = 1024


def trace_lock_slot(project_id: int, trace_id: str) -> int:
    """The advisory-lock slot of one trace."""
    digest = hashlib.blake2b(f"{project_id}:{trace_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % LOCK_SLOTS


_Rows = list[tuple[Any, ...]]


def _merge_stored(
    prepared: PreparedBatch,
    stored: dict[tuple[int, str], list[tuple[Any, ...]]],
    old: _Rows,
) -> tuple[_Rows, dict[tuple[int, str], tuple[Any, ...]], _Rows, _Rows]:
    """Rows, summaries, span rollups and trace rollups of a batch some of whose traces
    already have spans (``stored``) and summaries (``old``)."""
    seen = {(p, s[0], s[1]) for (p, _), spans in stored.items() for s in spans}
    fresh = [row for row in prepared.rows if (row[0], row[_I_TRACE], row[_I_SPAN]) not in seen]
    summaries = dict(prepared.summaries)
    for key, spans in stored.items():
        new = [s for s in prepared.traces[key] if (key[0], s[0], s[1]) not in seen]
        summaries[key] = summarize(key[0], key[1], spans + new, prepared.previews)
    trace_rollups = rollups.accumulate_traces(summaries.values(), old)
    if len(fresh) == len(prepared.rows):
        return fresh, summaries, prepared.rollups, trace_rollups
    return fresh, summaries, rollups.accumulate(fresh), trace_rollups


# The ``_SUMMARY_SELECT`` columns of a span row, picked in C.
_light = operator.itemgetter(*_LIGHT_INDEXES)


_start_of = operator.itemgetter(5)
_end_of = operator.itemgetter(6)


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
    ordered = sorted(spans, key=_start_of)
    root = next((s for s in ordered if s[2] is None), ordered[0])
    start = ordered[0][5]
    end = max(map(_end_of, spans))
    errors = 0
    in_tok = out_tok = total_tok = 0
    cost: float | None = None
    models: set[str] = set()
    tags: set[str] = set()
    metadata: dict[str, Any] = {}
    # Root last so its values win for the trace-level fields and metadata.
    others = [s for s in ordered if s is not root]
    for s in (*others, root):
        if s[7] == "ERROR":
            errors += 1
        if s[4] in _USAGE_KINDS:
            in_tok += s[8] or 0
            out_tok += s[9] or 0
            total_tok += s[10] or 0
            if s[11] is not None:
                cost = (cost or 0.0) + s[11]
            if s[19]:
                models.add(s[19])
        if s[17]:
            tags.update(loads(s[17]))
        if s[18]:
            metadata.update(loads(s[18]))
    # The trace's user, session, environment, release and service: the root's, else the
    # earliest span's that has one.
    found = {
        idx: root[idx]
        if root[idx] is not None
        else next((s[idx] for s in others if s[idx] is not None), None)
        for idx in _TRACE_FIELD_INDEXES
    }
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
