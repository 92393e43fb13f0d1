"""Several writers at once: separate ``SqlStore`` objects (so separate writer connections, as
in separate ingest processes or servers) writing the spans of the same traces at the same time
store and count what one writer sending everything in one batch would.

On PostgreSQL the writers really run side by side and take turns per trace (advisory locks);
on SQLite they queue on the database's write lock (busy timeout). Each test writes the spans
twice, under two projects of one database: once in one batch by one writer (the reference),
once by the concurrent writers; the two projects' rows must then be equal.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import text

from spyglass.server.ingest.rows import SpanRow
from spyglass.storage.sql import rollups
from spyglass.storage.sql.store import SqlStore
from spyglass.storage.sql.writes import PreparedBatch, prepare
from tests.otlp_rows import rows, sample_rows, span

# Seconds every round of concurrent writes must finish in: far beyond what they need (well
# under a second), short enough that a deadlock or a lost wake-up fails instead of hanging.
DEADLINE_S = 60.0
TRACES_PER_ROUND = 40
ROUNDS = 8

# The key of each compared table, without the project id.
_KEYS = {
    "spans": ("trace_id", "span_id"),
    "traces": ("trace_id",),
    "span_rollups": rollups.KEY_COLUMNS[1:],
    "trace_rollups": rollups.TRACE_KEY_COLUMNS[1:],
}

Batch = Sequence[SpanRow] | PreparedBatch


@pytest.fixture
def pids(store: SqlStore) -> tuple[int, int]:
    return store.create_project("reference").id, store.create_project("concurrent").id


@pytest.fixture
def open_writers(store: SqlStore) -> Iterator[Callable[[int], list[SqlStore]]]:
    """``open_writers(n)``: ``n`` more stores on the test's database, each its own writer."""
    opened: list[SqlStore] = []

    def open_(n: int) -> list[SqlStore]:
        new = [SqlStore(store.url) for _ in range(n)]
        opened.extend(new)
        return new

    yield open_
    for writer in opened:
        if writer._write_lock.locked():
            # A thread that missed its deadline still holds it: closing would wait for it. The
            # test has failed already; the connection goes with the process (or the database).
            writer.engine.dispose()
        else:
            writer.close()


def _as(pid: int, batch: Sequence[SpanRow]) -> list[SpanRow]:
    return [(pid, *r[1:]) for r in batch]


def _snapshot(store: SqlStore, pid: int) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Every stored row of the project in ``spans``, ``traces`` and the rollups by its key
    (without the project id), as a dict by column name. Trace rollup rows that count nothing
    (their traces all moved to other keys as late spans arrived) are left out."""
    out = {}
    with store.engine.connect() as conn:
        for table, key in _KEYS.items():
            result = conn.execute(text(f"SELECT * FROM {table} WHERE project_id = :p"), {"p": pid})
            cols = list(result.keys())
            table_rows = (dict(zip(cols, r, strict=True)) for r in result.fetchall())
            out[table] = {
                tuple(r[c] for c in key): r for r in table_rows if r.get("trace_count") != 0
            }
    return out


def _same(got: Any, want: Any) -> bool:
    if isinstance(got, float) and isinstance(want, float):
        # Sums of float costs may round differently when added in another order.
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-15)
    return bool(got == want)


def _assert_same_as_reference(store: SqlStore, reference: int, concurrent: int) -> None:
    """The concurrent project holds the rows of the reference project, value for value."""
    want, got = _snapshot(store, reference), _snapshot(store, concurrent)
    diffs = []
    for table in _KEYS:
        for key in sorted(want[table].keys() | got[table].keys()):
            w, g = want[table].get(key), got[table].get(key)
            if w is None or g is None:
                diffs.append(f"{table} {key}: {'missing' if g is None else 'not expected'}")
                continue
            diffs.extend(
                f"{table} {key}: {col} = {g[col]!r}, expected {w[col]!r}"
                for col in w
                if col != "project_id" and not _same(g[col], w[col])
            )
    assert not diffs, f"{len(diffs)} differences:\n" + "\n".join(diffs[:20])


def _write_together(jobs: Sequence[tuple[SqlStore, Sequence[Batch]]]) -> None:
    """Each job's store writes its batches (one transaction each) in a thread of its own, all
    starting at once; every thread must finish by the deadline without an error."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(store: SqlStore, batches: Sequence[Batch]) -> None:
        try:
            barrier.wait(DEADLINE_S)
            for batch in batches:
                store.write_spans(batch)
        except BaseException as exc:
            barrier.abort()  # the others must not wait for this one at the start
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=job, name=f"writer-{i}", daemon=True)
        for i, job in enumerate(jobs)
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + DEADLINE_S
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"still writing after {DEADLINE_S} s (deadlocked?): {stuck}"
    assert not errors, errors


def _six_spans(n: int) -> list[SpanRow]:
    """Trace ``n``: an agent root with previews, user, tags and metadata; LLM calls of two
    models (one failing now and then), an embedding, a retriever and a tool. Traces start
    4.5 minutes apart, so forty of them spread over three hours of rollups."""
    base = n * 16
    at = (n % TRACES_PER_ROUND) * 270_000.0
    llm = {"openinference.span.kind": "LLM"}
    spans = [
        span(
            n,
            base + 1,
            "agent-run",
            at,
            1_000 + n % 7 * 400,
            {
                "openinference.span.kind": "AGENT",
                "input.value": f"question {n} " * 40,
                "output.value": f"answer {n}",
                "user.id": f"u{n % 3}",
                "session.id": f"s{n % 5}",
                "tag.tags": [f"root-{n % 4}"],
                "metadata": f'{{"trace": "{n}"}}',
            },
        ),
        span(
            n,
            base + 2,
            "ChatCompletion",
            at + 10,
            300 + n % 5 * 700,
            {
                **llm,
                "llm.model_name": "gpt-4o",
                "llm.token_count.prompt": 100 + n,
                "llm.token_count.completion": 20 + n % 9,
                "tag.tags": ["llm", f"child-{n % 2}"],
                "metadata": '{"step": "1"}',
            },
            parent=base + 1,
            kind=3,
        ),
        span(
            n,
            base + 3,
            "ChatCompletion",
            at + 400,
            100 + n % 3 * 50,
            {
                **llm,
                "llm.model_name": "gpt-4o-mini",
                "llm.token_count.prompt": 7 + n % 11,
                "llm.token_count.completion": 3,
                "user.id": "u-child",
            },
            parent=base + 1,
            kind=3,
            error="rate limited" if n % 3 == 0 else None,
        ),
        span(
            n,
            base + 4,
            "embed",
            at + 5,
            20,
            {
                "openinference.span.kind": "EMBEDDING",
                "embedding.model_name": "text-embedding-3-small",
                "llm.token_count.prompt": 30 + n,
            },
            parent=base + 1,
        ),
        span(
            n,
            base + 5,
            "retrieve",
            at + 30,
            60,
            {"openinference.span.kind": "RETRIEVER", "tag.tags": ["rag"]},
            parent=base + 4,
            error="index offline" if n % 5 == 0 else None,
        ),
        span(
            n,
            base + 6,
            "search",
            at + 950,
            200 + n % 4 * 500,  # often ends after the root
            {"openinference.span.kind": "TOOL"},
            parent=base + 2,
        ),
    ]
    resource = {
        "service.name": "test-app",
        "service.version": f"v{n % 3}",
        "deployment.environment.name": ("prod", "staging")[n % 2],
    }
    return rows(0, spans, resource)


def _split(rng: random.Random, trace: list[SpanRow], n: int) -> list[list[SpanRow]]:
    """The spans of one trace dealt out to ``n`` writers, each getting at least one."""
    spans = trace[:]
    rng.shuffle(spans)
    parts: list[list[SpanRow]] = [[s] for s in spans[:n]]
    for s in spans[n:]:
        rng.choice(parts).append(s)
    rng.shuffle(parts)
    return parts


@pytest.mark.parametrize("n_writers", [2, 3])
def test_writers_splitting_the_same_traces_sum_them_up_as_one_batch(
    store: SqlStore,
    pids: tuple[int, int],
    open_writers: Callable[[int], list[SqlStore]],
    n_writers: int,
) -> None:
    reference, concurrent = pids
    writers = open_writers(n_writers)
    rng = random.Random(20_250_101 + n_writers)
    total = 0
    for round_ in range(ROUNDS):
        data = [_six_spans(round_ * TRACES_PER_ROUND + i + 1) for i in range(TRACES_PER_ROUND)]
        store.write_spans(_as(reference, [r for trace in data for r in trace]))
        total += sum(len(trace) for trace in data)
        batches: list[list[SpanRow]] = [[] for _ in range(n_writers)]
        for trace in data:
            for batch, part in zip(batches, _split(rng, trace, n_writers), strict=True):
                batch.extend(part)
        for batch in batches:
            rng.shuffle(batch)  # so the writers reach shared traces in different orders
        # Some write prepared batches, as the ingest processes do; some plain rows.
        jobs = [
            (w, [prepare(_as(concurrent, b)) if i % 2 else _as(concurrent, b)])
            for i, (w, b) in enumerate(zip(writers, batches, strict=True))
        ]
        _write_together(jobs)

    _assert_same_as_reference(store, reference, concurrent)
    got = _snapshot(store, concurrent)
    assert len(got["spans"]) == total
    assert len(got["traces"]) == ROUNDS * TRACES_PER_ROUND
    summaries = got["traces"].values()
    assert {t["span_count"] for t in summaries} == {6}
    assert {t["name"] for t in summaries} == {"agent-run"}
    assert all(t["root_span_id"] is not None for t in summaries)
    assert all(t["input_preview"].startswith("question") for t in summaries)
    assert sum(r["span_count"] for r in got["span_rollups"].values()) == total


def _copy(row: SpanRow, n: int) -> SpanRow:
    """The same span in another trace (so the same rollup key): the trace id's first digit
    shifted by ``n``."""
    trace_id = row[1]
    return (row[0], f"{(int(trace_id[0], 16) + n) % 16:x}{trace_id[1:]}", *row[2:])


def test_writers_in_opposite_orders_over_shared_traces_and_rollups_do_not_deadlock(
    store: SqlStore, pids: tuple[int, int], open_writers: Callable[[int], list[SqlStore]]
) -> None:
    """Two writers share traces (each has some of their spans, some spans both) and go through
    them in opposite orders. Four more have traces of their own that are copies of each other
    (the same spans under other trace ids, so the same rollup rows), two of them backwards.
    All six share rollup rows (same hours, kinds, models and names)."""
    reference, concurrent = pids
    a, b, *copiers = open_writers(6)
    rng = random.Random(11)
    total = 0
    for round_ in range(ROUNDS):
        data = sample_rows(0, 60, seed=100 + round_, spread_s=1_800)
        traces: dict[str, list[SpanRow]] = {}
        for row in data:
            traces.setdefault(row[1], []).append(row)
        ids = list(traces)
        to_a = [r for t in ids[0::4] for r in traces[t]]
        to_b = [r for t in ids[1::4] for r in traces[t]]
        for t in ids[2::4]:  # shared
            for row in traces[t]:
                for batch in rng.choice(([to_a], [to_b], [to_a, to_b])):
                    batch.append(row)
        originals = [r for t in ids[3::4] for r in traces[t]]
        copies = [[_copy(r, n) for r in originals] for n in (4, 8, 12)]
        written = [*data, *(r for copy in copies for r in copy)]
        assert len({(r[1], r[2]) for r in written}) == len(written)
        store.write_spans(_as(reference, written))
        total += len(written)
        _write_together(
            [
                (a, [_as(concurrent, to_a)]),
                (b, [prepare(_as(concurrent, to_b[::-1]))]),
                *(
                    (w, [prepare(_as(concurrent, batch[:: -1 if i % 2 else 1]))])
                    for i, (w, batch) in enumerate(zip(copiers, [originals, *copies], strict=True))
                ),
            ]
        )

    _assert_same_as_reference(store, reference, concurrent)
    got = _snapshot(store, concurrent)
    assert len(got["spans"]) == total
    assert sum(r["span_count"] for r in got["span_rollups"].values()) == total


def test_a_batch_sent_by_several_writers_at_once_is_stored_and_counted_once(
    store: SqlStore, pids: tuple[int, int], open_writers: Callable[[int], list[SqlStore]]
) -> None:
    """An exporter's retry of a batch that is still being written (it timed out waiting): the
    same rows reach several writers at the same time, whole or in part."""
    reference, concurrent = pids
    writers = open_writers(3)
    rng = random.Random(5)
    total = 0
    for round_ in range(ROUNDS):
        data = sample_rows(0, 30, seed=200 + round_, spread_s=2 * 3_600)
        store.write_spans(_as(reference, data))
        total += len(data)
        mine = _as(concurrent, data)
        part = rng.sample(mine, len(mine) // 2)
        _write_together(
            [
                (writers[0], [mine]),
                (writers[1], [prepare(mine)]),  # the same rows, prepared
                (writers[2], [prepare(part), mine[::-1]]),  # part, then all backwards
            ]
        )

    _assert_same_as_reference(store, reference, concurrent)
    got = _snapshot(store, concurrent)
    assert len(got["spans"]) == total
    assert sum(t["span_count"] for t in got["traces"].values()) == total
    assert sum(r["span_count"] for r in got["span_rollups"].values()) == total


def test_a_batch_of_many_traces_takes_a_bounded_number_of_locks(
    store: SqlStore, open_writers: Callable[[int], list[SqlStore]]
) -> None:
    # One advisory lock per trace ran PostgreSQL out of lock-table memory at ~14,000 traces
    # in one batch (64 locks per connection by default); traces now share 1,024 slots.
    pid = store.create_project("many").id
    writers = open_writers(2)
    batches = [
        rows(pid, [span(w * 10_000 + i + 1, 1, "op", i, 5) for i in range(8_000)]) for w in (0, 1)
    ]
    _write_together([(writer, [batch]) for writer, batch in zip(writers, batches, strict=True)])
    with store.engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM traces WHERE project_id = :p"), {"p": pid}
        ).scalar_one()
    assert count == 16_000


def test_a_failed_statistics_refresh_does_not_fail_the_next_batch(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = store.create_project("stats").id
    data = sample_rows(pid, 20)
    store.write_spans(data[:5])  # opens the writer connection
    sink = store._sink
    real = sink._conn

    class FailingAnalyze:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def execute(self, sql: str, *args: Any) -> Any:
            if sql.startswith(("ANALYZE", "PRAGMA optimize")):
                sql = "SELECT 1/0" if not store.is_sqlite else "SELECT no_such_function()"
            return real.execute(sql, *args)

    monkeypatch.setattr(sink, "_conn", FailingAnalyze())
    monkeypatch.setattr(sink, "_analyze_after", 1)
    store.write_spans(data[5:10])  # the refresh fails: logged, the batch is committed
    store.write_spans(data[10:15])  # and the next batch still goes in
    with store.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM spans WHERE project_id = :p"), {"p": pid}
        ).scalar_one()
    assert stored == len(data[:15])
