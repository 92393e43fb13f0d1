"""Experiments (uploaded runs) and their per-item results (tables ``experiments`` and
``experiment_results``).

Uploading a run again replaces it: its summary is overwritten and its old results removed, and
results are upserted by (item, repeat), so a retried batch stores each row once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from spyglass.exceptions import BadRequest
from spyglass.storage.eval_models import MAX_REPEAT, ExperimentRecord, ExperimentResult
from spyglass.storage.models import Page
from spyglass.storage.sql import cursor as cur
from spyglass.storage.sql.schema import experiment_results, experiments

# Rows fetched per round trip when reading a whole run's scores for a comparison: bounds the
# driver's buffer while 100,000 results still take a few dozen fetches.
SCORE_FETCH_ROWS = 5_000


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _record(r: Any) -> ExperimentRecord:
    return ExperimentRecord(
        id=r.id,
        name=r.name,
        dataset_name=r.dataset_name,
        dataset_version=r.dataset_version,
        created_ns=r.created_ns,
        summary=json.loads(r.summary),
    )


def put_experiment(
    engine: Engine, is_sqlite: bool, project_id: int, record: ExperimentRecord
) -> bool:
    """Store a run's summary; replaces an earlier upload of the same run (and drops its
    results). True when the run is new."""
    values = {
        "project_id": project_id,
        "id": record.id,
        "name": record.name,
        "dataset_name": record.dataset_name,
        "dataset_version": record.dataset_version,
        "created_ns": record.created_ns,
        "summary": _dumps(record.summary),
    }
    insert = sqlite.insert if is_sqlite else postgresql.insert
    key = ("project_id", "id")
    stmt = (
        insert(experiments)
        .values(**values)
        .on_conflict_do_update(
            index_elements=list(key), set_={k: v for k, v in values.items() if k not in key}
        )
    )
    r = experiment_results.c
    c = experiments.c
    with engine.begin() as conn:
        # The delete first: a write, so SQLite's lock is held before the read below.
        conn.execute(
            delete(experiment_results).where(
                r.project_id == project_id, r.experiment_id == record.id
            )
        )
        existed = conn.execute(
            select(c.id).where(c.project_id == project_id, c.id == record.id)
        ).first()
        conn.execute(stmt)
    return existed is None


def get_experiment(engine: Engine, project_id: int, experiment_id: str) -> ExperimentRecord | None:
    c = experiments.c
    with engine.connect() as conn:
        row = conn.execute(
            select(experiments).where(c.project_id == project_id, c.id == experiment_id)
        ).first()
    return None if row is None else _record(row)


def list_experiments(
    engine: Engine, project_id: int, name: str | None, limit: int, cursor: str | None
) -> Page[ExperimentRecord]:
    """Newest first; only the runs named ``name`` when given."""
    c = experiments.c
    conds: list[Any] = [c.project_id == project_id]
    if name:
        conds.append(c.name == name)
    if cursor:
        c_created, c_id = cur.decode(cursor, 2)
        conds.append(or_(c.created_ns < c_created, and_(c.created_ns == c_created, c.id < c_id)))
    query = (
        select(experiments)
        .where(*conds)
        .order_by(c.created_ns.desc(), c.id.desc())
        .limit(limit + 1)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    nxt = cur.encode(rows[limit - 1].created_ns, rows[limit - 1].id) if len(rows) > limit else None
    return Page[ExperimentRecord](items=[_record(r) for r in rows[:limit]], next_cursor=nxt)


def put_results(
    engine: Engine,
    is_sqlite: bool,
    project_id: int,
    experiment_id: str,
    results: Sequence[ExperimentResult],
) -> int:
    """Upsert results by (item, repeat) in one batched statement; the number stored."""
    if not results:
        return 0
    rows = [
        {
            "project_id": project_id,
            "experiment_id": experiment_id,
            "item_id": res.item_id,
            "repeat": res.repeat,
            "latency_ms": res.latency_ms,
            "trace_id": res.trace_id,
            "error": res.error,
            "scores": _dumps(res.scores),
            "output": None if res.output is None else _dumps(res.output),
        }
        for res in results
    ]
    insert = (sqlite.insert if is_sqlite else postgresql.insert)(experiment_results)
    key = ("project_id", "experiment_id", "item_id", "repeat")
    changed = ("latency_ms", "trace_id", "error", "scores", "output")
    stmt = insert.on_conflict_do_update(
        index_elements=list(key), set_={k: insert.excluded[k] for k in changed}
    )
    with engine.begin() as conn:
        conn.execute(stmt, rows)
    return len(rows)


def _result(r: Any) -> ExperimentResult:
    return ExperimentResult(
        item_id=r.item_id,
        repeat=r.repeat,
        output=None if r.output is None else json.loads(r.output),
        error=r.error,
        latency_ms=r.latency_ms,
        trace_id=r.trace_id,
        scores=json.loads(r.scores),
    )


def list_results(
    engine: Engine, project_id: int, experiment_id: str, limit: int, cursor: str | None
) -> Page[ExperimentResult]:
    """A page of the run's results by item id, then repeat."""
    c = experiment_results.c
    conds: list[Any] = [c.project_id == project_id, c.experiment_id == experiment_id]
    if cursor:
        c_repeat, c_item = cur.decode(cursor, 2)
        if not 0 <= c_repeat <= MAX_REPEAT:  # a 32-bit column on PostgreSQL
            raise BadRequest("cursor is not one this server handed out")
        conds.append(or_(c.item_id > c_item, and_(c.item_id == c_item, c.repeat > c_repeat)))
    query = select(experiment_results).where(*conds).order_by(c.item_id, c.repeat).limit(limit + 1)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    last = rows[limit - 1] if len(rows) > limit else None
    nxt = cur.encode(last.repeat, last.item_id) if last is not None else None
    return Page[ExperimentResult](items=[_result(r) for r in rows[:limit]], next_cursor=nxt)


def results_of_items(
    engine: Engine, project_id: int, experiment_id: str, item_ids: Sequence[str]
) -> list[ExperimentResult]:
    """The results (every repeat) of the given items."""
    if not item_ids:
        return []
    c = experiment_results.c
    query = (
        select(experiment_results)
        .where(
            c.project_id == project_id,
            c.experiment_id == experiment_id,
            c.item_id.in_(list(item_ids)),
        )
        .order_by(c.item_id, c.repeat)
    )
    with engine.connect() as conn:
        return [_result(r) for r in conn.execute(query).all()]


def iter_scores(
    engine: Engine, project_id: int, experiment_id: str
) -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    """Every result's (item id, scores), streamed: what a comparison's score table needs."""
    c = experiment_results.c
    query = select(c.item_id, c.scores).where(
        c.project_id == project_id, c.experiment_id == experiment_id
    )
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=SCORE_FETCH_ROWS).execute(query)
        for r in result:
            yield r.item_id, json.loads(r.scores)
