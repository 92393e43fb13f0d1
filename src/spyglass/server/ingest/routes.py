"""``POST /v1/traces``: OTLP/HTTP trace ingest (protobuf or JSON, optionally gzipped)."""

from __future__ import annotations

import asyncio
import logging

import orjson
from fastapi import APIRouter, Request, Response
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTracePartialSuccess,
    ExportTraceServiceResponse,
)

from spyglass.exceptions import UnsupportedMediaType
from spyglass.server.auth import project_for_key
from spyglass.server.blocking import run_blocking
from spyglass.server.ingest.body import read_limited
from spyglass.server.ingest.worker import JSON, PROTOBUF, decode_request
from spyglass.server.state import AppState

logger = logging.getLogger(__name__)
router = APIRouter()


def _answer(media: str, rejected: int, reasons: list[str]) -> Response:
    message = "; ".join(reasons)
    if media == PROTOBUF:
        resp = ExportTraceServiceResponse()
        if rejected:
            resp.partial_success.CopyFrom(
                ExportTracePartialSuccess(rejected_spans=rejected, error_message=message)
            )
        return Response(resp.SerializeToString(), media_type=PROTOBUF)
    body: dict[str, object] = {}
    if rejected:
        # int64 fields are decimal strings in the OTLP JSON mapping.
        body["partialSuccess"] = {"rejectedSpans": str(rejected), "errorMessage": message}
    return Response(orjson.dumps(body), media_type=JSON)


@router.post(
    "/v1/traces",
    tags=["ingest"],
    summary="OTLP/HTTP trace export",
    description="Accepts an `ExportTraceServiceRequest` as `application/x-protobuf` or "
    "`application/json` (OTLP JSON mapping), optionally with `Content-Encoding: gzip`. A 2xx "
    "answer means every accepted span is committed. 503 with `Retry-After` when the ingest "
    "queue is full.",
    # The key is read from the headers directly (no dependency on the hot path); this only
    # tells /docs and the OpenAPI document that the route needs one.
    openapi_extra={"security": [{"HTTPBearer": []}, {"APIKeyHeader": []}]},
    responses={
        400: {"description": "malformed body"},
        401: {"description": "bad API key"},
        413: {"description": "body too large"},
        415: {"description": "wrong type"},
        503: {"description": "overloaded; retry after Retry-After seconds"},
    },
)
async def export_traces(request: Request) -> Response:
    state: AppState = request.app.state.spyglass
    headers = request.headers
    auth = headers.get("authorization", "")
    secret = auth[7:].strip() if auth[:7].lower() == "bearer " else headers.get("x-api-key")
    project_id = await project_for_key(state, secret)
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in (PROTOBUF, JSON):
        raise UnsupportedMediaType(
            f"Content-Type must be {PROTOBUF} or {JSON}, got {media or 'nothing'!r}"
        )
    limit = state.settings.max_body_bytes
    body = await read_limited(request.stream(), headers.get("content-length"), limit)
    prices = await state.prices.table_for(state.store, project_id)
    args = (body, headers.get("content-encoding"), media, limit, project_id, prices)
    if state.ingest_pool is not None:
        rejected, reasons = await state.ingest_pool.ingest(*args)
    else:
        rejected, reasons, rows = await run_blocking(decode_request, *args)
        await asyncio.wrap_future(state.writer.submit(rows))
    return _answer(media, rejected, reasons)
