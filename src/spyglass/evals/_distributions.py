"""The distributions the statistics need, in the standard library: normal CDF and quantile
(Acklam's algorithm with one Halley refinement), Student's t quantile (a series expansion),
and the binomial CDF. No scipy at run time; tests compare them with scipy.
"""

from __future__ import annotations

import math

_A = (-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690,
      -30.66479806614716, 2.506628277459239)  # fmt: skip
_B = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
      -13.28068155288572)  # fmt: skip
_C = (-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
      4.374664141464968, 2.938163982698783)  # fmt: skip
_D = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
_P_LOW = 0.02425  # Acklam's switch between the tail and the central rational approximation


def normal_cdf(x: float) -> float:
    """Standard normal CDF, Φ(x) = erfc(-x / √2) / 2 (accurate in the lower tail too)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def normal_ppf(p: float) -> float:
    """Standard normal quantile Φ⁻¹(p), to about 1e-15 relative.

    Acklam's rational approximation (relative error 1.15e-9) followed by one Halley step on
    ``Φ(x) - p``, with Φ from ``math.erfc``. For ``p > 0.5`` it returns ``-normal_ppf(1 - p)``;
    ``1 - p`` is exact there (Sterbenz), so no accuracy is lost to the symmetry.
    """
    if not 0.0 < p < 1.0:
        if p == 0.0:
            return -math.inf
        if p == 1.0:
            return math.inf
        raise ValueError(f"normal_ppf needs 0 <= p <= 1, got {p!r}")
    if p > 0.5:
        return -normal_ppf(1.0 - p)
    if p < _P_LOW:
        q = math.sqrt(-2.0 * math.log(p))
        c, d = _C, _D
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0
        )
    else:
        q = p - 0.5
        r = q * q
        a, b = _A, _B
        x = (
            (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
            * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0)
        )
    density = math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    if density > 0.0:  # below p ~ 1e-300 the density underflows; Acklam alone is used
        u = (normal_cdf(x) - p) / density
        x -= u / (1.0 + 0.5 * x * u)
    return x


def t_ppf(p: float, df: float) -> float:
    """Student-t quantile by the Cornish-Fisher expansion in 1/df (A&S 26.7.5).

    Error below 1e-6 for df >= 30 at the usual levels; used here only for df >= 499.
    """
    x = normal_ppf(p)
    x2 = x * x
    g1 = (x2 + 1.0) * x / 4.0
    g2 = ((5.0 * x2 + 16.0) * x2 + 3.0) * x / 96.0
    g3 = (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) * x / 384.0
    g4 = ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) * x / 92160.0
    return x + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df


def binom_cdf(k: int, n: int, p: float = 0.5) -> float:
    """P(X <= k) for X ~ Binomial(n, p).

    For ``p = 0.5`` (McNemar's null) the sum ``Σ C(n, i) / 2**n`` is done in integers and
    divided once, so it is correctly rounded. Otherwise the terms are summed in log space,
    ``C(n, i) p**i (1-p)**(n-i)`` via ``math.lgamma``.
    """
    if n < 0 or not 0.0 <= p <= 1.0:
        raise ValueError(f"binom_cdf needs n >= 0 and 0 <= p <= 1, got n={n}, p={p}")
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if p == 0.5:
        return sum(math.comb(n, i) for i in range(k + 1)) / (1 << n)
    if p in (0.0, 1.0):
        return 1.0 if p == 0.0 else 0.0
    log_p, log_q, log_n = math.log(p), math.log1p(-p), math.lgamma(n + 1)
    terms = [
        math.exp(log_n - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q)
        for i in range(k + 1)
    ]
    return min(1.0, math.fsum(terms))
