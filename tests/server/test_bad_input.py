"""Bad requests to /v1/traces: a 4xx with a JSON error saying what is wrong, nothing stored,
and the server keeps serving."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from spyglass.storage.sql.store import SqlStore
from tests.server.harness import Api, bearer, running_app, span_ids
from tests.server.otlp import JSON, PROTOBUF, chat_trace, sid, tid, to_json, to_protobuf

pytestmark = pytest.mark.anyio


async def _assert_error(
    api: Api, resp: httpx.Response, status: int, code: str, *words: str
) -> None:
    """The JSON error envelope; nothing stored; and a good request right after succeeds."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    for word in words:
        assert word in body["error"]["message"], body["error"]["message"]
    assert span_ids(api.store) == set()

    good = await api.ingest(to_protobuf(chat_trace(99)))
    assert good.status_code == 200, good.text
    assert len(span_ids(api.store)) == 2


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"\x0a\xff\xff\xff\xff\x0f", id="truncated-length"),
        pytest.param(b"not a protobuf at all", id="text"),
        pytest.param(to_protobuf(chat_trace(1))[:-7], id="cut-short"),
    ],
)
async def test_malformed_protobuf(api: Api, body: bytes) -> None:
    resp = await api.ingest(body)
    await _assert_error(api, resp, 400, "bad_request", "not a valid OTLP protobuf")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param(b'{"resourceSpans": [', ("not valid JSON",), id="truncated"),
        pytest.param(b"\xff\xfe", ("not valid JSON",), id="not-utf8"),
        pytest.param(b"[1, 2]", ("JSON object",), id="array"),
        pytest.param(b'{"resourceSpans": {}}', ("resourceSpans", "JSON array"), id="wrong-type"),
        pytest.param(
            json.dumps(
                {
                    "resourceSpans": [
                        {
                            "scopeSpans": [
                                {
                                    "spans": [
                                        {
                                            "traceId": tid(1),
                                            "spanId": sid(1, 1),
                                            "startTimeUnixNano": "soon",
                                        }
                                    ]
                                }
                            ]
                        }
                    ]
                }
            ).encode(),
            ("startTimeUnixNano", "integer"),
            id="bad-time",
        ),
        pytest.param(
            json.dumps(
                {
                    "resourceSpans": [
                        {
                            "scopeSpans": [
                                {
                                    "spans": [
                                        {
                                            "traceId": tid(1),
                                            "spanId": sid(1, 1),
                                            "attributes": [{"value": {}}],
                                        }
                                    ]
                                }
                            ]
                        }
                    ]
                }
            ).encode(),
            ("attributes", "key"),
            id="attribute-without-key",
        ),
    ],
)
async def test_malformed_json(api: Api, body: bytes, words: tuple[str, ...]) -> None:
    resp = await api.ingest(body, media=JSON)
    await _assert_error(api, resp, 400, "bad_request", *words)


@pytest.mark.parametrize("media", ["text/plain", "application/grpc", ""])
async def test_wrong_content_type_is_415(api: Api, media: str) -> None:
    headers = {**bearer(api.key)}
    if media:
        headers["Content-Type"] = media
    resp = await api.client.post("/v1/traces", content=to_protobuf(chat_trace(1)), headers=headers)
    await _assert_error(
        api, resp, 415, "unsupported_media_type", "Content-Type", PROTOBUF, media or "nothing"
    )


@pytest.mark.parametrize("encoding", ["br", "deflate", "zstd"])
async def test_unknown_content_encoding_is_415(api: Api, encoding: str) -> None:
    resp = await api.client.post(
        "/v1/traces",
        content=to_protobuf(chat_trace(1)),
        headers={"Content-Type": PROTOBUF, "Content-Encoding": encoding, **bearer(api.key)},
    )
    await _assert_error(api, resp, 415, "unsupported_media_type", encoding, "gzip")


async def test_invalid_gzip_is_400(api: Api) -> None:
    resp = await api.client.post(
        "/v1/traces",
        content=b"\x1f\x8b\x08\x00garbage",
        headers={"Content-Type": PROTOBUF, "Content-Encoding": "gzip", **bearer(api.key)},
    )
    await _assert_error(api, resp, 400, "bad_request", "gzip")


async def test_truncated_gzip_is_400(api: Api) -> None:
    body = gzip.compress(to_protobuf(chat_trace(1)))[:-12]
    resp = await api.client.post(
        "/v1/traces",
        content=body,
        headers={"Content-Type": PROTOBUF, "Content-Encoding": "gzip", **bearer(api.key)},
    )
    await _assert_error(api, resp, 400, "bad_request", "gzip")


@pytest.mark.parametrize("media", [PROTOBUF, JSON], ids=["protobuf", "json"])
async def test_wrong_length_id_is_400_and_nothing_of_the_request_is_stored(
    api: Api, media: str
) -> None:
    # The first trace is valid; the request as a whole must still be refused.
    spans = chat_trace(1) + chat_trace(2)
    spans[3].span_id = "ab" * 7  # 7 bytes instead of 8
    encode = to_protobuf if media == PROTOBUF else to_json
    resp = await api.ingest(encode(spans), media=media)
    words = ("span_id", "8 bytes") if media == PROTOBUF else ("spans[3].spanId", "16-character")
    await _assert_error(api, resp, 400, "bad_request", *words)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("traceId", "zz" * 16, ("traceId", "32-character hex")),
        ("traceId", "ab" * 15, ("traceId", "32-character hex")),
        ("spanId", "xyz", ("spanId", "16-character hex")),
        ("parentSpanId", "not-hex-not-hex!", ("parentSpanId", "16-character hex")),
        ("traceId", 12345, ("traceId", "32-character hex")),
    ],
)
async def test_invalid_json_ids_are_400(
    api: Api, field: str, value: object, words: tuple[str, ...]
) -> None:
    doc = json.loads(to_json(chat_trace(1)))
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][1][field] = value
    resp = await api.ingest(json.dumps(doc).encode(), media=JSON)
    await _assert_error(api, resp, 400, "bad_request", *words)


# ---------------------------------------------------------------------------- size limits

LIMIT = 4096


@pytest.fixture
async def small(sqlite_store: SqlStore, tmp_path: Path) -> AsyncIterator[Api]:
    key = sqlite_store.create_key("alpha").secret
    async with running_app(sqlite_store, tmp_path, max_body_bytes=LIMIT) as client:
        yield Api(client, sqlite_store, key, key)


async def test_body_over_the_limit_is_413(small: Api) -> None:
    body = to_protobuf(chat_trace(1, question="q" * LIMIT))
    assert len(body) > LIMIT
    resp = await small.ingest(body)
    await _assert_error(small, resp, 413, "payload_too_large", str(LIMIT))


async def test_streamed_body_without_length_over_the_limit_is_413(small: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"\x00" * 1000

    resp = await small.client.post(
        "/v1/traces", content=chunks(), headers={"Content-Type": PROTOBUF, **bearer(small.key)}
    )
    assert "content-length" not in resp.request.headers
    await _assert_error(small, resp, 413, "payload_too_large", str(LIMIT))


async def test_gzip_that_inflates_over_the_limit_is_413(small: Api) -> None:
    # 1 MB of one repeated character compresses to about 1 KB: a small decompression bomb.
    body = to_protobuf(chat_trace(1, question="q" * 1_000_000))
    resp = await small.ingest(body, gzip=True)
    assert len(resp.request.content) < LIMIT
    await _assert_error(small, resp, 413, "payload_too_large", "decompressed", str(LIMIT))


async def test_body_at_the_limit_is_accepted(small: Api) -> None:
    spans = chat_trace(1)
    base = len(to_protobuf(spans))
    spans[0].attributes["pad"] = ""
    pad = LIMIT - len(to_protobuf(spans))
    spans[0].attributes["pad"] = "p" * pad
    body = to_protobuf(spans)
    # The varint length of the attribute may grow by a byte; trim to land exactly on LIMIT.
    while len(body) > LIMIT:
        spans[0].attributes["pad"] = spans[0].attributes["pad"][:-1]
        body = to_protobuf(spans)
    assert base < len(body) == LIMIT
    resp = await small.ingest(body)
    assert resp.status_code == 200, resp.text
    resp = await small.ingest(body, gzip=True)  # inflates to exactly LIMIT
    assert resp.status_code == 200, resp.text


# ---------------------------------------------------------------------------- values the
# database cannot hold: refused as the client's mistake (400), never a 5xx


def _json_with(mutate: Callable[[dict[str, Any]], None]) -> bytes:
    doc = json.loads(to_json(chat_trace(1)))
    mutate(doc["resourceSpans"][0]["scopeSpans"][0]["spans"][1])
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        pytest.param(
            lambda sp: sp.update(endTimeUnixNano=str(2**64 - 1)),
            ("endTimeUnixNano", "out of the 64-bit integer range"),
            id="time",
        ),
        pytest.param(
            lambda sp: sp["attributes"].append(
                {"key": "n", "value": {"intValue": "99999999999999999999999"}}
            ),
            ("attributes[n]", "out of the 64-bit integer range"),
            id="int-attribute",
        ),
        pytest.param(lambda sp: sp.update(kind=2**40), ("kind", "span kind"), id="kind"),
    ],
)
async def test_json_numbers_out_of_range_are_400(
    api: Api, mutate: Callable[[dict[str, Any]], None], words: tuple[str, ...]
) -> None:
    resp = await api.ingest(_json_with(mutate), media=JSON)
    await _assert_error(api, resp, 400, "bad_request", *words)


async def test_protobuf_time_out_of_range_is_400(api: Api) -> None:
    req = ExportTraceServiceRequest.FromString(to_protobuf(chat_trace(1)))
    req.resource_spans[0].scope_spans[0].spans[1].end_time_unix_nano = 2**64 - 1
    resp = await api.ingest(req.SerializeToString())
    await _assert_error(api, resp, 400, "bad_request", "end_time_unix_nano", "out of range")


async def test_json_status_message_and_scope_of_other_types_are_kept_as_text(api: Api) -> None:
    doc = json.loads(to_json(chat_trace(1)))
    doc["resourceSpans"][0]["scopeSpans"][0]["scope"]["name"] = 42
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["status"]["message"] = 7
    resp = await api.ingest(json.dumps(doc).encode(), media=JSON)
    assert resp.status_code == 200, resp.text
    root = await api.get_json(f"/api/traces/{tid(1)}/spans/{sid(1, 1)}")
    assert (root["scope"], root["status_message"]) == ("42", "7")


async def test_every_member_of_a_multi_member_gzip_body_is_read(api: Api) -> None:
    # Concatenated protobuf messages merge, so two members carry both traces.
    body = gzip.compress(to_protobuf(chat_trace(1))) + gzip.compress(to_protobuf(chat_trace(2)))
    resp = await api.client.post(
        "/v1/traces",
        content=body,
        headers={"Content-Type": PROTOBUF, "Content-Encoding": "gzip", **bearer(api.key)},
    )
    assert resp.status_code == 200, resp.text
    assert {t for t, _ in span_ids(api.store)} == {tid(1), tid(2)}
