"""The one Check interface: guardrails, evaluation metrics and online monitors all use it.

A check looks at one text (plus an optional :class:`CheckContext`: the user's input, the
expected answer, the conversation, retrieved documents, the system prompt, metadata) and
returns a :class:`CheckResult`: a score, pass/fail against its threshold, a label, findings
with character spans, an explanation and the time it took.

Writing a check means subclassing :class:`Check` and implementing :meth:`Check.evaluate`
(and :meth:`Check.aevaluate` when the check does I/O, such as an LLM judge)::

    from spyglass.checks import Check, Verdict, register

    @register
    class NoShouting(Check):
        name = "no-shouting"
        def evaluate(self, text, context):
            caps = sum(c.isupper() for c in text) / max(1, len(text))
            return Verdict(score=caps, explanation=f"{caps:.0%} capitals")

Scores have a direction. Guardrail checks score *risk* (0 clean, 1 certain violation) and pass
while the score is below the threshold; quality metrics (exact match, BLEU, faithfulness) set
``higher_is_better = True`` and pass at or above it.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from spyglass.exceptions import CheckError

__all__ = ["Check", "CheckContext", "CheckResult", "Finding", "Verdict"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found, at ``text[start:end]`` (Python string indices)."""

    start: int
    end: int
    entity: str  # upper-case kind, e.g. EMAIL, AWS_ACCESS_KEY, INSTRUCTION_OVERRIDE
    text: str
    score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "entity": self.entity,
            "text": self.text,
            "score": self.score,
        }


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check may need besides the text itself. Every field is optional."""

    input: str | None = None  # the user's prompt, when the text is the model's answer
    expected: str | None = None  # reference answer (evaluation)
    messages: Sequence[Mapping[str, Any]] = ()  # the conversation so far
    documents: Sequence[str] = ()  # retrieved documents / tool outputs
    system_prompt: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


EMPTY_CONTEXT = CheckContext()


@dataclass(frozen=True, slots=True)
class Verdict:
    """What :meth:`Check.evaluate` returns; :meth:`Check.run` turns it into a CheckResult.

    ``score=None`` means *unscored* (the check could not decide, e.g. a judge answer that did
    not parse); ``explanation`` must then say why. ``passed`` overrides the threshold rule
    for checks whose verdict is not a threshold on the score.
    """

    score: float | None
    findings: tuple[Finding, ...] = ()
    label: str | None = None
    explanation: str = ""
    passed: bool | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The record every run of a check leaves; it becomes a score on a span or trace."""

    check: str
    score: float | None
    passed: bool | None  # None when unscored
    label: str | None = None
    findings: tuple[Finding, ...] = ()
    explanation: str = ""
    latency_ms: float = 0.0
    error: str | None = None  # why the check could not run (timeout, crash)

    @property
    def unscored(self) -> bool:
        return self.score is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "score": self.score,
            "passed": self.passed,
            "label": self.label,
            "findings": [f.to_dict() for f in self.findings],
            "explanation": self.explanation,
            "latency_ms": self.latency_ms,
            "error": self.error,
        }


class Check(ABC):
    """Base class of every check. Subclasses implement :meth:`evaluate`.

    Constructor keywords are the check's parameters; policies pass them from YAML, so
    subclasses take keyword-only arguments with defaults and validate them (raising
    :class:`spyglass.exceptions.PolicyError` on bad values).
    """

    name: ClassVar[str] = ""
    #: True for quality metrics (pass at or above threshold); False for risk scores.
    higher_is_better: ClassVar[bool] = False
    default_threshold: ClassVar[float] = 0.5

    def __init__(self, *, threshold: float | None = None, label: str | None = None) -> None:
        self.threshold = self.default_threshold if threshold is None else float(threshold)
        # ``label`` renames this instance in results, e.g. two regex checks in one policy.
        self.label = label or self.name or type(self).__name__

    @abstractmethod
    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        """Score ``text``. May raise; :meth:`run` records the error as an unscored result."""

    async def aevaluate(self, text: str, context: CheckContext) -> Verdict:
        """Async form; override for checks that do I/O. The default calls :meth:`evaluate`."""
        return self.evaluate(text, context)

    def passes(self, score: float) -> bool:
        return score >= self.threshold if self.higher_is_better else score < self.threshold

    def fix(self, text: str, result: CheckResult) -> str | None:
        """A repaired text for the ``fix`` action, or None when this check cannot repair."""
        return None

    # -- running ---------------------------------------------------------------------------

    def _result(self, verdict: Verdict, started: int) -> CheckResult:
        elapsed = (time.perf_counter_ns() - started) / 1e6
        if verdict.score is None:
            passed = None
        elif verdict.passed is not None:
            passed = verdict.passed
        else:
            passed = self.passes(verdict.score)
        return CheckResult(
            check=self.label,
            score=verdict.score,
            passed=passed,
            label=verdict.label,
            findings=verdict.findings,
            explanation=verdict.explanation,
            latency_ms=elapsed,
        )

    def _failed(self, exc: BaseException, started: int) -> CheckResult:
        elapsed = (time.perf_counter_ns() - started) / 1e6
        reason = str(exc) if isinstance(exc, CheckError) else f"{type(exc).__name__}: {exc}"
        return CheckResult(
            check=self.label,
            score=None,
            passed=None,
            explanation=f"check failed: {reason}",
            latency_ms=elapsed,
            error=reason,
        )

    def run(self, text: str, context: CheckContext | None = None) -> CheckResult:
        """Run the check; a crash becomes an unscored result with ``error`` set, never a raise."""
        started = time.perf_counter_ns()
        try:
            verdict = self.evaluate(text, context or EMPTY_CONTEXT)
        except Exception as exc:
            return self._failed(exc, started)
        return self._result(verdict, started)

    async def arun(self, text: str, context: CheckContext | None = None) -> CheckResult:
        started = time.perf_counter_ns()
        try:
            verdict = await self.aevaluate(text, context or EMPTY_CONTEXT)
        except Exception as exc:
            return self._failed(exc, started)
        return self._result(verdict, started)

    def run_batch(
        self, texts: Iterable[str], contexts: Iterable[CheckContext | None] | None = None
    ) -> list[CheckResult]:
        """Run over many texts (evaluation); results come back in input order."""
        items = list(texts)
        ctxs = list(contexts) if contexts is not None else [None] * len(items)
        if len(ctxs) != len(items):
            raise ValueError("texts and contexts must have the same length")
        return [self.run(t, c) for t, c in zip(items, ctxs, strict=True)]

    async def arun_batch(
        self,
        texts: Iterable[str],
        contexts: Iterable[CheckContext | None] | None = None,
        *,
        concurrency: int = 8,
    ) -> list[CheckResult]:
        """Async batch with at most ``concurrency`` evaluations in flight."""
        items = list(texts)
        ctxs = list(contexts) if contexts is not None else [None] * len(items)
        if len(ctxs) != len(items):
            raise ValueError("texts and contexts must have the same length")
        gate = asyncio.Semaphore(max(1, concurrency))

        async def one(text: str, ctx: CheckContext | None) -> CheckResult:
            async with gate:
                return await self.arun(text, ctx)

        return list(await asyncio.gather(*(one(t, c) for t, c in zip(items, ctxs, strict=True))))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(label={self.label!r}, threshold={self.threshold})"
