"""The ``Store`` contract, run against a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import math
import random

import pytest
from sqlalchemy import select, text

from spyglass.exceptions import BadRequest, NotFound, StoreError
from spyglass.storage.filters import MetricsQuery, ScoreFilter, TraceFilter
from spyglass.storage.models import Score, ScoreDataType, ScoreSource
from spyglass.storage.sql import cursor as cursor_codec
from spyglass.storage.sql import schema
from spyglass.storage.sql.metrics import OTHER
from spyglass.storage.sql.store import SqlStore
from tests.otlp_rows import MS, T0, as_dict, rows, sample_rows, sid, span, tid

HOUR_NS = 3_600 * 1_000_000_000


def _chain(trace: int, name: str, start_ms: float, dur_ms: float, **attrs: object) -> object:
    return span(
        trace, trace * 100, name, start_ms, dur_ms, {"openinference.span.kind": "CHAIN", **attrs}
    )


def _llm(
    trace: int,
    model: str,
    start_ms: float,
    dur_ms: float,
    prompt: int,
    completion: int,
    **attrs: object,
) -> object:
    return span(
        trace,
        trace * 100 + 1,
        "ChatCompletion",
        start_ms,
        dur_ms,
        {
            "openinference.span.kind": "LLM",
            "llm.model_name": model,
            "llm.token_count.prompt": prompt,
            "llm.token_count.completion": completion,
            **attrs,
        },
        parent=trace * 100,
        kind=3,
    )


def _filter_dataset(pid: int) -> list[tuple]:
    """Four traces with known values for every filter (times in ms after T0)."""
    prod = {
        "service.name": "test-app",
        "service.version": "1.0",
        "deployment.environment.name": "production",
    }
    staging = {
        "service.name": "test-app",
        "service.version": "2.0",
        "deployment.environment.name": "staging",
    }
    return [
        *rows(
            pid,
            [
                _chain(
                    1,
                    "alpha",
                    0,
                    100,
                    **{
                        "input.value": "hello world",
                        "output.value": "hi there",
                        "session.id": "s1",
                        "user.id": "u1",
                        "tag.tags": ["web"],
                        "metadata": json.dumps({"plan": "pro", "n": 3}),
                    },
                ),
                _llm(1, "gpt-4o", 10, 80, 10, 5),
                _chain(
                    3,
                    "alpha",
                    2000,
                    500,
                    **{
                        "input.value": "a Unique NEEDLE text",
                        "session.id": "s1",
                        "user.id": "u1",
                        "metadata": json.dumps({"plan": "free"}),
                    },
                ),
                _chain(4, "gamma", 3000, 50, **{"input.value": "100% sure"}),
                _llm(4, "gpt-4o-mini", 3001, 40, 1, 1),
            ],
            prod,
        ),
        *rows(
            pid,
            [
                span(
                    2,
                    200,
                    "beta",
                    1000,
                    2000,
                    {
                        "openinference.span.kind": "CHAIN",
                        "session.id": "s2",
                        "user.id": "u2",
                        "tag.tags": ["mobile", "web-beta"],
                        "metadata": json.dumps({"plan": "free"}),
                    },
                    error="boom",
                ),
                _llm(2, "claude-sonnet-4-5", 1100, 1500, 20, 7),
            ],
            staging,
        ),
    ]


def _ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.trace_id for t in page.items]


@pytest.fixture
def pid(store: SqlStore) -> int:
    return store.create_project("main").id


# ---------------------------------------------------------------------------- writes


def test_write_spans_twice_counts_once(store: SqlStore, pid: int) -> None:
    data = sample_rows(pid, 30)
    store.write_spans(data)
    first = store.list_traces(pid, TraceFilter(), 100, None).items
    store.write_spans(data)
    store.write_spans(data[: len(data) // 2])
    again = store.list_traces(pid, TraceFilter(), 100, None).items

    assert [t.model_dump() for t in again] == [t.model_dump() for t in first]
    assert len(first) == 30
    assert sum(t.span_count for t in first) == len(data)
    # Totals add up LLM/EMBEDDING spans only, each once.
    by_trace: dict[str, int] = {}
    for r in map(as_dict, data):
        if r["kind"] in ("LLM", "EMBEDDING", "RERANKER"):
            by_trace[r["trace_id"]] = by_trace.get(r["trace_id"], 0) + (r["total_tokens"] or 0)
    assert {t.trace_id: t.total_tokens for t in first} == {
        t.trace_id: by_trace.get(t.trace_id, 0) for t in first
    }


def test_child_before_root_gives_root_name_and_totals(store: SqlStore, pid: int) -> None:
    root, child = rows(pid, [_chain(1, "agent-run", 0, 1000), _llm(1, "gpt-4o", 5, 900, 70, 30)])

    store.write_spans([child])
    early = store.get_trace(pid, tid(1))
    assert early is not None
    assert (early.trace.name, early.trace.root_span_id) == ("ChatCompletion", None)

    store.write_spans([root])
    detail = store.get_trace(pid, tid(1))
    assert detail is not None
    t = detail.trace
    assert (t.name, t.root_span_id, t.span_count) == ("agent-run", sid(100), 2)
    assert (t.input_tokens, t.output_tokens, t.total_tokens) == (70, 30, 100)
    assert (t.start_ns, t.end_ns, t.duration_ms) == (T0, T0 + 1000 * MS, 1000.0)
    assert t.models == ["gpt-4o"]
    assert [(s.span_id, s.depth) for s in detail.spans] == [(sid(100), 0), (sid(101), 1)]


def test_failed_write_raises_store_error_and_store_keeps_working(store: SqlStore, pid: int) -> None:
    good = rows(pid, [_chain(1, "ok", 0, 10)])
    broken = [(*good[0][:4], None, *good[0][5:])]  # name is NOT NULL
    with pytest.raises(StoreError):
        store.write_spans(broken)
    assert store.list_traces(pid, TraceFilter(), 10, None).items == []

    store.write_spans(good)
    assert _ids(store.list_traces(pid, TraceFilter(), 10, None)) == [tid(1)]


def test_summary_fields(store: SqlStore, pid: int) -> None:
    store.write_spans(_filter_dataset(pid))
    t1 = store.get_trace(pid, tid(1))
    t2 = store.get_trace(pid, tid(2))
    assert t1 is not None and t2 is not None
    s1 = t1.trace
    assert s1.model_dump() == {
        "trace_id": tid(1),
        "name": "alpha",
        "root_span_id": sid(100),
        "start_ns": T0,
        "end_ns": T0 + 100 * MS,
        "duration_ms": 100.0,
        "status": "OK",
        "span_count": 2,
        "error_count": 0,
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 15,
        "cost": pytest.approx(7.5e-05),  # gpt-4o: 10 in x $2.50 + 5 out x $10 per 1M
        "user_id": "u1",
        "session_id": "s1",
        "tags": ["web"],
        "metadata": {"plan": "pro", "n": 3},
        "release": "1.0",
        "environment": "production",
        "service": "test-app",
        "models": ["gpt-4o"],
        "input_preview": "hello world",
        "output_preview": "hi there",
    }
    s2 = t2.trace
    assert (s2.status, s2.error_count, s2.span_count) == ("ERROR", 1, 2)
    assert (s2.release, s2.environment, s2.tags) == ("2.0", "staging", ["mobile", "web-beta"])


# ---------------------------------------------------------------------------- list_traces


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (TraceFilter(), [4, 3, 2, 1]),
        (TraceFilter(start_ns=T0 + 1000 * MS, end_ns=T0 + 3000 * MS), [3, 2]),
        (TraceFilter(start_ns=T0 + 2001 * MS), [4]),
        (TraceFilter(end_ns=T0), []),
        (TraceFilter(name="alpha"), [3, 1]),
        (TraceFilter(name="alp"), []),
        (TraceFilter(status="ERROR"), [2]),
        (TraceFilter(status="ok"), [4, 3, 1]),
        (TraceFilter(user_id="u1"), [3, 1]),
        (TraceFilter(session_id="s2"), [2]),
        (TraceFilter(tag="web"), [1]),
        (TraceFilter(tag="web-beta"), [2]),
        (TraceFilter(tag="we"), []),
        (TraceFilter(model="gpt-4o"), [1]),
        (TraceFilter(model="gpt-4o-mini"), [4]),
        (TraceFilter(model="claude-sonnet-4-5"), [2]),
        (TraceFilter(release="2.0"), [2]),
        (TraceFilter(environment="production"), [4, 3, 1]),
        (TraceFilter(metadata=("plan", "free")), [3, 2]),
        (TraceFilter(metadata=("plan", "pro")), [1]),
        (TraceFilter(metadata=("n", "3")), [1]),
        (TraceFilter(metadata=("missing", "x")), []),
        (TraceFilter(text="needle"), [3]),
        (TraceFilter(text="HELLO"), [1]),
        (TraceFilter(text="hi there"), [1]),
        (TraceFilter(text="100%"), [4]),
        (TraceFilter(text="0%"), [4]),
        (TraceFilter(text="%"), [4]),
        (TraceFilter(text="_"), []),
        (TraceFilter(min_duration_ns=500 * MS), [3, 2]),
        (TraceFilter(max_duration_ns=100 * MS), [4, 1]),
        (TraceFilter(min_duration_ns=60 * MS, max_duration_ns=600 * MS), [3, 1]),
        (TraceFilter(user_id="u1", name="alpha", metadata=("plan", "pro")), [1]),
        (TraceFilter(user_id="u1", status="ERROR"), []),
    ],
)
def test_list_traces_filters(
    store: SqlStore, pid: int, flt: TraceFilter, expected: list[int]
) -> None:
    store.write_spans(_filter_dataset(pid))
    assert _ids(store.list_traces(pid, flt, 50, None)) == [tid(n) for n in expected]


def test_keyset_pagination_newest_first_without_gaps(store: SqlStore, pid: int) -> None:
    # 40 traces; several share a start time, so the trace id must break the tie.
    spans = [_chain(n, f"t{n}", (n // 3) * 10, 5) for n in range(1, 41)]
    store.write_spans(rows(pid, spans))
    expected = sorted(((T0 + (n // 3) * 10 * MS, tid(n)) for n in range(1, 41)), reverse=True)

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = store.list_traces(pid, TraceFilter(), 7, cursor)
        pages += 1
        seen.extend(_ids(page))
        assert len(page.items) == (7 if page.next_cursor else 40 - 7 * (pages - 1))
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 6
    assert seen == [t for _, t in expected]

    # Exactly one page: no cursor to a page that would be empty.
    assert store.list_traces(pid, TraceFilter(), 40, None).next_cursor is None
    # A filter and a cursor together.
    f = TraceFilter(start_ns=T0 + 50 * MS)
    first = store.list_traces(pid, f, 3, None)
    rest = store.list_traces(pid, f, 100, first.next_cursor)
    assert _ids(first) + _ids(rest) == [t for s, t in expected if s >= T0 + 50 * MS]


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-cursor!",
        "",
        "e30",
        cursor_codec.encode(1),
        cursor_codec.encode(1, 2, 3),
        cursor_codec.encode("x", "y"),
        cursor_codec.encode(None, None),
        cursor_codec.encode([1], {}),
    ],
)
def test_bad_cursor_is_bad_request(store: SqlStore, pid: int, bad: str) -> None:
    store.write_spans(rows(pid, [_chain(1, "a", 0, 1)]))
    if bad == "":
        # An empty cursor means "first page".
        assert _ids(store.list_traces(pid, TraceFilter(), 5, bad)) == [tid(1)]
        return
    with pytest.raises(BadRequest, match="cursor"):
        store.list_traces(pid, TraceFilter(), 5, bad)
    with pytest.raises(BadRequest, match="cursor"):
        store.list_sessions(pid, None, None, None, 5, bad)
    with pytest.raises(BadRequest, match="cursor"):
        store.list_users(pid, None, None, 5, bad)
    with pytest.raises(BadRequest, match="cursor"):
        store.list_scores(pid, ScoreFilter(), 5, bad)


# ---------------------------------------------------------------------------- one trace, one span


def test_get_trace_tree_is_depth_first_by_start_time(store: SqlStore, pid: int) -> None:
    store.write_spans(
        rows(
            pid,
            [
                span(1, 1, "root", 0, 100),
                span(1, 3, "b", 50, 10, parent=1),
                span(1, 2, "a", 10, 30, parent=1),
                span(1, 5, "a2", 25, 5, parent=2),
                span(1, 4, "a1", 12, 5, parent=2),
                span(1, 6, "b1", 51, 5, parent=3),
                # Its parent never arrived: shown as a root, after the real one (later start).
                span(1, 7, "orphan", 60, 5, parent=99),
            ],
        )
    )
    detail = store.get_trace(pid, tid(1))
    assert detail is not None
    assert [(n.name, n.depth, n.child_count) for n in detail.spans] == [
        ("root", 0, 2),
        ("a", 1, 2),
        ("a1", 2, 0),
        ("a2", 2, 0),
        ("b", 1, 1),
        ("b1", 2, 0),
        ("orphan", 0, 0),
    ]
    assert detail.spans[6].parent_span_id == sid(99)
    assert detail.spans[1].parent_span_id == sid(1)
    assert detail.trace.span_count == 7
    assert detail.scores == []
    assert store.get_trace(pid, tid(2)) is None


def test_deep_chain_tree(store: SqlStore, pid: int) -> None:
    depth = 1_500
    store.write_spans(
        rows(
            pid,
            [
                span(1, i, f"s{i}", i * 0.001, 10, parent=i - 1 if i > 1 else None)
                for i in range(1, depth + 1)
            ],
        )
    )
    detail = store.get_trace(pid, tid(1))
    assert detail is not None
    assert [n.depth for n in detail.spans] == list(range(depth))


def test_get_span_payloads(store: SqlStore, pid: int) -> None:
    store.write_spans(
        rows(
            pid,
            [
                span(
                    1,
                    1,
                    "chat",
                    0,
                    250,
                    {
                        "openinference.span.kind": "LLM",
                        "llm.model_name": "gpt-4o",
                        "llm.system": "openai",
                        "llm.input_messages.0.message.role": "user",
                        "llm.input_messages.0.message.content": "Say hi",
                        "llm.output_messages.0.message.role": "assistant",
                        "llm.output_messages.0.message.content": "Hi!",
                        "llm.token_count.prompt": 12,
                        "llm.token_count.completion": 8,
                        "llm.token_count.prompt_details.cache_read": 4,
                        "llm.token_count.completion_details.reasoning": 3,
                        "spyglass.ttft_ms": 42.5,
                        "session.id": "s",
                        "user.id": "u",
                        "tag.tags": ["x"],
                        "custom.attr": [1, 2],
                    },
                    error=None,
                    kind=3,
                    events=[("exception", T0 + 5, {"exception.message": "not an error here"})],
                ),
                span(
                    1,
                    2,
                    "tool",
                    10,
                    20,
                    {"input.value": "plain text in", "output.value": "out"},
                    parent=1,
                    error="",
                ),
                span(
                    1,
                    3,
                    "failing",
                    30,
                    5,
                    parent=1,
                    events=[("exception", T0 + 9, {"exception.message": "it broke"})],
                ),
            ],
            {"service.name": "svc", "service.version": "9"},
        )
    )

    s = store.get_span(pid, tid(1), sid(1))
    assert s is not None
    assert (s.name, s.kind, s.otel_kind, s.model, s.provider) == (
        "chat",
        "LLM",
        3,
        "gpt-4o",
        "openai",
    )
    assert s.input == [{"role": "user", "content": "Say hi"}]
    assert s.output == [{"role": "assistant", "content": "Hi!"}]
    assert (s.input_tokens, s.output_tokens, s.total_tokens) == (12, 8, 20)
    assert (s.cache_read_tokens, s.cache_write_tokens, s.reasoning_tokens) == (4, None, 3)
    assert s.ttft_ms == 42.5
    assert (s.duration_ms, s.start_ns, s.end_ns) == (250.0, T0, T0 + 250 * MS)
    assert (s.session_id, s.user_id, s.tags, s.release, s.service) == ("s", "u", ["x"], "9", "svc")
    assert s.attributes["custom.attr"] == [1, 2]
    assert s.attributes["llm.token_count.prompt"] == 12
    assert s.resource == {"service.name": "svc", "service.version": "9"}
    assert s.events == [
        {
            "name": "exception",
            "time_ns": T0 + 5,
            "attributes": {"exception.message": "not an error here"},
        }
    ]
    assert (s.status, s.status_message, s.parent_span_id, s.scope) == ("UNSET", None, None, "tests")
    assert s.notes == []

    tool = store.get_span(pid, tid(1), sid(2))
    assert tool is not None
    assert (tool.input, tool.output, tool.kind) == ("plain text in", "out", "SPAN")
    assert (tool.status, tool.parent_span_id) == ("ERROR", sid(1))

    failing = store.get_span(pid, tid(1), sid(3))
    assert failing is not None
    assert (failing.status, failing.status_message) == ("UNSET", None)

    assert store.get_span(pid, tid(1), sid(9)) is None
    assert store.get_span(pid, tid(2), sid(1)) is None


def test_error_status_message_comes_from_exception_event(store: SqlStore, pid: int) -> None:
    sp = span(1, 1, "x", 0, 5, events=[("exception", T0, {"exception.message": "it broke"})])
    sp.status.code = 2  # ERROR without a description
    store.write_spans(rows(pid, [sp]))
    s = store.get_span(pid, tid(1), sid(1))
    assert s is not None
    assert (s.status, s.status_message) == ("ERROR", "it broke")


# ---------------------------------------------------------------------------- sessions, users


def test_sessions(store: SqlStore, pid: int) -> None:
    store.write_spans(_filter_dataset(pid))
    page = store.list_sessions(pid, None, None, None, 10, None)
    assert [s.model_dump() for s in page.items] == [
        {
            "session_id": "s1",
            "user_id": "u1",
            "turns": 2,
            "first_ns": T0,
            "last_ns": T0 + 2000 * MS,
            "total_tokens": 15,
            "cost": pytest.approx(7.5e-05),
            "error_count": 0,
        },
        {
            "session_id": "s2",
            "user_id": "u2",
            "turns": 1,
            "first_ns": T0 + 1000 * MS,
            "last_ns": T0 + 1000 * MS,
            "total_tokens": 27,
            "cost": pytest.approx(0.000165),
            "error_count": 1,
        },
    ]
    assert page.next_cursor is None

    first = store.list_sessions(pid, None, None, None, 1, None)
    assert [s.session_id for s in first.items] == ["s1"]
    second = store.list_sessions(pid, None, None, None, 1, first.next_cursor)
    assert [s.session_id for s in second.items] == ["s2"]
    assert second.next_cursor is None

    assert [s.session_id for s in store.list_sessions(pid, None, None, "u2", 10, None).items] == [
        "s2"
    ]
    windowed = store.list_sessions(pid, T0 + 1 * MS, T0 + 2001 * MS, None, 10, None).items
    assert [(s.session_id, s.turns) for s in windowed] == [("s1", 1), ("s2", 1)]


def test_users(store: SqlStore, pid: int) -> None:
    store.write_spans(_filter_dataset(pid))
    page = store.list_users(pid, None, None, 10, None)
    assert [u.model_dump() for u in page.items] == [
        {
            "user_id": "u1",
            "traces": 2,
            "total_tokens": 15,
            "cost": pytest.approx(7.5e-05),
            "first_seen_ns": T0,
            "last_seen_ns": T0 + 2000 * MS,
            "error_count": 0,
        },
        {
            "user_id": "u2",
            "traces": 1,
            "total_tokens": 27,
            "cost": pytest.approx(0.000165),
            "first_seen_ns": T0 + 1000 * MS,
            "last_seen_ns": T0 + 1000 * MS,
            "error_count": 1,
        },
    ]
    assert [u.user_id for u in store.list_users(pid, T0 + 500 * MS, None, 10, None).items] == [
        "u1",
        "u2",
    ]
    assert [u.traces for u in store.list_users(pid, T0 + 500 * MS, None, 10, None).items] == [1, 1]


def test_sessions_and_users_paginate_without_gaps(store: SqlStore, pid: int) -> None:
    spans = [
        _chain(n, "turn", (n % 7) * 10, 1, **{"session.id": f"s{n % 9}", "user.id": f"u{n % 5}"})
        for n in range(1, 64)
    ]
    store.write_spans(rows(pid, spans))

    def walk(fetch) -> list[str]:  # type: ignore[no-untyped-def]
        out: list[str] = []
        cursor = None
        while True:
            page = fetch(cursor)
            out.extend(page)
            if not page.cursor:
                return out
            cursor = page.cursor

    class _P(list):  # type: ignore[type-arg]
        cursor: str | None = None

    def sessions(cursor):  # type: ignore[no-untyped-def]
        page = store.list_sessions(pid, None, None, None, 2, cursor)
        p = _P(s.session_id for s in page.items)
        p.cursor = page.next_cursor
        return p

    def users(cursor):  # type: ignore[no-untyped-def]
        page = store.list_users(pid, None, None, 2, cursor)
        p = _P(u.user_id for u in page.items)
        p.cursor = page.next_cursor
        return p

    all_sessions = store.list_sessions(pid, None, None, None, 100, None).items
    assert walk(sessions) == [s.session_id for s in all_sessions]
    assert sorted(walk(sessions)) == sorted(f"s{i}" for i in range(9))
    assert sum(s.turns for s in all_sessions) == 63
    assert [s.last_ns for s in all_sessions] == sorted(
        (s.last_ns for s in all_sessions), reverse=True
    )
    all_users = store.list_users(pid, None, None, 100, None).items
    assert walk(users) == [u.user_id for u in all_users]
    assert sorted(walk(users)) == [f"u{i}" for i in range(5)]


# ---------------------------------------------------------------------------- metrics


def _nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def test_metrics_traces_buckets_errors_percentiles(store: SqlStore, pid: int) -> None:
    rng = random.Random(3)
    durations: dict[int, list[float]] = {0: [], 1: [], 2: []}
    errors = {0: 0, 1: 0, 2: 0}
    spans = []
    for n in range(1, 301):
        hour = n % 3
        dur = round(rng.lognormvariate(6, 1.2), 3)  # ms, median ~400
        durations[hour].append(dur)
        failed = n % 10 == 0
        errors[hour] += failed
        start_ms = hour * 3_600_000 + n * 1000
        spans.append(span(n, n, "call", start_ms, dur, error="x" if failed else None))
        spans.append(
            span(
                n,
                10_000 + n,
                "llm",
                start_ms,
                dur / 2,
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.request.model": "m",
                    "gen_ai.usage.input_tokens": n,
                    "gen_ai.usage.output_tokens": 1,
                },
                parent=n,
            )
        )
    store.write_spans(rows(pid, spans))

    res = store.metrics(
        pid, MetricsQuery(start_ns=T0, end_ns=T0 + 3 * HOUR_NS, bucket_seconds=3600)
    )
    assert (res.scope, res.group_by, res.groups, res.bucket_seconds) == (
        "traces",
        None,
        [None],
        3600,
    )
    assert res.latency_relative_error == pytest.approx(0.02)
    assert [p.bucket_start_ns for p in res.points] == [T0, T0 + HOUR_NS, T0 + 2 * HOUR_NS]
    assert [p.count for p in res.points] == [100, 100, 100]
    for hour, p in enumerate(res.points):
        assert p.group is None
        assert p.error_count == errors[hour]
        assert p.error_rate == pytest.approx(errors[hour] / 100)
        for q, got in ((0.5, p.latency_p50_ms), (0.95, p.latency_p95_ms), (0.99, p.latency_p99_ms)):
            exact = _nearest_rank(durations[hour], q)
            assert got is not None
            assert abs(got - exact) / exact < 0.01, (hour, q, got, exact)
        ns = [n for n in range(1, 301) if n % 3 == hour]
        assert p.input_tokens == sum(ns)
        assert p.output_tokens == len(ns)
        assert p.total_tokens == sum(ns) + len(ns)
        assert p.cost is None
        assert p.ttft_avg_ms is None

    # A window that starts inside a bucket still aligns buckets to multiples of the size.
    part = store.metrics(
        pid, MetricsQuery(start_ns=T0 + HOUR_NS + 1, end_ns=T0 + 2 * HOUR_NS, bucket_seconds=3600)
    )
    assert [(p.bucket_start_ns, p.count) for p in part.points] == [(T0 + HOUR_NS, 100)]
    # An empty window has no points.
    empty = store.metrics(pid, MetricsQuery(start_ns=T0 - HOUR_NS, end_ns=T0, bucket_seconds=60))
    assert empty.points == []


def test_metrics_bucket_edges(store: SqlStore, pid: int) -> None:
    # Spans one nanosecond either side of a bucket boundary land in different buckets.
    a = span(1, 1, "a", 59_999.999999, 1)
    b = span(2, 2, "b", 60_000, 1)
    store.write_spans(rows(pid, [a, b]))
    res = store.metrics(pid, MetricsQuery(start_ns=T0, end_ns=T0 + 120 * 10**9, bucket_seconds=60))
    assert [(p.bucket_start_ns, p.count) for p in res.points] == [(T0, 1), (T0 + 60 * 10**9, 1)]


def test_metrics_spans_grouped_by_model_with_other(store: SqlStore, pid: int) -> None:
    models = ["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 2
    spans = [
        span(
            n + 1,
            n + 1,
            "chat",
            n * 10,
            100 + n,
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": m,
                "gen_ai.usage.input_tokens": 10,
                "gen_ai.usage.output_tokens": 2,
                "gen_ai.usage.cost": 0.5,
                "spyglass.ttft_ms": 20 + n,
            },
        )
        for n, m in enumerate(models)
    ]
    spans.append(span(99, 99, "tool", 5, 1, {"gen_ai.operation.name": "execute_tool"}))
    store.write_spans(rows(pid, spans))
    q = dict(start_ns=T0, end_ns=T0 + HOUR_NS, bucket_seconds=3600, scope="spans")

    res = store.metrics(pid, MetricsQuery(**q, group_by="model", kind="llm"))
    assert res.groups == ["a", "b", "c", "d"]
    assert [(p.group, p.count, p.input_tokens, p.output_tokens) for p in res.points] == [
        ("a", 5, 50, 10),
        ("b", 4, 40, 8),
        ("c", 3, 30, 6),
        ("d", 2, 20, 4),
    ]
    assert res.points[0].cost == pytest.approx(2.5)
    assert res.points[0].ttft_avg_ms == pytest.approx(22.0)  # ttft 20..24 ms

    folded = store.metrics(pid, MetricsQuery(**q, group_by="model", kind="LLM", max_groups=2))
    assert folded.groups == ["a", "b", OTHER]
    assert [(p.group, p.count) for p in folded.points] == [("a", 5), ("b", 4), (OTHER, 5)]

    everything = store.metrics(pid, MetricsQuery(**q, group_by="model"))
    assert everything.groups == ["a", "b", "c", "d", None]
    assert everything.points[-1].count == 1

    by_kind = store.metrics(pid, MetricsQuery(**q, group_by="kind"))
    assert [(p.group, p.count) for p in by_kind.points] == [("LLM", 14), ("TOOL", 1)]


def test_metrics_traces_grouped_by_name(store: SqlStore, pid: int) -> None:
    store.write_spans(_filter_dataset(pid))
    res = store.metrics(
        pid, MetricsQuery(start_ns=T0, end_ns=T0 + HOUR_NS, bucket_seconds=60, group_by="name")
    )
    assert res.groups == ["alpha", "beta", "gamma"]
    assert [(p.group, p.count, p.error_count, p.total_tokens) for p in res.points] == [
        ("alpha", 2, 0, 15),
        ("beta", 1, 1, 27),
        ("gamma", 1, 0, 2),
    ]
    alpha = res.points[0]
    # Two values: p50 is the smaller (100 ms), p95/p99 the larger (500 ms).
    assert alpha.latency_p50_ms == pytest.approx(100, rel=0.01)
    assert alpha.latency_p95_ms == pytest.approx(500, rel=0.01)
    assert alpha.latency_p99_ms == pytest.approx(500, rel=0.01)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (MetricsQuery(start_ns=T0, end_ns=T0 + 1, bucket_seconds=60, scope="logs"), "scope"),
        (MetricsQuery(start_ns=T0, end_ns=T0, bucket_seconds=60), "after start"),
        (MetricsQuery(start_ns=T0, end_ns=T0 - 1, bucket_seconds=60), "after start"),
        (MetricsQuery(start_ns=T0, end_ns=T0 + 1, bucket_seconds=0), "bucket"),
        (MetricsQuery(start_ns=T0, end_ns=T0 + 1, bucket_seconds=-5), "bucket"),
        (MetricsQuery(start_ns=T0, end_ns=T0 + 2001 * 10**9, bucket_seconds=1), "2000 buckets"),
        (MetricsQuery(start_ns=T0, end_ns=T0 + 1, bucket_seconds=60, group_by="model"), "group_by"),
        (
            MetricsQuery(
                start_ns=T0, end_ns=T0 + 1, bucket_seconds=60, scope="spans", group_by="session"
            ),
            "group_by",
        ),
        (MetricsQuery(start_ns=T0, end_ns=T0 + 1, bucket_seconds=60, kind="LLM"), "scope=spans"),
    ],
)
def test_metrics_validation(store: SqlStore, pid: int, query: MetricsQuery, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        store.metrics(pid, query)


def test_metrics_at_exactly_max_buckets_is_allowed(store: SqlStore, pid: int) -> None:
    res = store.metrics(pid, MetricsQuery(start_ns=T0, end_ns=T0 + 2000 * 10**9, bucket_seconds=1))
    assert res.points == []


# ---------------------------------------------------------------------------- scores


def _score(
    sid_: str,
    value: float | str | bool,
    data_type: ScoreDataType,
    *,
    name: str = "quality",
    source: ScoreSource = ScoreSource.HUMAN,
    trace: str | None = None,
    span_: str | None = None,
    session: str | None = None,
    created: int = T0,
    **extra: object,
) -> Score:
    return Score(
        id=sid_,
        name=name,
        data_type=data_type,
        value=value,
        source=source,
        trace_id=trace,
        span_id=span_,
        session_id=session,
        comment=extra.get("comment"),
        author=extra.get("author"),  # type: ignore[arg-type]
        metadata=extra.get("metadata", {}),
        created_ns=created,
    )  # type: ignore[arg-type]


def test_scores_round_trip_every_type(store: SqlStore, pid: int) -> None:
    made = [
        _score(
            "n1",
            0.75,
            ScoreDataType.NUMERIC,
            trace=tid(1),
            span_=sid(1),
            created=T0 + 1,
            comment="good",
            author="ann",
            metadata={"k": [1, "ü"]},
        ),
        _score(
            "c1",
            "helpful",
            ScoreDataType.CATEGORICAL,
            name="label",
            trace=tid(1),
            source=ScoreSource.LLM,
            created=T0 + 2,
        ),
        _score(
            "b1",
            True,
            ScoreDataType.BOOLEAN,
            name="thumbs",
            session="s1",
            source=ScoreSource.GUARD,
            created=T0 + 3,
        ),
        _score(
            "b0",
            False,
            ScoreDataType.BOOLEAN,
            name="thumbs",
            session="s1",
            source=ScoreSource.CODE,
            created=T0 + 4,
        ),
    ]
    for s in made:
        assert store.create_score(pid, s) == s
    got = store.list_scores(pid, ScoreFilter(), 10, None)
    assert got.items == list(reversed(made))
    assert [type(s.value) for s in got.items] == [bool, bool, str, float]
    assert got.next_cursor is None


def test_score_with_same_id_replaces(store: SqlStore, pid: int) -> None:
    store.create_score(pid, _score("same", 0.1, ScoreDataType.NUMERIC, trace=tid(1)))
    store.create_score(
        pid, _score("same", 0.9, ScoreDataType.NUMERIC, trace=tid(1), comment="fixed")
    )
    [only] = store.list_scores(pid, ScoreFilter(), 10, None).items
    assert (only.value, only.comment) == (0.9, "fixed")


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (ScoreFilter(trace_id=tid(1)), ["s3", "s2", "s1"]),
        (ScoreFilter(trace_id=tid(1), span_id=sid(1)), ["s1"]),
        (ScoreFilter(span_id=sid(1)), ["s1"]),
        (ScoreFilter(session_id="sess"), ["s4"]),
        (ScoreFilter(name="thumbs"), ["s4", "s3"]),
        (ScoreFilter(source="llm"), ["s2"]),
        (ScoreFilter(source="guard"), []),
        (ScoreFilter(trace_id=tid(2)), []),
    ],
)
def test_score_filters(store: SqlStore, pid: int, flt: ScoreFilter, expected: list[str]) -> None:
    for s in (
        _score("s1", 1.0, ScoreDataType.NUMERIC, trace=tid(1), span_=sid(1), created=T0 + 1),
        _score(
            "s2",
            "ok",
            ScoreDataType.CATEGORICAL,
            trace=tid(1),
            source=ScoreSource.LLM,
            created=T0 + 2,
        ),
        _score("s3", True, ScoreDataType.BOOLEAN, name="thumbs", trace=tid(1), created=T0 + 3),
        _score("s4", False, ScoreDataType.BOOLEAN, name="thumbs", session="sess", created=T0 + 4),
    ):
        store.create_score(pid, s)
    assert [s.id for s in store.list_scores(pid, flt, 10, None).items] == expected


def test_scores_paginate_and_show_on_their_trace(store: SqlStore, pid: int) -> None:
    store.write_spans(rows(pid, [_chain(1, "a", 0, 1)]))
    # Pairs share a created time: the id breaks the tie.
    for n in range(11):
        store.create_score(
            pid, _score(f"id{n:02d}", n, ScoreDataType.NUMERIC, trace=tid(1), created=T0 + n // 2)
        )
    seen: list[str] = []
    cursor = None
    while True:
        page = store.list_scores(pid, ScoreFilter(), 4, cursor)
        seen.extend(s.id for s in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = [s for _, s in sorted(((n // 2, f"id{n:02d}") for n in range(11)), reverse=True)]
    assert seen == expected
    detail = store.get_trace(pid, tid(1))
    assert detail is not None
    assert [s.id for s in detail.scores] == expected


# ---------------------------------------------------------------------------- projects and keys


def test_projects(store: SqlStore) -> None:
    a = store.create_project("alpha")
    b = store.create_project("  beta ")
    assert b.name == "beta"
    assert [p.name for p in store.list_projects()] == ["alpha", "beta"]
    assert store.get_project("alpha") == a
    assert store.get_project("gamma") is None
    with pytest.raises(BadRequest, match="already exists"):
        store.create_project("alpha")
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(BadRequest, match="1 to 200"):
            store.create_project(bad)


def test_keys_create_verify_list_revoke(store: SqlStore) -> None:
    k1 = store.create_key("alpha")  # creates the project
    k2 = store.create_key("alpha", "ci")
    k3 = store.create_key("beta")
    alpha = store.get_project("alpha")
    beta = store.get_project("beta")
    assert alpha is not None and beta is not None

    assert k1.secret.startswith("sg_")
    assert len(k1.secret) == 3 + 43
    assert len({k1.secret, k2.secret, k3.secret}) == 3
    assert k1.info.prefix == k1.secret[:10]
    assert (k2.info.name, k2.info.project, k2.info.project_id) == ("ci", "alpha", alpha.id)
    assert store.verify_key(k1.secret) == alpha.id
    assert store.verify_key(k3.secret) == beta.id
    for wrong in (
        "",
        "sg_",
        k1.secret + "x",
        k1.secret[:-1],
        "Bearer " + k1.secret,
        k1.secret.upper(),
    ):
        assert store.verify_key(wrong) is None

    assert [k.id for k in store.list_keys()] == [k1.info.id, k2.info.id, k3.info.id]
    assert [k.id for k in store.list_keys("alpha")] == [k1.info.id, k2.info.id]
    assert store.list_keys("nobody") == []

    revoked = store.revoke_key(str(k1.info.id))
    assert revoked.revoked_ns is not None
    assert store.verify_key(k1.secret) is None
    assert store.verify_key(k2.secret) == alpha.id
    # Revoking again keeps the first time.
    assert store.revoke_key(str(k1.info.id)).revoked_ns == revoked.revoked_ns
    # By prefix (the shown part, or the whole secret).
    assert store.revoke_key(k2.secret).id == k2.info.id
    assert store.verify_key(k2.secret) is None
    assert store.revoke_key(k3.info.prefix).id == k3.info.id
    assert [k.revoked_ns is not None for k in store.list_keys()] == [True, True, True]
    with pytest.raises(NotFound):
        store.revoke_key("999999")
    with pytest.raises(NotFound):
        store.revoke_key("sg_nothere")
    # Not ids: "²" (int() refuses it), a number past any id (the driver would overflow).
    for not_an_id in ("\u00b2", "9" * 30, "1" * 4_301):
        with pytest.raises(NotFound):
            store.revoke_key(not_an_id)


def test_key_secret_is_stored_only_as_its_hash(store: SqlStore) -> None:
    created = store.create_key("alpha")
    secret = created.secret
    dump: list[str] = []
    with store.engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                dump.append(repr(tuple(row)))
        [stored_hash] = conn.execute(text("SELECT key_hash FROM api_keys")).scalars()
    everything = "\n".join(dump)
    assert secret not in everything
    assert secret[10:] not in everything  # nothing past the shown prefix
    assert stored_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert created.info.prefix in everything


# ---------------------------------------------------------------------------- isolation


def test_every_query_is_scoped_to_its_project(store: SqlStore) -> None:
    a = store.create_project("a").id
    b = store.create_project("b").id
    # The same trace and span ids in both projects, with different contents.
    store.write_spans(
        rows(
            a,
            [
                _chain(1, "in-a", 0, 10, **{"session.id": "s", "user.id": "u"}),
                _llm(1, "model-a", 1, 5, 3, 4),
            ],
        )
    )
    store.write_spans(rows(b, [_chain(1, "in-b", 0, 20, **{"session.id": "s", "user.id": "u"})]))
    store.create_score(a, _score("score-a", 1.0, ScoreDataType.NUMERIC, trace=tid(1)))

    assert [t.name for t in store.list_traces(a, TraceFilter(), 10, None).items] == ["in-a"]
    assert [t.name for t in store.list_traces(b, TraceFilter(), 10, None).items] == ["in-b"]
    assert store.list_traces(b, TraceFilter(model="model-a"), 10, None).items == []
    da, db = store.get_trace(a, tid(1)), store.get_trace(b, tid(1))
    assert da is not None and db is not None
    assert (da.trace.span_count, db.trace.span_count) == (2, 1)
    assert ([s.id for s in da.scores], db.scores) == (["score-a"], [])
    assert store.get_span(b, tid(1), sid(101)) is None
    span_b = store.get_span(b, tid(1), sid(100))
    assert span_b is not None and span_b.name == "in-b"
    assert [s.total_tokens for s in store.list_sessions(a, None, None, None, 10, None).items] == [7]
    assert [s.total_tokens for s in store.list_sessions(b, None, None, None, 10, None).items] == [0]
    assert [u.total_tokens for u in store.list_users(b, None, None, 10, None).items] == [0]
    q = MetricsQuery(start_ns=T0, end_ns=T0 + HOUR_NS, bucket_seconds=3600, scope="spans")
    assert [p.count for p in store.metrics(a, q).points] == [2]
    assert [p.count for p in store.metrics(b, q).points] == [1]
    assert store.list_scores(b, ScoreFilter(), 10, None).items == []
    assert store.get_trace(store.create_project("c").id, tid(1)) is None


def test_score_id_taken_by_another_project_is_not_silently_dropped(store: SqlStore) -> None:
    a = store.create_project("a").id
    b = store.create_project("b").id
    store.create_score(a, _score("shared", 1.0, ScoreDataType.NUMERIC, trace=tid(1)))
    try:
        store.create_score(b, _score("shared", 0.0, ScoreDataType.NUMERIC, trace=tid(1)))
    except BadRequest:
        stored_for_b = []
    else:
        stored_for_b = [
            (s.id, s.value) for s in store.list_scores(b, ScoreFilter(), 10, None).items
        ]
        assert stored_for_b == [("shared", 0.0)], "score was accepted but not stored"
    # Project a's score is untouched either way.
    assert [(s.id, s.value) for s in store.list_scores(a, ScoreFilter(), 10, None).items] == [
        ("shared", 1.0)
    ]


def test_nul_in_span_text_is_stored(store: SqlStore) -> None:
    # OTLP strings may hold U+0000; PostgreSQL text cannot. The batch is not lost: there the
    # NUL becomes U+FFFD (and the other spans of the batch are stored as sent).
    pid = store.verify_key(store.create_key("alpha").secret)
    assert pid is not None
    store.write_spans(
        rows(
            pid,
            [
                span(1, 1, "a\x00b", 0, 5, {"input.value": "in\x00put", "user.id": "u\x00"}),
                span(2, 2, "plain", 0, 5, {"input.value": "fine"}),
            ],
        )
    )
    nul = "\x00" if store.is_sqlite else "\ufffd"
    first = store.get_span(pid, tid(1), sid(1))
    assert first is not None
    assert (first.name, first.input, first.user_id) == (f"a{nul}b", f"in{nul}put", f"u{nul}")
    second = store.get_span(pid, tid(2), sid(2))
    assert second is not None and (second.name, second.input) == ("plain", "fine")
    trace = store.get_trace(pid, tid(1))
    assert trace is not None and trace.trace.name == f"a{nul}b"
