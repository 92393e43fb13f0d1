"""Evals in test files: the ``spyglass_eval`` fixture (registered with the spyglass plugin).

::

    def test_answers_are_good_enough(spyglass_eval):
        spyglass_eval(answer, "tests/data/qa.jsonl", checks=["token-f1"],
                      gates={"token-f1": {"min": 0.7}})

The test fails with the Markdown report when a gate fails, a check regresses against the
baseline, the result is inconclusive (unless ``allow_inconclusive=True``), or the task or a
judge failed. Runs are kept under the ``evals_dir`` setting, so ``baseline="latest"``
compares with the previous run of the same name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from spyglass.checks import Check
from spyglass.evals.compare import ExitCode, compare_tables, exit_code, judge_gates
from spyglass.evals.config import latest_run
from spyglass.evals.dataset import Dataset, Item
from spyglass.evals.experiment import Experiment, evaluate
from spyglass.evals.report import render
from spyglass.evals.results import load_run
from spyglass.evals.summary import RunSummary

__all__ = ["EvalRunner", "spyglass_eval"]


class EvalRunner:
    """Callable: run an experiment and fail the test unless it passes."""

    def __init__(self, evals_dir: Path | None = None) -> None:
        self.evals_dir = evals_dir

    def _dir(self) -> Path:
        if self.evals_dir is not None:
            return self.evals_dir
        from spyglass.settings import load_settings

        return load_settings().resolved_evals_dir

    def __call__(
        self,
        task: Callable[..., Any],
        dataset: Dataset | str | Path | Iterable[Item | Mapping[str, Any]],
        checks: Iterable[Check | str | Mapping[str, Any]] = (),
        *,
        gates: Mapping[str, Mapping[str, float]] | None = None,
        baseline: str | None = None,
        allow_inconclusive: bool = False,
        max_error_rate: float = 0.0,
        **options: Any,
    ) -> Experiment:
        if isinstance(dataset, str | Path):
            dataset = Dataset.from_file(dataset)
        root = Path(options.pop("evals_dir", None) or self._dir())
        options.setdefault("progress", False)
        experiment = evaluate(task, dataset, checks, evals_dir=root, **options)
        gate_results = judge_gates(experiment.summary, gates or {})
        comparisons = []
        base_summary = None
        if baseline is not None:
            ref = (
                latest_run(root, experiment.name, exclude=experiment.id)
                if baseline == "latest"
                else baseline
            )
            if ref is not None:
                raw, table = load_run(ref, root)
                base_summary = RunSummary.from_dict(raw)
                _, cand = load_run(experiment.dir, root)
                comparisons = compare_tables(base_summary, experiment.summary, table, cand)
        code = exit_code(
            experiment.summary,
            gates=gate_results,
            comparisons=comparisons,
            max_error_rate=max_error_rate,
        )
        if code is ExitCode.PASS or (code is ExitCode.INCONCLUSIVE and allow_inconclusive):
            return experiment
        report = render(
            experiment.summary,
            code=code,
            gates=gate_results,
            comparisons=comparisons,
            baseline=base_summary,
        )
        pytest.fail(f"eval {experiment.name}: {code.name.lower()}\n\n{report}", pytrace=False)


@pytest.fixture
def spyglass_eval() -> EvalRunner:
    """Run an eval inside a test; the test fails unless it passes (see module docstring)."""
    return EvalRunner()
