"""Cost estimates before a run starts: what the LLM judges (and a model target) will cost.

An estimate, printed as one: prompt tokens are counted with the cl100k-like estimator of the
``token-limit`` check, the answer being judged is assumed to be ``ASSUMED_OUTPUT_TOKENS``
long, and prices come from the shipped price table. Cached answers cost nothing, so a re-run
costs less than the estimate says. A model without a price gives no estimate, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spyglass.checks import Check
from spyglass.evals.dataset import Item

__all__ = ["CostEstimate", "estimate_judges"]

# Typical sizes, measured on the judges' own prompts: the instructions around the texts, and
# the judge's answer (a short reasoning plus a score).
JUDGE_INSTRUCTION_TOKENS = 350
JUDGE_ANSWER_TOKENS = 150
ASSUMED_OUTPUT_TOKENS = 256
# Judges that make more than one call per repeat: pairwise asks in both orders; faithfulness
# and context recall extract statements, then verify them.
CALLS_PER_REPEAT = {"llm-pairwise": 2, "faithfulness": 2, "context-recall": 2}


@dataclass(frozen=True)
class CostEstimate:
    usd: float | None
    calls: int
    explanation: str

    def line(self) -> str:
        if self.usd is None:
            return self.explanation
        return f"${self.usd:.4f} for {self.calls} judge calls ({self.explanation})"


def _item_tokens(item: Item) -> int:
    from spyglass.checks.format import estimate_tokens

    text = f"{item.input} {item.expected or ''} {' '.join(item.documents)}"
    return estimate_tokens(text)


def estimate_judges(checks: Sequence[Check], items: Sequence[Item], repeats: int) -> CostEstimate:
    """The estimated cost of the LLM-judge checks over ``items``; no judges → $0."""
    from spyglass.pricing import compute_cost

    judges = [c for c in checks if hasattr(c, "client") and hasattr(c.client, "model")]
    if not judges:
        return CostEstimate(0.0, 0, "no LLM judges")
    total = 0.0
    calls = 0
    content = sum(_item_tokens(item) for item in items)
    for judge in judges:
        model = str(judge.client.model)
        per_item = CALLS_PER_REPEAT.get(judge.name, 1) * int(getattr(judge, "repeats", 1))
        n_calls = per_item * len(items) * repeats
        prompt = n_calls * (JUDGE_INSTRUCTION_TOKENS + ASSUMED_OUTPUT_TOKENS)
        prompt += per_item * repeats * content
        cost = compute_cost(model, None, prompt, n_calls * JUDGE_ANSWER_TOKENS)
        if cost is None:
            return CostEstimate(None, calls + n_calls, f"no estimate: no price for {model!r}")
        total += cost.total
        calls += n_calls
    return CostEstimate(total, calls, "before cache hits; judged answers assumed 256 tokens")
