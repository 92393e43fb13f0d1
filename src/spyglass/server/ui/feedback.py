"""Feedback: a person adds a score to a trace or a span; it is stored as a human score.

Thumbs are BOOLEAN scores; a value that reads as a number is NUMERIC, any other text a
CATEGORICAL label. The author is the logged-in account. htmx posts get the refreshed score list
back; a plain form post is redirected to the trace.
"""

from __future__ import annotations

import math
import time
import uuid

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.server.blocking import run_blocking
from spyglass.server.ui.logins import PageError, ProjectViewDep, app_state, checked_form
from spyglass.server.ui.render import project_page
from spyglass.server.ui.trace import SPAN_SCORES, _ids
from spyglass.storage.filters import ScoreFilter
from spyglass.storage.models import Score, ScoreDataType, ScoreSource

router = APIRouter(include_in_schema=False)

# The same bounds as the scores API (server/api/scores.py).
MAX_NAME = 200
MAX_LABEL = 200
MAX_COMMENT = 10_000


def _value(thumb: str, raw: str) -> tuple[ScoreDataType, float | bool | str]:
    if thumb in ("up", "down"):
        return ScoreDataType.BOOLEAN, thumb == "up"
    raw = raw.strip()
    if not raw:
        raise PageError(400, "Give a score: thumbs up or down, a number or a label.")
    try:
        number = float(raw)
    except ValueError:
        if len(raw) > MAX_LABEL:
            raise PageError(400, f"A label has at most {MAX_LABEL} characters.") from None
        return ScoreDataType.CATEGORICAL, raw
    if not math.isfinite(number):
        raise PageError(400, "A numeric score must be a finite number.")
    return ScoreDataType.NUMERIC, number


@router.post("/p/{project_id}/traces/{trace_id}/scores")
async def add_score(request: Request, view: ProjectViewDep, trace_id: str) -> Response:
    form = await checked_form(request, view.viewer)
    tid, sid = _ids(trace_id, str(form.get("span_id") or "") or None)
    name = str(form.get("name") or "feedback").strip()[:MAX_NAME] or "feedback"
    data_type, value = _value(str(form.get("thumb") or ""), str(form.get("value") or ""))
    comment = str(form.get("comment") or "").strip()[:MAX_COMMENT] or None
    store = app_state(request).store
    # Only traces of this project take feedback: a foreign trace id is a 404, not a score.
    if await run_blocking(store.get_trace_summary, view.project.id, tid) is None:
        raise PageError(404, "There is no such trace in this project.")
    if sid and await run_blocking(store.get_span, view.project.id, tid, sid) is None:
        raise PageError(404, "There is no such span in this trace.")
    score = Score(
        id=uuid.uuid4().hex,
        name=name,
        data_type=data_type,
        value=value,
        source=ScoreSource.HUMAN,
        trace_id=tid,
        span_id=sid,
        session_id=None,
        comment=comment,
        author=view.viewer.account.email,
        metadata={},
        created_ns=time.time_ns(),
    )
    await run_blocking(store.create_score, view.project.id, score)
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"{view.base}/traces/{tid}", status_code=303)
    flt = ScoreFilter(trace_id=tid, span_id=sid)
    scores = (await run_blocking(store.list_scores, view.project.id, flt, SPAN_SCORES, None)).items
    if sid is None:
        scores = [s for s in scores if s.span_id is None]
    target = "span-scores" if sid else "trace-scores"
    return project_page(
        request, view, "fragments/scores.html", "traces", {"scores": scores, "target_id": target}
    )
