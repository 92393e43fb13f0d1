"""The traces list: the same filters as ``GET /api/traces``, kept in the URL so a view can be
shared, keyset paging (fast however deep), and optional auto-refresh of the first page."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from starlette.responses import Response

from spyglass.exceptions import BadRequest
from spyglass.server.api import params
from spyglass.server.blocking import run_blocking
from spyglass.server.ui.logins import ProjectViewDep, app_state
from spyglass.server.ui.render import project_page, with_query
from spyglass.storage.filters import TraceFilter
from spyglass.storage.models import Page, Score, ScoreDataType, TraceSummary

router = APIRouter(include_in_schema=False)

# A screenful and a bit: more rows make the page slower to render than to query.
PAGE_SIZE = 50
# Scores fetched for a page of traces; enough for a few per row, bounded for busy traces.
PAGE_SCORES = 500
SCORE_CHIPS_PER_TRACE = 3
FILTERS = (
    "q",
    "range",
    "start",
    "end",
    "status",
    "model",
    "name",
    "user_id",
    "session_id",
    "tag",
    "release",
    "environment",
    "metadata",
)
RANGES = {"15m": 900, "1h": 3_600, "24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400}
RANGE_LABELS = {
    "": "All time",
    "15m": "Last 15 min",
    "1h": "Last hour",
    "24h": "Last 24 h",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
}


def read_filters(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "").strip() for k in FILTERS}


def trace_filter(f: dict[str, str], now_ns: int) -> TraceFilter:
    """The store filter of the URL's filters; ``BadRequest`` says which one is malformed."""
    start = params.parse_time(f["start"], "start")
    if start is None and f["range"] in RANGES:
        start = now_ns - RANGES[f["range"]] * 1_000_000_000
    status = f["status"].upper() or None
    if status not in (None, "OK", "ERROR"):
        raise BadRequest("status must be OK or ERROR")
    return TraceFilter(
        start_ns=start,
        end_ns=params.parse_time(f["end"], "end"),
        name=f["name"] or None,
        status=status,
        user_id=f["user_id"] or None,
        session_id=f["session_id"] or None,
        tag=f["tag"] or None,
        model=f["model"] or None,
        release=f["release"] or None,
        environment=f["environment"] or None,
        metadata=params.metadata_pair(f["metadata"] or None),
        text=f["q"] or None,
    )


def score_chips(scores: list[Score]) -> list[str]:
    """A few short chips per trace: thumbs tallied, numbers averaged, labels latest-first."""
    by_name: dict[str, list[Score]] = {}
    for s in scores:
        by_name.setdefault(s.name, []).append(s)
    chips = []
    for name, named in list(by_name.items())[:SCORE_CHIPS_PER_TRACE]:
        # One name may hold scores of several types (a label, later a number): the chip
        # shows the newest one's type, from the scores of that type.
        kind = named[0].data_type
        group = [s for s in named if s.data_type is kind]
        if kind is ScoreDataType.BOOLEAN:
            up = sum(1 for s in group if s.value is True)
            down = len(group) - up
            tally = f"▲{up} ▼{down}" if up and down else ("▲" if up else "▼")
            chips.append(f"{name} {tally}")
        elif kind is ScoreDataType.NUMERIC:
            values = [float(s.value) for s in group]
            chips.append(f"{name} {sum(values) / len(values):.3g}")
        else:
            chips.append(f"{name}: {group[0].value}")
    return chips


@router.get("/p/{project_id}/traces")
async def traces_page(
    request: Request,
    view: ProjectViewDep,
    cursor: str | None = None,
    partial: str | None = None,
) -> Response:
    filters = read_filters(request)
    error = ""
    store = app_state(request).store
    try:
        flt = trace_filter(filters, time.time_ns())
        result = await run_blocking(
            store.list_traces, view.project.id, flt, PAGE_SIZE, cursor or None
        )
    except BadRequest as exc:
        error, result = exc.message, Page[TraceSummary](items=[], next_cursor=None)
    ids = [t.trace_id for t in result.items]
    scores = await run_blocking(store.scores_of_traces, view.project.id, ids, PAGE_SCORES)
    here = f"{view.base}/traces"
    context = {
        "filters": filters,
        "error": error,
        "traces": result.items,
        "chips": {tid: score_chips(s) for tid, s in scores.items()},
        "next_url": with_query(here, {**filters, "cursor": result.next_cursor})
        if result.next_cursor
        else None,
        "first_url": with_query(here, filters) if cursor else None,
        "rows_url": with_query(here, {**filters, "partial": "rows"}),
        "refresh": request.query_params.get("refresh") == "1" and not cursor,
        "ranges": RANGE_LABELS,
        "filtered": any(v for k, v in filters.items()),
    }
    template = "fragments/trace_rows.html" if partial == "rows" else "traces.html"
    return project_page(request, view, template, "traces", context)
