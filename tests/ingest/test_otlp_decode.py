"""OTLP decoding: protobuf and the OTLP JSON mapping give the same spans; bad input is a 400."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from spyglass.exceptions import BadRequest
from spyglass.server.ingest.body import decode_content
from spyglass.server.ingest.otlp_decode import decode_json, decode_protobuf
from tests.otlp_rows import T0, kv, sid, span, tid, to_otlp_json


def _request() -> ExportTraceServiceRequest:
    """Two resources, every AnyValue type, events, links, statuses and kinds."""
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    rs.resource.attributes.extend(
        [
            kv("service.name", "svc"),
            kv("service.version", "1.2"),
            kv("deployment.environment", "prod"),
        ]
    )
    ss = rs.scope_spans.add()
    ss.scope.name = "my.scope"
    root = span(
        1,
        1,
        "root",
        0,
        100,
        {
            "s": "text ü",
            "i": -(2**62),
            "big": 2**63 - 1,
            "d": 1.5,
            "b": True,
            "f": False,
            "arr": ["a", 1, 2.5, True],
            "kv": {"x": 1, "nested": {"y": ["z"]}},
            "raw": b"\x00\xffbytes",
            "empty": "",
        },
        kind=2,
        events=[("exception", T0 + 5, {"exception.message": "bad", "n": 3})],
    )
    link = root.links.add(trace_id=bytes.fromhex(tid(9)), span_id=bytes.fromhex(sid(9)))
    link.attributes.append(kv("link.kind", "follows"))
    child = span(
        1, 2, "child", 10, 20, {"gen_ai.usage.input_tokens": 5}, parent=1, kind=3, error="it failed"
    )
    ok = span(1, 3, "ok", 30, 1, parent=1)
    ok.status.code = 1
    ss.spans.extend([root, child, ok])
    ss2 = rs.scope_spans.add()  # a scope without a name
    ss2.spans.append(span(2, 4, "other-trace", 0, 1))
    rs2 = req.resource_spans.add()
    rs2.scope_spans.add().spans.append(span(3, 5, "no-resource", 0, 1))
    return req


def _json_body(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def test_protobuf_and_json_decode_identically() -> None:
    req = _request()
    doc = to_otlp_json(req)
    # The mapping's quirks really are exercised: hex ids, int enums, int64 as strings.
    first = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert first["traceId"] == tid(1)
    assert first["kind"] == 2
    assert first["startTimeUnixNano"] == str(T0)
    assert {"key": "i", "value": {"intValue": str(-(2**62))}} in first["attributes"]

    from_pb = decode_protobuf(req.SerializeToString())
    from_json = decode_json(_json_body(doc))
    assert from_pb == from_json
    assert (from_pb.rejected, from_pb.reasons) == (0, [])
    assert [s.name for s in from_pb.spans] == ["root", "child", "ok", "other-trace", "no-resource"]


def test_decoded_values() -> None:
    spans = decode_protobuf(_request().SerializeToString()).spans
    root, child, ok, other, bare = spans
    assert (root.trace_id, root.span_id, root.parent_span_id) == (tid(1), sid(1), None)
    assert (child.parent_span_id, child.otel_kind, root.otel_kind) == (sid(1), 3, 2)
    assert (root.start_ns, root.end_ns) == (T0, T0 + 100_000_000)
    assert (root.status, child.status, ok.status) == ("UNSET", "ERROR", "OK")
    assert (child.status_message, root.status_message) == ("it failed", None)
    assert root.attributes == {
        "s": "text ü",
        "i": -(2**62),
        "big": 2**63 - 1,
        "d": 1.5,
        "b": True,
        "f": False,
        "arr": ["a", 1, 2.5, True],
        "kv": {"x": 1, "nested": {"y": ["z"]}},
        "raw": base64.b64encode(b"\x00\xffbytes").decode(),
        "empty": "",
    }
    assert root.events == [("exception", T0 + 5, {"exception.message": "bad", "n": 3})]
    assert root.links == [
        {"trace_id": tid(9), "span_id": sid(9), "attributes": {"link.kind": "follows"}}
    ]
    assert root.resource == {
        "service.name": "svc",
        "service.version": "1.2",
        "deployment.environment": "prod",
    }
    assert (root.scope, other.scope, bare.scope, bare.resource) == ("my.scope", None, None, {})


def test_json_accepts_enum_names_numbers_and_uppercase_hex() -> None:
    doc = {
        "resourceSpans": [
            {
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": tid(0xABC).upper(),
                                "spanId": sid(0xDEF).upper(),
                                "name": "n",
                                "kind": "SPAN_KIND_CLIENT",
                                "startTimeUnixNano": T0,
                                "endTimeUnixNano": str(T0 + 1),
                                "status": {"code": "STATUS_CODE_ERROR", "message": "m"},
                                "attributes": [
                                    {"key": "i", "value": {"intValue": 7}},
                                    {"key": "d", "value": {"doubleValue": "2.5"}},
                                    {"key": "n", "value": None},
                                    {"key": "e", "value": {}},
                                ],
                            }
                        ]
                    }
                ]
            }
        ]
    }
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["events"] = [None]
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["links"] = [None]
    [sp] = decode_json(_json_body(doc)).spans
    assert (sp.events, sp.links) == (
        [("", 0, {})],
        [{"trace_id": "", "span_id": "", "attributes": {}}],
    )
    assert (sp.trace_id, sp.span_id) == (tid(0xABC), sid(0xDEF))
    assert (sp.otel_kind, sp.status, sp.status_message) == (3, "ERROR", "m")
    assert (sp.start_ns, sp.end_ns) == (T0, T0 + 1)
    assert sp.attributes == {"i": 7, "d": 2.5, "n": None, "e": None}


def test_empty_requests_decode_to_nothing() -> None:
    for decoded in (
        decode_protobuf(b""),
        decode_json(b"{}"),
        decode_json(b'{"resourceSpans": [null, {"scopeSpans": [null]}]}'),
        decode_json(b'{"resourceSpans": []}'),
        decode_json(b'{"resourceSpans": [{"scopeSpans": [{}]}]}'),
    ):
        assert (decoded.spans, decoded.rejected, decoded.reasons) == ([], 0, [])


def test_all_zero_ids_reject_only_that_span() -> None:
    req = ExportTraceServiceRequest()
    ss = req.resource_spans.add().scope_spans.add()
    good = span(1, 1, "good", 0, 1)
    zero_trace = span(1, 2, "zero-trace", 0, 1)
    zero_trace.trace_id = bytes(16)
    zero_span = span(1, 3, "zero-span", 0, 1)
    zero_span.span_id = bytes(8)
    zero_parent = span(1, 4, "zero-parent", 0, 1)
    zero_parent.parent_span_id = bytes(8)
    ss.spans.extend([good, zero_trace, zero_span, zero_parent])

    for decoded in (
        decode_protobuf(req.SerializeToString()),
        decode_json(_json_body(to_otlp_json(req))),
    ):
        assert [s.name for s in decoded.spans] == ["good", "zero-parent"]
        assert decoded.spans[1].parent_span_id is None  # all-zero parent means "no parent"
        assert decoded.rejected == 2
        assert decoded.reasons == ["all-zero trace_id or span_id is invalid"]


def _pb_with(**ids: Any) -> bytes:
    req = ExportTraceServiceRequest()
    sp = span(1, 1, "x", 0, 1)
    for key, value in ids.items():
        setattr(sp, key, value)
    req.resource_spans.add().scope_spans.add().spans.append(sp)
    return req.SerializeToString()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff\xff\xff\xff", "not a valid OTLP protobuf"),
        (b"\x0a\x05\x0a\x03\x0a", "not a valid OTLP protobuf"),  # truncated nested message
        (b'{"resourceSpans": []}', "not a valid OTLP protobuf"),
        (_pb_with(trace_id=bytes(range(1, 16))), "trace_id must be 16 bytes, got 15"),
        (_pb_with(trace_id=b""), "trace_id must be 16 bytes, got 0"),
        (_pb_with(span_id=bytes(range(1, 10))), "span_id must be 8 bytes, got 9"),
        (_pb_with(parent_span_id=b"\x01\x02\x03\x04"), "parent_span_id must be 8 bytes, got 4"),
        # fixed64 can carry times the store's signed 64-bit columns cannot.
        (_pb_with(start_time_unix_nano=2**64 - 1), "start_time_unix_nano is out of range"),
        (_pb_with(end_time_unix_nano=2**63), "end_time_unix_nano is out of range"),
    ],
)
def test_bad_protobuf_is_bad_request(body: bytes, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        decode_protobuf(body)


def _good_json() -> dict[str, Any]:
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": []},
                "scopeSpans": [
                    {
                        "scope": {"name": "s"},
                        "spans": [
                            {
                                "traceId": tid(1),
                                "spanId": sid(1),
                                "name": "n",
                                "kind": 1,
                                "startTimeUnixNano": "1",
                                "endTimeUnixNano": "2",
                                "status": {"code": 0},
                                "attributes": [{"key": "k", "value": {"stringValue": "v"}}],
                                "events": [{"name": "e", "timeUnixNano": "1", "attributes": []}],
                                "links": [{"traceId": tid(2), "spanId": sid(2)}],
                            }
                        ],
                    }
                ],
            }
        ]
    }


def _mutate(path: str, value: Any) -> bytes:
    doc = copy.deepcopy(_good_json())
    node: Any = doc
    keys = path.split("/")
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    node[int(last) if last.isdigit() else last] = value
    return _json_body(doc)


_SPAN = "resourceSpans/0/scopeSpans/0/spans/0"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "must be a JSON object"),
        (b"42", "must be a JSON object"),
        (b'{"resourceSpans": {}}', r"request.resourceSpans must be a JSON array"),
        (b'{"resourceSpans": [1]}', r"resourceSpans\[0\] must be a JSON object"),
        (_mutate("resourceSpans/0/resource", []), r"resourceSpans\[0\].resource must be"),
        (_mutate("resourceSpans/0/scopeSpans", "x"), "scopeSpans must be a JSON array"),
        (_mutate("resourceSpans/0/scopeSpans/0/scope", "s"), "scope must be a JSON object"),
        (_mutate(f"{_SPAN}/traceId", "zz" * 16), r"spans\[0\].traceId must be a 32-character hex"),
        (_mutate(f"{_SPAN}/traceId", tid(1)[:30]), "traceId must be a 32-character hex"),
        (
            _mutate(f"{_SPAN}/traceId", base64.b64encode(bytes(range(1, 17))).decode()),
            "traceId must be a 32-character hex",
        ),
        (_mutate(f"{_SPAN}/traceId", None), "traceId must be a 32-character hex"),
        (_mutate(f"{_SPAN}/spanId", 12345), "spanId must be a 16-character hex"),
        (_mutate(f"{_SPAN}/spanId", "g" * 16), "spanId must be a 16-character hex"),
        (_mutate(f"{_SPAN}/parentSpanId", "abc"), "parentSpanId must be a 16-character hex"),
        (_mutate(f"{_SPAN}/kind", "SPAN_KIND_WEIRD"), "kind must be an integer"),
        (_mutate(f"{_SPAN}/kind", 1.5), "kind must be an integer"),
        (_mutate(f"{_SPAN}/kind", True), "kind must be an integer"),
        (_mutate(f"{_SPAN}/startTimeUnixNano", "soon"), "startTimeUnixNano must be an integer"),
        (_mutate(f"{_SPAN}/endTimeUnixNano", "-1"), "endTimeUnixNano must not be negative"),
        (_mutate(f"{_SPAN}/status", "ok"), "status must be a JSON object"),
        (_mutate(f"{_SPAN}/status/code", "STATUS_CODE_MAYBE"), "status.code must be an integer"),
        (_mutate(f"{_SPAN}/attributes", {}), "attributes must be a JSON array"),
        (_mutate(f"{_SPAN}/attributes/0", "k=v"), "each item needs a string 'key'"),
        (_mutate(f"{_SPAN}/attributes/0/key", 5), "each item needs a string 'key'"),
        (_mutate(f"{_SPAN}/attributes/0/value", "v"), r"attributes\[k\]: an AnyValue must be"),
        (_mutate(f"{_SPAN}/attributes/0/value", {"intValue": "1.5"}), "must be an integer"),
        (_mutate(f"{_SPAN}/attributes/0/value", {"intValue": [1]}), "must be an integer"),
        (_mutate(f"{_SPAN}/attributes/0/value", {"doubleValue": "x"}), "doubleValue must be a nu"),
        (_mutate(f"{_SPAN}/attributes/0/value", {"arrayValue": []}), "must be a JSON object"),
        (_mutate(f"{_SPAN}/attributes/0/value", {"arrayValue": {"values": 1}}), "JSON array"),
        (_mutate(f"{_SPAN}/attributes/0/value", {"kvlistValue": {"values": [1]}}), "string 'key'"),
        (_mutate(f"{_SPAN}/attributes/0/value", {"boolValue": "false"}), "boolValue must be"),
        (_mutate(f"{_SPAN}/attributes/0/value", {"intValue": str(2**63)}), "64-bit"),
        (_mutate(f"{_SPAN}/attributes/0/value", {"intValue": -(2**63) - 1}), "integer"),
        (_mutate(f"{_SPAN}/attributes/0/value", {"intValue": "9" * 5000}), "integer"),
        (_mutate(f"{_SPAN}/startTimeUnixNano", str(2**64)), "startTimeUnixNano is out of"),
        (_mutate(f"{_SPAN}/events", {}), "events must be a JSON array"),
        (_mutate(f"{_SPAN}/events/0", "e"), "events must be a JSON object"),
        (_mutate(f"{_SPAN}/events/0/timeUnixNano", "x"), "timeUnixNano must be an integer"),
        (_mutate(f"{_SPAN}/links/0", 3), "links must be a JSON object"),
    ],
)
def test_bad_json_is_bad_request(body: bytes, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        decode_json(body)


def test_deeply_nested_json_value_is_bad_request_or_decodes() -> None:
    value: dict[str, Any] = {"stringValue": "leaf"}
    for _ in range(300):  # ~900 JSON levels, under orjson's limit of 1024
        value = {"arrayValue": {"values": [value]}}
    body = _mutate(f"{_SPAN}/attributes/0/value", value)
    try:
        [sp] = decode_json(body).spans
    except BadRequest:
        return
    depth, node = 0, sp.attributes["k"]
    while isinstance(node, list):
        depth, node = depth + 1, node[0]
    assert (depth, node) == (300, "leaf")
    too_deep = b'{"a":' * 2000 + b"1" + b"}" * 2000
    with pytest.raises(BadRequest):
        decode_json(too_deep)


# ---------------------------------------------------------------------------- fuzz

_FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
    | st.sampled_from([tid(1), sid(1), "0" * 32, "0" * 16, "-1"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "resourceSpans",
                    "scopeSpans",
                    "spans",
                    "resource",
                    "scope",
                    "attributes",
                    "key",
                    "value",
                    "stringValue",
                    "intValue",
                    "doubleValue",
                    "boolValue",
                    "arrayValue",
                    "kvlistValue",
                    "values",
                    "bytesValue",
                    "traceId",
                    "spanId",
                    "parentSpanId",
                    "name",
                    "kind",
                    "startTimeUnixNano",
                    "endTimeUnixNano",
                    "status",
                    "code",
                    "message",
                    "events",
                    "links",
                    "timeUnixNano",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=40,
)


@_FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_protobuf_bytes(body: bytes) -> None:
    with contextlib.suppress(BadRequest):
        decode_protobuf(body)


@_FUZZ
@given(st.binary(max_size=512))
def test_fuzz_json_bytes(body: bytes) -> None:
    with contextlib.suppress(BadRequest):
        decode_json(body)


@_FUZZ
@given(_json_values)
def test_fuzz_json_documents(doc: Any) -> None:
    for candidate in (
        doc,
        {"resourceSpans": [{"scopeSpans": [{"spans": [doc]}]}]},
        {
            "resourceSpans": [
                {
                    "scopeSpans": [
                        {
                            "spans": [
                                {
                                    "traceId": tid(1),
                                    "spanId": sid(1),
                                    "attributes": [{"key": "k", "value": doc}],
                                }
                            ]
                        }
                    ]
                }
            ]
        },
    ):
        try:
            decode_json(orjson.dumps(candidate, option=orjson.OPT_NON_STR_KEYS))
        except BadRequest:
            pass
        except orjson.JSONEncodeError:  # e.g. integers beyond 64 bits: not a valid body
            pass


@_FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_mutated_valid_protobuf(noise: bytes) -> None:
    valid = _request().SerializeToString()
    cut = len(noise) % (len(valid) + 1)
    for body in (valid[:cut] + noise, noise + valid[cut:], valid[:cut]):
        with contextlib.suppress(BadRequest):
            decode_protobuf(body)


@_FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_gzip(body: bytes) -> None:
    for candidate in (body, b"\x1f\x8b\x08\x00" + body):
        with contextlib.suppress(BadRequest):
            decode_content(candidate, "gzip", 1 << 20)
