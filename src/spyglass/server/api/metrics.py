"""Time-bucketed metrics for charts and alerts."""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from spyglass.server.api import params
from spyglass.server.api.bodies import LimitedBodyRoute
from spyglass.server.auth import ProjectId
from spyglass.server.blocking import run_blocking
from spyglass.server.state import store_of
from spyglass.storage.filters import MetricsQuery
from spyglass.storage.models import MetricsResult

router = APIRouter(prefix="/api", tags=["metrics"], route_class=LimitedBodyRoute)

DAY_NS = 86_400 * 1_000_000_000
# Widest bucket: ten years is more than any chart needs, and keeps bucket * 1e9 ns in 64 bits.
MAX_BUCKET_SECONDS = 3_650 * 86_400


@router.get(
    "/metrics",
    response_model=MetricsResult,
    summary="Counts, error rate, latency p50/p95/p99, tokens and cost per time bucket",
    description="`scope=traces` measures whole traces; `scope=spans` measures spans (use "
    "`kind=LLM` for model calls). `group_by` splits each bucket: for traces name, user, "
    "release, environment, service, session; for spans also model, provider and kind. "
    "Defaults: the last 24 hours, hourly buckets; grouping by model implies scope=spans. "
    "Buckets are whole: the window starts at the boundary of the bucket that holds `start`.",
)
async def get_metrics(
    request: Request,
    project_id: ProjectId,
    start: str | None = None,
    end: str | None = None,
    bucket: Annotated[
        int, Query(ge=1, le=MAX_BUCKET_SECONDS, description="Bucket width in seconds")
    ] = 3600,
    scope: Literal["traces", "spans"] | None = None,
    group_by: str | None = None,
    kind: Annotated[str | None, Query(description="Span kind, e.g. LLM")] = None,
    max_groups: Annotated[int, Query(ge=1, le=100)] = 10,
    latency: Annotated[
        bool,
        Query(
            description="false: leave out the latency percentiles (null in every point) "
            "for a cheaper query over long windows"
        ),
    ] = True,
) -> MetricsResult:
    end_ns = params.parse_time(end, "end") or time.time_ns()
    start_ns = params.parse_time(start, "start") or end_ns - DAY_NS
    if scope is None:
        scope = "spans" if group_by in ("model", "provider", "kind") or kind else "traces"
    query = MetricsQuery(
        start_ns=start_ns,
        end_ns=end_ns,
        bucket_seconds=bucket,
        scope=scope,
        group_by=group_by,
        kind=kind,
        max_groups=max_groups,
        latency=latency,
    )
    store = store_of(request)
    return await run_blocking(store.metrics, project_id, query)
