"""The statistics of evaluation: intervals for one run, paired tests for two.

Pure standard library (``math``, ``random``), deterministic: every resampling function takes a
``seed`` and draws from its own ``random.Random(seed)``, so the same data always gives the same
answer.

One run
    :func:`summarize` reports a mean with its confidence interval and ``n``. Pass/fail
    (``"binary"``) uses the Wilson score interval; continuous scores (``"score"``) a BCa
    bootstrap below :data:`T_INTERVAL_MIN_N` items and Student-t from there on.

Two runs, item by item
    :func:`compare_paired` pairs item ``i`` of run A (baseline) with item ``i`` of run B
    (candidate), drops pairs where either side is unscored (``None``) and counts them, and runs
    the paired test that fits the metric: a sign-flip permutation test on the differences for
    scores, the exact McNemar test for pass/fail. It reports the difference ``mean_b - mean_a``
    with its interval, an effect size and the minimum detectable effect (MDE) for that ``n``.
    :func:`compare_runs` does that for every metric and corrects the p-values across them
    (:func:`adjust`, Holm by default).

Verdicts, per metric (the rule lives in one place, :func:`_verdict`):

1. ``inconclusive`` when fewer than :data:`MIN_PAIRS` pairs are scored;
2. ``improved`` / ``regressed`` when the adjusted p-value is below ``alpha`` — the direction is
   the sign of the difference read through ``higher_is_better``;
3. ``inconclusive`` when the test is not significant but the MDE exceeds the caller's
   ``min_effect``: the comparison could not have seen the smallest change the caller cares
   about, so silence is not evidence of no change (the MDE is about 1.43 times the half-width
   of the interval of the difference, so this is "the interval is too wide");
4. ``no detectable change`` otherwise.

References
    Wilson (1927) JASA 22:209. Brown, Cai & DasGupta (2001) Stat Sci 16:101.
    Efron (1987) JASA 82:171; Efron & Tibshirani (1993) *An Introduction to the Bootstrap*,
    ch. 14. Fisher (1935) *The Design of Experiments* §21 (sign-flip test). Phipson & Smyth
    (2010) SAGMB 9:39 (the +1 in Monte Carlo p-values). McNemar (1947) Psychometrika 12:153;
    Fagerland, Lydersen & Laake (2013) BMC Med Res Meth 13:91 (exact and mid-p McNemar).
    Newcombe (1998) Stat Med 17:2635 (paired difference of proportions, method 10).
    Connor (1987) Biometrics 43:207 (McNemar sample size). Holm (1979) Scand J Stat 6:65.
    Benjamini & Hochberg (1995) JRSS B 57:289. Acklam (2003) inverse normal CDF algorithm.
    Abramowitz & Stegun (1964) 26.7.5 (Student-t quantile expansion).
"""

from __future__ import annotations

import math
import operator
import random
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from spyglass.evals._distributions import binom_cdf, normal_cdf, normal_ppf
from spyglass.evals._distributions import t_ppf as _t_ppf

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "DEFAULT_SEED",
    "EXACT_MAX_PAIRS",
    "MIN_PAIRS",
    "PERMUTATION_RESAMPLES",
    "T_INTERVAL_MIN_N",
    "Aggregate",
    "Comparison",
    "adjust",
    "binom_cdf",
    "compare_paired",
    "compare_runs",
    "normal_cdf",
    "normal_ppf",
    "pair_by_id",
    "summarize",
]

#: Fixed so that re-running a report on the same data prints the same intervals and p-values.
DEFAULT_SEED = 20_240_601
#: Bootstrap resamples for an interval. Efron & Tibshirani advise 1,000+ for percentile-type
#: intervals; at 2,000 the Monte Carlo error of a 95 % endpoint is about 0.06 standard errors.
BOOTSTRAP_RESAMPLES = 2_000
#: Monte Carlo sign flips. The p-value's own error near 0.05 is sqrt(.05 * .95 / 10_000)
#: = 0.002, small next to any decision made with it.
PERMUTATION_RESAMPLES = 10_000
#: Enumerate all 2**(m-1) sign patterns up to this many non-zero differences (524,288 sums,
#: about 0.2 s); past it the Monte Carlo test is as good and far cheaper.
EXACT_MAX_PAIRS = 20
#: From this n on, the interval of a mean is Student-t, not bootstrap. The t-interval's
#: two-sided coverage error is O(1/n); at n = 500 a skewness of 2 moves the BCa endpoints by
#: about 0.04 standard errors, less than a 2,000-resample bootstrap's own noise (0.06), while
#: the bootstrap would cost n * 2,000 draws per interval.
T_INTERVAL_MIN_N = 500
#: Fewer scored pairs than this and the verdict is "inconclusive". Below 6 pairs the exact
#: tests cannot reach p < 0.05 at all (the smallest two-sided p is 2 / 2**n); at 10 the
#: smallest is 0.002, which survives Holm across up to 25 metrics. Below 10 the bootstrap
#: interval under-covers and the standard deviation behind the MDE is too noisy to use.
MIN_PAIRS = 10
#: The power at which the minimum detectable effect is quoted (the usual design convention).
POWER = 0.8
#: Two sums of the same numbers added in a different order differ by rounding only, far less
#: than this relative amount; so a resampled statistic within it of the observed one counts
#: as "at least as extreme" (otherwise the observed sign pattern might not count itself).
_REL_TOL = 1e-9

KINDS = ("binary", "score")
IMPROVED = "improved"
REGRESSED = "regressed"
NO_CHANGE = "no detectable change"
INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Aggregate:
    """A mean with its confidence interval. ``n`` counts scored values, ``unscored`` the Nones.

    ``mean``, ``ci_low`` and ``ci_high`` are None when there is nothing to estimate from
    (``n == 0``; for scores also the interval when ``n == 1``).
    """

    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    unscored: int
    kind: str


@dataclass(frozen=True)
class Comparison:
    """Run B (candidate) against run A (baseline) on one metric, paired by item.

    ``diff`` is ``mean_b - mean_a`` and ``ci_low``/``ci_high`` its interval. ``effect_size`` is
    Cohen's d_z for scores and the odds ratio of the discordant pairs (B-only passes over
    A-only passes) for pass/fail, whose risk difference is ``diff`` itself. ``mde`` is the
    smallest absolute difference this many pairs detects with 80 % power. ``p_adjusted`` is
    corrected across the metrics of :func:`compare_runs` (equal to ``p_value`` for a single
    comparison) and is None when the metric has too few pairs to be part of the family.
    """

    metric: str
    kind: str
    n_pairs: int
    dropped: int
    mean_a: float | None
    mean_b: float | None
    diff: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_adjusted: float | None
    effect_size: float | None
    mde: float | None
    verdict: str
    explanation: str


# --- one run ---------------------------------------------------------------------------------


def summarize(
    values: Sequence[float | None],
    kind: str,
    *,
    confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> Aggregate:
    """The mean of ``values`` with its ``confidence`` interval; None values are unscored.

    ``kind="binary"``: values in [0, 1], normally 0/1 passes. The Wilson score interval,

        (p̂ + z²/2n ± z √(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n),

    which keeps near-nominal coverage at small n and near 0 or 1 where the Wald interval
    fails (Brown, Cai & DasGupta 2001). Fractional values (a pass rate over repeats) are
    allowed: a [0, 1] variable with mean p has variance at most p(1-p), so the interval is then
    conservative.

    ``kind="score"``: any finite values. Below :data:`T_INTERVAL_MIN_N` a BCa bootstrap
    (``resamples`` resamples), which corrects the percentile interval for bias and skew —
    scores bunched at 1.0 are skewed — and is second-order accurate (Efron 1987). From
    :data:`T_INTERVAL_MIN_N` on, the Student-t interval ``x̄ ± t·s/√n``: by then it agrees
    with BCa to within the bootstrap's own Monte Carlo error, at no resampling cost.
    """
    xs, unscored = _scored(values, kind, strict_binary=False)
    n = len(xs)
    if n == 0:
        return Aggregate(0, None, None, None, unscored, kind)
    mean = math.fsum(xs) / n
    if kind == "binary":
        low, high = _wilson(mean, n, confidence)
        return Aggregate(n, mean, low, high, unscored, kind)
    interval = _mean_interval(xs, confidence, resamples, seed)
    low_s, high_s = interval if interval is not None else (None, None)
    return Aggregate(n, mean, low_s, high_s, unscored, kind)


def _scored(
    values: Sequence[float | None], kind: str, *, strict_binary: bool
) -> tuple[list[float], int]:
    if kind not in KINDS:
        raise ValueError(f"kind must be 'binary' or 'score', got {kind!r}")
    xs = [float(v) for v in values if v is not None]
    for x in xs:
        _check_value(x, kind, strict_binary)
    return xs, len(values) - len(xs)


def _check_value(x: float, kind: str, strict_binary: bool) -> None:
    if not math.isfinite(x):
        raise ValueError(f"values must be finite or None, got {x!r}")
    if kind == "binary":
        if strict_binary and x not in (0.0, 1.0):
            raise ValueError(f"a paired binary comparison needs 0/1 values, got {x!r}")
        if not 0.0 <= x <= 1.0:
            raise ValueError(f"binary values must lie in [0, 1], got {x!r}")


def _wilson(p_hat: float, n: int, confidence: float) -> tuple[float, float]:
    z = normal_ppf(0.5 + confidence / 2.0)
    z2n = z * z / n
    centre = (p_hat + z2n / 2.0) / (1.0 + z2n)
    half = z * math.sqrt(p_hat * (1.0 - p_hat) / n + z2n / (4.0 * n)) / (1.0 + z2n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _mean_interval(
    xs: Sequence[float], confidence: float, resamples: int, seed: int
) -> tuple[float, float] | None:
    """The interval of a mean (of scores, or of paired differences); None when n < 2."""
    n = len(xs)
    if n < 2:
        return None
    if min(xs) == max(xs):
        return xs[0], xs[0]
    mean = math.fsum(xs) / n
    if n >= T_INTERVAL_MIN_N:
        sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
        half = _t_ppf(0.5 + confidence / 2.0, n - 1) * sd / math.sqrt(n)
        return mean - half, mean + half
    return _bca(xs, mean, confidence, resamples, seed)


def _bca(
    xs: Sequence[float], mean: float, confidence: float, resamples: int, seed: int
) -> tuple[float, float]:
    """BCa bootstrap interval of the mean (Efron & Tibshirani 1993, §14.3).

    Bias correction z₀ = Φ⁻¹(share of resampled means below the mean, ties half); acceleration
    from the jackknife, which for the mean is a = Σ(xᵢ-x̄)³ / (6 (Σ(xᵢ-x̄)²)^{3/2}). The
    endpoints are the resampled means' quantiles at Φ(z₀ + (z₀+z)/(1 - a(z₀+z))) for
    z = ∓z_{1-alpha/2}, linearly interpolated.
    """
    n = len(xs)
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(xs, k=n)) / n for _ in range(resamples))
    below = bisect_left(means, mean)
    ties = bisect_right(means, mean) - below
    share = min(max((below + ties / 2.0) / resamples, 0.5 / resamples), 1.0 - 0.5 / resamples)
    z0 = normal_ppf(share)
    dev = [x - mean for x in xs]
    s2 = math.fsum(d * d for d in dev)
    denominator = 6.0 * s2**1.5
    # Subnormal spreads underflow to 0 here; the acceleration is then negligible anyway.
    accel = math.fsum(d * d * d for d in dev) / denominator if denominator > 0.0 else 0.0
    z = normal_ppf(0.5 + confidence / 2.0)

    def level(zq: float) -> float:
        w = z0 + zq
        denom = 1.0 - accel * w
        if denom <= 0.0:  # only for absurd skew; the whole mass is on one side
            return 1.0 if w > 0 else 0.0
        return normal_cdf(z0 + w / denom)

    return _quantile(means, level(-z)), _quantile(means, level(z))


def _quantile(ordered: Sequence[float], q: float) -> float:
    pos = min(max(q, 0.0), 1.0) * (len(ordered) - 1)
    i = int(pos)
    if i + 1 >= len(ordered):
        return ordered[-1]
    return ordered[i] + (pos - i) * (ordered[i + 1] - ordered[i])


# --- two runs --------------------------------------------------------------------------------


def pair_by_id(
    a: Mapping[str, float | None], b: Mapping[str, float | None]
) -> tuple[list[float | None], list[float | None]]:
    """Two runs keyed by item id as paired lists over the union of ids (sorted).

    An item present in only one run is unscored (None) in the other, so
    :func:`compare_paired` drops and counts it like any unscored pair.
    """
    ids = sorted(set(a) | set(b))
    return [a.get(i) for i in ids], [b.get(i) for i in ids]


def compare_paired(
    a: Sequence[float | None],
    b: Sequence[float | None],
    kind: str,
    higher_is_better: bool = True,
    alpha: float = 0.05,
    *,
    metric: str = "",
    min_effect: float | None = None,
    mid_p: bool = False,
    resamples: int = PERMUTATION_RESAMPLES,
    bootstrap_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = DEFAULT_SEED,
    mde_alpha: float | None = None,
) -> Comparison:
    """Run B against run A on one metric; ``a[i]`` and ``b[i]`` are the same item.

    A pair with a None on either side is dropped and counted in ``dropped``.

    ``kind="score"``, on the differences dᵢ = bᵢ - aᵢ:

    * test: the paired sign-flip permutation test of "dᵢ symmetric about 0" with statistic
      |Σdᵢ|. Exact (all 2^m sign patterns of the m non-zero differences) when
      m <= :data:`EXACT_MAX_PAIRS`; otherwise ``resamples`` random patterns and
      p = (1 + #{|T*| >= |T|}) / (resamples + 1), which is never 0 and keeps the test exact
      at level alpha (Phipson & Smyth 2010). No normality is assumed.
    * interval of the mean difference: as for :func:`summarize` — paired BCa bootstrap
      (``bootstrap_resamples``) below :data:`T_INTERVAL_MIN_N` pairs, Student-t above.
    * effect size: Cohen's d_z = d̄ / s_d (None when every difference is the same non-zero
      value; 0 when all are zero).
    * MDE: (z_{1-alpha/2} + z_{0.8}) · s_d / √n.

    ``kind="binary"`` (values 0/1), with n₀₁ items only B passes and n₁₀ items only A passes:

    * test: exact McNemar — two-sided binomial test of n₀₁ against Binomial(n₀₁+n₁₀, ½),
      p = min(1, 2·P(X <= min(n₀₁, n₁₀))); with ``mid_p`` half the point probability is taken
      off, which Fagerland et al. (2013) find keeps the level while gaining power.
    * interval of the risk difference (n₀₁-n₁₀)/n: Newcombe's (1998) method 10 — Wilson
      intervals for both pass rates combined with the phi correlation of the pairs. Closed
      form, no resampling, and near-nominal coverage where the Wald interval fails.
    * effect size: the discordant-pair odds ratio n₀₁/n₁₀ (0.5 added to both when one is 0;
      1 when both are).
    * MDE: Connor's (1987) McNemar sample-size formula, n = (z_{1-alpha/2}√ψ + z_{0.8}√(ψ-δ²))²/δ²,
      solved for δ with ψ the discordant share, floored at δ (an effect δ implies at least
      that much discordance; with ψ̂ alone the formula has no solution when discordant pairs
      are rare, e.g. for identical runs).

    The interval is at level 1 - ``alpha``; the MDE at ``mde_alpha`` (default ``alpha``;
    :func:`compare_runs` passes ``alpha / m``, the strictest level its correction can apply).
    The verdict follows the rule in the module docstring, on the unadjusted p-value here.
    """
    if len(a) != len(b):
        raise ValueError(f"paired runs need equal lengths, got {len(a)} and {len(b)}")
    if kind not in KINDS:
        raise ValueError(f"kind must be 'binary' or 'score', got {kind!r}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    pairs = [
        (float(x), float(y)) for x, y in zip(a, b, strict=True) if x is not None and y is not None
    ]
    for x, y in pairs:
        _check_value(x, kind, strict_binary=True)
        _check_value(y, kind, strict_binary=True)
    n, dropped = len(pairs), len(a) - len(pairs)
    level = alpha if mde_alpha is None else mde_alpha
    if n == 0:
        result = Comparison(
            metric, kind, 0, dropped, None, None, None, None, None, None, None, None, None, "", ""
        )
        return _decide(result, None, alpha, higher_is_better, min_effect, "")
    mean_a = math.fsum(x for x, _ in pairs) / n
    mean_b = math.fsum(y for _, y in pairs) / n
    if kind == "score":
        diffs = [y - x for x, y in pairs]
        diff = math.fsum(diffs) / n
        p_value = _sign_flip_p(diffs, resamples, seed)
        interval = _mean_interval(diffs, 1.0 - alpha, bootstrap_resamples, seed)
        sd = math.sqrt(math.fsum((d - diff) ** 2 for d in diffs) / (n - 1)) if n > 1 else None
        effect = None if sd is None else _cohen_dz(diff, sd)
        mde = None if sd is None else _score_mde(sd, n, level)
    else:
        n01 = sum(1 for x, y in pairs if y > x)
        n10 = sum(1 for x, y in pairs if x > y)
        n11 = sum(1 for x, y in pairs if x == y == 1.0)
        diff = (n01 - n10) / n
        p_value = _mcnemar_p(n01, n10, mid_p)
        interval = _newcombe_paired(n11, n01, n10, n - n11 - n01 - n10, 1.0 - alpha)
        effect = _discordant_odds_ratio(n01, n10)
        mde = _mcnemar_mde(n, (n01 + n10) / n, level)
    low, high = interval if interval is not None else (None, None)
    result = Comparison(
        metric, kind, n, dropped, mean_a, mean_b, diff, low, high, p_value, p_value, effect, mde,
        "", "",
    )  # fmt: skip
    return _decide(result, p_value, alpha, higher_is_better, min_effect, "")


def _sign_flip_p(
    diffs: Sequence[float], resamples: int, seed: int, exact_max: int = EXACT_MAX_PAIRS
) -> float:
    """Two-sided p of the paired sign-flip test with statistic |Σdᵢ|.

    Zero differences are the same under either sign and drop out. With T the sum of the
    magnitudes given a + sign, Σ±|dᵢ| = 2T - S (S = Σ|dᵢ|), so only T is resampled. Exact: the
    2^(m-1) patterns with the first sign fixed (flipping every sign leaves |Σ| unchanged).
    Monte Carlo: the magnitudes are cut into bytes' worth (8 at a time) with a 256-entry table
    of subset sums each, so one resample is one ``getrandbits`` and m/8 table look-ups.
    """
    mags = [abs(d) for d in diffs if d != 0.0]
    if not mags:
        return 1.0
    total = math.fsum(mags)
    threshold = abs(math.fsum(diffs)) - _REL_TOL * total
    if len(mags) <= exact_max:
        sums = [mags[0]]
        for x in mags[1:]:
            sums += [s + x for s in sums]
        hits = sum(1 for s in sums if abs(2.0 * s - total) >= threshold)
        return hits / len(sums)
    mags += [0.0] * (-len(mags) % 8)
    tables = []
    for i in range(0, len(mags), 8):
        table = [0.0]
        for x in mags[i : i + 8]:
            table += [s + x for s in table]
        tables.append(table)
    nbytes = len(tables)
    rng = random.Random(seed)
    hits = 0
    for _ in range(resamples):
        draw = rng.getrandbits(8 * nbytes).to_bytes(nbytes, "little")
        if abs(2.0 * sum(map(operator.getitem, tables, draw)) - total) >= threshold:
            hits += 1
    return (hits + 1) / (resamples + 1)


def _mcnemar_p(n01: int, n10: int, mid_p: bool) -> float:
    m = n01 + n10
    if m == 0:
        return 1.0
    k = min(n01, n10)
    tail = binom_cdf(k, m)
    if mid_p:
        tail -= 0.5 * math.comb(m, k) / (1 << m)
    return min(1.0, 2.0 * tail)


def _newcombe_paired(
    both: int, only_b: int, only_a: int, neither: int, confidence: float
) -> tuple[float, float]:
    """Newcombe's method 10 for p_B - p_A on paired 0/1 data.

    With Wilson intervals (l₁, u₁) for p_B and (l₂, u₂) for p_A and φ the correlation of the
    2x2 table — its numerator AD - BC reduced by n/2 (not below 0) when positive, as Newcombe
    specifies, and φ = 0 when a margin is empty: δ = √((p₁-l₁)² - 2φ(p₁-l₁)(u₂-p₂) + (u₂-p₂)²),
    ε = √((u₁-p₁)² - 2φ(u₁-p₁)(p₂-l₂) + (p₂-l₂)²), interval (θ̂ - δ, θ̂ + ε).
    """
    n = both + only_b + only_a + neither
    p1, p2 = (both + only_b) / n, (both + only_a) / n
    l1, u1 = _wilson(p1, n, confidence)
    l2, u2 = _wilson(p2, n, confidence)
    margins = (both + only_b) * (only_a + neither) * (both + only_a) * (only_b + neither)
    cross: float = both * neither - only_b * only_a
    if cross > 0:  # Newcombe's continuity adjustment of a positive correlation
        cross = max(0.0, cross - n / 2.0)
    phi = cross / math.sqrt(margins) if margins else 0.0
    theta = p1 - p2
    dl = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    du = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return max(-1.0, theta - dl), min(1.0, theta + du)


def _cohen_dz(diff: float, sd: float) -> float | None:
    """d̄ / s_d; 0 when every difference is 0, None when all are the same non-zero value."""
    if sd > 0.0:
        return diff / sd
    return 0.0 if diff == 0.0 else None


def _discordant_odds_ratio(n01: int, n10: int) -> float:
    if n01 == n10 == 0:
        return 1.0
    if n01 == 0 or n10 == 0:
        return (n01 + 0.5) / (n10 + 0.5)
    return n01 / n10


def _score_mde(sd: float, n: int, alpha: float) -> float:
    return (normal_ppf(1.0 - alpha / 2.0) + normal_ppf(POWER)) * sd / math.sqrt(n)


def _mcnemar_mde(n: int, discordant: float, alpha: float) -> float | None:
    """Smallest δ with √n·δ >= z_{1-alpha/2}√ψ + z_{0.8}√(ψ-δ²), ψ = max(ψ̂, δ) (Connor 1987).

    The left side minus the right changes sign once on (0, 1], so bisection finds it; None
    when even δ = 1 is out of reach (n < 4).
    """
    u, v, root_n = normal_ppf(1.0 - alpha / 2.0), normal_ppf(POWER), math.sqrt(n)

    def reached(delta: float) -> bool:
        psi = max(discordant, delta)
        return root_n * delta - u * math.sqrt(psi) - v * math.sqrt(max(0.0, psi - delta**2)) > 0

    if not reached(1.0):
        return None
    low, high = 0.0, 1.0
    for _ in range(60):  # 2**-60: far below any difference a report prints
        mid = (low + high) / 2.0
        low, high = (low, mid) if reached(mid) else (mid, high)
    return high


def _verdict(
    n: int,
    p_adjusted: float | None,
    diff: float | None,
    alpha: float,
    higher_is_better: bool,
    mde: float | None,
    min_effect: float | None,
) -> str:
    """The rule of the module docstring, in its order."""
    if n < MIN_PAIRS or p_adjusted is None or diff is None:
        return INCONCLUSIVE
    if p_adjusted < alpha and diff != 0.0:
        return IMPROVED if (diff > 0) == higher_is_better else REGRESSED
    if min_effect is not None and (mde is None or mde > min_effect):
        return INCONCLUSIVE
    return NO_CHANGE


def _decide(
    c: Comparison,
    p_adjusted: float | None,
    alpha: float,
    higher_is_better: bool,
    min_effect: float | None,
    method: str,
) -> Comparison:
    verdict = _verdict(c.n_pairs, p_adjusted, c.diff, alpha, higher_is_better, c.mde, min_effect)
    return replace(
        c,
        p_adjusted=p_adjusted,
        verdict=verdict,
        explanation=_explain(c, p_adjusted, verdict, alpha, min_effect, method),
    )


def _explain(
    c: Comparison,
    p_adjusted: float | None,
    verdict: str,
    alpha: float,
    min_effect: float | None,
    method: str,
) -> str:
    dropped = f", {c.dropped} dropped as unscored" if c.dropped else ""
    if c.n_pairs < MIN_PAIRS or c.mean_a is None or c.mean_b is None or c.diff is None:
        return (
            f"{verdict}: {c.n_pairs} scored pairs{dropped}; at least {MIN_PAIRS} are needed "
            "to compare"
        )
    test = "exact McNemar" if c.kind == "binary" else "paired permutation"
    ci = (
        "" if c.ci_low is None or c.ci_high is None else f", CI {c.ci_low:+.3f} to {c.ci_high:+.3f}"
    )
    adj = f", adjusted ({method}) {p_adjusted:.4g}" if method and p_adjusted is not None else ""
    text = (
        f"{verdict}: {c.mean_a:.3f} -> {c.mean_b:.3f} ({c.diff:+.3f}{ci}), {test} "
        f"p={c.p_value:.4g}{adj}, alpha {alpha:g}; {c.n_pairs} pairs{dropped}"
    )
    if c.mde is not None:
        text += f"; detectable with 80 % power: {c.mde:.3f}"
    if verdict == INCONCLUSIVE and min_effect is not None:
        text += f", above the smallest effect of interest {min_effect:g}"
    return text


def adjust(p_values: Sequence[float], method: str = "holm") -> list[float]:
    """p-values adjusted for multiple comparisons, in the input order.

    ``"holm"`` (Holm 1979) controls the family-wise error rate — the chance of any false
    "improved"/"regressed" — under any dependence: with p₍₁₎ <= ... <= p₍ₘ₎,
    p̃₍ᵢ₎ = max_{j<=i} min(1, (m-j+1) p₍ⱼ₎). Uniformly more powerful than Bonferroni.

    ``"bh"`` (Benjamini & Hochberg 1995) controls the false discovery rate — the expected share
    of false verdicts among those flagged — for independent or positively dependent tests:
    p̃₍ᵢ₎ = min_{j>=i} min(1, m p₍ⱼ₎ / j). More power with many metrics, weaker guarantee.
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    out = [0.0] * m
    if method == "holm":
        running = 0.0
        for rank, i in enumerate(order):
            running = max(running, min(1.0, (m - rank) * p_values[i]))
            out[i] = running
    elif method == "bh":
        running = 1.0
        for rank in range(m - 1, -1, -1):
            i = order[rank]
            running = min(running, m * p_values[i] / (rank + 1))
            out[i] = running
    else:
        raise ValueError(f"method must be 'holm' or 'bh', got {method!r}")
    return out


def compare_runs(
    metrics: Mapping[str, tuple[Sequence[float | None], Sequence[float | None], str, bool]],
    alpha: float = 0.05,
    *,
    method: str = "holm",
    min_effect: float | Mapping[str, float] | None = None,
    mid_p: bool = False,
    resamples: int = PERMUTATION_RESAMPLES,
    bootstrap_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict[str, Comparison]:
    """Compare every metric ``{name: (a, b, kind, higher_is_better)}``, corrected across them.

    Each metric goes through :func:`compare_paired`; the p-values of the metrics with at least
    :data:`MIN_PAIRS` pairs form the family that :func:`adjust` corrects (``method``). Metrics
    with fewer pairs are "inconclusive" whatever their p, so they are left out of the family
    rather than cost the others power; their ``p_adjusted`` is None. Verdicts then follow the
    rule of the module docstring on the adjusted p-values. The MDE is quoted at ``alpha / m``
    for a family of m: the strictest level Holm or BH can apply, so an effect of that size is
    found with 80 % power whatever the other metrics do.

    ``min_effect`` is one smallest effect of interest for all metrics or one per metric name,
    in the metric's own units (a pass rate difference, a score difference). Every metric uses
    the same ``seed``, so a metric's result does not depend on which others are compared.
    """
    eligible = [
        name
        for name, (a, b, _, _) in metrics.items()
        if sum(1 for x, y in zip(a, b, strict=False) if x is not None and y is not None)
        >= MIN_PAIRS
    ]
    level = alpha / max(1, len(eligible))
    raw = {
        name: compare_paired(
            a,
            b,
            kind,
            better,
            alpha,
            metric=name,
            mid_p=mid_p,
            resamples=resamples,
            bootstrap_resamples=bootstrap_resamples,
            seed=seed,
            mde_alpha=level,
        )
        for name, (a, b, kind, better) in metrics.items()
    }
    family = [name for name in eligible if raw[name].p_value is not None]
    adjusted = dict(
        zip(family, adjust([raw[n].p_value or 0.0 for n in family], method), strict=True)
    )
    out = {}
    for name, c in raw.items():
        threshold = min_effect.get(name) if isinstance(min_effect, Mapping) else min_effect
        out[name] = _decide(c, adjusted.get(name), alpha, metrics[name][3], threshold, method)
    return out
