"""Spyglass: tracing, monitoring, evaluation and guardrails for LLM applications.

This module is the public Python API (the SDK). Importing it pulls in OpenTelemetry and httpx,
never a web server; every call is a cheap no-op until ``configure()`` runs.

    import spyglass
    spyglass.configure(endpoint="http://127.0.0.1:4318", api_key="sg_...")
    spyglass.instrument_openai()

    @spyglass.observe
    def answer(question: str) -> str: ...
"""

from spyglass._version import __version__
from spyglass.sdk.config import configure, flush, shutdown
from spyglass.sdk.feedback import score
from spyglass.sdk.instrumentation import instrument_anthropic, instrument_openai
from spyglass.sdk.threads import propagate_to_threads, with_context
from spyglass.sdk.tracing import (
    SpanHandle,
    current_span_id,
    current_trace_id,
    observe,
    span,
    update_span,
    update_trace,
)

__all__ = [
    "SpanHandle",
    "__version__",
    "configure",
    "current_span_id",
    "current_trace_id",
    "flush",
    "instrument_anthropic",
    "instrument_openai",
    "observe",
    "propagate_to_threads",
    "score",
    "shutdown",
    "span",
    "update_span",
    "update_trace",
    "with_context",
]
