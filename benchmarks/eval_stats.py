"""False-positive rate and power of ``spyglass.evals.stats.compare_runs``, by simulation.

Each simulated eval has ``--n`` items. Item i has a true quality qᵢ ~ Beta(7, 3) (mean 0.70),
shared by both runs, so the runs are paired the way real evals are: hard items are hard for
both. A run's pass/fail outcome for item i is Bernoulli(qᵢ) and its score is qᵢ + N(0, 0.15²)
(judge noise, drawn afresh per run; scores are not clipped so the planted effect is exact).

1. A/A: both runs come from the same system. Any "improved" or "regressed" verdict is a false
   positive; its rate must not exceed the nominal alpha beyond Monte Carlo error.
2. Power: run B's quality is qᵢ + (1 - qᵢ)/6 — it moves every item towards 1 and raises the
   mean pass rate from 0.70 to 0.75 and the mean score by 0.05 exactly. The share of
   "improved" verdicts is the power at that n.

Both metrics go through one ``compare_runs`` call per simulation (Holm across the two, as a
real comparison would), each simulation with its own seed. Rates come with their 95 % Wilson
interval. Prints a table, then one JSON line.

    python benchmarks/eval_stats.py [--simulations 1000] [--n 500] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence

from spyglass.evals import stats

#: Beta(7, 3): mean pass rate 0.70 with real spread between easy and hard items.
QUALITY = (7.0, 3.0)
#: Per-run judge noise on a score.
SCORE_NOISE = 0.15
#: Moving qᵢ a sixth of the way to 1 raises E[q] = 0.7 by 0.3 / 6 = 0.05.
LIFT = 1.0 / 6.0
METRICS = ("binary", "score")


def run(quality: Sequence[float], rng: random.Random) -> tuple[list[int], list[float]]:
    passes = [int(rng.random() < q) for q in quality]
    scores = [q + rng.gauss(0.0, SCORE_NOISE) for q in quality]
    return passes, scores


def simulate(
    sim: int, n: int, rng: random.Random, planted: bool, alpha: float, resamples: int
) -> dict[str, stats.Comparison]:
    quality = [rng.betavariate(*QUALITY) for _ in range(n)]
    better = [q + (1.0 - q) * LIFT for q in quality] if planted else quality
    a_pass, a_score = run(quality, rng)
    b_pass, b_score = run(better, rng)
    return stats.compare_runs(
        {"binary": (a_pass, b_pass, "binary", True), "score": (a_score, b_score, "score", True)},
        alpha,
        resamples=resamples,
        seed=sim,
    )


def rate(flags: list[int]) -> tuple[float, float, float]:
    agg = stats.summarize(flags, "binary")
    assert agg.mean is not None and agg.ci_low is not None and agg.ci_high is not None
    return agg.mean, agg.ci_low, agg.ci_high


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--simulations", type=int, default=1_000)
    ap.add_argument("--n", type=int, default=500, help="items per eval")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument(
        "--resamples",
        type=int,
        default=stats.PERMUTATION_RESAMPLES,
        help="Monte Carlo sign flips per score comparison",
    )
    args = ap.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    flags: dict[str, list[int]] = {}
    mdes: dict[str, list[float]] = {m: [] for m in METRICS}
    for sim in range(args.simulations):
        for planted in (False, True):
            out = simulate(sim, args.n, rng, planted, args.alpha, args.resamples)
            label = "power" if planted else "aa"
            for metric, c in out.items():
                hit = c.verdict == "improved" if planted else c.verdict in ("improved", "regressed")
                flags.setdefault(f"{label}_{metric}", []).append(int(hit))
                raw = c.p_value is not None and c.p_value < args.alpha
                flags.setdefault(f"{label}_{metric}_unadjusted", []).append(int(raw))
                if not planted and c.mde is not None:
                    mdes[metric].append(c.mde)
            if not planted:
                any_flag = any(c.verdict in ("improved", "regressed") for c in out.values())
                flags.setdefault("aa_any", []).append(int(any_flag))
    elapsed = time.perf_counter() - started

    print(
        f"{args.simulations} simulations, n = {args.n} items, alpha = {args.alpha}, "
        f"{args.resamples} sign flips per score test, seed {args.seed}, {elapsed:.1f} s"
    )
    print(f"{'':<44}{'rate':>8}{'95 % interval':>20}")
    rows = [
        ("A/A false positives, pass/fail (Holm)", "aa_binary"),
        ("A/A false positives, score (Holm)", "aa_score"),
        ("A/A either metric flagged (family-wise)", "aa_any"),
        ("A/A p < alpha, pass/fail (unadjusted)", "aa_binary_unadjusted"),
        ("A/A p < alpha, score (unadjusted)", "aa_score_unadjusted"),
        ("power, pass 0.70 -> 0.75 (Holm)", "power_binary"),
        ("power, score +0.05 (Holm)", "power_score"),
        ("power, pass 0.70 -> 0.75 (unadjusted)", "power_binary_unadjusted"),
        ("power, score +0.05 (unadjusted)", "power_score_unadjusted"),
    ]
    rates = {}
    for title, key in rows:
        mean, low, high = rate(flags[key])
        rates[key] = mean
        print(f"{title:<44}{mean:>8.3f}{f'[{low:.3f}, {high:.3f}]':>20}")
    for metric in METRICS:
        values = mdes[metric]
        print(f"{f'mean MDE (80 % power, alpha/2), {metric}':<44}{sum(values) / len(values):>8.4f}")
    for key in ("aa_binary", "aa_score", "aa_any"):
        _, low, _ = rate(flags[key])
        verdict = "ok" if low <= args.alpha else "ABOVE NOMINAL"
        print(f"check {key}: lower 95 % bound {low:.3f} <= {args.alpha} -> {verdict}")
    print(
        json.dumps(
            {
                "aa_fpr_binary": round(rates["aa_binary"], 4),
                "aa_fpr_score": round(rates["aa_score"], 4),
                "aa_fwer": round(rates["aa_any"], 4),
                f"power_binary_5pt_n{args.n}": round(rates["power_binary"], 4),
                f"power_score_5pt_n{args.n}": round(rates["power_score"], 4),
                "simulations": args.simulations,
                "n": args.n,
                "alpha": args.alpha,
                "resamples": args.resamples,
                "seed": args.seed,
                "seconds": round(elapsed, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
