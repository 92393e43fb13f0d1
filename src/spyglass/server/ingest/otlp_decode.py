"""Decode OTLP/HTTP trace requests (protobuf or the OTLP JSON mapping) into span records.

Both encodings end in the same ``DecodedSpan`` records, so mapping and storage do not care how
a span arrived. The JSON mapping differs from protobuf's canonical JSON: ids are hex strings,
enums are integers, and 64-bit integers (``intValue``, timestamps) may be strings.

A request that is not well-formed (undecodable bytes, wrong id length, non-hex ids, wrong
types) raises ``BadRequest`` and nothing from it is stored. A span that is well-formed but
invalid by the OTel spec (an all-zero trace or span id) is rejected alone and counted in the
partial-success answer.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import orjson
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from spyglass.exceptions import BadRequest

_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16
_STATUS = {0: "UNSET", 1: "OK", 2: "ERROR"}
_SPAN_KIND_NAMES = {
    "SPAN_KIND_UNSPECIFIED": 0,
    "SPAN_KIND_INTERNAL": 1,
    "SPAN_KIND_SERVER": 2,
    "SPAN_KIND_CLIENT": 3,
    "SPAN_KIND_PRODUCER": 4,
    "SPAN_KIND_CONSUMER": 5,
}
_STATUS_NAMES = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}
# Integers are stored in signed 64-bit columns (times in ns reach this in the year 2262), and
# span kinds in a 32-bit one: larger values are refused here, not by the database (a 5xx).
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_INT32_MAX = 2**31 - 1

Event = tuple[str, int, dict[str, Any]]


@dataclass(slots=True)
class DecodedSpan:
    """One span as it arrived, with ids as lowercase hex."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    otel_kind: int
    start_ns: int
    end_ns: int
    status: str
    status_message: str | None
    attributes: dict[str, Any]
    events: list[Event]
    links: list[dict[str, Any]]
    resource: dict[str, Any]
    scope: str | None


@dataclass(slots=True)
class DecodedRequest:
    spans: list[DecodedSpan]
    rejected: int
    reasons: list[str]


# ---------------------------------------------------------------------------- protobuf


def decode_protobuf(body: bytes) -> DecodedRequest:
    """Decode an ``ExportTraceServiceRequest`` in protobuf encoding."""
    try:
        req = ExportTraceServiceRequest.FromString(body)
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise BadRequest(
            f"body is not a valid OTLP protobuf ExportTraceServiceRequest: {exc}"
        ) from exc
    out: list[DecodedSpan] = []
    reasons: list[str] = []
    rejected = 0
    # The hot path of protobuf ingest: every attribute read of a upb message builds a Python
    # object, so each field is read once into a local.
    for rs in req.resource_spans:
        resource = _pb_attrs(rs.resource.attributes)
        for ss in rs.scope_spans:
            scope = ss.scope.name or None
            for sp in ss.spans:
                raw_trace, raw_span, raw_parent = sp.trace_id, sp.span_id, sp.parent_span_id
                if len(raw_trace) != 16:
                    raise BadRequest(f"trace_id must be 16 bytes, got {len(raw_trace)}")
                if len(raw_span) != 8:
                    raise BadRequest(f"span_id must be 8 bytes, got {len(raw_span)}")
                trace_id, span_id = raw_trace.hex(), raw_span.hex()
                parent = _pb_id(raw_parent, 8, "parent_span_id") if raw_parent else None
                if trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
                    rejected += 1
                    _add_reason(reasons, "all-zero trace_id or span_id is invalid")
                    continue
                start, end = sp.start_time_unix_nano, sp.end_time_unix_nano
                if start > _INT64_MAX:
                    raise BadRequest(f"start_time_unix_nano is out of range (max {_INT64_MAX})")
                if end > _INT64_MAX:
                    raise BadRequest(f"end_time_unix_nano is out of range (max {_INT64_MAX})")
                raw_events, raw_links, status = sp.events, sp.links, sp.status
                out.append(
                    DecodedSpan(
                        trace_id,
                        span_id,
                        parent if parent != _ZERO_SPAN else None,
                        sp.name,
                        sp.kind,
                        start,
                        end,
                        _STATUS.get(status.code, "UNSET"),
                        status.message or None,
                        _pb_attrs(sp.attributes),
                        [
                            (ev.name, ev.time_unix_nano, _pb_attrs(ev.attributes))
                            for ev in raw_events
                        ]
                        if raw_events
                        else [],
                        [
                            {
                                "trace_id": ln.trace_id.hex(),
                                "span_id": ln.span_id.hex(),
                                "attributes": _pb_attrs(ln.attributes),
                            }
                            for ln in raw_links
                        ]
                        if raw_links
                        else [],
                        resource,
                        scope,
                    )
                )
    return DecodedRequest(out, rejected, reasons)


def _pb_id(raw: bytes, size: int, field: str) -> str:
    if len(raw) != size:
        raise BadRequest(f"{field} must be {size} bytes, got {len(raw)}")
    return raw.hex()


def _pb_attrs(kvs: Any) -> dict[str, Any]:
    out = {}
    for kv in kvs:
        v = kv.value
        # Strings are most attributes: a non-empty string_value can only be the value set (the
        # field is one of a oneof), so those need no WhichOneof call. An empty one may be an
        # empty string or another type's default: _pb_value asks.
        s = v.string_value
        out[kv.key] = s if s else _pb_value(v)
    return out


def _pb_value(v: Any, which: str | None = None) -> Any:
    if which is None:
        which = v.WhichOneof("value")
    if which == "string_value":
        return v.string_value
    if which == "int_value":
        return v.int_value
    if which == "double_value":
        return v.double_value
    if which == "bool_value":
        return v.bool_value
    if which == "array_value":
        return [_pb_value(x) for x in v.array_value.values]
    if which == "kvlist_value":
        return {kv.key: _pb_value(kv.value) for kv in v.kvlist_value.values}
    if which == "bytes_value":
        return base64.b64encode(v.bytes_value).decode("ascii")
    return None


# ---------------------------------------------------------------------------- JSON


def decode_json(body: bytes) -> DecodedRequest:
    """Decode an ``ExportTraceServiceRequest`` in the OTLP JSON mapping."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"body is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise BadRequest("body must be a JSON object with a resourceSpans list")
    out: list[DecodedSpan] = []
    reasons: list[str] = []
    rejected = 0
    for i, rs_raw in enumerate(_list(doc, "resourceSpans", "request")):
        where = f"resourceSpans[{i}]"
        rs = _obj(rs_raw, where)  # null items read as empty objects, like null fields
        resource = _json_attrs(_obj(rs.get("resource"), f"{where}.resource"), where)
        for j, ss_raw in enumerate(_list(rs, "scopeSpans", where)):
            swhere = f"{where}.scopeSpans[{j}]"
            ss = _obj(ss_raw, swhere)
            scope_obj = _obj(ss.get("scope"), f"{swhere}.scope")
            scope = str(scope_obj["name"]) if scope_obj.get("name") else None
            for k, raw_span in enumerate(_list(ss, "spans", swhere)):
                w = f"{swhere}.spans[{k}]"
                sp = _obj(raw_span, w)
                trace_id = _hex_id(sp.get("traceId"), 32, f"{w}.traceId")
                span_id = _hex_id(sp.get("spanId"), 16, f"{w}.spanId")
                parent_raw = sp.get("parentSpanId")
                parent = _hex_id(parent_raw, 16, f"{w}.parentSpanId") if parent_raw else None
                if trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
                    rejected += 1
                    _add_reason(reasons, "all-zero trace_id or span_id is invalid")
                    continue
                status = _obj(sp.get("status"), f"{w}.status")
                code = status.get("code", 0)
                if isinstance(code, str):
                    code = _STATUS_NAMES.get(code, code)
                kind = sp.get("kind", 0)
                if isinstance(kind, str):
                    kind = _SPAN_KIND_NAMES.get(kind, kind)
                events = [
                    (
                        str(ev.get("name", "")),
                        _uint(ev.get("timeUnixNano", 0), f"{w}.events.timeUnixNano"),
                        _json_attrs(ev, f"{w}.events"),
                    )
                    for ev in (_obj(e, f"{w}.events") for e in _list(sp, "events", w))
                ]
                links = [
                    {
                        "trace_id": str(ln.get("traceId", "")),
                        "span_id": str(ln.get("spanId", "")),
                        "attributes": _json_attrs(ln, f"{w}.links"),
                    }
                    for ln in (_obj(x, f"{w}.links") for x in _list(sp, "links", w))
                ]
                out.append(
                    DecodedSpan(
                        trace_id,
                        span_id,
                        parent if parent != _ZERO_SPAN else None,
                        str(sp.get("name", "")),
                        _kind(kind, f"{w}.kind"),
                        _uint(sp.get("startTimeUnixNano", 0), f"{w}.startTimeUnixNano"),
                        _uint(sp.get("endTimeUnixNano", 0), f"{w}.endTimeUnixNano"),
                        _STATUS.get(_int(code, f"{w}.status.code"), "UNSET"),
                        str(status["message"]) if status.get("message") else None,
                        _json_attrs(sp, w),
                        events,
                        links,
                        resource,
                        scope,
                    )
                )
    return DecodedRequest(out, rejected, reasons)


def _obj(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be a JSON object")
    return value


def _list(parent: dict[str, Any], key: str, where: str) -> list[Any]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"{where}.{key} must be a JSON array")
    return value


def _hex_id(value: Any, size: int, where: str) -> str:
    if not isinstance(value, str) or len(value) != size:
        raise BadRequest(f"{where} must be a {size}-character hex string")
    try:
        binascii.unhexlify(value)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest(f"{where} must be a {size}-character hex string") from exc
    return value.lower()


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadRequest(f"{where} must be an integer")
    try:
        number = int(value)
    except ValueError as exc:
        raise BadRequest(f"{where} must be an integer") from exc
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise BadRequest(f"{where} is out of the 64-bit integer range")
    return number


def _kind(value: Any, where: str) -> int:
    number = _int(value, where)
    if not 0 <= number <= _INT32_MAX:
        raise BadRequest(f"{where} is out of range for a span kind (0-5)")
    return number


def _uint(value: Any, where: str) -> int:
    number = _int(value, where)
    if number < 0:
        raise BadRequest(f"{where} must not be negative")
    return number


def _json_attrs(parent: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kv in _list(parent, "attributes", where):
        if not isinstance(kv, dict) or not isinstance(kv.get("key"), str):
            raise BadRequest(f"{where}.attributes: each item needs a string 'key'")
        out[kv["key"]] = _json_value(kv.get("value"), f"{where}.attributes[{kv['key']}]")
    return out


def _json_value(v: Any, where: str) -> Any:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise BadRequest(f"{where}: an AnyValue must be a JSON object")
    if "stringValue" in v:
        return str(v["stringValue"])
    if "intValue" in v:
        return _int(v["intValue"], where)
    if "doubleValue" in v:
        raw = v["doubleValue"]
        try:
            return float(raw)
        except (TypeError, ValueError) as exc:
            raise BadRequest(f"{where}: doubleValue must be a number") from exc
    if "boolValue" in v:
        if not isinstance(v["boolValue"], bool):  # bool("false") would be True
            raise BadRequest(f"{where}: boolValue must be true or false")
        return v["boolValue"]
    if "arrayValue" in v:
        arr = _obj(v["arrayValue"], where)
        return [_json_value(x, where) for x in _list(arr, "values", where)]
    if "kvlistValue" in v:
        kvl = _obj(v["kvlistValue"], where)
        return _json_attrs({"attributes": _list(kvl, "values", where)}, where)
    if "bytesValue" in v:
        return str(v["bytesValue"])
    return None


def _add_reason(reasons: list[str], reason: str) -> None:
    if reason not in reasons:
        reasons.append(reason)
