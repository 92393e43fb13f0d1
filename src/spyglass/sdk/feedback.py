"""``spyglass.score()``: record feedback or an evaluation from inside the app."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any

from spyglass.exceptions import ConfigError
from spyglass.sdk._safe import safe
from spyglass.sdk._state import STATE
from spyglass.sdk.tracing import current_span_id, current_trace_id

_SOURCES = frozenset({"human", "llm", "code", "guard"})


@safe()
def score(
    name: str,
    value: float | bool | str,
    *,
    trace_id: str | None = None,
    span_id: str | None = None,
    session_id: str | None = None,
    comment: str | None = None,
    source: str = "human",
    author: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    score_id: str | None = None,
) -> str | None:
    """Record a score — a thumbs-down, a rating, a label — on a trace, span or session.

    Without ``trace_id``/``session_id`` it goes on the current trace (and span). Sent in the
    background; returns the score's id (pass it again as ``score_id`` to replace the score),
    or None when the SDK is not configured to send to a server.
    """
    if STATE.tracer is None:  # before configure (or after shutdown) every API is a no-op
        return None
    if source not in _SOURCES:
        raise ConfigError(f"source must be one of {sorted(_SOURCES)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError("a numeric score must be finite")
    if trace_id is None and session_id is None:
        trace_id = current_trace_id()
        span_id = span_id or current_span_id()
    if trace_id is None and session_id is None:
        raise ConfigError("score() outside a trace needs trace_id or session_id")
    if STATE.scores is None:
        return None
    sid = score_id or uuid.uuid4().hex
    body: dict[str, Any] = {"id": sid, "name": name, "value": value, "source": source}
    for key, val in (
        ("trace_id", trace_id),
        ("span_id", span_id),
        ("session_id", session_id),
        ("comment", comment),
        ("author", author),
    ):
        if val is not None:
            body[key] = val
    if metadata:
        body["metadata"] = dict(metadata)
    STATE.scores.send(body)
    return sid
