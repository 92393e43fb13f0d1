"""The mapping on what the real instrumentors emit.

Each instrumentor drives the real ``openai`` SDK against the fake upstream
(``tests/fakes``); its spans go through the real OTLP exporter encoding, our decoder and row
builder, exactly as they would reach the server. See ``docs/instrumentor-attributes.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

from spyglass.server.ingest.otlp_decode import decode_json, decode_protobuf
from spyglass.server.ingest.rows import build_row
from spyglass.storage.filters import TraceFilter
from spyglass.storage.sql.store import SqlStore
from tests.fakes.instrumentors import (
    CHAT_RESPONSE_MODEL,
    EMBEDDING_MODEL,
    MESSAGES,
    SCENARIO_STEPS,
    SESSION_ID,
    TOOL_MESSAGES,
    USER_ID,
    Capture,
    run_scenario,
)
from tests.fakes.openai_upstream import DEFAULT_REPLY, DEFAULT_TOOL_ARGUMENTS, FakeOpenAI
from tests.otlp_rows import as_dict, to_otlp_json

ERROR_TEXT = "Error code: 400 - The model `does-not-exist` does not exist."
SYSTEM_USER = [dict(m) for m in MESSAGES]
TOOL_USER = [dict(m) for m in TOOL_MESSAGES]
REPLY = [{"role": "assistant", "content": DEFAULT_REPLY}]
REPLY_STOP = [{"role": "assistant", "content": DEFAULT_REPLY, "finish_reason": "stop"}]
TOKENS = {"input_tokens": 19, "output_tokens": 10, "total_tokens": 29}
OI_CONTEXT = {
    "session_id": SESSION_ID,
    "user_id": USER_ID,
    "tags": ["fake-upstream"],
    "metadata": {"tenant": "acme"},
    "provider": "openai",
    "status": "OK",
}


def _tool_output(finish_reason: str | None) -> list[dict[str, Any]]:
    msg: dict[str, Any] = {
        "role": "assistant",
        "tool_calls": [
            {"id": "call_any", "name": "get_weather", "arguments": DEFAULT_TOOL_ARGUMENTS}
        ],
    }
    if finish_reason:
        msg["finish_reason"] = finish_reason
    return [msg]


# What each (instrumentor, step) must map to. Keys not listed are not checked here.
_OI = {
    "chat": {
        **OI_CONTEXT,
        "kind": "LLM",
        "model": CHAT_RESPONSE_MODEL,
        **TOKENS,
        "cache_read_tokens": 4,
        "reasoning_tokens": 3,
        "input": SYSTEM_USER,
        "output": REPLY,
    },
    "tool_call": {
        **OI_CONTEXT,
        "kind": "LLM",
        "model": CHAT_RESPONSE_MODEL,
        **TOKENS,
        "cache_read_tokens": 4,
        "reasoning_tokens": 3,
        "input": TOOL_USER,
        "output": _tool_output(None),
    },
    "embedding": {
        **OI_CONTEXT,
        "kind": "EMBEDDING",
        "model": EMBEDDING_MODEL,
        "input_tokens": 5,
        "output_tokens": None,
        "total_tokens": 5,
        "cache_read_tokens": None,
        "reasoning_tokens": None,
    },
    "error": {
        **OI_CONTEXT,
        "kind": "LLM",
        "model": "does-not-exist",
        "status": "ERROR",
        "status_message": "BadRequestError: " + ERROR_TEXT,
        "input": SYSTEM_USER,
        "output": None,
        "input_tokens": None,
        "total_tokens": None,
    },
}
_OI["chat_stream"] = _OI["chat"]
_OI["tool_call_stream"] = _OI["tool_call"]

_NO_CONTEXT = {"session_id": None, "tags": [], "metadata": {}, "provider": "openai"}
_OLL = {
    "chat": {
        **_NO_CONTEXT,
        "kind": "LLM",
        "model": CHAT_RESPONSE_MODEL,
        **TOKENS,
        "cache_read_tokens": 4,
        "reasoning_tokens": 3,
        "user_id": USER_ID,
        "status": "UNSET",
        "input": SYSTEM_USER,
        "output": REPLY_STOP,
    },
    # Streamed: no reasoning count, and the request had no `user`.
    "chat_stream": {
        **_NO_CONTEXT,
        "kind": "LLM",
        "model": CHAT_RESPONSE_MODEL,
        **TOKENS,
        "cache_read_tokens": 4,
        "reasoning_tokens": None,
        "user_id": None,
        "status": "OK",
        "input": SYSTEM_USER,
        "output": REPLY_STOP,
    },
    # OpenLLMetry spells the finish reason `tool_call`; we keep what it sent.
    "tool_call": {
        **_NO_CONTEXT,
        "kind": "LLM",
        "model": CHAT_RESPONSE_MODEL,
        **TOKENS,
        "cache_read_tokens": 4,
        "reasoning_tokens": 3,
        "status": "UNSET",
        "input": TOOL_USER,
        "output": _tool_output("tool_call"),
    },
    "tool_call_stream": {
        **_NO_CONTEXT,
        "kind": "LLM",
        "model": CHAT_RESPONSE_MODEL,
        **TOKENS,
        "cache_read_tokens": 4,
        "reasoning_tokens": None,
        "status": "OK",
        "input": TOOL_USER,
        "output": _tool_output("tool_call"),
    },
    "embedding": {
        **_NO_CONTEXT,
        "kind": "EMBEDDING",
        "model": EMBEDDING_MODEL,
        "input_tokens": 5,
        "output_tokens": None,
        "total_tokens": 5,
        "cache_read_tokens": 0,
        "status": "UNSET",
        "input": [
            {"role": "user", "content": "The quick brown fox"},
            {"role": "user", "content": "jumps over"},
        ],
        "output": None,
    },
    "error": {
        **_NO_CONTEXT,
        "kind": "LLM",
        "model": "does-not-exist",
        "status": "ERROR",
        "status_message": ERROR_TEXT,
        "input": SYSTEM_USER,
        "output": None,
        "input_tokens": None,
    },
}

# The official instrumentor reports no cache or reasoning counts and no total (we add it).
_GENAI_BASE = {
    **_NO_CONTEXT,
    "user_id": None,
    "status": "UNSET",
    "cache_read_tokens": None,
    "reasoning_tokens": None,
}
_GENAI = {
    step: {
        **_GENAI_BASE,
        "kind": "LLM",
        "model": CHAT_RESPONSE_MODEL,
        **TOKENS,
        "input": None,
        "output": None,
    }
    for step in ("chat", "chat_stream", "tool_call", "tool_call_stream")
}
_GENAI["embedding"] = {
    **_GENAI_BASE,
    "kind": "EMBEDDING",
    "model": EMBEDDING_MODEL,
    "input_tokens": 5,
    "output_tokens": None,
    "total_tokens": 5,
    "input": None,
    "output": None,
}
_GENAI["error"] = {
    **_GENAI_BASE,
    "kind": "LLM",
    "model": "does-not-exist",
    "status": "ERROR",
    "status_message": ERROR_TEXT,
    "input_tokens": None,
    "input": None,
    "output": None,
}
_GENAI_CONTENT = {
    "chat": {**_GENAI["chat"], "input": SYSTEM_USER, "output": REPLY_STOP},
    "chat_stream": {**_GENAI["chat_stream"], "input": SYSTEM_USER, "output": REPLY_STOP},
    "tool_call": {**_GENAI["tool_call"], "input": TOOL_USER, "output": _tool_output("tool_calls")},
    "tool_call_stream": {
        **_GENAI["tool_call_stream"],
        "input": TOOL_USER,
        "output": _tool_output("tool_calls"),
    },
    "embedding": _GENAI["embedding"],
    "error": {**_GENAI["error"], "input": SYSTEM_USER},
}

EXPECTED: dict[str, dict[str, dict[str, Any]]] = {
    "openinference": _OI,
    "openllmetry": _OLL,
    "otel_genai": _GENAI,
    # util-genai rejects "true": no content, exactly like the default.
    "otel_genai_content_true": _GENAI,
    "otel_genai_content": _GENAI_CONTENT,
}


@pytest.fixture(scope="module")
def captures() -> Iterator[dict[str, Capture]]:
    """Every instrumentor's run of the scenario, captured once for the module."""
    with FakeOpenAI() as fake:
        yield {name: run_scenario(name, fake) for name in EXPECTED}


def _rows(spans: Any) -> list[dict[str, Any]]:
    body = encode_spans(spans).SerializeToString()
    decoded = decode_protobuf(body)
    assert decoded.rejected == 0
    return [as_dict(build_row(1, s)) for s in decoded.spans]


def _normalise(value: Any) -> Any:
    """Parse stored messages; replace tool-call ids (random per run) and parse arguments."""
    if not isinstance(value, str) or not value.startswith("[{"):
        return value
    messages = json.loads(value)
    for msg in messages:
        for call in msg.get("tool_calls", []):
            assert call["id"].startswith("call_")
            call["id"] = "<call id>"
            assert isinstance(call["arguments"], str), "arguments are stored as JSON text"
            call["arguments"] = json.loads(call["arguments"])
    return messages


@pytest.mark.parametrize("step", SCENARIO_STEPS)
@pytest.mark.parametrize("instrumentor", list(EXPECTED))
def test_instrumentor_step_maps(captures: dict[str, Capture], instrumentor: str, step: str) -> None:
    spans = captures[instrumentor].steps[step]
    assert len(spans) == 1, "each call is one span"
    [row] = _rows(spans)
    expected = dict(EXPECTED[instrumentor][step])
    for key in ("input", "output"):
        if isinstance(expected.get(key), list):
            expected[key] = _normalise(json.dumps(expected[key]))
    got = {
        key: _normalise(row[key]) if key in ("input", "output") else row[key] for key in expected
    }
    for key in ("tags", "metadata"):
        if key in got:
            got[key] = json.loads(got[key]) if got[key] else ([] if key == "tags" else {})
    assert got == expected
    assert row["service"] == "spyglass-fake-app"
    assert row["trace_id"] == f"{spans[0].context.trace_id:032x}"
    assert row["duration_ns"] == spans[0].end_time - spans[0].start_time
    assert json.loads(row["notes"] or "[]") == []


def test_embedding_input_of_openinference_is_the_request(captures: dict[str, Capture]) -> None:
    [row] = _rows(captures["openinference"].steps["embedding"])
    assert json.loads(row["input"])["input"] == ["The quick brown fox", "jumps over"]


@pytest.mark.parametrize("instrumentor", list(EXPECTED))
def test_protobuf_and_json_exports_give_the_same_rows(
    captures: dict[str, Capture], instrumentor: str
) -> None:
    req = encode_spans(captures[instrumentor].spans)
    from_pb = [build_row(1, s) for s in decode_protobuf(req.SerializeToString()).spans]
    from_json = [build_row(1, s) for s in decode_json(json.dumps(to_otlp_json(req)).encode()).spans]
    assert from_pb == from_json
    assert len(from_pb) == len(SCENARIO_STEPS)


def test_instrumented_traces_in_the_store(store: SqlStore, captures: dict[str, Capture]) -> None:
    pid = store.create_project("instrumented").id
    all_spans = [s for c in captures.values() for s in c.spans]
    body = encode_spans(all_spans).SerializeToString()
    store.write_spans([build_row(pid, s) for s in decode_protobuf(body).spans])

    traces = store.list_traces(pid, TraceFilter(), 100, None).items
    assert len(traces) == len(EXPECTED) * len(SCENARIO_STEPS)
    assert len(store.list_traces(pid, TraceFilter(status="ERROR"), 100, None).items) == 5
    oi = store.list_traces(pid, TraceFilter(session_id=SESSION_ID), 100, None).items
    assert len(oi) == len(SCENARIO_STEPS)
    assert {t.user_id for t in oi} == {USER_ID}
    embeddings = store.list_traces(pid, TraceFilter(model=EMBEDDING_MODEL), 100, None).items
    assert [t.total_tokens for t in embeddings] == [5] * len(EXPECTED)
    chats = store.list_traces(pid, TraceFilter(model=CHAT_RESPONSE_MODEL), 100, None).items
    assert len(chats) == 4 * len(EXPECTED)
    assert {t.total_tokens for t in chats} == {29}
    failed = store.list_traces(pid, TraceFilter(model="does-not-exist"), 100, None).items
    assert len(failed) == len(EXPECTED)

    tool_trace_id = f"{captures['openinference'].steps['tool_call'][0].context.trace_id:032x}"
    detail = store.get_trace(pid, tool_trace_id)
    assert detail is not None
    span = store.get_span(pid, tool_trace_id, detail.spans[0].span_id)
    assert span is not None
    assert span.output[0]["tool_calls"][0]["name"] == "get_weather"
    assert (span.cache_read_tokens, span.reasoning_tokens) == (4, 3)


@pytest.mark.parametrize("instrumentor", ["openinference", "openllmetry"])
@pytest.mark.parametrize("step", ["chat_stream", "tool_call_stream"])
def test_streamed_calls_get_time_to_first_token(
    captures: dict[str, Capture], instrumentor: str, step: str
) -> None:
    # OpenInference marks the first token with a span event, OpenLLMetry records an event per
    # chunk: either way the first one's offset from the span start is the TTFT.
    [row] = _rows(captures[instrumentor].steps[step])
    assert row["ttft_ns"] is not None
    assert 0 <= row["ttft_ns"] <= row["duration_ns"]


@pytest.mark.parametrize("step", ["chat", "tool_call"])
def test_unstreamed_calls_have_no_time_to_first_token(
    captures: dict[str, Capture], step: str
) -> None:
    for instrumentor in ("openinference", "openllmetry"):
        [row] = _rows(captures[instrumentor].steps[step])
        assert row["ttft_ns"] is None
