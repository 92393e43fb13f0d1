"""The dashboard's data cache: one computation per key at a time, started early by the page,
kept for its time to live, and never cut short by a request that goes away."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from spyglass.server.ui.dashboard import DataCache

pytestmark = pytest.mark.anyio

KEY = (1, "24h", "model")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Compute:
    """Counts its runs; each waits for ``release`` so callers can pile up meanwhile."""

    def __init__(self, fail: bool = False) -> None:
        self.runs = 0
        self.fail = fail
        self.release = asyncio.Event()

    async def __call__(self) -> dict[str, Any]:
        self.runs += 1
        await self.release.wait()
        if self.fail:
            raise RuntimeError("database gone")
        return {"run": self.runs}


async def test_callers_of_one_key_share_one_computation() -> None:
    cache = DataCache(clock=Clock())
    compute = Compute()
    waiting = [asyncio.ensure_future(cache.fetch(KEY, compute)) for _ in range(3)]
    await asyncio.sleep(0)
    compute.release.set()
    assert await asyncio.gather(*waiting) == [{"run": 1}] * 3
    assert await cache.fetch(KEY, compute) == {"run": 1}  # cached
    assert compute.runs == 1


async def test_the_page_starts_the_computation_its_data_request_waits_for() -> None:
    cache = DataCache(clock=Clock())
    compute = Compute()
    cache.prefetch(KEY, compute)
    cache.prefetch(KEY, compute)  # already under way
    await asyncio.sleep(0)
    assert compute.runs == 1
    compute.release.set()
    assert await cache.fetch(KEY, compute) == {"run": 1}
    cache.prefetch(KEY, compute)  # cached: nothing to do
    assert compute.runs == 1


async def test_entries_expire_after_their_time_to_live() -> None:
    clock = Clock()
    cache = DataCache(ttl=30, clock=clock)
    compute = Compute()
    compute.release.set()
    assert await cache.fetch(KEY, compute) == {"run": 1}
    clock.now = 29.9
    assert await cache.fetch(KEY, compute) == {"run": 1}
    clock.now = 30.1
    assert await cache.fetch(KEY, compute) == {"run": 2}


async def test_a_request_that_goes_away_leaves_the_computation_running() -> None:
    cache = DataCache(clock=Clock())
    compute = Compute()
    gone = asyncio.ensure_future(cache.fetch(KEY, compute))
    await asyncio.sleep(0)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    compute.release.set()
    assert await cache.fetch(KEY, compute) == {"run": 1}
    assert compute.runs == 1


async def test_a_failure_reaches_its_waiters_and_is_not_cached() -> None:
    cache = DataCache(clock=Clock())
    failing = Compute(fail=True)
    failing.release.set()
    with pytest.raises(RuntimeError, match="database gone"):
        await cache.fetch(KEY, failing)
    # A prefetch nobody awaits fails quietly (no "exception was never retrieved").
    cache.prefetch(KEY, failing)
    for _ in range(3):
        await asyncio.sleep(0)
    working = Compute()
    working.release.set()
    assert await cache.fetch(KEY, working) == {"run": 1}
