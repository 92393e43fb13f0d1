"""Cost estimates before a run: judges priced from the shipped table, unknown models not."""

from __future__ import annotations

from spyglass.checks import create_check
from spyglass.evals import Dataset
from spyglass.evals.cost import estimate_judges

ITEMS = Dataset.from_items([{"input": f"question {i}", "expected": "answer"} for i in range(10)])


def test_judges_are_estimated_per_call_and_repeat() -> None:
    rubric = create_check("llm-rubric", criteria="helpful", model="gpt-4o-mini", api_key="sk-x")
    pairwise = create_check("llm-pairwise", model="gpt-4o-mini", api_key="sk-x", repeats=2)
    one = estimate_judges([rubric], ITEMS.items, repeats=1)
    both = estimate_judges([rubric, pairwise, create_check("exact-match")], ITEMS.items, 1)
    assert one.calls == 10 and one.usd is not None and 0 < one.usd < 0.01
    assert both.calls == 10 + 10 * 2 * 2  # pairwise asks in both orders, twice each
    assert both.usd is not None and both.usd > one.usd
    assert "judge calls" in one.line()


def test_no_judges_cost_nothing_and_unknown_models_are_not_guessed() -> None:
    assert estimate_judges([create_check("bleu")], ITEMS.items, 1).usd == 0.0
    local = create_check("llm-rubric", criteria="x", model="my-local-llama", api_key="sk-x")
    unknown = estimate_judges([local], ITEMS.items, 1)
    assert unknown.usd is None and "no price for 'my-local-llama'" in unknown.line()
