"""Carry the trace context into threads, when asked.

``asyncio`` tasks inherit it on their own (OpenTelemetry's context lives in contextvars);
threads start with an empty context, so a span in a worker thread would begin a new trace.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import functools
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")
_original_submit: Any = None


def with_context(func: Callable[..., R]) -> Callable[..., R]:
    """``func`` bound to the current context: spans it makes in another thread nest here."""
    ctx = contextvars.copy_context()

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> R:
        return ctx.run(func, *args, **kwargs)

    return run


def propagate_to_threads() -> None:
    """Make every ``ThreadPoolExecutor.submit`` carry the caller's context."""
    global _original_submit
    if _original_submit is not None:
        return
    _original_submit = concurrent.futures.ThreadPoolExecutor.submit

    def submit(self: Any, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return _original_submit(self, contextvars.copy_context().run, fn, *args, **kwargs)

    concurrent.futures.ThreadPoolExecutor.submit = submit  # type: ignore[method-assign]
