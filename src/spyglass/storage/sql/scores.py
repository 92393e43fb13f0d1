"""Scores: feedback, evaluation results and guard verdicts, on a span, trace or session."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from spyglass.exceptions import BadRequest
from spyglass.storage.filters import ScoreFilter
from spyglass.storage.models import Page, Score, ScoreDataType
from spyglass.storage.sql import cursor as cur
from spyglass.storage.sql.schema import scores


def _row_values(project_id: int, s: Score) -> dict[str, Any]:
    number: float | None
    string: str | None
    if s.data_type is ScoreDataType.NUMERIC:
        number, string = float(s.value), None
    elif s.data_type is ScoreDataType.BOOLEAN:
        number = 1.0 if s.value is True else 0.0
        string = "true" if s.value is True else "false"
    else:
        number, string = None, str(s.value)
    return {
        "id": s.id,
        "project_id": project_id,
        "name": s.name,
        "data_type": s.data_type.value,
        "value_number": number,
        "value_string": string,
        "source": s.source.value,
        "trace_id": s.trace_id,
        "span_id": s.span_id,
        "session_id": s.session_id,
        "comment": s.comment,
        "author": s.author,
        "metadata": json.dumps(s.metadata, ensure_ascii=False) if s.metadata else None,
        "created_ns": s.created_ns,
    }


def create_score(engine: Engine, is_sqlite: bool, project_id: int, s: Score) -> Score:
    """Insert, or replace a score with the same id in the same project (idempotent retries)."""
    values = _row_values(project_id, s)
    ins = (sqlite.insert(scores) if is_sqlite else postgresql.insert(scores)).values(**values)
    changed = {k: v for k, v in values.items() if k not in ("id", "project_id")}
    stmt = ins.on_conflict_do_update(
        index_elements=[scores.c.id], set_=changed, where=scores.c.project_id == project_id
    )
    with engine.begin() as conn:
        if conn.execute(stmt.returning(scores.c.id)).first() is None:
            # The id belongs to another project's score (the WHERE above kept it intact).
            raise BadRequest(f"score id {s.id!r} is already in use; choose another id")
    return s


def _score(r: Any) -> Score:
    value: float | str | bool
    if r.data_type == ScoreDataType.BOOLEAN:
        value = r.value_string == "true"
    elif r.data_type == ScoreDataType.NUMERIC:
        value = r.value_number
    else:
        value = r.value_string
    return Score(
        id=r.id,
        name=r.name,
        data_type=r.data_type,
        value=value,
        source=r.source,
        trace_id=r.trace_id,
        span_id=r.span_id,
        session_id=r.session_id,
        comment=r.comment,
        author=r.author,
        metadata=json.loads(r.metadata) if r.metadata else {},
        created_ns=r.created_ns,
    )


def list_scores(
    engine: Engine, project_id: int, flt: ScoreFilter, limit: int, cursor: str | None
) -> Page[Score]:
    c = scores.c
    conds: list[Any] = [c.project_id == project_id]
    for column, value in (
        (c.trace_id, flt.trace_id),
        (c.span_id, flt.span_id),
        (c.session_id, flt.session_id),
        (c.name, flt.name),
        (c.source, flt.source),
    ):
        if value is not None:
            conds.append(column == value)
    if cursor:
        c_created, c_id = cur.decode(cursor, 2)
        conds.append(or_(c.created_ns < c_created, and_(c.created_ns == c_created, c.id < c_id)))
    query = select(scores).where(*conds).order_by(c.created_ns.desc(), c.id.desc()).limit(limit + 1)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    nxt = cur.encode(rows[limit - 1].created_ns, rows[limit - 1].id) if len(rows) > limit else None
    return Page[Score](items=[_score(r) for r in rows[:limit]], next_cursor=nxt)


def scores_of_traces(
    engine: Engine, project_id: int, trace_ids: list[str], limit: int
) -> dict[str, list[Score]]:
    """The newest scores (at most ``limit`` in all) of several traces, by trace id: one query
    for a page of the traces list instead of one per row."""
    if not trace_ids:
        return {}
    c = scores.c
    query = (
        select(scores)
        .where(c.project_id == project_id, c.trace_id.in_(trace_ids))
        .order_by(c.created_ns.desc(), c.id.desc())
        .limit(limit)
    )
    out: dict[str, list[Score]] = {}
    with engine.connect() as conn:
        for r in conn.execute(query).all():
            out.setdefault(r.trace_id, []).append(_score(r))
    return out
