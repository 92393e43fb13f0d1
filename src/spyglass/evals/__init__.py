"""Evaluation: datasets, experiments, metrics with statistics, comparisons, a CI gate.

    from spyglass.evals import Dataset, evaluate

    run = evaluate(answer, Dataset.from_file("qa.jsonl"), checks=["exact-match", "token-f1"])
    print(run.report())

See docs/evaluation.md.
"""

from spyglass.evals.compare import ExitCode, GateResult, compare_tables, exit_code, judge_gates
from spyglass.evals.dataset import Dataset, DatasetError, Item
from spyglass.evals.experiment import Experiment, aevaluate, evaluate
from spyglass.evals.summary import CheckSummary, RunSummary

__all__ = [
    "CheckSummary",
    "Dataset",
    "DatasetError",
    "ExitCode",
    "Experiment",
    "GateResult",
    "Item",
    "RunSummary",
    "aevaluate",
    "compare_tables",
    "evaluate",
    "exit_code",
    "judge_gates",
]
