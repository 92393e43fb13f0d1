"""The summary of a run: every aggregate with its 95 % confidence interval and n.

Per check: the mean score and the pass rate, one value per item (repeats averaged first, so
an item counts once however often it ran), with intervals from :mod:`spyglass.evals.stats`.
A check whose scores are all 0 or 1 is *binary*: its mean is a pass rate (Wilson interval)
and comparisons use McNemar's test; others are *scores* (bootstrap interval, paired
permutation test).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from spyglass.evals import stats
from spyglass.evals.results import ScoreTable

if TYPE_CHECKING:
    from spyglass.checks import Check
    from spyglass.evals.dataset import Dataset

__all__ = ["CheckSummary", "RunSummary", "summarize_run"]


@dataclass
class CheckSummary:
    label: str
    check: str
    higher_is_better: bool
    binary: bool
    n: int
    unscored: int
    errors: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    pass_rate: float | None = None
    pass_ci_low: float | None = None
    pass_ci_high: float | None = None
    spread: float = 0.0  # mean range across repeats (judge instability)


@dataclass
class RunSummary:
    run_id: str
    name: str
    dataset: dict[str, Any]
    repeats: int
    items: int
    runs: int
    task_errors: int
    checks: list[CheckSummary] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.finished - self.started

    def check(self, label: str) -> CheckSummary | None:
        return next((c for c in self.checks if c.label == label), None)

    @property
    def infrastructure_errors(self) -> int:
        """Task failures after retries plus checks that could not run (judge errors)."""
        return self.task_errors + sum(c.errors for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["duration_s"] = round(self.duration_s, 3)
        out["infrastructure_errors"] = self.infrastructure_errors
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RunSummary:
        checks = [CheckSummary(**c) for c in raw.get("checks", [])]
        keys = {f for f in cls.__dataclass_fields__ if f != "checks"}
        return cls(**{k: v for k, v in raw.items() if k in keys}, checks=checks)


def _aggregate(values: Sequence[float | None], kind: str) -> stats.Aggregate:
    return stats.summarize(list(values), kind)


def summarize_run(
    *,
    run_id: str,
    name: str,
    dataset: Dataset,
    checks: Sequence[Check],
    table: ScoreTable,
    repeats: int,
    task_errors: int,
    started: float,
    finished: float | None = None,
    metadata: dict[str, Any] | None = None,
) -> RunSummary:
    summaries = []
    ids = [item.id for item in dataset]
    for check in checks:
        binary = table.is_binary(check.label)
        scores = table.per_item(check.label, binary=False)
        passes = table.per_item(check.label, binary=True)
        score_values = [scores.get(i) for i in ids]
        agg = _aggregate(score_values, "binary" if binary else "score")
        pass_values = [passes.get(i) for i in ids]
        pagg = (
            _aggregate(pass_values, "binary") if any(v is not None for v in pass_values) else None
        )
        summaries.append(
            CheckSummary(
                label=check.label,
                check=check.name or type(check).__name__,
                higher_is_better=type(check).higher_is_better,
                binary=binary,
                n=agg.n,
                unscored=len(ids) - agg.n,
                errors=table.errors.get(check.label, 0),
                mean=agg.mean,
                ci_low=agg.ci_low,
                ci_high=agg.ci_high,
                pass_rate=None if pagg is None else pagg.mean,
                pass_ci_low=None if pagg is None else pagg.ci_low,
                pass_ci_high=None if pagg is None else pagg.ci_high,
                spread=round(table.spread(check.label), 6),
            )
        )
    return RunSummary(
        run_id=run_id,
        name=name,
        dataset={"name": dataset.name, "version": dataset.version, "items": len(dataset)},
        repeats=repeats,
        items=len(dataset),
        runs=len(dataset) * repeats,
        task_errors=task_errors,
        checks=summaries,
        started=started,
        finished=time.time() if finished is None else finished,
        metadata=dict(metadata or {}),
    )
