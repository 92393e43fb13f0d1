"""Datasets in the web UI: the list, one dataset's items (rendered like the trace view renders
inputs and outputs, each linked to the trace it came from), and "Add to dataset" on a trace.

Adding a trace goes through the same code as ``POST /api/datasets/{name}/items/from-trace``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.exceptions import BadRequest, NotFound
from spyglass.server.blocking import run_blocking
from spyglass.server.dataset_items import dataset_name, item_from_trace
from spyglass.server.ui.logins import PageError, ProjectViewDep, app_state, checked_form
from spyglass.server.ui.render import project_page, url_part, with_query
from spyglass.server.ui.trace import _ids

router = APIRouter(include_in_schema=False)

# Items per page: each renders its input and expected output in full.
PAGE_SIZE = 50
MAX_EXPECTED = 100_000


def _name(raw: str) -> str:
    try:
        return dataset_name(raw)
    except BadRequest as exc:
        raise PageError(404, "There is no such dataset in this project.") from exc


@router.get("/p/{project_id}/datasets")
async def datasets_page(request: Request, view: ProjectViewDep) -> Response:
    found = await run_blocking(app_state(request).store.list_datasets, view.project.id)
    return project_page(request, view, "datasets.html", "datasets", {"datasets": found})


@router.get("/p/{project_id}/datasets/{name}")
async def dataset_page(
    request: Request, view: ProjectViewDep, name: str, cursor: str | None = None
) -> Response:
    name = _name(name)
    store = app_state(request).store
    info = await run_blocking(store.get_dataset, view.project.id, name)
    try:
        page = await run_blocking(
            store.list_dataset_items, view.project.id, name, PAGE_SIZE, cursor or None
        )
    except BadRequest as exc:
        raise PageError(400, exc.message) from exc
    if info is None or page is None:
        raise PageError(404, "There is no such dataset in this project.")
    here = f"{view.base}/datasets/{url_part(name)}"
    context: dict[str, Any] = {
        "dataset": info,
        "items": page.items,
        "next_url": with_query(here, {"cursor": page.next_cursor}) if page.next_cursor else None,
        "first_url": here if cursor else None,
        "added": request.query_params.get("added", ""),
    }
    return project_page(request, view, "dataset.html", "datasets", context)


def _expected(raw: str) -> Any:
    """The expected output typed in the form: JSON when it reads as an object or a list,
    else the text itself."""
    text = raw.strip()
    if text[:1] in ("{", "[") and text[-1:] in ("}", "]"):
        try:
            return json.loads(text)
        except ValueError:
            return raw
    return raw


@router.post("/p/{project_id}/traces/{trace_id}/dataset")
async def add_trace(request: Request, view: ProjectViewDep, trace_id: str) -> Response:
    form = await checked_form(request, view.viewer)
    tid, _ = _ids(trace_id)
    try:
        name = dataset_name(str(form.get("dataset") or ""))
    except BadRequest as exc:
        raise PageError(400, exc.message) from exc
    raw = str(form.get("expected") or "")[:MAX_EXPECTED]
    store = app_state(request).store
    try:
        if raw.strip():
            item = await item_from_trace(store, view.project.id, tid, _expected(raw))
        else:
            item = await item_from_trace(store, view.project.id, tid)
    except NotFound as exc:
        raise PageError(404, "There is no such trace in this project.") from exc
    except BadRequest as exc:
        raise PageError(400, exc.message) from exc
    await run_blocking(store.put_dataset_items, view.project.id, name, [item])
    target = f"{view.base}/datasets/{url_part(name)}"
    return RedirectResponse(with_query(target, {"added": item.id}), status_code=303)
