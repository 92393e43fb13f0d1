"""One trace: the span tree beside a waterfall, and a span's detail loaded on demand.

The page carries the whole tree once as compact JSON (one small array per span, no payloads)
and ``static/trace.js`` draws only the rows in view, so a 10,000-span trace is a few dozen DOM
rows, not 10,000. Selecting a span fetches its detail, rendered here, as an HTML fragment.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from spyglass.exceptions import BadRequest
from spyglass.server.api import params
from spyglass.server.blocking import run_blocking
from spyglass.server.ui.logins import PageError, ProjectViewDep, app_state
from spyglass.server.ui.render import project_page
from spyglass.server.ui.span_view import span_view
from spyglass.storage.filters import ScoreFilter
from spyglass.storage.models import TraceOutline

router = APIRouter(include_in_schema=False)

# Scores listed with one span; more are reachable through the scores API.
SPAN_SCORES = 100


def _ids(trace_id: str, span_id: str | None = None) -> tuple[str, str | None]:
    try:
        return params.trace_id(trace_id), params.span_id(span_id) if span_id else None
    except BadRequest as exc:
        raise PageError(404, "There is no such trace in this project.") from exc


def compact_spans(outline: TraceOutline) -> list[list[Any]]:
    """The tree for trace.js, in depth-first order: per span [id, parent index, depth, name,
    kind, start offset µs, duration µs, error 0/1, model, total tokens, cost]. Whole
    microseconds keep the JSON short and spare 20,000 float roundings at 10,000 spans.

    Built straight from the store's plain rows: no model object per span (that cost about
    60 ms at 10,000 spans)."""
    origin = outline.trace.start_ns
    index: dict[str, int] = {}
    out: list[list[Any]] = []
    append = out.append
    find = index.get
    for i, (
        span_id,
        parent,
        depth,
        name,
        kind,
        start,
        end,
        status,
        model,
        tokens,
        cost,
    ) in enumerate(outline.spans):
        index[span_id] = i
        append(
            [
                span_id,
                find(parent, -1) if parent else -1,
                depth,
                name,
                kind,
                (start - origin) // 1000,
                (end - start) // 1000,
                1 if status == "ERROR" else 0,
                model,
                tokens,
                cost,
            ]
        )
    return out


@router.get("/p/{project_id}/traces/{trace_id}")
async def trace_page(request: Request, view: ProjectViewDep, trace_id: str) -> Response:
    tid, _ = _ids(trace_id)
    store = app_state(request).store
    outline = await run_blocking(store.get_trace_outline, view.project.id, tid)
    if outline is None:
        raise PageError(404, "There is no such trace in this project.")
    trace_scores = [s for s in outline.scores if s.span_id is None]
    datasets = await run_blocking(store.list_datasets, view.project.id)
    context = {
        "trace": outline.trace,
        "scores": trace_scores,
        "span_count": len(outline.spans),
        "dataset_names": [d.name for d in datasets],
        "tree": {
            "spans": compact_spans(outline),
            "total_us": max((outline.trace.end_ns - outline.trace.start_ns) // 1000, 1),
            "detail_url": f"{view.base}/traces/{tid}/spans/",
        },
    }
    return project_page(request, view, "trace.html", "traces", context)


@router.get("/p/{project_id}/traces/{trace_id}/spans/{span_id}")
async def span_fragment(
    request: Request, view: ProjectViewDep, trace_id: str, span_id: str
) -> Response:
    tid, sid = _ids(trace_id, span_id)
    assert sid is not None
    store = app_state(request).store
    span = await run_blocking(store.get_span, view.project.id, tid, sid)
    if span is None:
        raise PageError(404, "There is no such span in this trace.")
    flt = ScoreFilter(trace_id=tid, span_id=sid)
    scores = await run_blocking(store.list_scores, view.project.id, flt, SPAN_SCORES, None)
    context = {"v": span_view(span), "scores": scores.items, "trace_id": tid}
    return project_page(request, view, "fragments/span.html", "traces", context)
