"""Logarithmic latency bins: the basis of percentile metrics.

Each span stores ``latency_bin = floor(log(duration_ms) / log(GAMMA))``. A metrics query asks
the database for counts per (bucket, group, bin) — aggregation stays in C inside SQLite or
PostgreSQL — and percentiles are read off the merged bins. With GAMMA = 1.02 a reported
percentile is within 1 % of the exact value (we report the bin's geometric midpoint), which is
the trade DDSketch makes too, and the result does not depend on how many spans are in the window.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

GAMMA = 1.02
_LOG_GAMMA = math.log(GAMMA)
# Durations at or under 1 µs all share one bin below the others (``UNDER_BIN``), reported as
# 1 µs: finer resolution would mean nothing for LLM work. Every longer duration gets a regular
# bin whose midpoint is within 1 % of it.
MIN_MS = 0.001
MIN_BIN = math.floor(math.log(MIN_MS) / _LOG_GAMMA)
UNDER_BIN = MIN_BIN - 1


def latency_bin(duration_ns: int) -> int:
    """The bin of a duration in nanoseconds."""
    ms = duration_ns / 1e6
    if ms <= MIN_MS:
        return UNDER_BIN
    return math.floor(math.log(ms) / _LOG_GAMMA)


def bin_value_ms(bin_index: int) -> float:
    """The representative value (geometric midpoint) of a bin, in milliseconds."""
    if bin_index <= UNDER_BIN:
        return MIN_MS
    return float(GAMMA ** (bin_index + 0.5))


def percentiles(counts: Mapping[int, int], quantiles: Iterable[float]) -> list[float | None]:
    """Nearest-rank percentiles (in ms) from bin counts; None when there are no values."""
    total = sum(counts.values())
    qs = list(quantiles)
    if total == 0:
        return [None for _ in qs]
    ordered = sorted(counts.items())
    out: list[float | None] = []
    for q in qs:
        rank = max(1, math.ceil(q * total))
        seen = 0
        for bin_index, count in ordered:
            seen += count
            if seen >= rank:
                out.append(bin_value_ms(bin_index))
                break
    return out
