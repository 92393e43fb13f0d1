"""Instrumentation of LLM client libraries: each call becomes an LLM span.

Built-ins register like third-party instrumentors would: a module with ``instrument()`` and
``uninstrument()``. Nothing is imported until asked for, so an app without ``anthropic``
installed never imports it.
"""

from __future__ import annotations

import importlib
import importlib.util

from spyglass.sdk._safe import safe
from spyglass.sdk._state import STATE


@safe(default=False)
def instrument_openai() -> bool:
    """Trace every chat.completions, completions, responses and embeddings call of ``openai``
    (sync, async and streaming). Returns False when ``openai`` is not installed."""
    if importlib.util.find_spec("openai") is None:
        return False
    _openai = importlib.import_module("spyglass.sdk.instrumentation.openai")
    if "openai" not in STATE.instrumented:
        _openai.instrument()
        STATE.instrumented["openai"] = _openai.uninstrument
    return True


@safe(default=False)
def instrument_anthropic() -> bool:
    """Trace every ``messages.create`` / ``messages.stream`` call of ``anthropic`` (sync, async
    and streaming). Returns False when ``anthropic`` is not installed."""
    if importlib.util.find_spec("anthropic") is None:
        return False
    _anthropic = importlib.import_module("spyglass.sdk.instrumentation.anthropic")
    if "anthropic" not in STATE.instrumented:
        _anthropic.instrument()
        STATE.instrumented["anthropic"] = _anthropic.uninstrument
    return True


def uninstrument_all() -> None:
    """Undo every instrumentation (tests use this between cases)."""
    for undo in STATE.instrumented.values():
        undo()
    STATE.instrumented.clear()
