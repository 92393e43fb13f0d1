"""What the metric checks share: where the expected output comes from, and the base class.

A metric check scores the model's output (``text``) against the expected output(s):
``context.expected`` (one string) and ``context.metadata["expected_list"]`` (a list of
strings; the experiment runner puts a dataset item's list-valued ``expected`` there). Both
may be given; ``expected`` comes first and duplicates are dropped. With neither, the check
returns an *unscored* verdict that says so, never a silent 0.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

from spyglass.checks.base import Check, CheckContext, Verdict
from spyglass.exceptions import CheckError, PolicyError

__all__ = [
    "EXPECTED_LIST_KEY",
    "NO_EXPECTED",
    "ReferenceMetric",
    "expected_outputs",
    "flag",
    "positive_int",
    "string_list",
    "unit_score",
]

EXPECTED_LIST_KEY = "expected_list"
NO_EXPECTED = "no expected output"


def string_list(value: Any, what: str) -> list[str]:
    """``value`` as a list of strings; CheckError when it is anything else."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise CheckError(f"{what} must be a list of strings, got {type(value).__name__}")
    if not all(isinstance(item, str) for item in value):
        raise CheckError(f"{what} must be a list of strings")
    return list(value)


def expected_outputs(context: CheckContext) -> list[str]:
    """Every expected output in ``context``, ``expected`` first; empty when there is none."""
    found = [] if context.expected is None else [context.expected]
    extra = context.metadata.get(EXPECTED_LIST_KEY)
    if extra is not None:
        for item in string_list(extra, f"metadata[{EXPECTED_LIST_KEY!r}]"):
            if item not in found:
                found.append(item)
    return found


def flag(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(f"{what} must be true or false, got {value!r}")
    return value


def positive_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PolicyError(f"{what} must be a positive integer, got {value!r}")
    return value


def unit_score(value: float) -> float:
    """Clamp to [0, 1]: 100 * exp(log(p)) may come back as 100.00000000000001."""
    return min(1.0, max(0.0, value))


class ReferenceMetric(Check):
    """A quality metric of the output against the expected output(s); 1 is a perfect match."""

    higher_is_better = True

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        references = expected_outputs(context)
        if not references:
            return Verdict(score=None, explanation=NO_EXPECTED)
        return self.compare(text, references)

    @abstractmethod
    def compare(self, text: str, references: list[str]) -> Verdict:
        """Score ``text`` against one or more expected outputs (at least one)."""
