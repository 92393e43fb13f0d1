"""Trace and span queries (keyset pagination, newest first)."""

from __future__ import annotations

import json
from collections.abc import Callable
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Engine, and_, or_, select

from spyglass.exceptions import BadRequest
from spyglass.storage.filters import TraceFilter
from spyglass.storage.models import (
    OutlineRow,
    Page,
    Span,
    SpanNode,
    TraceSummary,
)
from spyglass.storage.sql import cursor as cur
from spyglass.storage.sql.dialect import Dialect
from spyglass.storage.sql.schema import spans, traces


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _json_list_contains(column: Any, value: str) -> Any:
    # Lists are stored as JSON text; a quoted element matches exactly that element.
    needle = "%" + _like_escape(json.dumps(value)) + "%"
    return column.like(needle, escape="\\")


def _trace_summary(r: Any) -> TraceSummary:
    return TraceSummary(
        trace_id=r.trace_id,
        name=r.name,
        root_span_id=r.root_span_id,
        start_ns=r.start_ns,
        end_ns=r.end_ns,
        duration_ms=r.duration_ns / 1e6,
        status=r.status,
        span_count=r.span_count,
        error_count=r.error_count,
        input_tokens=r.input_tokens,
        output_tokens=r.output_tokens,
        total_tokens=r.total_tokens,
        cost=r.cost,
        user_id=r.user_id,
        session_id=r.session_id,
        tags=json.loads(r.tags) if r.tags else [],
        metadata=json.loads(r.metadata) if r.metadata else {},
        release=r.release,
        environment=r.environment,
        service=r.service,
        models=json.loads(r.models) if r.models else [],
        input_preview=r.input_preview,
        output_preview=r.output_preview,
    )


# Characters of a tag, model or text filter (UTF-8 takes up to 4 bytes a character).
MAX_MATCH_CHARS = 10_000


def list_traces(
    engine: Engine,
    dialect: Dialect,
    project_id: int,
    flt: TraceFilter,
    limit: int,
    cursor: str | None,
) -> Page[TraceSummary]:
    for field, value in (("tag", flt.tag), ("model", flt.model), ("q", flt.text)):
        # Matched with LIKE, whose pattern SQLite limits to 50,000 bytes (a 500 past it).
        if value is not None and len(value) > MAX_MATCH_CHARS:
            raise BadRequest(f"{field} is too long (at most {MAX_MATCH_CHARS} characters)")
    t = traces.c
    conds: list[Any] = [t.project_id == project_id]
    if flt.start_ns is not None:
        conds.append(t.start_ns >= flt.start_ns)
    if flt.end_ns is not None:
        conds.append(t.start_ns < flt.end_ns)
    for column, value in (
        (t.name, flt.name),
        (t.user_id, flt.user_id),
        (t.session_id, flt.session_id),
        (t.release, flt.release),
        (t.environment, flt.environment),
    ):
        if value is not None:
            conds.append(column == value)
    if flt.status is not None:
        conds.append(t.status == flt.status.upper())
    if flt.tag is not None:
        conds.append(_json_list_contains(t.tags, flt.tag))
    if flt.model is not None:
        conds.append(_json_list_contains(t.models, flt.model))
    if flt.metadata is not None:
        key, value = flt.metadata
        conds.append(dialect.json_text(t.metadata, key) == value)
    if flt.min_duration_ns is not None:
        conds.append(t.duration_ns >= flt.min_duration_ns)
    if flt.max_duration_ns is not None:
        conds.append(t.duration_ns <= flt.max_duration_ns)
    if flt.text:
        pattern = "%" + _like_escape(flt.text) + "%"
        s = spans.c
        span_conds = [
            s.project_id == project_id,
            or_(s.input.ilike(pattern, escape="\\"), s.output.ilike(pattern, escape="\\")),
        ]
        if flt.start_ns is not None:
            span_conds.append(s.start_ns >= flt.start_ns)
        conds.append(t.trace_id.in_(select(s.trace_id).where(*span_conds)))
    if cursor:
        c_start, c_id = cur.decode(cursor, 2)
        conds.append(or_(t.start_ns < c_start, and_(t.start_ns == c_start, t.trace_id < c_id)))
    query = (
        select(traces).where(*conds).order_by(t.start_ns.desc(), t.trace_id.desc()).limit(limit + 1)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    items = [_trace_summary(r) for r in rows[:limit]]
    nxt = (
        cur.encode(rows[limit - 1].start_ns, rows[limit - 1].trace_id)
        if len(rows) > limit
        else None
    )
    return Page[TraceSummary](items=items, next_cursor=nxt)


def get_trace_summary(engine: Engine, project_id: int, trace_id: str) -> TraceSummary | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(traces).where(traces.c.project_id == project_id, traces.c.trace_id == trace_id)
        ).first()
    return _trace_summary(row) if row else None


_NODE_COLUMNS = (
    spans.c.span_id,
    spans.c.parent_span_id,
    spans.c.name,
    spans.c.kind,
    spans.c.start_ns,
    spans.c.end_ns,
    spans.c.duration_ns,
    spans.c.status,
    spans.c.model,
    spans.c.input_tokens,
    spans.c.output_tokens,
    spans.c.total_tokens,
    spans.c.cost,
)
# The columns of an OutlineRow but its depth. Both lists begin span id, parent id, name, kind,
# start: _depth_first relies on those positions.
_OUTLINE_COLUMNS = (
    spans.c.span_id,
    spans.c.parent_span_id,
    spans.c.name,
    spans.c.kind,
    spans.c.start_ns,
    spans.c.end_ns,
    spans.c.status,
    spans.c.model,
    spans.c.total_tokens,
    spans.c.cost,
)
Row = tuple[Any, ...]
T = TypeVar("T")


def _tree_rows(
    engine: Engine, project_id: int, trace_id: str, columns: tuple[Any, ...]
) -> list[Row]:
    """The trace's spans as plain tuples of ``columns``, read along the primary key (project,
    trace, span). Attribute access on SQLAlchemy rows cost more than the query itself at
    10,000 spans, hence tuples."""
    with engine.connect() as conn:
        # Sorted later, not in SQL: with ORDER BY start_ns, SQLite's planner walks the
        # (project_id, start_ns) index of the whole project instead of the primary key.
        return [
            tuple(r)
            for r in conn.execute(
                select(*columns).where(
                    spans.c.project_id == project_id, spans.c.trace_id == trace_id
                )
            )
        ]


def _depth_first(rows: list[Row], make: Callable[[Row, int, int], T]) -> list[T]:
    """``make(row, depth, child count)`` of every row in depth-first order, children by start
    time (then span id).

    Iterative, so a 10,000-deep chain is no problem. Spans whose parent is missing (not yet
    arrived, or from another service) are shown as roots. Rows begin span id, parent id,
    name, kind, start.
    """
    # Two stable sorts, by id and then by start, order as one sort by (start, id) would, in a
    # third of the time: no key tuple per row.
    rows.sort(key=itemgetter(0))
    rows.sort(key=itemgetter(4))
    ids = {r[0] for r in rows}
    children: dict[str | None, list[Row]] = {}
    for r in rows:
        parent = r[1]
        children.setdefault(parent if parent in ids else None, []).append(r)
    out: list[T] = []
    append = out.append
    kids_of = children.get
    none: list[Row] = []
    # One iterator per open level: a span with children pushes theirs and the walk goes on
    # from there; an exhausted level is popped, and its parent's iterator resumes.
    stack = [iter(children.get(None, none))]
    push, pop = stack.append, stack.pop
    while stack:
        depth = len(stack) - 1
        for r in stack[-1]:
            kids = kids_of(r[0], none)
            append(make(r, depth, len(kids)))
            if kids:
                push(iter(kids))
                break
        else:
            pop()
    return out


def _span_node(r: Row, depth: int, child_count: int) -> SpanNode:
    (
        span_id,
        parent_span_id,
        name,
        kind,
        start_ns,
        end_ns,
        duration_ns,
        status,
        model,
        input_tokens,
        output_tokens,
        total_tokens,
        cost,
    ) = r
    return SpanNode(
        span_id=span_id,
        parent_span_id=parent_span_id,
        depth=depth,
        child_count=child_count,
        name=name,
        kind=kind,
        start_ns=start_ns,
        end_ns=end_ns,
        duration_ms=duration_ns / 1e6,
        status=status,
        model=model,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=total_tokens,
        cost=cost,
    )


def _outline_row(r: Row, depth: int, _child_count: int) -> OutlineRow:
    # The depth goes third: span id, parent id, depth, name, ...
    return (r[0], r[1], depth, *r[2:])


def span_tree(engine: Engine, project_id: int, trace_id: str) -> list[SpanNode]:
    """All spans of a trace in depth-first order (children by start time)."""
    return _depth_first(_tree_rows(engine, project_id, trace_id, _NODE_COLUMNS), _span_node)


def span_outline(engine: Engine, project_id: int, trace_id: str) -> list[OutlineRow]:
    """The spans of ``span_tree``, in its order, as ``OutlineRow`` tuples (no model objects)."""
    rows = _tree_rows(engine, project_id, trace_id, _OUTLINE_COLUMNS)
    return _depth_first(rows, _outline_row)


def _loads(raw: str | None, empty: Any) -> Any:
    return json.loads(raw) if raw else empty


def _payload(raw: str | None) -> Any:
    # Recognised chat messages are stored as a JSON list of {"role": ...}; return them as data.
    if raw and raw.startswith("[{") and '"role"' in raw[:200]:
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def get_span(engine: Engine, project_id: int, trace_id: str, span_id: str) -> Span | None:
    with engine.connect() as conn:
        r = conn.execute(
            select(spans).where(
                spans.c.project_id == project_id,
                spans.c.trace_id == trace_id,
                spans.c.span_id == span_id,
            )
        ).first()
    if r is None:
        return None
    return Span(
        trace_id=r.trace_id,
        span_id=r.span_id,
        parent_span_id=r.parent_span_id,
        name=r.name,
        kind=r.kind,
        otel_kind=r.otel_kind,
        start_ns=r.start_ns,
        end_ns=r.end_ns,
        duration_ms=r.duration_ns / 1e6,
        status=r.status,
        status_message=r.status_message,
        model=r.model,
        provider=r.provider,
        input_tokens=r.input_tokens,
        output_tokens=r.output_tokens,
        total_tokens=r.total_tokens,
        cache_read_tokens=r.cache_read_tokens,
        cache_write_tokens=r.cache_write_tokens,
        reasoning_tokens=r.reasoning_tokens,
        cost=r.cost,
        cost_reported=r.cost_reported,
        ttft_ms=r.ttft_ns / 1e6 if r.ttft_ns is not None else None,
        session_id=r.session_id,
        user_id=r.user_id,
        environment=r.environment,
        release=r.release,
        service=r.service,
        scope=r.scope,
        tags=_loads(r.tags, []),
        metadata=_loads(r.metadata, {}),
        input=_payload(r.input),
        output=_payload(r.output),
        attributes=_loads(r.attributes, {}),
        resource=_loads(r.resource, {}),
        events=_loads(r.events, []),
        links=_loads(r.links, []),
        notes=_loads(r.notes, []),
    )
