"""Retention: delete the traces that started before a cutoff, with everything that hangs on them.

A trace goes whole (its summary, every span, the scores on it and its spans), never in part:
a trace cut at the cutoff would show a wrong duration, root and totals. What its spans and
summary added to the hourly rollups is taken away in the same transaction, from sums over
exactly the rows being deleted (the SQL that ``db rebuild-rollups`` adds up with, negated), so
the dashboard and metrics stay equal to the stored spans. Session scores, datasets and
experiments are kept: they are not part of a trace (a dataset item made from a trace is a copy).

Deletes run in transactions of ``CHUNK_TRACES`` traces, oldest first, so ingest goes on between
them. On SQLite each chunk takes the ingest processes' lock file first (they would otherwise
wait out SQLite's busy handler, which sleeps in steps of milliseconds) and begins IMMEDIATE,
since it reads before it writes. On PostgreSQL it takes the per-trace advisory locks that
writers take (``writes.py``), so a late span of a trace being deleted waits, and lands on a
trace started afresh. On SQLite the file keeps its size: freed pages are reused by new spans
(``VACUUM`` shrinks it, with the server stopped).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.exc import SQLAlchemyError

from spyglass.storage.sql import rollups
from spyglass.storage.sql.dialect import SQLITE_IMMEDIATE
from spyglass.storage.sql.rebuild import span_sums_sql, trace_sums_sql
from spyglass.storage.sql.writes import LOCK_NAMESPACE, trace_lock_slot

logger = logging.getLogger(__name__)

DAY_NS = 86_400 * 10**9
# Traces per transaction: each held the write lock about 0.1 s at 1,000,000 spans
# (benchmarks/prune.py).
CHUNK_TRACES = 500

_IN = "WHERE project_id = :p AND trace_id IN :ids"


# What the chunk's spans and trace summaries added to the rollups, negated: read here, then
# written through the writer's own upserts (``rollups.write``) in its order, so this and
# concurrent PostgreSQL writers lock shared rollup rows in one order.
_SPAN_SUMS = text(span_sums_sql(_IN, sign="-")).bindparams(bindparam("ids", expanding=True))
_TRACE_SUMS = text(trace_sums_sql(_IN, sign="-")).bindparams(bindparam("ids", expanding=True))
_DELETES = tuple(
    text(f"DELETE FROM {table} {_IN}").bindparams(bindparam("ids", expanding=True))
    for table in ("scores", "spans", "traces")
)
_OLDEST = text(
    "SELECT trace_id FROM traces WHERE project_id = :p AND start_ns < :before "
    "ORDER BY start_ns LIMIT :n"
)


@dataclass(frozen=True, slots=True)
class Pruned:
    """What a prune deleted (or, for a dry run, would delete)."""

    traces: int = 0
    spans: int = 0
    scores: int = 0

    def __add__(self, other: Pruned) -> Pruned:
        return Pruned(
            self.traces + other.traces, self.spans + other.spans, self.scores + other.scores
        )


def count_prunable(engine: Engine, before_ns: int, project_ids: list[int]) -> Pruned:
    """The traces, spans and scores that ``prune`` would delete."""
    q = text(
        "SELECT COUNT(*), COALESCE(SUM(span_count), 0) FROM traces "
        "WHERE project_id IN :ps AND start_ns < :before"
    ).bindparams(bindparam("ps", expanding=True))
    s = text(
        "SELECT COUNT(*) FROM scores s JOIN traces t "
        "ON t.project_id = s.project_id AND t.trace_id = s.trace_id "
        "WHERE t.project_id IN :ps AND t.start_ns < :before"
    ).bindparams(bindparam("ps", expanding=True))
    if not project_ids:
        return Pruned()
    with engine.connect() as conn:
        traces, spans = conn.execute(q, {"ps": project_ids, "before": before_ns}).one()
        (scores,) = conn.execute(s, {"ps": project_ids, "before": before_ns}).one()
    return Pruned(int(traces), int(spans), int(scores))


def prune(
    engine: Engine,
    before_ns: int,
    project_ids: list[int],
    *,
    lock_path: str | None = None,
    write_lock: threading.Lock | None = None,
    progress: Callable[[Pruned], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Pruned:
    """Delete the traces of ``project_ids`` that started before ``before_ns`` (ns since the
    epoch), oldest first, a chunk per transaction. ``lock_path``: the ingest lock file of a
    SQLite database (``server/ingest/pool.lock_path_for``), taken for each chunk, as is
    ``write_lock``, the store's own writer's. ``progress`` is called after each chunk with
    what it deleted; ``should_stop`` before each, to end early (a server shutting down)."""
    total = Pruned()
    pruned_projects = []
    for project_id in project_ids:
        while should_stop is None or not should_stop():
            with _turn(lock_path, write_lock), _transaction(engine) as conn:
                done = _prune_chunk(conn, project_id, before_ns)
            if not done.traces:
                break
            if project_id not in pruned_projects:
                pruned_projects.append(project_id)
            total += done
            if progress is not None:
                progress(done)
    if pruned_projects:
        try:
            with _turn(lock_path, write_lock), _transaction(engine) as conn:
                _drop_empty_rollups(conn, pruned_projects, before_ns)
        except SQLAlchemyError:
            # The deletes are committed; rows that count nothing only wait for the next run.
            logger.warning("retention: removing empty rollup rows failed", exc_info=True)
        logger.info(
            "retention: deleted %d traces (%d spans, %d scores)",
            total.traces,
            total.spans,
            total.scores,
        )
    return total


@contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(**{SQLITE_IMMEDIATE: True})
        with conn.begin():
            yield conn


def _drop_empty_rollups(conn: Connection, project_ids: list[int], before_ns: int) -> None:
    """Delete the rollup rows that count nothing in the pruned projects' hours before the
    cutoff's: every trace of those hours is gone, so nothing there counts any more (queries
    skip such rows, but they need not stay). On PostgreSQL rows an ingest writer holds are
    skipped, not waited for: the writers lock rollup rows in their own order, and waiting
    here could close a cycle with one of them."""
    hour = before_ns - before_ns % rollups.HOUR_NS
    pg = conn.dialect.name == "postgresql"
    for table, count in (("span_rollups", "span_count"), ("trace_rollups", "trace_count")):
        where = f"project_id IN :ps AND hour_ns < :h AND {count} = 0"
        if pg:
            sql = (
                f"DELETE FROM {table} WHERE ctid IN "
                f"(SELECT ctid FROM {table} WHERE {where} FOR UPDATE SKIP LOCKED)"
            )
        else:
            sql = f"DELETE FROM {table} WHERE {where}"
        stmt = text(sql).bindparams(bindparam("ps", expanding=True))
        conn.execute(stmt, {"ps": project_ids, "h": hour})


def _prune_chunk(conn: Connection, project_id: int, before_ns: int) -> Pruned:
    ids = [
        r[0]
        for r in conn.execute(_OLDEST, {"p": project_id, "before": before_ns, "n": CHUNK_TRACES})
    ]
    if not ids:
        return Pruned()
    if conn.dialect.name == "postgresql":
        slots = sorted({trace_lock_slot(project_id, t) for t in ids})
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:ns, k) FROM unnest(CAST(:slots AS int[])) AS k"),
            {"ns": LOCK_NAMESPACE, "slots": slots},
        )
    params = {"p": project_id, "ids": ids}
    span_sums = sorted(tuple(r) for r in conn.execute(_SPAN_SUMS, params))
    trace_sums = sorted(tuple(r) for r in conn.execute(_TRACE_SUMS, params))
    ph = "?" if conn.dialect.name == "sqlite" else "%s"
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        rollups.write(cur, ph, span_sums)
        rollups.write_traces(cur, ph, trace_sums)
    finally:
        cur.close()
    counts = [conn.execute(stmt, params).rowcount for stmt in _DELETES]
    scores, spans, traces = counts
    return Pruned(traces, spans, scores)


@contextmanager
def _turn(lock_path: str | None, write_lock: threading.Lock | None) -> Iterator[None]:
    """Take the writers' turn: the store's own writer lock, and the ingest processes' lock
    file (SQLite) as a writer of theirs does."""
    if write_lock is not None:
        with write_lock, _turn(lock_path, None):
            yield
        return
    if lock_path is None:
        yield
        return
    import fcntl  # POSIX only, as the ingest processes that take the lock are

    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the lock
