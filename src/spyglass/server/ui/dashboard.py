"""The dashboard: requests, error rate, latency percentiles, time to first token, tokens and
cost over a chosen window, with a breakdown by model, release or name.

Series are cached for ``DATA_TTL_S`` per project, window and breakdown. The page itself is a
shell with fixed-size chart boxes (no layout shift); ``static/
dashboard.js`` fetches the series from ``/dashboard/data`` and draws them with uPlot. Serving
the shell starts computing its series, so the queries run while the browser loads the scripts,
and requests for series being computed wait for that computation instead of starting another.
The data
comes from the same store query as ``GET /api/metrics``: whole traces for requests, errors,
latency, tokens and cost; LLM spans (served from the hourly rollups) for time to first token
and the per-model breakdown.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from spyglass.server.blocking import run_blocking
from spyglass.server.ui.logins import PageError, ProjectViewDep, app_state
from spyglass.server.ui.render import SECURITY_HEADERS, project_page
from spyglass.storage.base import Store
from spyglass.storage.filters import MetricsQuery
from spyglass.storage.models import MetricsResult

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

# window -> (seconds, bucket seconds). Buckets of whole hours let the metrics query read the
# hourly rollups; each window gives 24 to 60 points, enough for a readable line.
WINDOWS = {
    "1h": (3_600, 60),
    "6h": (6 * 3_600, 600),
    "24h": (86_400, 3_600),
    "7d": (7 * 86_400, 6 * 3_600),
    "30d": (30 * 86_400, 86_400),
}
WINDOW_LABELS = {
    "1h": "Last hour",
    "6h": "Last 6 h",
    "24h": "Last 24 h",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
}
BREAKDOWNS = {"model": "Model", "release": "Release", "name": "Name"}
# Lines per breakdown chart; the rest are summed as "(other)".
MAX_GROUPS = 6
# A dashboard's series are kept this long per (project, window, breakdown): adding up a day
# of a busy project's traces takes about half a second, and a dashboard is looked at again
# and again (reloads, several people). Its figures are at most this old.
DATA_TTL_S = 30.0
# Bounds the cache: past this many entries it is simply cleared.
MAX_CACHED = 1_000


Key = tuple[int, str, str]
Data = dict[str, Any]


class DataCache:
    """Chart data by key, each entry for ``ttl`` seconds, and at most one computation of a key
    at a time: a request for data being computed waits for it."""

    def __init__(self, ttl: float = DATA_TTL_S, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[Key, tuple[float, Data]] = {}
        self._running: dict[Key, asyncio.Task[Data]] = {}

    def get(self, key: Key) -> Data | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] < self._clock():
            return None
        return hit[1]

    def put(self, key: Key, data: Data) -> None:
        if len(self._entries) >= MAX_CACHED:
            self._entries.clear()
        self._entries[key] = (self._clock() + self.ttl, data)

    async def fetch(self, key: Key, compute: Callable[[], Awaitable[Data]]) -> Data:
        """The cached data, or the result of the computation of ``key`` (started if need be).

        Shielded: a request that goes away leaves the computation to finish for the next one.
        """
        hit = self.get(key)
        if hit is not None:
            return hit
        return await asyncio.shield(self._start(key, compute))

    def prefetch(self, key: Key, compute: Callable[[], Awaitable[Data]]) -> None:
        """Start computing ``key`` unless it is cached or under way; nobody waits for it."""
        if self.get(key) is None:
            self._start(key, compute)

    def _start(self, key: Key, compute: Callable[[], Awaitable[Data]]) -> asyncio.Task[Data]:
        task = self._running.get(key)
        if task is None:
            task = self._running[key] = asyncio.ensure_future(self._compute(key, compute))
            task.add_done_callback(_retrieved)
        return task

    async def _compute(self, key: Key, compute: Callable[[], Awaitable[Data]]) -> Data:
        try:
            data = await compute()
            self.put(key, data)
            return data
        finally:
            self._running.pop(key, None)


def _retrieved(task: asyncio.Task[Data]) -> None:
    # A prefetch nobody awaited must not end as "exception never retrieved"; a request that
    # awaited it has met the error itself (and the next one computes afresh).
    if not task.cancelled() and (exc := task.exception()) is not None:
        logger.debug("dashboard data failed: %s", exc)


def _cache_of(request: Request) -> DataCache:
    """The app's cache (one per app, so two apps in one process never share figures)."""
    cache: DataCache | None = getattr(request.app.state, "dashboard_cache", None)
    if cache is None:
        cache = request.app.state.dashboard_cache = DataCache()
    return cache


def _choice(value: str | None, allowed: dict[str, Any], default: str) -> str:
    if value is None or value == "":
        return default
    if value not in allowed:
        raise PageError(400, f"Choose one of: {', '.join(allowed)}.")
    return value


@router.get("/p/{project_id}/dashboard")
async def dashboard_page(
    request: Request, view: ProjectViewDep, window: str | None = None, by: str | None = None
) -> Response:
    window = _choice(window, WINDOWS, "24h")
    by = _choice(by, BREAKDOWNS, "model")
    store = app_state(request).store
    _cache_of(request).prefetch(
        (view.project.id, window, by), lambda: _compute(store, view.project.id, window, by)
    )
    context = {
        "window": window,
        "by": by,
        "windows": WINDOW_LABELS,
        "breakdowns": BREAKDOWNS,
        "data_url": f"{view.base}/dashboard/data?window={window}&by={by}",
    }
    return project_page(request, view, "dashboard.html", "dashboard", context)


def _series(
    result: MetricsResult, xs: list[int], field: str, group: str | None = None
) -> list[Any]:
    at = {p.bucket_start_ns: getattr(p, field) for p in result.points if p.group == group}
    return [at.get(x) for x in xs]


def chart_data(
    overall: MetricsResult, llm: MetricsResult, grouped: MetricsResult, bucket_s: int
) -> dict[str, Any]:
    """Aligned series for uPlot: one x array (seconds) and one array per line."""
    step = bucket_s * 1_000_000_000
    xs = list(range(overall.start_ns, overall.end_ns, step))
    count = [v or 0 for v in _series(overall, xs, "count")]
    errors = [v or 0 for v in _series(overall, xs, "error_count")]
    cost = _series(overall, xs, "cost")
    totals = {
        "requests": sum(count),
        "errors": sum(errors),
        "error_rate": sum(errors) / sum(count) if sum(count) else None,
        "input_tokens": sum(v or 0 for v in _series(overall, xs, "input_tokens")),
        "output_tokens": sum(v or 0 for v in _series(overall, xs, "output_tokens")),
        "cost": sum(v for v in cost if v is not None) if any(v is not None for v in cost) else None,
        "worst_p95_ms": max((v for v in _series(overall, xs, "latency_p95_ms") if v), default=None),
    }
    groups = list(grouped.groups)
    return {
        "x": [x // 1_000_000_000 for x in xs],
        "totals": totals,
        "requests": count,
        "errors": errors,
        "error_rate": [e / c * 100 if c else None for e, c in zip(errors, count, strict=True)],
        "p50": _series(overall, xs, "latency_p50_ms"),
        "p95": _series(overall, xs, "latency_p95_ms"),
        "p99": _series(overall, xs, "latency_p99_ms"),
        "ttft": _series(llm, xs, "ttft_avg_ms"),
        "input_tokens": _series(overall, xs, "input_tokens"),
        "output_tokens": _series(overall, xs, "output_tokens"),
        "cost": cost,
        "groups": ["(none)" if g is None else g for g in groups],
        "group_requests": [_series(grouped, xs, "count", g) for g in groups],
        "group_cost": [_series(grouped, xs, "cost", g) for g in groups],
        "group_p95": [_series(grouped, xs, "latency_p95_ms", g) for g in groups],
    }


@router.get("/p/{project_id}/dashboard/data")
async def dashboard_data(
    request: Request, view: ProjectViewDep, window: str | None = None, by: str | None = None
) -> Response:
    window = _choice(window, WINDOWS, "24h")
    by = _choice(by, BREAKDOWNS, "model")
    store = app_state(request).store
    data = await _cache_of(request).fetch(
        (view.project.id, window, by), lambda: _compute(store, view.project.id, window, by)
    )
    return JSONResponse(data, headers=SECURITY_HEADERS)


async def _compute(store: Store, pid: int, window: str, by: str) -> Data:
    seconds, bucket_s = WINDOWS[window]
    end = time.time_ns()
    start = end - seconds * 1_000_000_000
    overall_q = MetricsQuery(start, end, bucket_s)
    # Only the average time to first token is drawn from it: no latency bins to add up.
    ttft_q = MetricsQuery(start, end, bucket_s, scope="spans", kind="LLM", latency=False)
    if by == "model":
        grouped_q = MetricsQuery(
            start, end, bucket_s, scope="spans", kind="LLM", group_by="model", max_groups=MAX_GROUPS
        )
    else:
        grouped_q = MetricsQuery(start, end, bucket_s, group_by=by, max_groups=MAX_GROUPS)
    # Three independent queries: run them side by side in the worker pool.
    overall, llm, grouped = await asyncio.gather(
        run_blocking(store.metrics, pid, overall_q),
        run_blocking(store.metrics, pid, ttft_q),
        run_blocking(store.metrics, pid, grouped_q),
    )
    data = chart_data(overall, llm, grouped, bucket_s)
    data["as_of"] = end // 1_000_000_000
    return data
