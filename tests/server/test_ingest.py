"""POST /v1/traces: both encodings, gzip, answers in the request's encoding, partial success."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceResponse,
)

from spyglass.storage.sql.store import SqlStore
from tests.server.harness import Api, bearer, running_app, span_ids
from tests.server.otlp import (
    JSON,
    PROTOBUF,
    T0,
    SpanSpec,
    chat_trace,
    sid,
    tid,
    to_json,
    to_protobuf,
)

pytestmark = pytest.mark.anyio

ENCODE = {PROTOBUF: to_protobuf, JSON: to_json}


def _parse_answer(media: str, content: bytes) -> ExportTraceServiceResponse:
    if media == PROTOBUF:
        return ExportTraceServiceResponse.FromString(content)
    return json_format.Parse(content, ExportTraceServiceResponse())


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("media", [PROTOBUF, JSON], ids=["protobuf", "json"])
async def test_export_is_stored_and_answered_in_the_same_encoding(
    api: Api, media: str, gzip: bool
) -> None:
    spans = chat_trace(1, model="gpt-4o", input_tokens=120, output_tokens=30)
    resp = await api.ingest(ENCODE[media](spans), media=media, gzip=gzip)

    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].split(";")[0] == media
    answer = _parse_answer(media, resp.content)
    assert not answer.HasField("partial_success")
    if media == JSON:
        assert json.loads(resp.content) == {}
    assert span_ids(api.store) == {(tid(1), sid(1, 1)), (tid(1), sid(1, 2))}

    trace = await api.get_json(f"/api/traces/{tid(1)}")
    assert trace["trace"]["name"] == "rag-chat"
    assert trace["trace"]["span_count"] == 2
    assert trace["trace"]["models"] == ["gpt-4o"]
    assert (trace["trace"]["input_tokens"], trace["trace"]["output_tokens"]) == (120, 30)
    assert [(s["span_id"], s["depth"], s["kind"]) for s in trace["spans"]] == [
        (sid(1, 1), 0, "CHAIN"),
        (sid(1, 2), 1, "LLM"),
    ]


async def test_protobuf_and_json_store_the_same_span(api: Api) -> None:
    pb = chat_trace(1, tags=["a", "b"], metadata={"plan": "pro"})
    js = chat_trace(2, tags=["a", "b"], metadata={"plan": "pro"})
    await api.ingest_ok(to_protobuf(pb))
    await api.ingest_ok(to_json(js), media=JSON)

    for n in (1, 2):
        span = await api.get_json(f"/api/traces/{tid(n)}/spans/{sid(n, 2)}")
        assert span["model"] == "gpt-4o-mini"
        assert (span["input_tokens"], span["output_tokens"], span["total_tokens"]) == (100, 20, 120)
        assert span["input"] == [{"role": "user", "content": "What is the refund policy?"}]
        assert span["output"] == [{"role": "assistant", "content": "Refunds take five days."}]
        assert span["attributes"]["llm.token_count.prompt"] == 100
        assert span["resource"] == {"service.name": "test-app"}
        assert span["otel_kind"] == 3
    a = await api.get_json(f"/api/traces/{tid(1)}")
    b = await api.get_json(f"/api/traces/{tid(2)}")
    for field in ("name", "tags", "metadata", "user_id", "session_id", "total_tokens", "status"):
        assert a["trace"][field] == b["trace"][field], field
    assert a["trace"]["tags"] == ["a", "b"]
    assert a["trace"]["metadata"] == {"plan": "pro"}


async def test_json_accepts_enum_names_numbers_and_charset(api: Api) -> None:
    doc = json.loads(to_json(chat_trace(1, error=True)))
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    span["kind"] = "SPAN_KIND_SERVER"
    span["status"]["code"] = "STATUS_CODE_ERROR"
    span["startTimeUnixNano"] = int(span["startTimeUnixNano"])  # a number, not a string
    resp = await api.ingest(json.dumps(doc).encode(), media="application/json; charset=utf-8")
    assert resp.status_code == 200, resp.text

    root = await api.get_json(f"/api/traces/{tid(1)}/spans/{sid(1, 1)}")
    assert root["otel_kind"] == 2
    assert root["status"] == "ERROR"
    assert root["status_message"] == "upstream timed out"
    assert root["start_ns"] == T0


def _with_zero_ids() -> list[SpanSpec]:
    good = chat_trace(1)[0]
    zero_trace = SpanSpec("0" * 32, sid(2, 1), "zero-trace", T0, T0 + 1)
    zero_span = SpanSpec(tid(3), "0" * 16, "zero-span", T0, T0 + 1)
    return [good, zero_trace, zero_span]


@pytest.mark.parametrize("media", [PROTOBUF, JSON], ids=["protobuf", "json"])
async def test_all_zero_ids_are_rejected_alone_with_partial_success(api: Api, media: str) -> None:
    resp = await api.ingest(ENCODE[media](_with_zero_ids()), media=media)

    assert resp.status_code == 200, resp.text
    answer = _parse_answer(media, resp.content)
    assert answer.partial_success.rejected_spans == 2
    assert "all-zero" in answer.partial_success.error_message
    assert span_ids(api.store) == {(tid(1), sid(1, 1))}
    if media == JSON:
        # The OTLP JSON mapping's field names, not protobuf's.
        assert set(json.loads(resp.content)["partialSuccess"]) == {"rejectedSpans", "errorMessage"}


async def test_retried_export_stores_nothing_twice(api: Api) -> None:
    body = to_protobuf(chat_trace(1))
    await api.ingest_ok(body)
    await api.ingest_ok(body)

    trace = await api.get_json(f"/api/traces/{tid(1)}")
    assert trace["trace"]["span_count"] == 2
    assert len(span_ids(api.store)) == 2


async def test_empty_request_is_accepted(api: Api) -> None:
    resp = await api.ingest(b"")
    assert resp.status_code == 200
    assert ExportTraceServiceResponse.FromString(resp.content) == ExportTraceServiceResponse()
    resp = await api.ingest(b"{}", media=JSON)
    assert resp.status_code == 200
    assert resp.json() == {}


async def test_decode_processes_store_the_same_rows(sqlite_store: SqlStore, tmp_path: Path) -> None:
    # With ingest_processes the decoding runs in a spawned process; what is stored, and the
    # errors a bad body gets, must not change.
    key = sqlite_store.create_key("alpha").secret
    async with running_app(sqlite_store, tmp_path, ingest_processes=1) as client:
        api = Api(client, sqlite_store, key, key)
        await api.ingest_ok(to_protobuf(chat_trace(1, tags=["a"])))
        span = await api.get_json(f"/api/traces/{tid(1)}/spans/{sid(1, 2)}")
        assert (span["model"], span["total_tokens"]) == ("gpt-4o-mini", 120)
        bad = await client.post(
            "/v1/traces", content=b"\x0a\xff", headers={**bearer(key), "Content-Type": PROTOBUF}
        )
        assert bad.status_code == 400
        assert "protobuf" in bad.json()["error"]["message"]
