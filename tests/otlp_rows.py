"""Build storage rows the way ingest does: OTLP protobuf → ``decode_protobuf`` → ``build_row``.

Store tests use these so the rows they write are exactly what the server would write, never
hand-made tuples. ``span`` + ``request`` build small controlled traces; ``sample_rows`` gives
the realistic demo traces (OpenInference, OTel GenAI and OpenLLMetry shapes).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from spyglass._demo.sample import requests as sample_requests
from spyglass.server.ingest.otlp_decode import decode_protobuf
from spyglass.server.ingest.rows import SpanRow, build_row
from spyglass.storage.sql.schema import SPAN_COLUMNS

MS = 1_000_000
# A fixed "now" so every test sees the same times (2025-01-01T00:00:00Z).
T0 = 1_735_689_600 * 1_000_000_000


def tid(n: int) -> str:
    """A valid (non-zero) 32-hex-digit trace id."""
    return f"{n:032x}"


def sid(n: int) -> str:
    """A valid (non-zero) 16-hex-digit span id."""
    return f"{n:016x}"


def any_value(value: Any) -> AnyValue:
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, bytes):
        return AnyValue(bytes_value=value)
    if isinstance(value, (list, tuple)):
        out = AnyValue()
        out.array_value.values.extend(any_value(v) for v in value)
        return out
    if isinstance(value, Mapping):
        out = AnyValue()
        out.kvlist_value.values.extend(kv(k, v) for k, v in value.items())
        return out
    return AnyValue(string_value=str(value))


def kv(key: str, value: Any) -> KeyValue:
    return KeyValue(key=key, value=any_value(value))


def span(
    trace: int,
    span_id: int,
    name: str,
    start_ms: float,
    dur_ms: float,
    attrs: Mapping[str, Any] | None = None,
    *,
    parent: int | None = None,
    error: str | None = None,
    kind: int = 1,
    events: Iterable[tuple[str, int, Mapping[str, Any]]] = (),
) -> Span:
    """One protobuf span; times in ms after ``T0``."""
    start = T0 + int(start_ms * MS)
    sp = Span(
        trace_id=bytes.fromhex(tid(trace)),
        span_id=bytes.fromhex(sid(span_id)),
        name=name,
        kind=kind,
        start_time_unix_nano=start,
        end_time_unix_nano=start + int(dur_ms * MS),
    )
    if parent is not None:
        sp.parent_span_id = bytes.fromhex(sid(parent))
    sp.attributes.extend(kv(k, v) for k, v in (attrs or {}).items())
    if error is not None:
        sp.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR, message=error))
    for ev_name, ev_time, ev_attrs in events:
        ev = sp.events.add(name=ev_name, time_unix_nano=ev_time)
        ev.attributes.extend(kv(k, v) for k, v in ev_attrs.items())
    return sp


def request(spans: Iterable[Span], resource: Mapping[str, Any] | None = None) -> bytes:
    """A serialized ``ExportTraceServiceRequest`` holding ``spans`` under one resource."""
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    rs.resource.attributes.extend(
        kv(k, v) for k, v in (resource or {"service.name": "test-app"}).items()
    )
    ss = rs.scope_spans.add()
    ss.scope.name = "tests"
    ss.spans.extend(spans)
    return req.SerializeToString()


def rows(
    project_id: int, spans: Iterable[Span], resource: Mapping[str, Any] | None = None
) -> list[SpanRow]:
    """Storage rows of ``spans``, through the real decoder and row builder."""
    decoded = decode_protobuf(request(spans, resource))
    assert decoded.rejected == 0
    return [build_row(project_id, s) for s in decoded.spans]


def sample_rows(
    project_id: int, n_traces: int, *, seed: int = 7, spread_s: float = 3_600.0
) -> list[SpanRow]:
    """Rows of ``n_traces`` realistic demo traces ending at ``T0``."""
    out: list[SpanRow] = []
    for body, _n in sample_requests(n_traces, seed=seed, end_ns=T0, spread_s=spread_s):
        out.extend(build_row(project_id, s) for s in decode_protobuf(body).spans)
    return out


def as_dict(row: SpanRow) -> dict[str, Any]:
    """A row by column name."""
    return dict(zip(SPAN_COLUMNS, row, strict=True))


_ID_KEYS = frozenset({"traceId", "spanId", "parentSpanId"})


def _hexify(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (base64.b64decode(v).hex() if k in _ID_KEYS else _hexify(v)) for k, v in node.items()
        }
    if isinstance(node, list):
        return [_hexify(v) for v in node]
    return node


def to_otlp_json(req: ExportTraceServiceRequest) -> dict[str, Any]:
    """The OTLP JSON mapping of ``req``: protobuf's canonical JSON with hex ids, int enums and
    64-bit integers as strings."""
    return _hexify(MessageToDict(req, use_integers_for_enums=True))  # type: ignore[no-any-return]
