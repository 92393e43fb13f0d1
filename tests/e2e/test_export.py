"""Real exporters into a real server: the OpenTelemetry OTLP/HTTP exporter carrying what the
real instrumentors emit for the real openai SDK, and a hand-built OTLP JSON body."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export import SpanExportResult

from tests.e2e.harness import ServerProcess, client, make_key
from tests.fakes.instrumentors import CHAT_MODEL, CHAT_RESPONSE_MODEL, run_scenario
from tests.fakes.openai_upstream import DEFAULT_REPLY, FakeOpenAI
from tests.server.otlp import JSON, chat_trace, sid, tid, to_json

pytestmark = pytest.mark.e2e

# The official GenAI instrumentor does not report cached tokens (docs/instrumentor-attributes.md).
CACHE_READ = {"openinference": 4, "openllmetry": 4, "otel_genai_content": None}
RESOURCE = {
    "service.name": "e2e-app",
    "service.version": "2.0",
    "deployment.environment.name": "e2e",
}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as upstream:
        yield upstream


def _hex(n: int, width: int) -> str:
    return format(n, f"0{width}x")


@pytest.mark.parametrize(
    "compression", [Compression.NoCompression, Compression.Gzip], ids=["plain", "gzip"]
)
@pytest.mark.parametrize("instrumentor", list(CACHE_READ))
def test_instrumented_openai_calls_arrive_through_the_otlp_exporter(
    shared_server: ServerProcess, fake: FakeOpenAI, instrumentor: str, compression: Compression
) -> None:
    key = make_key(shared_server.db_url, f"{instrumentor}-{compression.value}")
    capture = run_scenario(instrumentor, fake, resource_attrs=RESOURCE)
    exporter = OTLPSpanExporter(
        endpoint=f"{shared_server.url}/v1/traces",
        headers={"Authorization": f"Bearer {key}"},
        compression=compression,
        timeout=10,
    )
    try:
        assert exporter.export(capture.spans) is SpanExportResult.SUCCESS
    finally:
        exporter.shutdown()

    with client(shared_server, key) as api:
        # Nothing lost: every exported span is stored, in its trace.
        expected: dict[str, int] = {}
        for span in capture.spans:
            t = _hex(span.context.trace_id, 32)
            expected[t] = expected.get(t, 0) + 1
        listed = api.get("/api/traces", params={"limit": 500}).json()["items"]
        assert {t["trace_id"]: t["span_count"] for t in listed} == expected

        (chat,) = capture.steps["chat"]
        trace_id, span_id = _hex(chat.context.trace_id, 32), _hex(chat.context.span_id, 16)
        detail = api.get(f"/api/traces/{trace_id}").json()
        assert detail["trace"]["models"] == [CHAT_RESPONSE_MODEL]
        assert (
            detail["trace"]["input_tokens"],
            detail["trace"]["output_tokens"],
            detail["trace"]["total_tokens"],
        ) == (19, 10, 29)
        assert (
            detail["trace"]["service"],
            detail["trace"]["release"],
            detail["trace"]["environment"],
        ) == ("e2e-app", "2.0", "e2e")

        span = api.get(f"/api/traces/{trace_id}/spans/{span_id}").json()
        assert span["kind"] == "LLM"
        assert span["model"] == CHAT_RESPONSE_MODEL
        assert span["provider"] == "openai"
        assert (span["input_tokens"], span["output_tokens"], span["total_tokens"]) == (19, 10, 29)
        assert span["cache_read_tokens"] == CACHE_READ[instrumentor]
        assert _messages(span["input"]) == [
            ("system", "You are a terse assistant."),
            ("user", "Say hello."),
        ]
        assert _messages(span["output"]) == [("assistant", DEFAULT_REPLY)]
        assert CHAT_MODEL != CHAT_RESPONSE_MODEL  # the model shown is the answering one


def _messages(value: Any) -> list[tuple[str, str]]:
    assert isinstance(value, list), value
    return [(m["role"], m["content"]) for m in value]


def test_hand_built_otlp_json_over_http(shared_server: ServerProcess) -> None:
    key = make_key(shared_server.db_url, "json")
    body = to_json(chat_trace(1, model="gpt-4o", input_tokens=11, output_tokens=4), RESOURCE)
    with client(shared_server, key) as api:
        resp = api.post(
            "/v1/traces",
            content=gzip.compress(body),
            headers={"Content-Type": JSON, "Content-Encoding": "gzip"},
        )
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"] == JSON
        assert json.loads(resp.content) == {}

        detail = api.get(f"/api/traces/{tid(1)}").json()
        assert (
            detail["trace"]["name"],
            detail["trace"]["span_count"],
            detail["trace"]["total_tokens"],
        ) == ("rag-chat", 2, 15)
        span = api.get(f"/api/traces/{tid(1)}/spans/{sid(1, 2)}").json()
        assert span["model"] == "gpt-4o"
        assert span["input"] == [{"role": "user", "content": "What is the refund policy?"}]

        bad = api.post("/v1/traces", content=b"{oops", headers={"Content-Type": JSON})
        assert bad.status_code == 400
        assert "not valid JSON" in bad.json()["error"]["message"]
        assert api.get("/healthz").status_code == 200
