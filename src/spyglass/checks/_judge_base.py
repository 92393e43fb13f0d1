"""The base of the LLM-judge checks: model client, repeats, sync and async drivers.

A judge's logic is a :data:`Flow`, a generator without I/O: it yields the model requests it
needs, receives their completions and returns a Verdict. :class:`LLMJudge` drives a flow
synchronously (:meth:`~LLMJudge.evaluate`) or asynchronously (:meth:`~LLMJudge.aevaluate`,
the requests of one step in parallel), once per repeat, and aggregates the repeats. Parse
failures (:class:`Unparseable`) become unscored verdicts; endpoint failures propagate as
:class:`~spyglass.llm.LLMError`.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
from abc import abstractmethod
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from spyglass.checks._judge_parse import Unparseable
from spyglass.checks.base import Check, CheckContext, Verdict
from spyglass.exceptions import PolicyError
from spyglass.llm.client import (
    DEFAULT_CACHE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_S,
    ChatModel,
    Completion,
    LLMError,
)

__all__ = ["Flow", "JudgeRequest", "JudgeStats", "LLMJudge", "aggregate", "needs_context"]

# Most repeats a judge may be configured with: each is a full set of model calls per item.
MAX_REPEATS = 20

UNPARSEABLE = "unparseable judge output"


@dataclass(frozen=True, slots=True)
class JudgeRequest:
    """One model call a judge needs: messages, the structured-output schema, parameters."""

    messages: list[dict[str, Any]]
    response_format: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)


#: A judge's logic without I/O: it yields the requests it needs (answered together, in
#: parallel when async), receives their completions in order, and returns the Verdict.
Flow = Generator[list[JudgeRequest], list[Completion], Verdict]


@dataclass(frozen=True, slots=True)
class JudgeStats:
    """Counts since the judge was built: judge runs (one per repeat), unparseable, errors."""

    judged: int = 0
    unparseable: int = 0
    errors: int = 0


class LLMJudge(Check):
    """Base of the LLM judges: a model client, repeats, and the sync and async drivers.

    Subclasses implement :meth:`flow`. ``client`` (a :class:`ChatModel`) replaces the
    client built from ``model``, ``base_url``, ``cache`` and the other connection parameters;
    ``refresh`` applies to either.
    """

    higher_is_better: ClassVar[bool] = True
    default_threshold: ClassVar[float] = 0.5

    def __init__(
        self,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_retries: int = DEFAULT_MAX_RETRIES,
        cache: bool = True,
        refresh: bool = False,
        repeats: int = 1,
        client: ChatModel | None = None,
        threshold: float | None = None,
        label: str | None = None,
    ) -> None:
        super().__init__(threshold=threshold, label=label)
        if not 0.0 <= self.threshold <= 1.0:
            raise PolicyError(f"{self.name}: threshold must be between 0 and 1")
        if not isinstance(repeats, int) or not 1 <= repeats <= MAX_REPEATS:
            raise PolicyError(f"{self.name}: repeats must be an integer from 1 to {MAX_REPEATS}")
        self.repeats = repeats
        self.refresh = bool(refresh)
        if client is None:
            from spyglass.settings import load_settings

            settings = load_settings()
            client = ChatModel(
                model or settings.judge_model,
                base_url=base_url or settings.judge_base_url or None,
                api_key=api_key or settings.judge_api_key or None,
                temperature=temperature,
                max_tokens=max_tokens,
                timeout=timeout,
                max_retries=max_retries,
                cache=DEFAULT_CACHE if cache else None,
            )
        self.client = client
        self._lock = threading.Lock()
        self._judged = self._unparseable = self._errors = 0

    @property
    def stats(self) -> JudgeStats:
        with self._lock:
            return JudgeStats(self._judged, self._unparseable, self._errors)

    @abstractmethod
    def flow(self, text: str, context: CheckContext) -> Flow:
        """The judge's logic for one repeat; see :data:`Flow`. Raise Unparseable freely."""

    # -- drivers -----------------------------------------------------------------------------

    def evaluate(self, text: str, context: CheckContext) -> Verdict:
        return aggregate([self._run(text, context, sample) for sample in range(self.repeats)])

    async def aevaluate(self, text: str, context: CheckContext) -> Verdict:
        runs = (self._arun(text, context, sample) for sample in range(self.repeats))
        return aggregate(list(await asyncio.gather(*runs)))

    def _run(self, text: str, context: CheckContext, sample: int) -> Verdict:
        flow = self.flow(text, context)
        try:
            requests = next(flow)
            while True:
                answers = [self._ask(request, sample) for request in requests]
                requests = flow.send(answers)
        except StopIteration as done:
            return self._judged_one(done.value)
        except Unparseable as exc:
            return self._unparsed(exc)
        except LLMError:
            self._count_error()
            raise

    async def _arun(self, text: str, context: CheckContext, sample: int) -> Verdict:
        flow = self.flow(text, context)
        try:
            requests = next(flow)
            while True:
                answers = await asyncio.gather(*(self._aask(r, sample) for r in requests))
                requests = flow.send(list(answers))
        except StopIteration as done:
            return self._judged_one(done.value)
        except Unparseable as exc:
            return self._unparsed(exc)
        except LLMError:
            self._count_error()
            raise

    def _ask(self, request: JudgeRequest, sample: int) -> Completion:
        return self.client.complete(
            request.messages,
            response_format=request.response_format,
            refresh=self.refresh or None,
            sample=sample,
            **request.params,
        )

    async def _aask(self, request: JudgeRequest, sample: int) -> Completion:
        return await self.client.acomplete(
            request.messages,
            response_format=request.response_format,
            refresh=self.refresh or None,
            sample=sample,
            **request.params,
        )

    def _judged_one(self, verdict: Verdict) -> Verdict:
        with self._lock:
            self._judged += 1
        return verdict

    def _unparsed(self, exc: Unparseable) -> Verdict:
        with self._lock:
            self._judged += 1
            self._unparseable += 1
        return Verdict(score=None, explanation=f"{UNPARSEABLE}: {exc}")

    def _count_error(self) -> None:
        with self._lock:
            self._errors += 1


def aggregate(verdicts: Sequence[Verdict]) -> Verdict:
    """One verdict from the repeats: the mean score, with the spread in the explanation."""
    if len(verdicts) == 1:
        return verdicts[0]
    total = len(verdicts)
    scored = [v for v in verdicts if v.score is not None]
    unscored = [v for v in verdicts if v.score is None]
    if not scored:
        return Verdict(
            score=None, explanation=f"{unscored[0].explanation} (all {total} repeats unscored)"
        )
    scores = [v.score for v in scored if v.score is not None]
    mean = statistics.fmean(scores)
    stdev = statistics.stdev(scores) if len(scores) > 1 else 0.0
    listed = ", ".join(f"{s:.3g}" for s in scores)
    summary = f"mean {mean:.3f} of {len(scores)} repeats, stdev {stdev:.3f} ({listed})"
    if unscored:
        summary += f"; {len(unscored)} of {total} repeats unscored: {unscored[0].explanation}"
    labels = {v.label for v in scored}
    return Verdict(
        score=mean,
        label=labels.pop() if len(labels) == 1 else None,
        explanation=f"{summary}. First: {scored[0].explanation}",
    )


def needs_context(context: CheckContext, name: str, *fields: str) -> Verdict | None:
    """An unscored verdict naming the context fields ``name`` needs and did not get."""
    missing = [f for f in fields if not getattr(context, f)]
    if not missing:
        return None
    listed = " and ".join(f"context.{f}" for f in missing)
    return Verdict(score=None, explanation=f"{name} needs {listed}")
