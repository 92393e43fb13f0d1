"""Recording guard runs: a GUARDRAIL span per run and one ``guard`` score per check.

The span carries what the guard decided (policy, stage, blocked, actions) in its metadata, a
``guard:<action>`` tag per action taken so traces can be filtered on it, and the per-check
outcomes as JSON in ``spyglass.guard.results``. It never carries the raw text: a guard exists
because that text may hold a secret. The span's output is the text *after* redaction, and
nothing at all when the run blocked.

Without ``spyglass.configure()`` every function here is a no-op, so a guard works the same
with or without a server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from spyglass.sdk import names
from spyglass.sdk._safe import report
from spyglass.sdk._state import STATE
from spyglass.sdk.feedback import score
from spyglass.sdk.tracing import SpanHandle, current_span_id, current_trace_id, span

if TYPE_CHECKING:
    from spyglass.guard.guard import Guard
    from spyglass.guard.policy import Stage
    from spyglass.guard.result import GuardResult

RESULTS_ATTRIBUTE = "spyglass.guard.results"
SCORE_PREFIX = "guard."
TAG_PREFIX = "guard:"


class _Recorder:
    def __init__(self, handle: SpanHandle | None) -> None:
        self.handle = handle

    def finish(self, result: GuardResult) -> None:
        if self.handle is None or self.handle.otel_span is None:
            return
        try:
            _record(self.handle, result)
        except Exception as exc:  # recording must never change what the guard decided
            report("guard recording", exc)


_OFF = _Recorder(None)


@contextmanager
def guard_span(guard: Guard, stage: Stage) -> Iterator[_Recorder]:
    """A GUARDRAIL span around one run, when the SDK is configured and the guard records."""
    if not guard.record or STATE.tracer is None:
        yield _OFF
        return
    with span(f"guard.{stage.value}", kind="GUARDRAIL") as handle:
        yield _Recorder(handle)


def _record(handle: SpanHandle, result: GuardResult) -> None:
    outcomes = [o.to_dict() for o in result.outcomes]
    metadata: dict[str, Any] = {
        "guard.policy": result.policy,
        "guard.stage": result.stage.value,
        "guard.blocked": result.blocked,
        "guard.actions": result.actions,
    }
    if result.reason:
        metadata["guard.reason"] = result.reason
    attributes: dict[str, Any] = {RESULTS_ATTRIBUTE: json.dumps(outcomes)}
    if result.actions:
        # Tags unite into the trace's tags: GET /api/traces?tag=guard:block finds the blocks.
        attributes[names.TAGS] = [f"{TAG_PREFIX}{action}" for action in result.actions]
    handle.update(
        metadata=metadata,
        attributes=attributes,
        **({} if result.blocked else {"output": result.text}),
    )
    trace_id, span_id = current_trace_id(), current_span_id()
    if trace_id is None:
        return
    for outcome in result.outcomes:
        res = outcome.result
        value: float | str = "unscored" if res.score is None else float(res.score)
        score(
            f"{SCORE_PREFIX}{outcome.rule}",
            value,
            trace_id=trace_id,
            span_id=span_id,
            source="guard",
            comment=res.explanation or None,
            metadata={
                "passed": res.passed,
                "action": outcome.action.value,
                "taken": outcome.taken,
                "latency_ms": round(res.latency_ms, 4),
                "stage": result.stage.value,
                "policy": result.policy,
            },
        )
