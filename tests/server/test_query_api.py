"""The query API through HTTP: trace filters and pagination, one trace, one span, sessions,
users, metrics, and project isolation on every route."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from tests.server.harness import Api
from tests.server.otlp import MS, T0, chat_trace, sid, tid, to_protobuf

pytestmark = pytest.mark.anyio

HOUR = 3600 * 1_000_000_000
PROD = {"service.name": "bot", "service.version": "1.0", "deployment.environment.name": "prod"}

# trace n: (start, duration ms, name, model, user, session, tags, metadata, question, error,
#           tokens in/out, resource)
DATASET: dict[int, dict[str, Any]] = {
    1: dict(
        start_ns=T0,
        duration_ms=1000,
        name="rag-chat",
        model="gpt-4o-mini",
        user="u1",
        session="s1",
        tags=["web"],
        metadata={"plan": "free"},
        question="What is the refund policy?",
        input_tokens=100,
        output_tokens=20,
    ),
    2: dict(
        start_ns=T0 + HOUR,
        duration_ms=3000,
        name="rag-chat",
        model="gpt-4o",
        user="u2",
        session="s2",
        tags=["mobile"],
        metadata={"plan": "pro"},
        question="Why is my shipping delayed?",
        error=True,
        input_tokens=300,
        output_tokens=0,
    ),
    3: dict(
        start_ns=T0 + 2 * HOUR,
        duration_ms=200,
        name="summarise",
        model="gpt-4o",
        user="u1",
        session="s1",
        tags=["web", "beta"],
        question="Summarise ticket 7.",
        input_tokens=50,
        output_tokens=5,
    ),
    4: dict(
        start_ns=T0 + 3 * HOUR,
        duration_ms=5000,
        name="agent",
        model="gpt-4o-mini",
        user="u3",
        session="s3",
        question="Book a courier.",
        input_tokens=1000,
        output_tokens=400,
    ),
    5: dict(
        start_ns=T0 + 4 * HOUR,
        duration_ms=50,
        name="rag-chat",
        model="gpt-4o-mini",
        user=None,
        session=None,
        question="Hello?",
        input_tokens=7,
        output_tokens=3,
    ),
}
RESOURCES = {
    1: PROD,
    2: {**PROD, "service.version": "1.1"},
    3: {**PROD, "deployment.environment.name": "staging"},
    4: PROD,
    5: PROD,
}


@pytest.fixture
async def data(api: Api) -> Api:
    # Serialized protobuf messages concatenate into one message with all the resource spans:
    # one request, one commit.
    await api.ingest_ok(
        b"".join(to_protobuf(chat_trace(n, **spec), RESOURCES[n]) for n, spec in DATASET.items())
    )
    return api


async def _trace_ids(api: Api, **params: Any) -> list[str]:
    page = await api.get_json("/api/traces", **params)
    return [t["trace_id"] for t in page["items"]]


def _cursor(*values: Any) -> str:
    """A cursor in the server's encoding, with values it never hands out."""
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode()


def _ids(*ns: int) -> list[str]:
    return [tid(n) for n in ns]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [5, 4, 3, 2, 1]),
        ({"name": "rag-chat"}, [5, 2, 1]),
        ({"status": "ERROR"}, [2]),
        ({"status": "ok"}, [5, 4, 3, 1]),
        ({"user_id": "u1"}, [3, 1]),
        ({"session_id": "s1"}, [3, 1]),
        ({"tag": "web"}, [3, 1]),
        ({"tag": "beta"}, [3]),
        ({"tag": "we"}, []),
        ({"model": "gpt-4o"}, [3, 2]),  # exactly, not gpt-4o-mini
        ({"model": "gpt-4o-mini"}, [5, 4, 1]),
        ({"release": "1.1"}, [2]),
        ({"environment": "staging"}, [3]),
        ({"metadata": "plan=pro"}, [2]),
        ({"metadata": "plan=enterprise"}, []),
        ({"q": "shipping"}, [2]),
        ({"q": "POLICY"}, [1]),  # case-insensitive
        ({"q": "100%"}, []),  # % is matched literally, not as a wildcard
        ({"min_duration_ms": 1000}, [4, 2, 1]),
        ({"max_duration_ms": 1000}, [5, 3, 1]),
        ({"min_duration_ms": 500, "max_duration_ms": 3000}, [2, 1]),
        ({"start": str(T0 + HOUR), "end": str(T0 + 3 * HOUR)}, [3, 2]),  # end exclusive
        ({"start": "2025-06-15T16:06:40Z"}, [5, 4, 3, 2]),  # T0 + 1 h as ISO-8601
        ({"end": "2025-06-15T16:06:40"}, [1]),  # naive means UTC
        ({"name": "rag-chat", "user_id": "u1"}, [1]),
    ],
)
async def test_trace_filters(data: Api, params: dict[str, Any], expected: list[int]) -> None:
    assert await _trace_ids(data, **params) == _ids(*expected)


async def test_keyset_pagination_newest_first(data: Api) -> None:
    seen: list[list[str]] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = await data.get_json("/api/traces", **params)
        seen.append([t["trace_id"] for t in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [_ids(5, 4), _ids(3, 2), _ids(1)]


async def test_pagination_keeps_the_filter(data: Api) -> None:
    first = await data.get_json("/api/traces", name="rag-chat", limit=2)
    assert [t["trace_id"] for t in first["items"]] == _ids(5, 2)
    second = await data.get_json(
        "/api/traces", name="rag-chat", limit=2, cursor=first["next_cursor"]
    )
    assert [t["trace_id"] for t in second["items"]] == _ids(1)
    assert second["next_cursor"] is None


async def test_pagination_with_equal_start_times_skips_and_repeats_nothing(api: Api) -> None:
    for n in range(10, 17):
        await api.ingest_ok(to_protobuf(chat_trace(n, start_ns=T0)))
    got: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = await api.get_json("/api/traces", **params)
        got += [t["trace_id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert got == _ids(*range(16, 9, -1))


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"status": "maybe"}, "status"),
        ({"start": "yesterday"}, "start must be an ISO-8601 time"),
        ({"end": "31/01/2026"}, "end must be an ISO-8601 time"),
        # Digits to str.isdigit() but not to int() ("²"), and more digits than int() takes:
        # once a 500. Other scripts' digits ("٣٣") are no longer read as nanoseconds.
        ({"start": "\u00b2"}, "start must be an ISO-8601 time"),
        ({"end": "\u0663\u0663"}, "end must be an ISO-8601 time"),
        ({"start": "1" * 4_301}, "start is out of range"),
        ({"metadata": "plan"}, "key=value"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WzFd"}, "cursor"),  # valid base64 JSON, wrong shape
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"min_duration_ms": -1}, "min_duration_ms"),
        # Numbers past what the database holds: a 400, not an overflow inside the SQL (500).
        ({"start": "99999999999999999999"}, "start is out of range"),
        ({"end": "9999-12-31T00:00:00Z"}, "end is out of range"),
        ({"min_duration_ms": "1e300"}, "min_duration_ms"),
        ({"max_duration_ms": "inf"}, "max_duration_ms"),
        ({"cursor": _cursor(10**30, tid(1))}, "cursor"),
        ({"cursor": _cursor({"a": 1}, tid(1))}, "cursor"),
    ],
)
async def test_bad_trace_query_is_400(data: Api, params: dict[str, Any], words: str) -> None:
    resp = await data.get("/api/traces", **params)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["code"] == "bad_request"
    assert words in resp.json()["error"]["message"]


async def test_get_trace_summary_and_tree(data: Api) -> None:
    detail = await data.get_json(f"/api/traces/{tid(1)}")
    assert detail["trace"] == {
        "trace_id": tid(1),
        "name": "rag-chat",
        "root_span_id": sid(1, 1),
        "start_ns": T0,
        "end_ns": T0 + 1000 * MS,
        "duration_ms": 1000.0,
        "status": "OK",
        "span_count": 2,
        "error_count": 0,
        "input_tokens": 100,
        "output_tokens": 20,
        "total_tokens": 120,
        "cost": pytest.approx(2.7e-05),  # gpt-4o-mini: 100 in x $0.15 + 20 out x $0.60 per 1M
        "user_id": "u1",
        "session_id": "s1",
        "tags": ["web"],
        "metadata": {"plan": "free"},
        "release": "1.0",
        "environment": "prod",
        "service": "bot",
        "models": ["gpt-4o-mini"],
        "input_preview": "What is the refund policy?",
        "output_preview": "Refunds take five days.",
    }
    assert [
        (
            s["span_id"],
            s["parent_span_id"],
            s["depth"],
            s["child_count"],
            s["name"],
            s["kind"],
            s["model"],
            s["duration_ms"],
        )
        for s in detail["spans"]
    ] == [
        (sid(1, 1), None, 0, 1, "rag-chat", "CHAIN", None, 1000.0),
        (sid(1, 2), sid(1, 1), 1, 0, "ChatCompletion", "LLM", "gpt-4o-mini", 998.0),
    ]
    assert detail["scores"] == []

    failed = await data.get_json(f"/api/traces/{tid(2)}")
    assert (failed["trace"]["status"], failed["trace"]["error_count"]) == ("ERROR", 1)


async def test_get_trace_accepts_upper_case_ids(data: Api) -> None:
    detail = await data.get_json(f"/api/traces/{tid(1).upper().replace('0', '0')}")
    assert detail["trace"]["trace_id"] == tid(1)
    span = await data.get_json(f"/api/traces/{tid(1)}/spans/{sid(1, 2).upper()}")
    assert span["span_id"] == sid(1, 2)


async def test_get_span(data: Api) -> None:
    span = await data.get_json(f"/api/traces/{tid(2)}/spans/{sid(2, 1)}")
    assert span["name"] == "rag-chat"
    assert span["status"] == "ERROR"
    assert span["status_message"] == "upstream timed out"
    assert span["input"] == "Why is my shipping delayed?"
    assert span["session_id"] == "s2"
    assert span["release"] == "1.1"
    assert span["tags"] == ["mobile"]
    assert span["scope"] == "tests.server"
    llm = await data.get_json(f"/api/traces/{tid(2)}/spans/{sid(2, 2)}")
    assert (llm["model"], llm["provider"], llm["kind"]) == ("gpt-4o", "openai", "LLM")
    assert (llm["input_tokens"], llm["output_tokens"], llm["total_tokens"]) == (300, 0, 300)


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        (f"/api/traces/{tid(77)}", 404, f"no trace {tid(77)}"),
        ("/api/traces/xyz", 400, "trace_id must be 32 hex characters"),
        (f"/api/traces/{tid(1)}/spans/{sid(1, 9)}", 404, f"no span {sid(1, 9)}"),
        (f"/api/traces/{tid(2)}/spans/{sid(1, 1)}", 404, "no span"),  # span of another trace
        (f"/api/traces/{tid(1)}/spans/123", 400, "span_id must be 16 hex characters"),
        ("/api/nothing-here", 404, "Not Found"),
    ],
)
async def test_trace_and_span_errors(data: Api, path: str, status: int, words: str) -> None:
    resp = await data.get(path)
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == ("not_found" if status == 404 else "bad_request")
    assert words in resp.json()["error"]["message"]


async def test_sessions(data: Api) -> None:
    page = await data.get_json("/api/sessions")
    assert page["next_cursor"] is None
    assert page["items"] == [
        {
            "session_id": "s3",
            "user_id": "u3",
            "turns": 1,
            "first_ns": T0 + 3 * HOUR,
            "last_ns": T0 + 3 * HOUR,
            "total_tokens": 1400,
            "cost": pytest.approx(0.00039),
            "error_count": 0,
        },
        {
            "session_id": "s1",
            "user_id": "u1",
            "turns": 2,
            "first_ns": T0,
            "last_ns": T0 + 2 * HOUR,
            "total_tokens": 175,
            "cost": pytest.approx(0.000202),
            "error_count": 0,
        },
        {
            "session_id": "s2",
            "user_id": "u2",
            "turns": 1,
            "first_ns": T0 + HOUR,
            "last_ns": T0 + HOUR,
            "total_tokens": 300,
            "cost": pytest.approx(0.00075),
            "error_count": 1,
        },
    ]
    only_u2 = await data.get_json("/api/sessions", user_id="u2")
    assert [s["session_id"] for s in only_u2["items"]] == ["s2"]
    window = await data.get_json("/api/sessions", start=str(T0 + HOUR), end=str(T0 + 3 * HOUR))
    assert [(s["session_id"], s["turns"]) for s in window["items"]] == [("s1", 1), ("s2", 1)]


@pytest.mark.parametrize("path", ["/api/sessions", "/api/users"])
async def test_sessions_and_users_refuse_foreign_cursors(api: Api, path: str) -> None:
    for cursor in (_cursor(10**30, "s"), "???", _cursor(1)):
        resp = await api.get(path, cursor=cursor)
        assert resp.status_code == 400, resp.text
        assert "cursor" in resp.json()["error"]["message"]


async def test_sessions_and_users_paginate(data: Api) -> None:
    for path, key, expected in (
        ("/api/sessions", "session_id", ["s3", "s1", "s2"]),
        ("/api/users", "user_id", ["u3", "u1", "u2"]),
    ):
        got: list[str] = []
        cursor = None
        for _ in range(5):
            params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
            page = await data.get_json(path, **params)
            got += [item[key] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert got == expected, path


async def test_users(data: Api) -> None:
    page = await data.get_json("/api/users")
    assert page["items"] == [
        {
            "user_id": "u3",
            "traces": 1,
            "total_tokens": 1400,
            "cost": pytest.approx(0.00039),
            "first_seen_ns": T0 + 3 * HOUR,
            "last_seen_ns": T0 + 3 * HOUR,
            "error_count": 0,
        },
        {
            "user_id": "u1",
            "traces": 2,
            "total_tokens": 175,
            "cost": pytest.approx(0.000202),
            "first_seen_ns": T0,
            "last_seen_ns": T0 + 2 * HOUR,
            "error_count": 0,
        },
        {
            "user_id": "u2",
            "traces": 1,
            "total_tokens": 300,
            "cost": pytest.approx(0.00075),
            "first_seen_ns": T0 + HOUR,
            "last_seen_ns": T0 + HOUR,
            "error_count": 1,
        },
    ]


# ---------------------------------------------------------------------------- metrics

# The five traces start at T0 + k hours; a window aligned on the hour holds them in 5 buckets.
ORIGIN = T0 - T0 % HOUR
# And a day aligned on midnight UTC holds all five in one daily bucket (they start 15:06 UTC).
DAY = 24 * HOUR
DAY_START = T0 - T0 % DAY
ONE_DAY = {"start": str(DAY_START), "end": str(DAY_START + DAY), "bucket": 86_400}


async def test_metrics_trace_buckets(data: Api) -> None:
    m = await data.get_json("/api/metrics", start=str(ORIGIN), end=str(ORIGIN + 5 * HOUR))
    assert (m["scope"], m["group_by"], m["bucket_seconds"]) == ("traces", None, 3600)
    assert m["groups"] == [None]
    assert [
        (p["bucket_start_ns"], p["count"], p["error_count"], p["error_rate"], p["total_tokens"])
        for p in m["points"]
    ] == [
        (ORIGIN, 1, 0, 0.0, 120),
        (ORIGIN + HOUR, 1, 1, 1.0, 300),
        (ORIGIN + 2 * HOUR, 1, 0, 0.0, 55),
        (ORIGIN + 3 * HOUR, 1, 0, 0.0, 1400),
        (ORIGIN + 4 * HOUR, 1, 0, 0.0, 10),
    ]
    durations = {0: 1000, 1: 3000, 2: 200, 3: 5000, 4: 50}
    for i, p in enumerate(m["points"]):
        for q in ("latency_p50_ms", "latency_p95_ms", "latency_p99_ms"):
            assert p[q] == pytest.approx(durations[i], rel=m["latency_relative_error"]), q


async def test_metrics_without_latency_keep_counts_and_sums(data: Api) -> None:
    window = {"start": str(ORIGIN), "end": str(ORIGIN + 5 * HOUR)}
    full = await data.get_json("/api/metrics", **window)
    lean = await data.get_json("/api/metrics", **window, latency="false")
    percentiles = ("latency_p50_ms", "latency_p95_ms", "latency_p99_ms")
    assert all(p[q] is None for p in lean["points"] for q in percentiles)
    assert [{k: v for k, v in p.items() if k not in percentiles} for p in lean["points"]] == [
        {k: v for k, v in p.items() if k not in percentiles} for p in full["points"]
    ]
    assert len(lean["points"]) == 5


async def test_metrics_group_by_model(data: Api) -> None:
    m = await data.get_json("/api/metrics", **ONE_DAY, group_by="model", kind="LLM")
    assert (m["scope"], m["group_by"]) == ("spans", "model")
    assert m["groups"] == ["gpt-4o-mini", "gpt-4o"]
    assert [
        (p["group"], p["count"], p["error_count"], p["input_tokens"], p["output_tokens"])
        for p in m["points"]
    ] == [
        ("gpt-4o-mini", 3, 0, 1107, 423),
        ("gpt-4o", 2, 0, 350, 5),
    ]
    # Without kind=LLM the CHAIN roots (no model) are their own group.
    m = await data.get_json("/api/metrics", **ONE_DAY, group_by="model")
    assert {p["group"]: p["count"] for p in m["points"]} == {
        "gpt-4o-mini": 3,
        "gpt-4o": 2,
        None: 5,
    }


async def test_metrics_group_by_user_on_traces(data: Api) -> None:
    m = await data.get_json("/api/metrics", **ONE_DAY, group_by="user")
    assert m["scope"] == "traces"
    assert {p["group"]: p["count"] for p in m["points"]} == {"u1": 2, "u2": 1, "u3": 1, None: 1}


async def test_metrics_defaults_are_the_last_24_hours_hourly(api: Api) -> None:
    now = time.time_ns()
    await api.ingest_ok(to_protobuf(chat_trace(1, start_ns=now - HOUR // 2)))
    await api.ingest_ok(to_protobuf(chat_trace(2, start_ns=now - 30 * HOUR)))  # too old
    m = await api.get_json("/api/metrics")
    assert (m["scope"], m["group_by"], m["bucket_seconds"]) == ("traces", None, 3600)
    # The window starts at the boundary of the bucket holding "24 hours ago".
    assert 24 * HOUR <= m["end_ns"] - m["start_ns"] < 25 * HOUR
    assert m["start_ns"] % HOUR == 0
    assert now <= m["end_ns"] <= time.time_ns()
    assert [(p["count"], p["total_tokens"]) for p in m["points"]] == [(1, 120)]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"group_by": "colour"}, "group_by for scope=traces must be one of"),
        ({"group_by": "model", "scope": "traces"}, "group_by for scope=traces must be one of"),
        ({"scope": "events"}, "scope"),
        ({"bucket": 0}, "bucket"),
        ({"bucket": 1}, "more than 2000 buckets"),
        ({"start": str(T0), "end": str(T0 - 1)}, "end must be after start"),
        ({"kind": "LLM", "scope": "traces"}, "kind filters spans"),
        ({"start": "last week"}, "start must be an ISO-8601 time"),
        ({"end": "99999999999999999999"}, "end is out of range"),
        ({"bucket": "99999999999999999999"}, "bucket"),
    ],
)
async def test_bad_metrics_query_is_400(api: Api, params: dict[str, Any], words: str) -> None:
    resp = await api.get("/api/metrics", **params)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["code"] == "bad_request"
    assert words in resp.json()["error"]["message"]


# ---------------------------------------------------------------------------- isolation


async def test_another_projects_key_sees_nothing(data: Api) -> None:
    beta = data.beta_key
    created = await data.client.post(
        "/api/scores",
        json={"name": "ok", "value": True, "trace_id": tid(1)},
        headers={"Authorization": f"Bearer {data.key}"},
    )
    assert created.status_code == 201

    assert (await data.get("/api/traces", key=beta)).json()["items"] == []
    assert (await data.get("/api/traces", key=beta, q="refund")).json()["items"] == []
    resp = await data.get(f"/api/traces/{tid(1)}", key=beta)
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"
    resp = await data.get(f"/api/traces/{tid(1)}/spans/{sid(1, 1)}", key=beta)
    assert resp.status_code == 404
    assert (await data.get("/api/sessions", key=beta)).json()["items"] == []
    assert (await data.get("/api/users", key=beta)).json()["items"] == []
    assert (await data.get("/api/scores", key=beta)).json()["items"] == []
    assert (await data.get("/api/scores", key=beta, trace_id=tid(1))).json()["items"] == []
    m = (
        await data.get("/api/metrics", key=beta, start=str(ORIGIN), end=str(ORIGIN + 5 * HOUR))
    ).json()
    assert m["points"] == []
    assert (await data.get("/api/project", key=beta)).json()["name"] == "beta"


async def test_same_ids_in_two_projects_stay_apart(data: Api) -> None:
    # beta sends a different trace under alpha's trace and span ids.
    spans = chat_trace(1, name="beta-turn", user="b-user", question="beta question")
    resp = await data.ingest(to_protobuf(spans), key=data.beta_key)
    assert resp.status_code == 200, resp.text

    alpha = await data.get_json(f"/api/traces/{tid(1)}")
    beta = (await data.get(f"/api/traces/{tid(1)}", key=data.beta_key)).json()
    assert (alpha["trace"]["name"], alpha["trace"]["user_id"]) == ("rag-chat", "u1")
    assert (beta["trace"]["name"], beta["trace"]["user_id"]) == ("beta-turn", "b-user")
    assert (await data.get_json("/api/users"))["items"][1]["user_id"] == "u1"
    assert [
        u["user_id"] for u in (await data.get("/api/users", key=data.beta_key)).json()["items"]
    ] == ["b-user"]
