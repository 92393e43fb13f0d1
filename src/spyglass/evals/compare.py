"""Comparing two runs item by item, and gating a run on thresholds.

A comparison pairs the items of run A (baseline) and run B (candidate) by item id, runs the
paired test that fits each check (McNemar for pass/fail checks, a paired permutation test for
scores), corrects the p-values across checks (Holm), and gives each check a verdict:
``improved``, ``regressed``, ``no detectable change`` or ``inconclusive``.

A gate is a threshold on a check's mean (``min`` and/or ``max``). It is judged on the 95 %
interval, not on the mean alone: ``pass`` when the whole interval is on the right side,
``fail`` when the whole interval is on the wrong side, ``inconclusive`` when the interval
straddles the threshold — not enough data to tell.

:class:`ExitCode` turns the lot into what CI needs: 0 pass, 1 regression or failed gate,
2 inconclusive, 3 infrastructure error (the target or a judge failed).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from spyglass.evals import stats
from spyglass.evals.results import ScoreTable
from spyglass.evals.summary import RunSummary
from spyglass.exceptions import ConfigError

__all__ = ["ExitCode", "GateResult", "compare_tables", "exit_code", "judge_gates", "worst"]

IMPROVED = "improved"
REGRESSED = "regressed"
NO_CHANGE = "no detectable change"
INCONCLUSIVE = "inconclusive"


class ExitCode(enum.IntEnum):
    PASS = 0
    REGRESSION = 1
    INCONCLUSIVE = 2
    INFRASTRUCTURE = 3


# Which code wins when several apply: a broken run says nothing about quality, and a
# regression matters more than an unclear result.
_SEVERITY = {
    ExitCode.PASS: 0,
    ExitCode.INCONCLUSIVE: 1,
    ExitCode.REGRESSION: 2,
    ExitCode.INFRASTRUCTURE: 3,
}


def worst(*codes: ExitCode) -> ExitCode:
    return max(codes, key=_SEVERITY.__getitem__)


@dataclass(frozen=True)
class GateResult:
    check: str
    bound: str  # "min" or "max"
    threshold: float
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: str  # pass | fail | inconclusive

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge_gates(summary: RunSummary, gates: Mapping[str, Mapping[str, float]]) -> list[GateResult]:
    """Judge ``{check: {min: x, max: y}}`` on each check's 95 % interval."""
    out = []
    for label, bounds in gates.items():
        check = summary.check(label)
        if check is None:
            known = [c.label for c in summary.checks]
            raise ConfigError(f"gate on unknown check {label!r}; the run has {known}")
        unknown = set(bounds) - {"min", "max"}
        if unknown:
            raise ConfigError(f"gate {label!r}: unknown bounds {sorted(unknown)}; use min, max")
        for bound, threshold in bounds.items():
            low, high = check.ci_low, check.ci_high
            if check.mean is None or low is None or high is None:
                verdict = "inconclusive"
            elif bound == "min":
                verdict = "pass" if low >= threshold else "fail" if high < threshold else "inc"
            else:
                verdict = "pass" if high <= threshold else "fail" if low > threshold else "inc"
            out.append(
                GateResult(
                    check=label,
                    bound=bound,
                    threshold=float(threshold),
                    mean=check.mean,
                    ci_low=low,
                    ci_high=high,
                    verdict="inconclusive" if verdict == "inc" else verdict,
                )
            )
    return out


def compare_tables(
    baseline: RunSummary,
    candidate: RunSummary,
    base_table: ScoreTable,
    cand_table: ScoreTable,
    *,
    alpha: float = 0.05,
) -> list[stats.Comparison]:
    """Paired comparisons of every check the two runs share."""
    metrics: dict[str, tuple[list[float | None], list[float | None], str, bool]] = {}
    for check in candidate.checks:
        base_check = baseline.check(check.label)
        if base_check is None:
            continue
        binary = check.binary and base_check.binary
        a = base_table.per_item(check.label, binary=binary)
        b = cand_table.per_item(check.label, binary=binary)
        ids = sorted(set(a) & set(b))
        kind = "binary" if binary else "score"
        if binary:
            # Repeats can average a pass/fail to 0.5; McNemar needs one outcome per item.
            pairs_a = [None if a[i] is None else float(a[i] >= 0.5) for i in ids]  # type: ignore[operator]
            pairs_b = [None if b[i] is None else float(b[i] >= 0.5) for i in ids]  # type: ignore[operator]
        else:
            pairs_a = [a[i] for i in ids]
            pairs_b = [b[i] for i in ids]
        metrics[check.label] = (pairs_a, pairs_b, kind, check.higher_is_better)
    if not metrics:
        raise ConfigError("the two runs share no check to compare")
    return list(stats.compare_runs(metrics, alpha=alpha).values())


def exit_code(
    summary: RunSummary,
    *,
    gates: list[GateResult] | None = None,
    comparisons: list[stats.Comparison] | None = None,
    max_error_rate: float = 0.0,
) -> ExitCode:
    """Infrastructure errors first, then regressions and failed gates, then inconclusive."""
    runs = max(1, summary.runs)
    if summary.infrastructure_errors / runs > max_error_rate:
        return ExitCode.INFRASTRUCTURE
    verdicts = [g.verdict for g in gates or []] + [c.verdict for c in comparisons or []]
    if "fail" in verdicts or REGRESSED in verdicts:
        return ExitCode.REGRESSION
    if INCONCLUSIVE in verdicts:
        return ExitCode.INCONCLUSIVE
    return ExitCode.PASS
