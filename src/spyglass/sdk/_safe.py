"""The guard around every public SDK entry point: the SDK never breaks the user's app.

An internal error is logged once per call site and swallowed. Under pytest it is re-raised
instead, so our own tests (and users' tests of their use of the SDK) see the bug.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

logger = logging.getLogger("spyglass")

F = TypeVar("F", bound=Callable[..., Any])
_reported: set[str] = set()


def under_pytest() -> bool:
    return "pytest" in sys.modules


def report(where: str, exc: BaseException) -> None:
    """Log an internal error once per ``where``; re-raise under pytest."""
    if under_pytest():
        raise exc
    if where not in _reported:
        _reported.add(where)
        logger.warning(
            "spyglass: internal error in %s (further ones not logged): %r", where, exc, exc_info=exc
        )


def safe(default: Any = None) -> Callable[[F], F]:
    """Decorate a public function so that its internal errors never reach the caller."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                report(func.__qualname__, exc)
                return default

        return cast(F, inner)

    return wrap
