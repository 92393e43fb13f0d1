"""Sessions (conversations): a list, and a session read turn by turn, each turn linking to its
trace. A turn is one trace with the session's id; its preview is the root's input and output."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from spyglass.server.blocking import run_blocking
from spyglass.server.ui.logins import ProjectViewDep, app_state
from spyglass.server.ui.render import project_page, with_query
from spyglass.storage.filters import ScoreFilter, TraceFilter

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# Turns shown in one session view; a longer conversation links to its full trace list.
MAX_TURNS = 200
SESSION_SCORES = 100


@router.get("/p/{project_id}/sessions")
async def sessions_page(
    request: Request,
    view: ProjectViewDep,
    user_id: str | None = None,
    cursor: str | None = None,
) -> Response:
    store = app_state(request).store
    result = await run_blocking(
        store.list_sessions, view.project.id, None, None, user_id or None, PAGE_SIZE, cursor or None
    )
    here = f"{view.base}/sessions"
    context = {
        "sessions": result.items,
        "user_id": user_id or "",
        "next_url": with_query(here, {"user_id": user_id, "cursor": result.next_cursor})
        if result.next_cursor
        else None,
        "first_url": with_query(here, {"user_id": user_id}) if cursor else None,
    }
    return project_page(request, view, "sessions.html", "sessions", context)


@router.get("/p/{project_id}/sessions/{session_id:path}")
async def session_page(request: Request, view: ProjectViewDep, session_id: str) -> Response:
    store = app_state(request).store
    flt = TraceFilter(session_id=session_id)
    page = await run_blocking(store.list_traces, view.project.id, flt, MAX_TURNS, None)
    scores = await run_blocking(
        store.list_scores,
        view.project.id,
        ScoreFilter(session_id=session_id),
        SESSION_SCORES,
        None,
    )
    turns = list(reversed(page.items))  # the store pages newest first; a chat reads oldest first
    context = {
        "session_id": session_id,
        "turns": turns,
        "more": page.next_cursor is not None,
        "all_url": with_query(f"{view.base}/traces", {"session_id": session_id}),
        "scores": scores.items,
        "total_cost": sum(t.cost for t in turns if t.cost is not None)
        if any(t.cost is not None for t in turns)
        else None,
        "total_tokens": sum(t.total_tokens for t in turns),
        "user_id": next((t.user_id for t in turns if t.user_id), None),
    }
    return project_page(request, view, "session.html", "sessions", context)
