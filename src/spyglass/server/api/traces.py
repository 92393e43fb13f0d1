"""Traces and spans."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from spyglass.exceptions import NotFound
from spyglass.server.api import params
from spyglass.server.api.bodies import LimitedBodyRoute
from spyglass.server.auth import ProjectId
from spyglass.server.blocking import run_blocking
from spyglass.server.state import store_of
from spyglass.storage.filters import TraceFilter
from spyglass.storage.models import Page, Span, TraceDetail, TraceSummary

router = APIRouter(prefix="/api", tags=["traces"], route_class=LimitedBodyRoute)

# Largest page a client may ask for; bigger pages mean slow answers and big responses.
MAX_PAGE = 500
# Durations are stored as signed 64-bit nanoseconds; a bound above that would overflow the SQL.
MAX_DURATION_MS = 9e12


@router.get("/traces", response_model=Page[TraceSummary], summary="List traces, newest first")
async def list_traces(
    request: Request,
    project_id: ProjectId,
    start: Annotated[str | None, Query(description="ISO-8601 time or epoch ns (inclusive)")] = None,
    end: Annotated[str | None, Query(description="ISO-8601 time or epoch ns (exclusive)")] = None,
    name: Annotated[str | None, Query(description="Root span name, exact")] = None,
    status: Annotated[Literal["OK", "ERROR", "ok", "error"] | None, Query()] = None,
    user_id: str | None = None,
    session_id: str | None = None,
    tag: str | None = None,
    model: Annotated[str | None, Query(description="Any LLM span used this model")] = None,
    release: str | None = None,
    environment: str | None = None,
    metadata: Annotated[str | None, Query(description="key=value on trace metadata")] = None,
    q: Annotated[str | None, Query(description="Text in any span's input or output")] = None,
    min_duration_ms: Annotated[float | None, Query(ge=0, le=MAX_DURATION_MS)] = None,
    max_duration_ms: Annotated[float | None, Query(ge=0, le=MAX_DURATION_MS)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> Page[TraceSummary]:
    flt = TraceFilter(
        start_ns=params.parse_time(start, "start"),
        end_ns=params.parse_time(end, "end"),
        name=name,
        status=status.upper() if status else None,
        user_id=user_id,
        session_id=session_id,
        tag=tag,
        model=model,
        release=release,
        environment=environment,
        metadata=params.metadata_pair(metadata),
        text=q or None,
        min_duration_ns=int(min_duration_ms * 1e6) if min_duration_ms is not None else None,
        max_duration_ns=int(max_duration_ms * 1e6) if max_duration_ms is not None else None,
    )
    store = store_of(request)
    return await run_blocking(store.list_traces, project_id, flt, limit, cursor)


@router.get(
    "/traces/{trace_id}",
    response_model=TraceDetail,
    summary="One trace: summary, span tree and scores",
)
async def get_trace(request: Request, project_id: ProjectId, trace_id: str) -> TraceDetail:
    tid = params.trace_id(trace_id)
    store = store_of(request)
    detail = await run_blocking(store.get_trace, project_id, tid)
    if detail is None:
        raise NotFound(f"no trace {tid} in this project")
    return detail


@router.get(
    "/traces/{trace_id}/spans/{span_id}",
    response_model=Span,
    summary="One span with its input, output, attributes and events",
)
async def get_span(request: Request, project_id: ProjectId, trace_id: str, span_id: str) -> Span:
    tid, sid = params.trace_id(trace_id), params.span_id(span_id)
    store = store_of(request)
    span = await run_blocking(store.get_span, project_id, tid, sid)
    if span is None:
        raise NotFound(f"no span {sid} in trace {tid} in this project")
    return span
