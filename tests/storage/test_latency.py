"""Logarithmic latency bins and the percentiles read off them."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spyglass.storage.latency import (
    GAMMA,
    MIN_MS,
    UNDER_BIN,
    bin_value_ms,
    latency_bin,
    percentiles,
)

MS = 1_000_000


def test_bins_are_powers_of_gamma() -> None:
    assert latency_bin(1 * MS) == 0  # log(1) = 0
    assert latency_bin(int(GAMMA * MS) + 1) == 1
    assert latency_bin(int(GAMMA * MS) - 1) == 0
    assert latency_bin(999_999) == -1
    assert latency_bin(1000 * MS) == math.floor(math.log(1000) / math.log(GAMMA)) == 348


@pytest.mark.parametrize("duration_ns", [0, 1, 999, 1000, -5])
def test_tiny_and_negative_durations_share_the_lowest_bin(duration_ns: int) -> None:
    assert latency_bin(duration_ns) == UNDER_BIN
    assert bin_value_ms(UNDER_BIN) == MIN_MS
    assert bin_value_ms(UNDER_BIN - 10) == MIN_MS
    # Just over 1 µs is a regular bin, reported within 1 % (hypothesis once found 1011 ns).
    assert latency_bin(1011) > UNDER_BIN
    assert abs(bin_value_ms(latency_bin(1011)) - 0.001011) / 0.001011 < 0.01


@given(st.integers(min_value=1001, max_value=10**15))
def test_bin_value_is_within_one_percent(duration_ns: int) -> None:
    ms = duration_ns / MS
    value = bin_value_ms(latency_bin(duration_ns))
    assert abs(value - ms) / ms < 0.01


@given(st.integers(min_value=0, max_value=10**14), st.integers(min_value=0, max_value=10**14))
def test_bins_are_monotonic(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert latency_bin(lo) <= latency_bin(hi)


def test_percentiles_of_nothing_are_none() -> None:
    assert percentiles({}, (0.5, 0.99)) == [None, None]
    assert percentiles({3: 0}, (0.5,)) == [None]


def test_percentiles_nearest_rank() -> None:
    # 10 values in bin 0, 80 in bin 10, 10 in bin 20.
    counts = {20: 10, 0: 10, 10: 80}
    got = percentiles(counts, (0.0, 0.1, 0.11, 0.5, 0.9, 0.91, 1.0))
    assert got == [
        bin_value_ms(0),
        bin_value_ms(0),
        bin_value_ms(10),
        bin_value_ms(10),
        bin_value_ms(10),
        bin_value_ms(20),
        bin_value_ms(20),
    ]
    assert percentiles({5: 1}, (0.5, 0.99)) == [bin_value_ms(5)] * 2
    assert bin_value_ms(10) == pytest.approx(GAMMA**10.5)


def test_percentiles_match_exact_values_within_one_percent() -> None:
    rng = random.Random(11)
    durations_ns = [int(rng.lognormvariate(13, 2)) + 2000 for _ in range(5000)]
    counts: dict[int, int] = {}
    for d in durations_ns:
        counts[latency_bin(d)] = counts.get(latency_bin(d), 0) + 1
    qs = (0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0)
    ordered = sorted(d / MS for d in durations_ns)
    for q, got in zip(qs, percentiles(counts, qs), strict=True):
        exact = ordered[max(1, math.ceil(q * len(ordered))) - 1]
        assert got is not None
        assert abs(got - exact) / exact < 0.01, (q, got, exact)
