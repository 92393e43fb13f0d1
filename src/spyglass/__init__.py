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

# Evaluation is imported on first use: an app that only traces does not pay for it.
_LAZY = {"Dataset": "spyglass.evals", "aevaluate": "spyglass.evals", "evaluate": "spyglass.evals"}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'spyglass' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "Dataset",
    "SpanHandle",
    "__version__",
    "aevaluate",
    "configure",
    "current_span_id",
    "current_trace_id",
    "evaluate",
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
