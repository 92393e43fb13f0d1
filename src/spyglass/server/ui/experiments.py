"""Experiments in the web UI: the runs with their aggregates (mean, 95 % interval, n), one
run's aggregates and per-item results, and the comparison of two runs — per check the paired
test's verdict, then the items whose scores changed with both outputs side by side.

The comparison goes through the same code as ``GET /api/experiments/compare``.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from spyglass.exceptions import ApiError, BadRequest
from spyglass.server.blocking import run_blocking
from spyglass.server.comparisons import DIFF_ITEMS, check_rows, compare_runs
from spyglass.server.ui.logins import PageError, ProjectViewDep, app_state
from spyglass.server.ui.render import project_page, url_part, with_query

router = APIRouter(include_in_schema=False)

# Runs listed (and offered in the comparison pickers); older ones are reached by paging.
PAGE_SIZE = 50
RESULTS_PAGE = 50
_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


def trace_link(base: str, trace_id: str | None) -> str | None:
    """The trace page of a result's trace, when it is a trace id at all."""
    if trace_id and _TRACE_ID.match(trace_id):
        return f"{base}/traces/{trace_id}"
    return None


@router.get("/p/{project_id}/experiments")
async def experiments_page(
    request: Request, view: ProjectViewDep, cursor: str | None = None, name: str | None = None
) -> Response:
    store = app_state(request).store
    try:
        page = await run_blocking(
            store.list_experiments, view.project.id, name or None, PAGE_SIZE, cursor or None
        )
    except BadRequest as exc:
        raise PageError(400, exc.message) from exc
    here = f"{view.base}/experiments"
    runs = [{"record": r, "checks": check_rows(r)} for r in page.items]
    context = {
        "runs": runs,
        "name": name or "",
        "next_url": with_query(here, {"name": name, "cursor": page.next_cursor})
        if page.next_cursor
        else None,
        "first_url": with_query(here, {"name": name}) if cursor else None,
    }
    return project_page(request, view, "experiments.html", "experiments", context)


@router.get("/p/{project_id}/experiments/compare")
async def comparison_page(
    request: Request,
    view: ProjectViewDep,
    baseline: str = "",
    candidate: str = "",
) -> Response:
    store = app_state(request).store
    runs = (
        await run_blocking(store.list_experiments, view.project.id, None, PAGE_SIZE, None)
    ).items
    context: dict[str, Any] = {
        "runs": runs,
        "baseline_id": baseline,
        "candidate_id": candidate,
        "result": None,
        "error": "",
        "diff_limit": DIFF_ITEMS,
        "trace_link": trace_link,
    }
    if baseline and candidate:
        try:
            context["result"] = await compare_runs(
                store, view.project.id, baseline, candidate, with_items=True
            )
        except ApiError as exc:
            context["error"] = exc.message
    elif len(runs) >= 2:
        context["baseline_id"], context["candidate_id"] = runs[1].id, runs[0].id
    return project_page(request, view, "comparison.html", "experiments", context)


@router.get("/p/{project_id}/experiments/{experiment_id}")
async def experiment_page(
    request: Request, view: ProjectViewDep, experiment_id: str, cursor: str | None = None
) -> Response:
    store = app_state(request).store
    record = await run_blocking(store.get_experiment, view.project.id, experiment_id)
    if record is None:
        raise PageError(404, "There is no such experiment in this project.")
    try:
        page = await run_blocking(
            store.list_experiment_results,
            view.project.id,
            experiment_id,
            RESULTS_PAGE,
            cursor or None,
        )
    except BadRequest as exc:
        raise PageError(400, exc.message) from exc
    here = f"{view.base}/experiments/{url_part(experiment_id)}"
    checks = [c for c in record.summary.get("checks") or [] if isinstance(c, dict)]
    context = {
        "record": record,
        "summary": record.summary,
        "checks": checks,
        "results": page.items,
        "next_url": with_query(here, {"cursor": page.next_cursor}) if page.next_cursor else None,
        "first_url": here if cursor else None,
        "trace_link": trace_link,
    }
    return project_page(request, view, "experiment.html", "experiments", context)
