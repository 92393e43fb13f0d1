"""Measuring a policy: its own examples as unit tests, and labelled data for accuracy.

``spyglass guard test policy.yaml`` runs :func:`run_examples`; ``spyglass guard eval policy
--data cases.jsonl`` runs :func:`evaluate_policy` and prints precision, recall, F1,
false-positive rate and latency percentiles overall and per check. A text counts as flagged
by the policy when any rule failed on it (monitor-only rules included); by a check when that
check failed. Every rule runs on every text (no stop at the first block) so each check is
measured on all of the data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spyglass.exceptions import PolicyError
from spyglass.guard.guard import Guard
from spyglass.guard.policy import Example, Policy, Stage
from spyglass.guard.result import GuardResult

__all__ = ["ExampleOutcome", "evaluate_policy", "read_cases", "run_examples", "verdict_of"]


def verdict_of(result: GuardResult) -> str:
    """``block``, ``fix``, ``redact``, ``flag`` (monitor/re-ask only) or ``pass``."""
    if result.blocked:
        return "block"
    taken = set(result.actions)
    for verdict in ("fix", "redact"):
        if verdict in taken:
            return verdict
    return "flag" if result.flagged else "pass"


@dataclass(frozen=True)
class ExampleOutcome:
    example: Example
    result: GuardResult
    got: str
    ok: bool
    problem: str = ""


def run_examples(policy: Policy) -> list[ExampleOutcome]:
    guard = Guard(policy, record=False)
    outcomes = []
    for example in policy.examples:
        result = guard.run(example.text, example.stage)
        got = verdict_of(result)
        ok = got == example.expect or (example.expect == "flag" and got != "pass")
        problem = "" if ok else f"expected {example.expect}, got {got}"
        if ok and example.output is not None and result.text != example.output:
            ok, problem = False, f"expected text {example.output!r}, got {result.text!r}"
        outcomes.append(ExampleOutcome(example, result, got, ok, problem))
    return outcomes


def read_cases(path: Path) -> Iterator[tuple[str, int]]:
    """``(text, label)`` from JSONL lines ``{"text": ..., "label": 0|1}``; PolicyError if bad."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise PolicyError(f"{path}:{number}: not JSON: {exc}") from exc
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise PolicyError(f"{path}:{number}: each line needs a string 'text'")
            label = row.get("label")
            if label not in (0, 1, True, False):
                raise PolicyError(f"{path}:{number}: 'label' must be 0 or 1")
            yield row["text"], int(label)


@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0
    latencies: list[float] = field(default_factory=list)

    def add(self, predicted: bool, label: int, latency_ms: float) -> None:
        if predicted and label:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif label:
            self.fn += 1
        else:
            self.tn += 1
        self.latencies.append(latency_ms)

    def summary(self) -> dict[str, Any]:
        def ratio(num: int, den: int) -> float:
            return round(num / den, 4) if den else 0.0

        precision = ratio(self.tp, self.tp + self.fp)
        recall = ratio(self.tp, self.tp + self.fn)
        f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
        return {
            "n": self.tp + self.fp + self.tn + self.fn,
            "tp": self.tp,
            "fp": self.fp,
            "tn": self.tn,
            "fn": self.fn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "fpr": ratio(self.fp, self.fp + self.tn),
            "latency_ms_p50": round(_quantile(self.latencies, 0.5), 4),
            "latency_ms_p95": round(_quantile(self.latencies, 0.95), 4),
        }


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def evaluate_policy(
    policy: Policy, cases: Iterable[tuple[str, int]], stage: Stage | str = Stage.INPUT
) -> dict[str, Any]:
    """Precision, recall, F1, FPR and latency p50/p95, overall and per check."""
    guard = Guard(policy, record=False)
    overall = _Tally()
    per_check: dict[str, _Tally] = {rule.name: _Tally() for rule in policy.rules(stage)}
    for text, label in cases:
        result = guard.run(text, stage, stop_on_block=False)
        overall.add(result.flagged, label, result.latency_ms)
        for outcome in result.outcomes:
            per_check[outcome.rule].add(outcome.triggered, label, outcome.result.latency_ms)
    return {
        "policy": policy.name,
        "stage": Stage(stage).value,
        "overall": overall.summary(),
        "checks": {name: tally.summary() for name, tally in per_check.items()},
    }
