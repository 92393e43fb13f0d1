"""LLM-judge checks: a model grades the output. Quality metrics, scores 0-1, higher is better.

``llm-rubric``
    G-Eval: ``criteria`` and numbered evaluation ``steps`` (generic steps when none are
    given); the judge reasons, then gives an integer on ``scale`` (5 means 1-5, or
    ``[lo, hi]``), normalised to 0-1. ``logprobs: true`` asks for token logprobs and, when the
    endpoint returns them, scores the probability-weighted mean of the scale's integers.
``llm-correctness``
    The rubric with fixed criteria: does the output agree with ``context.expected``?
``answer-relevancy``
    The rubric with fixed criteria: does the output address ``context.input`` directly and
    completely? (LLM-only; Ragas' embedding variant needs an embeddings model.)
``llm-pairwise``
    Which is better, the output or ``context.metadata["other_output"]`` (else
    ``context.expected``)? Asked in both orders to cancel position bias: win 1, tie 0.5,
    loss 0; verdicts that disagree across the orders count as a tie, and the explanation
    says so. The label is win, tie or loss.
``faithfulness``
    Ragas: the answer is split into standalone claims, then one call checks every claim
    against ``context.documents``; score = supported / claims. An answer without claims is
    unscored.
``context-precision``
    Ragas: is each retrieved document useful to reach ``context.expected`` (the output when
    there is no reference)? Rank-weighted: the mean of precision@k over the ranks k of the
    useful documents, so useful documents ranked first score higher.
``context-recall``
    Ragas: the fraction of the statements of ``context.expected`` that the documents back.

Every judge takes ``model``, ``base_url``, ``api_key`` (defaults: the ``judge_model``,
``judge_base_url`` and ``judge_api_key`` settings), ``temperature`` (0), ``max_tokens``,
``timeout``, ``max_retries``, ``cache`` (true: the shared answer cache of the
``llm_cache_path`` setting), ``refresh`` (ask again, replacing cached answers), ``repeats``
and ``threshold``. With ``repeats`` > 1 the judge is asked that many times (each repeat is
its own cache entry; use a temperature above 0 for repeats to differ); the score is the mean
and the explanation gives the standard deviation and every score.

A judge answer that cannot be parsed (no score, a score off the scale, a malformed verdict
list) makes the result *unscored* with ``unparseable judge output: <why>``, never a 0, and
is counted in :attr:`LLMJudge.stats`. Endpoint failures (HTTP errors after retries, time
outs) raise :class:`spyglass.llm.LLMError`, a CheckError: :meth:`Check.run` turns it into an
unscored result with ``error`` set.

Known limits: judges share the biases of their model (verbosity, self-preference); the
prompts are English; claims and statements are split by the judge, so faithfulness and
recall inherit its granularity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from spyglass.checks._judge_base import Flow, JudgeRequest, JudgeStats, LLMJudge, needs_context
from spyglass.checks._judge_parse import (
    Unparseable,
    parse_choice,
    parse_flags,
    parse_score,
    parse_strings,
    weighted_score,
)
from spyglass.checks._judge_prompts import (
    claims_prompt,
    pairwise_prompt,
    precision_prompt,
    recall_prompt,
    rubric_prompt,
    verify_prompt,
)
from spyglass.checks.base import CheckContext, Verdict
from spyglass.checks.registry import register
from spyglass.exceptions import PolicyError

__all__ = [
    "AnswerRelevancy",
    "ContextPrecision",
    "ContextRecall",
    "Faithfulness",
    "JudgeRequest",
    "JudgeStats",
    "LLMCorrectness",
    "LLMJudge",
    "LLMPairwise",
    "LLMRubric",
]

# Alternatives per token asked for with ``logprobs``: enough to cover a 1-5 or 1-10 scale's
# plausible digits; OpenAI allows up to 20.
TOP_LOGPROBS = 10
# Unsupported claims quoted in a faithfulness explanation.
CLAIMS_SHOWN = 3


# -- rubric family -------------------------------------------------------------------------

GENERIC_STEPS = (
    "Read the input (if given) and understand what was asked.",
    "Read the output and check it against each part of the evaluation criteria.",
    "Note every way the output falls short of the criteria, and how much it matters.",
    "Decide the score: the top of the scale only for an output that fully meets the criteria.",
)


def _scale(scale: int | Sequence[int], name: str) -> tuple[int, int]:
    if isinstance(scale, int) and not isinstance(scale, bool):
        lo, hi = 1, scale
    elif (
        isinstance(scale, Sequence)
        and len(scale) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
    ):
        lo, hi = scale[0], scale[1]
    else:
        raise PolicyError(f"{name}: scale must be an integer (1 to it) or [lowest, highest]")
    if hi <= lo:
        raise PolicyError(f"{name}: scale needs its highest value above its lowest")
    return lo, hi


@register
class LLMRubric(LLMJudge):
    """G-Eval: the judge follows evaluation steps, then scores the criteria on a scale."""

    name = "llm-rubric"
    default_criteria: ClassVar[str] = ""
    default_steps: ClassVar[tuple[str, ...]] = GENERIC_STEPS
    #: Context fields shown to the judge (when present) and those it cannot do without.
    shows: ClassVar[tuple[str, ...]] = ("input", "documents", "expected")
    needs: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *,
        criteria: str = "",
        steps: Sequence[str] | None = None,
        scale: int | Sequence[int] = 5,
        logprobs: bool = False,
        **judge: Any,
    ) -> None:
        criteria = criteria or self.default_criteria
        if not criteria.strip():
            raise PolicyError(f"{self.name}: criteria is required (what makes an output good)")
        if steps is not None and (
            isinstance(steps, str) or not all(isinstance(s, str) and s.strip() for s in steps)
        ):
            raise PolicyError(f"{self.name}: steps must be a list of non-empty strings")
        self.criteria = criteria.strip()
        self.steps = tuple(steps) if steps else self.default_steps
        self.lo, self.hi = _scale(scale, self.name)
        self.logprobs = bool(logprobs)
        super().__init__(**judge)

    def flow(self, text: str, context: CheckContext) -> Flow:
        missing = needs_context(context, self.name, *self.needs)
        if missing is not None:
            return missing
        messages, schema = rubric_prompt(
            criteria=self.criteria,
            steps=self.steps,
            lo=self.lo,
            hi=self.hi,
            output=text,
            input=context.input if "input" in self.shows else None,
            expected=context.expected if "expected" in self.shows else None,
            documents=context.documents if "documents" in self.shows else (),
        )
        params = {"logprobs": True, "top_logprobs": TOP_LOGPROBS} if self.logprobs else {}
        (answer,) = yield [JudgeRequest(messages, schema, params)]
        score, reasoning = parse_score(answer.text, self.lo, self.hi)
        how = f"{score:g} on {self.lo}-{self.hi}"
        if self.logprobs:
            weighted = weighted_score(answer.raw, answer.text, self.lo, self.hi)
            if weighted is not None:
                how = (
                    f"{weighted:.2f} on {self.lo}-{self.hi} "
                    f"(probability-weighted; sampled {score:g})"
                )
                score = weighted
        normalised = (score - self.lo) / (self.hi - self.lo)
        return Verdict(score=normalised, explanation=f"{how}: {reasoning}".rstrip(": "))


@register
class LLMCorrectness(LLMRubric):
    """Reference-based correctness: does the output agree with ``context.expected``?"""

    name = "llm-correctness"
    default_criteria = (
        "Correctness: the output gives the same facts and conclusion as the reference answer. "
        "Extra detail is fine unless it contradicts the reference; missing key facts make it "
        "partly correct; a contradiction of the reference makes it incorrect."
    )
    default_steps = (
        "List the key facts and the conclusion of the reference answer.",
        "For each, check whether the output states it, omits it or contradicts it.",
        "Check whether the output adds claims that contradict the reference.",
        "Score: highest when every key fact agrees and nothing contradicts; lowest when the "
        "conclusion is wrong.",
    )
    shows = ("input", "expected")
    needs = ("expected",)


@register
class AnswerRelevancy(LLMRubric):
    """Does the output address the user's input (``context.input``) directly and fully?"""

    name = "answer-relevancy"
    default_criteria = (
        "Relevancy: the output answers the question that was asked, directly and completely. "
        'Off-topic content, evasive or non-committal answers ("it depends", "I don\'t '
        'know") and answers to a different question score low. Correctness is not judged.'
    )
    default_steps = (
        "Work out what the input asks for, including every part of a multi-part question.",
        "Check whether the output addresses each part, and how directly.",
        "Note off-topic, padded, evasive or non-committal content.",
        "Score: highest when the output answers exactly what was asked, fully.",
    )
    shows = ("input",)
    needs = ("input",)


# -- pairwise ------------------------------------------------------------------------------

OUTCOME_SCORES: Mapping[str, float] = {"win": 1.0, "tie": 0.5, "loss": 0.0}
_OUTPUT_FIRST = {"A": "win", "B": "loss", "tie": "tie"}
_OUTPUT_SECOND = {"A": "loss", "B": "win", "tie": "tie"}


@register
class LLMPairwise(LLMJudge):
    """Preference between the output and another answer, asked in both orders."""

    name = "llm-pairwise"

    def __init__(
        self,
        *,
        criteria: str = "overall quality: helpfulness, correctness and clarity",
        **judge: Any,
    ) -> None:
        if not criteria.strip():
            raise PolicyError(f"{self.name}: criteria must not be empty")
        self.criteria = criteria.strip()
        super().__init__(**judge)

    def flow(self, text: str, context: CheckContext) -> Flow:
        other = context.metadata.get("other_output")
        if not isinstance(other, str):
            other = context.expected
        if other is None:
            return Verdict(
                score=None,
                explanation=f"{self.name} needs context.metadata['other_output'] or "
                "context.expected to compare with",
            )
        first, schema = pairwise_prompt(
            criteria=self.criteria, input=context.input, first=text, second=other
        )
        second, _ = pairwise_prompt(
            criteria=self.criteria, input=context.input, first=other, second=text
        )
        a, b = yield [JudgeRequest(first, schema), JudgeRequest(second, schema)]
        choice_a, reason_a = parse_choice(a.text)
        choice_b, _ = parse_choice(b.text)
        when_first, when_second = _OUTPUT_FIRST[choice_a], _OUTPUT_SECOND[choice_b]
        if when_first == when_second:
            outcome = when_first
            explanation = f"{outcome} in both orders: {reason_a}".rstrip(": ")
        else:
            outcome = "tie"
            explanation = (
                f"inconsistent across orders (output first: {when_first}; output second: "
                f"{when_second}), counted as a tie"
            )
        return Verdict(score=OUTCOME_SCORES[outcome], label=outcome, explanation=explanation)


# -- RAG -----------------------------------------------------------------------------------


@register
class Faithfulness(LLMJudge):
    """Share of the answer's claims that ``context.documents`` support (Ragas)."""

    name = "faithfulness"

    def flow(self, text: str, context: CheckContext) -> Flow:
        missing = needs_context(context, self.name, "documents")
        if missing is not None:
            return missing
        messages, schema = claims_prompt(input=context.input, output=text)
        (answer,) = yield [JudgeRequest(messages, schema)]
        claims = parse_strings(answer.text, "claims")
        if not claims:
            return Verdict(score=None, explanation="the answer makes no factual claims to check")
        messages, schema = verify_prompt(documents=context.documents, claims=claims)
        (answer,) = yield [JudgeRequest(messages, schema)]
        verdicts = parse_flags(answer.text, "verdicts", "supported", count=len(claims))
        unsupported = [c for c, (ok, _, _) in zip(claims, verdicts, strict=True) if not ok]
        supported = len(claims) - len(unsupported)
        explanation = f"{supported} of {len(claims)} claims supported by the documents"
        if unsupported:
            shown = "; ".join(unsupported[:CLAIMS_SHOWN])
            more = len(unsupported) - CLAIMS_SHOWN
            explanation += f"; unsupported: {shown}" + (f" (and {more} more)" if more > 0 else "")
        return Verdict(score=supported / len(claims), explanation=explanation)


@register
class ContextPrecision(LLMJudge):
    """Rank-weighted share of retrieved documents useful for the answer (Ragas)."""

    name = "context-precision"

    def flow(self, text: str, context: CheckContext) -> Flow:
        missing = needs_context(context, self.name, "documents")
        if missing is not None:
            return missing
        reference = context.expected if context.expected is not None else text
        messages, schema = precision_prompt(
            input=context.input, reference=reference, documents=context.documents
        )
        (answer,) = yield [JudgeRequest(messages, schema)]
        flags = [
            ok
            for ok, _, _ in parse_flags(
                answer.text, "verdicts", "useful", count=len(context.documents)
            )
        ]
        score = average_precision(flags)
        ranks = ", ".join(str(k) for k, ok in enumerate(flags, start=1) if ok) or "none"
        against = "the expected answer" if context.expected is not None else "the output"
        return Verdict(
            score=score,
            explanation=f"{sum(flags)} of {len(flags)} documents useful for {against} "
            f"(ranks: {ranks}); rank-weighted precision {score:.3f}",
        )


def average_precision(useful: Sequence[bool]) -> float:
    """Mean of precision@k over the ranks k of useful items; 0.0 when none is useful."""
    hits = 0
    total = 0.0
    for k, ok in enumerate(useful, start=1):
        if ok:
            hits += 1
            total += hits / k
    return total / hits if hits else 0.0


@register
class ContextRecall(LLMJudge):
    """Share of the expected answer's statements the documents back (Ragas)."""

    name = "context-recall"

    def flow(self, text: str, context: CheckContext) -> Flow:
        missing = needs_context(context, self.name, "expected", "documents")
        if missing is not None:
            return missing
        assert context.expected is not None
        messages, schema = recall_prompt(
            input=context.input, reference=context.expected, documents=context.documents
        )
        (answer,) = yield [JudgeRequest(messages, schema)]
        statements = parse_flags(answer.text, "statements", "attributed", label="statement")
        if not statements:
            raise Unparseable("no statements of the expected answer were listed")
        backed = sum(ok for ok, _, _ in statements)
        missing_ones = [s for ok, _, s in statements if not ok and s]
        explanation = f"{backed} of {len(statements)} expected statements found in the documents"
        if missing_ones:
            explanation += "; not found: " + "; ".join(missing_ones[:CLAIMS_SHOWN])
        return Verdict(score=backed / len(statements), explanation=explanation)
