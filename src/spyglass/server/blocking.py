"""The one way the server runs blocking work (database calls, protobuf parsing, gzip).

Everything blocking goes through ``run_blocking`` so the event loop never stalls and the size of
the worker pool is set in one place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread

P = ParamSpec("P")
R = TypeVar("R")


async def run_blocking(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run ``func`` in the worker thread pool and await its result."""
    return await anyio.to_thread.run_sync(functools.partial(func, *args, **kwargs))
