"""End users of the traced application (the ``user_id`` of traces): a list with traces,
tokens, cost and last seen, and one user's traces and sessions. Not web UI accounts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from spyglass.server.blocking import run_blocking
from spyglass.server.ui.logins import ProjectViewDep, app_state
from spyglass.server.ui.render import project_page, url_part, with_query
from spyglass.server.ui.traces import PAGE_SCORES, PAGE_SIZE, score_chips
from spyglass.storage.filters import TraceFilter

router = APIRouter(include_in_schema=False)

USER_SESSIONS = 20


@router.get("/p/{project_id}/users")
async def users_page(request: Request, view: ProjectViewDep, cursor: str | None = None) -> Response:
    store = app_state(request).store
    result = await run_blocking(
        store.list_users, view.project.id, None, None, PAGE_SIZE, cursor or None
    )
    here = f"{view.base}/users"
    context = {
        "users": result.items,
        "next_url": with_query(here, {"cursor": result.next_cursor})
        if result.next_cursor
        else None,
        "first_url": here if cursor else None,
    }
    return project_page(request, view, "users.html", "users", context)


@router.get("/p/{project_id}/users/{user_id:path}")
async def user_page(
    request: Request, view: ProjectViewDep, user_id: str, cursor: str | None = None
) -> Response:
    store = app_state(request).store
    pid = view.project.id
    traces = await run_blocking(
        store.list_traces, pid, TraceFilter(user_id=user_id), PAGE_SIZE, cursor or None
    )
    ids = [t.trace_id for t in traces.items]
    scores = await run_blocking(store.scores_of_traces, pid, ids, PAGE_SCORES)
    sessions = await run_blocking(
        store.list_sessions, pid, None, None, user_id, USER_SESSIONS, None
    )
    here = f"{view.base}/users/{url_part(user_id)}"
    context = {
        "user_id": user_id,
        "traces": traces.items,
        "chips": {tid: score_chips(s) for tid, s in scores.items()},
        "sessions": sessions.items,
        "more_sessions": sessions.next_cursor is not None,
        "next_url": with_query(here, {"cursor": traces.next_cursor})
        if traces.next_cursor
        else None,
        "first_url": here if cursor else None,
        "rows_url": "",
        "error": "",
        "filtered": True,
    }
    return project_page(request, view, "user.html", "users", context)
