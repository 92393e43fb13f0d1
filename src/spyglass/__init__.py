"""Spyglass: tracing, monitoring, evaluation and guardrails for LLM applications.

This module is the public Python API (the SDK). Its names load on first use, which pulls in
OpenTelemetry and httpx, never a web server; every call is a cheap no-op until ``configure()``
runs.

    import spyglass
    spyglass.configure(endpoint="http://127.0.0.1:4318", api_key="sg_...")
    spyglass.instrument_openai()

    @spyglass.observe
    def answer(question: str) -> str: ...
"""

from typing import TYPE_CHECKING

from spyglass._version import __version__

if TYPE_CHECKING:
    from spyglass.evals import Dataset, aevaluate, evaluate
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

# Imported on first use: the server's ingest processes import this package for its submodules
# and need none of the SDK (OpenTelemetry's SDK, httpx), and an app that only traces does not
# pay for evaluation.
_LAZY = {
    "Dataset": "spyglass.evals",
    "aevaluate": "spyglass.evals",
    "evaluate": "spyglass.evals",
    "configure": "spyglass.sdk.config",
    "flush": "spyglass.sdk.config",
    "shutdown": "spyglass.sdk.config",
    "score": "spyglass.sdk.feedback",
    "instrument_anthropic": "spyglass.sdk.instrumentation",
    "instrument_openai": "spyglass.sdk.instrumentation",
    "propagate_to_threads": "spyglass.sdk.threads",
    "with_context": "spyglass.sdk.threads",
    "SpanHandle": "spyglass.sdk.tracing",
    "current_span_id": "spyglass.sdk.tracing",
    "current_trace_id": "spyglass.sdk.tracing",
    "observe": "spyglass.sdk.tracing",
    "span": "spyglass.sdk.tracing",
    "update_span": "spyglass.sdk.tracing",
    "update_trace": "spyglass.sdk.tracing",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'spyglass' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
