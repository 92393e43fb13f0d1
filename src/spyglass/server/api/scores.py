"""Scores: user feedback, evaluation results and guard verdicts."""

from __future__ import annotations

import math
import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, model_validator

from spyglass.server.api import params
from spyglass.server.api.bodies import LimitedBodyRoute
from spyglass.server.api.traces import MAX_PAGE
from spyglass.server.auth import ProjectId
from spyglass.server.blocking import run_blocking
from spyglass.server.state import store_of
from spyglass.storage.filters import ScoreFilter
from spyglass.storage.models import Page, Score, ScoreDataType, ScoreSource

router = APIRouter(prefix="/api", tags=["scores"], route_class=LimitedBodyRoute)


class ScoreIn(BaseModel):
    """A score on a span (trace_id + span_id), a trace (trace_id) or a session (session_id)."""

    id: str | None = Field(
        None,
        max_length=32,
        description="Give one to make retries idempotent: the same id replaces the earlier score.",
    )
    name: str = Field(min_length=1, max_length=200)
    value: float | bool | str
    data_type: ScoreDataType | None = Field(
        None,
        description="Inferred from value when left out: bool → BOOLEAN, number → "
        "NUMERIC, string → CATEGORICAL.",
    )
    source: ScoreSource = ScoreSource.HUMAN
    trace_id: str | None = None
    span_id: str | None = None
    session_id: str | None = Field(None, max_length=500)
    comment: str | None = Field(None, max_length=10_000)
    author: str | None = Field(None, max_length=200)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> ScoreIn:
        if not (self.trace_id or self.session_id):
            raise ValueError(
                "a score needs a target: trace_id (with span_id for a span) or session_id"
            )
        if self.span_id and not self.trace_id:
            raise ValueError("span_id needs the trace_id of its trace")
        if self.data_type is None:
            if isinstance(self.value, bool):
                self.data_type = ScoreDataType.BOOLEAN
            elif isinstance(self.value, (int, float)):
                self.data_type = ScoreDataType.NUMERIC
            else:
                self.data_type = ScoreDataType.CATEGORICAL
        if self.data_type is ScoreDataType.NUMERIC and (
            isinstance(self.value, (bool, str)) or not math.isfinite(self.value)
        ):
            raise ValueError("a NUMERIC score needs a finite number as value")
        if self.data_type is ScoreDataType.BOOLEAN and not isinstance(self.value, bool):
            raise ValueError("a BOOLEAN score needs true or false as value")
        if self.data_type is ScoreDataType.CATEGORICAL and not isinstance(self.value, str):
            raise ValueError("a CATEGORICAL score needs a string as value")
        return self


@router.post("/scores", response_model=Score, status_code=201, summary="Create a score")
async def create_score(request: Request, project_id: ProjectId, body: ScoreIn) -> Score:
    tid = params.trace_id(body.trace_id) if body.trace_id else None
    sid = params.span_id(body.span_id) if body.span_id else None
    assert body.data_type is not None  # set by the validator
    score = Score(
        id=body.id or uuid.uuid4().hex,
        name=body.name,
        data_type=body.data_type,
        value=body.value,
        source=body.source,
        trace_id=tid,
        span_id=sid,
        session_id=body.session_id,
        comment=body.comment,
        author=body.author,
        metadata=body.metadata,
        created_ns=time.time_ns(),
    )
    store = store_of(request)
    return await run_blocking(store.create_score, project_id, score)


@router.get("/scores", response_model=Page[Score], summary="List scores, newest first")
async def list_scores(
    request: Request,
    project_id: ProjectId,
    trace_id: str | None = None,
    span_id: str | None = None,
    session_id: str | None = None,
    name: str | None = None,
    source: ScoreSource | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> Page[Score]:
    flt = ScoreFilter(
        trace_id=params.trace_id(trace_id) if trace_id else None,
        span_id=params.span_id(span_id) if span_id else None,
        session_id=session_id,
        name=name,
        source=source.value if source else None,
    )
    store = store_of(request)
    return await run_blocking(store.list_scores, project_id, flt, limit, cursor)
