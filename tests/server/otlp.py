"""Build OTLP/HTTP trace requests by hand, in protobuf and in the OTLP JSON mapping.

A ``SpanSpec`` describes one span once; ``to_protobuf`` and ``to_json`` encode the same spans
either way, so a test can send identical data through both paths. Ids are hex strings; an id
of the wrong length or with non-hex characters is passed through as given, so tests can send
invalid ids on purpose.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

# 2025-06-15T15:06:40Z: a fixed clock for spans, so filters and buckets have exact answers.
T0 = 1_750_000_000_000_000_000
MS = 1_000_000

PROTOBUF = "application/x-protobuf"
JSON = "application/json"


@dataclass
class SpanSpec:
    trace_id: str
    span_id: str
    name: str
    start_ns: int
    end_ns: int
    parent_span_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    status_code: int = 0  # 0 unset, 1 ok, 2 error
    status_message: str = ""
    kind: int = 1  # INTERNAL


def tid(n: int) -> str:
    """A valid trace id, distinct per ``n`` (never all zero for n >= 1)."""
    return f"{n:032x}"


def sid(trace_n: int, n: int) -> str:
    """A valid span id, distinct per (trace, n)."""
    return f"{trace_n:08x}{n:08x}"


def _pb_value(value: Any) -> AnyValue:
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, list):
        out = AnyValue()
        out.array_value.values.extend(_pb_value(v) for v in value)
        return out
    return AnyValue(string_value=str(value))


def _pb_attrs(attrs: dict[str, Any]) -> list[KeyValue]:
    return [KeyValue(key=k, value=_pb_value(v)) for k, v in attrs.items()]


def to_protobuf(spans: list[SpanSpec], resource: dict[str, Any] | None = None) -> bytes:
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    rs.resource.attributes.extend(_pb_attrs(resource or {"service.name": "test-app"}))
    ss = rs.scope_spans.add()
    ss.scope.name = "tests.server"
    for s in spans:
        sp = ss.spans.add()
        sp.trace_id = bytes.fromhex(s.trace_id)
        sp.span_id = bytes.fromhex(s.span_id)
        if s.parent_span_id:
            sp.parent_span_id = bytes.fromhex(s.parent_span_id)
        sp.name = s.name
        sp.kind = s.kind  # type: ignore[assignment]
        sp.start_time_unix_nano = s.start_ns
        sp.end_time_unix_nano = s.end_ns
        sp.attributes.extend(_pb_attrs(s.attributes))
        sp.status.code = s.status_code  # type: ignore[assignment]
        sp.status.message = s.status_message
    return req.SerializeToString()


def _json_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}  # int64 is a decimal string in the OTLP JSON mapping
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [_json_value(v) for v in value]}}
    return {"stringValue": str(value)}


def _json_attrs(attrs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": _json_value(v)} for k, v in attrs.items()]


def to_json_doc(spans: list[SpanSpec], resource: dict[str, Any] | None = None) -> dict[str, Any]:
    out_spans = []
    for s in spans:
        sp: dict[str, Any] = {
            "traceId": s.trace_id,
            "spanId": s.span_id,
            "name": s.name,
            "kind": s.kind,
            "startTimeUnixNano": str(s.start_ns),
            "endTimeUnixNano": str(s.end_ns),
            "attributes": _json_attrs(s.attributes),
            "status": {"code": s.status_code, "message": s.status_message},
        }
        if s.parent_span_id:
            sp["parentSpanId"] = s.parent_span_id
        out_spans.append(sp)
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _json_attrs(resource or {"service.name": "test-app"})},
                "scopeSpans": [{"scope": {"name": "tests.server"}, "spans": out_spans}],
            }
        ]
    }


def to_json(spans: list[SpanSpec], resource: dict[str, Any] | None = None) -> bytes:
    return json.dumps(to_json_doc(spans, resource)).encode()


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body)


def chat_trace(
    n: int,
    *,
    start_ns: int = T0,
    duration_ms: int = 1000,
    name: str = "rag-chat",
    model: str = "gpt-4o-mini",
    user: str | None = "user-1",
    session: str | None = "sess-1",
    tags: list[str] | None = None,
    metadata: dict[str, str] | None = None,
    question: str = "What is the refund policy?",
    answer: str = "Refunds take five days.",
    input_tokens: int = 100,
    output_tokens: int = 20,
    error: bool = False,
) -> list[SpanSpec]:
    """An OpenInference RAG turn: a CHAIN root and one LLM child, trace id ``tid(n)``."""
    root_attrs: dict[str, Any] = {
        "openinference.span.kind": "CHAIN",
        "input.value": question,
        "output.value": answer,
    }
    if user is not None:
        root_attrs["user.id"] = user
    if session is not None:
        root_attrs["session.id"] = session
    if tags:
        root_attrs["tag.tags"] = tags
    if metadata:
        root_attrs["metadata"] = json.dumps(metadata)
    end = start_ns + duration_ms * MS
    root = SpanSpec(
        tid(n),
        sid(n, 1),
        name,
        start_ns,
        end,
        attributes=root_attrs,
        status_code=2 if error else 1,
        status_message="upstream timed out" if error else "",
    )
    llm = SpanSpec(
        tid(n),
        sid(n, 2),
        "ChatCompletion",
        start_ns + MS,
        end - MS,
        parent_span_id=sid(n, 1),
        attributes={
            "openinference.span.kind": "LLM",
            "llm.model_name": model,
            "llm.system": "openai",
            "llm.input_messages.0.message.role": "user",
            "llm.input_messages.0.message.content": question,
            "llm.output_messages.0.message.role": "assistant",
            "llm.output_messages.0.message.content": answer,
            "llm.token_count.prompt": input_tokens,
            "llm.token_count.completion": output_tokens,
            "llm.token_count.total": input_tokens + output_tokens,
        },
        kind=3,
    )
    return [root, llm]
