"""Reports for people and for CI: Markdown (a PR comment) and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

from spyglass.evals import stats
from spyglass.evals.compare import ExitCode, GateResult
from spyglass.evals.summary import RunSummary

__all__ = ["render", "render_run"]

_VERDICT_MARK = {
    "improved": "✅ improved",
    "regressed": "❌ regressed",
    "no detectable change": "= no detectable change",
    "inconclusive": "❔ inconclusive",
    "pass": "✅ pass",
    "fail": "❌ fail",
}


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _interval(low: float | None, high: float | None) -> str:
    return "-" if low is None or high is None else f"[{low:.3f}, {high:.3f}]"


def _run_lines(summary: RunSummary) -> list[str]:
    lines = [
        f"**{summary.name}** — run `{summary.run_id}` on dataset `{summary.dataset['name']}` "
        f"(version `{summary.dataset['version']}`, {summary.items} items"
        f"{f' x {summary.repeats} repeats' if summary.repeats > 1 else ''}), "
        f"{summary.duration_s:.1f} s",
        "",
        "| check | mean | 95 % CI | pass rate | 95 % CI | n | unscored | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in summary.checks:
        lines.append(
            f"| {c.label} | {_num(c.mean)} | {_interval(c.ci_low, c.ci_high)} "
            f"| {_num(c.pass_rate)} | {_interval(c.pass_ci_low, c.pass_ci_high)} "
            f"| {c.n} | {c.unscored} | {c.errors} |"
        )
    if summary.task_errors:
        lines += ["", f"⚠️ the task failed on {summary.task_errors} of {summary.runs} runs."]
    return lines


def render_run(summary: RunSummary, fmt: str = "markdown") -> str:
    if fmt == "json":
        return json.dumps(summary.to_dict(), default=str)
    return "\n".join(_run_lines(summary))


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"


def _effect(c: stats.Comparison) -> str:
    """Cohen's d_z for scores; the odds ratio of the discordant pairs for pass/fail."""
    if c.effect_size is None:
        return "-"
    return f"OR {c.effect_size:.2f}" if c.kind == "binary" else f"d_z {c.effect_size:.2f}"


def _comparison_lines(comparisons: Sequence[stats.Comparison]) -> list[str]:
    lines = [
        "| check | baseline | candidate | Δ | 95 % CI of Δ | p (adj.) | effect size | MDE "
        "| verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in comparisons:
        lines.append(
            f"| {c.metric} | {_num(c.mean_a)} | {_num(c.mean_b)} | {_num(c.diff)} "
            f"| {_interval(c.ci_low, c.ci_high)} | {_p(c.p_adjusted)} "
            f"| {_effect(c)} | {_num(c.mde)} | {_VERDICT_MARK.get(c.verdict, c.verdict)} |"
        )
    lines.append("")
    lines.append(
        f"Paired by item id (n = {comparisons[0].n_pairs if comparisons else 0} pairs); "
        "pass/fail checks use McNemar's exact test, scores a paired permutation test; "
        "p-values Holm-corrected across checks; MDE = smallest difference this n detects "
        "with 80 % power."
    )
    return lines


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


def render(
    summary: RunSummary,
    *,
    code: ExitCode,
    gates: Sequence[GateResult] = (),
    comparisons: Sequence[stats.Comparison] = (),
    baseline: RunSummary | None = None,
    fmt: str = "markdown",
) -> str:
    """The whole verdict of a run: aggregates, gates, comparison with a baseline, exit code."""
    if fmt == "json":
        return json.dumps(
            {
                "run": summary.to_dict(),
                "baseline": None if baseline is None else baseline.run_id,
                "gates": [g.to_dict() for g in gates],
                "comparisons": [_jsonable(c) for c in comparisons],
                "exit_code": int(code),
                "verdict": code.name.lower(),
            },
            default=str,
        )
    lines = ["## Spyglass eval", "", *_run_lines(summary)]
    if gates:
        lines += ["", "### Gates", "", "| check | gate | mean | 95 % CI | verdict |"]
        lines.append("|---|---|---|---|---|")
        for g in gates:
            op = "≥" if g.bound == "min" else "≤"
            lines.append(
                f"| {g.check} | {op} {g.threshold:g} | {_num(g.mean)} "
                f"| {_interval(g.ci_low, g.ci_high)} | {_VERDICT_MARK.get(g.verdict, g.verdict)} |"
            )
    if comparisons and baseline is not None:
        lines += ["", f"### Compared with `{baseline.run_id}`", ""]
        lines += _comparison_lines(comparisons)
    lines += ["", f"**Result: {code.name.lower()}** (exit code {int(code)})"]
    return "\n".join(lines)
