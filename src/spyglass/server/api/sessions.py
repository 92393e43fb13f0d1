"""Sessions (conversations) and users, aggregated from trace summaries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from spyglass.server.api import params
from spyglass.server.api.bodies import LimitedBodyRoute
from spyglass.server.api.traces import MAX_PAGE
from spyglass.server.auth import ProjectId
from spyglass.server.blocking import run_blocking
from spyglass.server.state import store_of
from spyglass.storage.models import Page, SessionSummary, UserSummary

router = APIRouter(prefix="/api", tags=["sessions and users"], route_class=LimitedBodyRoute)


@router.get(
    "/sessions", response_model=Page[SessionSummary], summary="Sessions, most recently active first"
)
async def list_sessions(
    request: Request,
    project_id: ProjectId,
    start: str | None = None,
    end: str | None = None,
    user_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> Page[SessionSummary]:
    store = store_of(request)
    return await run_blocking(
        store.list_sessions,
        project_id,
        params.parse_time(start, "start"),
        params.parse_time(end, "end"),
        user_id,
        limit,
        cursor,
    )


@router.get("/users", response_model=Page[UserSummary], summary="Users, most recently seen first")
async def list_users(
    request: Request,
    project_id: ProjectId,
    start: str | None = None,
    end: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> Page[UserSummary]:
    store = store_of(request)
    return await run_blocking(
        store.list_users,
        project_id,
        params.parse_time(start, "start"),
        params.parse_time(end, "end"),
        limit,
        cursor,
    )
