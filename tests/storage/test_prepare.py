"""``prepare`` + ``write_spans``: the same spans, trace summaries and rollups as writing the
rows, whatever the batches look like (retries, traces split over batches, repeats inside one).

Each test writes the same spans twice, under two projects of one store: once the plain way,
once the way under test; the two projects' rows must then be equal.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import text

from spyglass.server.ingest.rows import SpanRow
from spyglass.storage.sql import rollups
from spyglass.storage.sql.schema import TRACE_COLUMNS
from spyglass.storage.sql.store import SqlStore
from spyglass.storage.sql.writes import PreparedBatch, prepare
from tests.otlp_rows import rows, sample_rows, span, tid

_ORDER = {
    "spans": "trace_id, span_id",
    "traces": "trace_id",
    "span_rollups": "kind, hour_ns, model, latency_bin, name, release, environment",
    "trace_rollups": "hour_ns, latency_bin, name, release, environment, service",
}
# Trace rollup rows that count nothing (every trace in them moved to another key when a late
# span changed its summary) are not compared: a single batch never leaves any.
_WHERE = {"trace_rollups": " AND trace_count <> 0"}


@pytest.fixture
def pids(store: SqlStore) -> tuple[int, int]:
    return store.create_project("plain").id, store.create_project("prepared").id


def _trace_col(name: str) -> int:
    return TRACE_COLUMNS.index(name) - 1  # the snapshot leaves project_id out


def _as(pid: int, batch: list[SpanRow]) -> list[SpanRow]:
    return [(pid, *r[1:]) for r in batch]


def _value(v: Any) -> Any:
    # Sums of float costs may round differently when added in another order.
    return round(v, 12) if isinstance(v, float) else v


def _snapshot(store: SqlStore, pid: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the project in ``spans``, ``traces`` and the rollups, without the
    project id."""
    out = {}
    with store.engine.connect() as conn:
        for table, order in _ORDER.items():
            result = conn.execute(
                text(
                    f"SELECT * FROM {table} WHERE project_id = :p{_WHERE.get(table, '')} "
                    f"ORDER BY {order}"
                ),
                {"p": pid},
            )
            cols = list(result.keys())
            at = cols.index("project_id")
            out[table] = [
                tuple(_value(v) for i, v in enumerate(r) if i != at) for r in result.fetchall()
            ]
    return out


def _one_trace(pid: int, n: int = 1) -> list[SpanRow]:
    """A root with previews, user, tags and metadata; two LLM calls (one failed); a tool."""
    root = n * 100
    return rows(
        pid,
        [
            span(
                n,
                root,
                "agent-run",
                0,
                1_000,
                {
                    "openinference.span.kind": "AGENT",
                    "input.value": "question " * 60,
                    "output.value": "answer",
                    "user.id": "u1",
                    "session.id": "s1",
                    "tag.tags": ["root-tag"],
                    "metadata": '{"plan": "pro"}',
                },
            ),
            span(
                n,
                root + 1,
                "ChatCompletion",
                10,
                300,
                {
                    "openinference.span.kind": "LLM",
                    "llm.model_name": "gpt-4o",
                    "llm.token_count.prompt": 100,
                    "llm.token_count.completion": 20,
                    "tag.tags": ["child-tag"],
                    "metadata": '{"step": "1"}',
                },
                parent=root,
                kind=3,
            ),
            span(
                n,
                root + 2,
                "ChatCompletion",
                400,
                500,
                {
                    "openinference.span.kind": "LLM",
                    "llm.model_name": "gpt-4o-mini",
                    "llm.token_count.prompt": 7,
                    "llm.token_count.completion": 3,
                    "user.id": "u-child",
                },
                parent=root,
                kind=3,
                error="rate limited",
            ),
            span(
                n,
                root + 3,
                "search",
                950,
                200,  # ends after the root
                {"openinference.span.kind": "TOOL"},
                parent=root + 1,
            ),
        ],
        {"service.name": "test-app", "deployment.environment.name": "prod"},
    )


def test_prepared_batches_store_what_their_rows_store(
    store: SqlStore, pids: tuple[int, int]
) -> None:
    plain, prepared = pids
    data = sample_rows(1, 40)
    third = len(data) // 3
    # The second batch overlaps the first (a retry with more) so stored traces get merged.
    batches = [data[:third], data[third // 2 : 2 * third], data[2 * third :], data[:5]]
    for batch in batches:
        store.write_spans(_as(plain, batch))
        store.write_spans(prepare(_as(prepared, batch)))

    got = _snapshot(store, prepared)
    assert got == _snapshot(store, plain)
    assert len(got["spans"]) == len(data)
    assert len(got["traces"]) == 40
    assert sum(t[_trace_col("span_count")] for t in got["traces"]) == len(data)


def test_a_retried_batch_stores_and_counts_nothing_twice(
    store: SqlStore, pids: tuple[int, int]
) -> None:
    once, retried = pids
    data = sample_rows(1, 20, spread_s=3 * 3_600)
    store.write_spans(prepare(_as(once, data)))
    batch = prepare(_as(retried, data))
    store.write_spans(batch)
    store.write_spans(batch)  # the same prepared batch again
    store.write_spans(prepare(_as(retried, data[::2])))  # part of it, prepared anew

    got = _snapshot(store, retried)
    assert got == _snapshot(store, once)
    span_count = rollups.SUM_COLUMNS.index("span_count") + len(rollups.KEY_COLUMNS) - 1
    assert sum(r[span_count] for r in got["span_rollups"]) == len(data)


# Which spans (by index in ``_one_trace``) go in which batch, in the order the batches are sent.
SPLITS = {
    "root-first": [[0], [1, 2, 3]],
    "root-last": [[1, 2, 3], [0]],
    "root-in-the-middle": [[3], [0, 2], [1]],
    "one-by-one-backwards": [[3], [2], [1], [0]],
    "overlapping": [[1, 2], [0, 1], [2, 3], [0, 1, 2, 3]],
}


@pytest.mark.parametrize("split", SPLITS.values(), ids=SPLITS.keys())
def test_a_trace_split_over_batches_is_summed_up_as_in_one(
    store: SqlStore, pids: tuple[int, int], split: list[list[int]]
) -> None:
    whole, parts = pids
    store.write_spans(prepare(_one_trace(whole)))
    trace = _one_trace(parts)
    for indexes in split:
        store.write_spans(prepare([trace[i] for i in indexes]))

    got = _snapshot(store, parts)
    assert got == _snapshot(store, whole)
    # The fixture is what it says: totals of LLM spans only, root fields, previews kept.
    (summary,) = got["traces"]
    assert summary[_trace_col("name")] == "agent-run"
    assert summary[_trace_col("root_span_id")] == f"{100:016x}"
    assert summary[_trace_col("span_count")] == 4
    assert summary[_trace_col("error_count")] == 1
    assert summary[_trace_col("total_tokens")] == 130
    # List prices (gpt-4o 2.50/10.00, gpt-4o-mini 0.15/0.60 per 1M) over the reported cost.
    assert summary[_trace_col("cost")] == pytest.approx(0.00045285)
    assert summary[_trace_col("user_id")] == "u1"
    assert summary[_trace_col("duration_ns")] == 1_150 * 1_000_000
    assert summary[_trace_col("input_preview")].startswith("question question")
    assert summary[_trace_col("output_preview")] == "answer"


def test_many_traces_split_at_random_are_summed_up_as_in_one(
    store: SqlStore, pids: tuple[int, int]
) -> None:
    whole, parts = pids
    data = sample_rows(1, 30, spread_s=2 * 3_600)
    store.write_spans(prepare(_as(whole, data)))
    rng = random.Random(3)
    batches: list[list[SpanRow]] = [[] for _ in range(4)]
    for row in _as(parts, data):
        for batch in rng.sample(batches, rng.choice((1, 1, 1, 2))):  # some sent twice
            batch.append(row)
    for batch in batches:
        rng.shuffle(batch)
        store.write_spans(prepare(batch))

    assert _snapshot(store, parts) == _snapshot(store, whole)


def test_repeats_inside_one_batch_are_dropped(store: SqlStore, pids: tuple[int, int]) -> None:
    clean, repeated = pids
    data = sample_rows(1, 10)
    doubled = _as(repeated, [*data, *data[:7], *data[::3]])
    batch = prepare(doubled)

    assert isinstance(batch, PreparedBatch)
    assert batch.rows == _as(repeated, data)
    assert sorted(batch.rollups) == sorted(rollups.accumulate(_as(repeated, data)))
    assert sum(len(spans) for spans in batch.traces.values()) == len(data)

    store.write_spans(_as(clean, data))
    store.write_spans(batch)
    assert _snapshot(store, repeated) == _snapshot(store, clean)


def test_the_first_of_repeats_inside_a_batch_wins_like_a_stored_span(
    store: SqlStore, pids: tuple[int, int]
) -> None:
    first_pid, _ = pids
    first = _one_trace(first_pid)
    renamed = [(*r[:4], "renamed", *r[5:]) for r in first]
    store.write_spans(prepare([*first, *renamed]))
    store.write_spans(prepare(renamed))  # a later retry with other content changes nothing
    detail = store.get_trace(first_pid, tid(1))
    assert detail is not None
    assert detail.trace.name == "agent-run"
    assert {s.name for s in detail.spans} == {"agent-run", "ChatCompletion", "search"}


def test_prepare_needs_no_database() -> None:
    # Summaries and rollups come out of prepare itself, ready for the write.
    trace = _one_trace(5)
    batch = prepare(trace)
    assert list(batch.summaries) == [(5, tid(1))]
    summary = batch.summaries[(5, tid(1))]
    assert summary[:2] == (5, tid(1))
    assert batch.rollups == rollups.accumulate(trace)
    assert prepare([]).rows == []
