"""Hit@k, recall@k, precision@k, MRR and nDCG@k from labelled ids."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spyglass.evals.metrics  # noqa: F401  (registers the metric checks)
from spyglass.checks import CheckContext, create_check
from spyglass.evals.metrics import hit_at_k, mrr, ndcg_at_k, precision_at_k, recall_at_k
from spyglass.exceptions import PolicyError

RANKED = ["d1", "d2", "d3", "d4", "d5"]
RELEVANT = ["d2", "d5", "d9"]


def test_binary_relevance_by_hand() -> None:
    assert hit_at_k(RANKED, RELEVANT, 1) == 0.0
    assert hit_at_k(RANKED, RELEVANT, 2) == 1.0
    assert recall_at_k(RANKED, RELEVANT, 5) == pytest.approx(2 / 3)
    assert recall_at_k(RANKED, RELEVANT, 2) == pytest.approx(1 / 3)
    assert precision_at_k(RANKED, RELEVANT, 5) == pytest.approx(2 / 5)
    assert precision_at_k(RANKED, RELEVANT, 10) == pytest.approx(2 / 10)  # denominator is k
    assert precision_at_k(RANKED, RELEVANT) == pytest.approx(2 / 5)
    assert mrr(RANKED, RELEVANT) == 0.5
    assert mrr(RANKED, RELEVANT, 1) == 0.0
    # DCG = 1/log2(3) + 1/log2(6); IDCG@5 = 1 + 1/log2(3) + 1/log2(4) (three relevant ids).
    dcg = 1 / math.log2(3) + 1 / math.log2(6)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(RANKED, RELEVANT, 5) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(RANKED, RELEVANT, 5) == pytest.approx(0.47762, abs=1e-5)
    # At k = 2 the ideal holds two relevant ids: DCG 1/log2(3), IDCG 1 + 1/log2(3).
    assert ndcg_at_k(RANKED, RELEVANT, 2) == pytest.approx((1 / math.log2(3)) / idcg_at(2))


def idcg_at(k: int) -> float:
    return sum(1 / math.log2(i + 1) for i in range(1, k + 1))


def test_graded_relevance_by_hand() -> None:
    gains = {"d1": 3, "d2": 2, "d3": 0}
    ranked = ["d2", "d1", "d3"]
    # DCG = 2 + 3/log2(3); IDCG = 3 + 2/log2(3); d3 (gain 0) is not relevant.
    assert ndcg_at_k(ranked, gains) == pytest.approx(
        (2 + 3 / math.log2(3)) / (3 + 2 / math.log2(3))
    )
    assert recall_at_k(ranked, gains, 1) == 0.5
    assert precision_at_k(ranked, gains) == pytest.approx(2 / 3)
    assert mrr(["d3", "d1"], gains) == 0.5
    assert ndcg_at_k(["d1", "d2"], gains) == pytest.approx(1.0)


def test_duplicates_earn_credit_once() -> None:
    assert precision_at_k(["d2", "d2", "d5"], ["d2"], 3) == pytest.approx(1 / 3)
    assert recall_at_k(["d2", "d2"], ["d2", "d5"]) == 0.5
    assert ndcg_at_k(["d2", "d2", "d2"], ["d2"]) == pytest.approx(1.0)
    assert ndcg_at_k(["d2", "d2"], ["d2", "d5"]) == pytest.approx(1 / idcg_at(2))


def test_edges_and_errors() -> None:
    assert hit_at_k([], RELEVANT) == 0.0
    assert precision_at_k([], RELEVANT) == 0.0
    assert mrr([], RELEVANT) == 0.0
    assert recall_at_k([], RELEVANT) == 0.0
    assert ndcg_at_k([], RELEVANT) == 0.0
    assert hit_at_k(RANKED, []) == 0.0
    assert precision_at_k(RANKED, []) == 0.0
    assert mrr([1, 2, 3], [3]) == pytest.approx(1 / 3)  # any hashable id
    with pytest.raises(ValueError, match="recall"):
        recall_at_k(RANKED, [])
    with pytest.raises(ValueError, match="nDCG"):
        ndcg_at_k(RANKED, {"d1": 0})
    with pytest.raises(ValueError, match="k must"):
        hit_at_k(RANKED, RELEVANT, 0)
    with pytest.raises(ValueError, match=">= 0"):
        ndcg_at_k(RANKED, {"d1": -1})
    with pytest.raises(TypeError):
        recall_at_k(RANKED, "d1")
    with pytest.raises(TypeError):
        recall_at_k("d1", RELEVANT)


IDS = st.sampled_from([f"d{i}" for i in range(12)])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(IDS, max_size=12),
    st.dictionaries(IDS, st.integers(min_value=0, max_value=3), min_size=1),
    st.integers(min_value=1, max_value=14),
)
def test_properties(ranked: list[str], gains: dict[str, int], k: int) -> None:
    if not any(gains.values()):
        return
    for metric in (hit_at_k, recall_at_k, precision_at_k, mrr, ndcg_at_k):
        assert 0.0 <= metric(ranked, gains, k) <= 1.0
    assert recall_at_k(ranked, gains, k) <= recall_at_k(ranked, gains, k + 1)
    assert hit_at_k(ranked, gains, k) == float(mrr(ranked, gains, k) > 0)
    ideal = sorted((d for d in gains if gains[d] > 0), key=lambda d: -gains[d])
    assert ndcg_at_k(ideal, gains, k) == pytest.approx(1.0)
    assert recall_at_k(ideal, gains) == 1.0


# -- checks ------------------------------------------------------------------------------------

NAMES = ("hit-at-k", "recall-at-k", "precision-at-k", "mrr", "ndcg")


def ctx(retrieved: Any = None, relevant: Any = None) -> CheckContext:
    metadata = {}
    if retrieved is not None:
        metadata["retrieved_ids"] = retrieved
    if relevant is not None:
        metadata["relevant_ids"] = relevant
    return CheckContext(metadata=metadata)


@pytest.mark.parametrize(
    ("name", "threshold"),
    [
        ("hit-at-k", 1.0),
        ("recall-at-k", 0.5),
        ("precision-at-k", 0.5),
        ("mrr", 0.5),
        ("ndcg", 0.5),
    ],
)
def test_check_registration_and_defaults(name: str, threshold: float) -> None:
    check = create_check(name)
    assert check.higher_is_better is True
    assert check.threshold == threshold


@pytest.mark.parametrize("name", NAMES)
def test_missing_ids_are_unscored(name: str) -> None:
    check = create_check(name)
    no_retrieved = check.run("answer", ctx(relevant=RELEVANT))
    assert (no_retrieved.score, no_retrieved.explanation) == (None, "no retrieved ids")
    relevant: Any
    for relevant in (None, [], {"d1": 0}):
        result = check.run("answer", ctx(RANKED, relevant))
        assert (result.score, result.passed, result.explanation) == (None, None, "no relevant ids")


def test_checks_score_from_metadata() -> None:
    context = ctx(RANKED, RELEVANT)
    scores = {name: create_check(name).run("answer", context).score for name in NAMES}
    assert scores == {
        "hit-at-k": 1.0,
        "recall-at-k": pytest.approx(2 / 3),
        "precision-at-k": pytest.approx(2 / 5),
        "mrr": 0.5,
        "ndcg": pytest.approx(ndcg_at_k(RANKED, RELEVANT)),
    }
    result = create_check("recall-at-k", k=2).run("answer", context)
    assert result.score == pytest.approx(1 / 3)
    assert result.passed is False
    assert result.explanation == "recall@2 0.333: 1 of 3 relevant ids among 2 retrieved"


def test_check_ids_compare_as_strings_and_take_gains() -> None:
    assert create_check("mrr").run("", ctx([7, 3], ["3"])).score == 0.5
    graded = create_check("ndcg").run("", ctx(["a", "b"], {"a": 1, "b": 2}))
    assert graded.score == pytest.approx((1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3)))
    empty = create_check("hit-at-k").run("", ctx([], RELEVANT))
    assert (empty.score, empty.passed) == (0.0, False)


def test_check_bad_input() -> None:
    for bad in (ctx("d1", RELEVANT), ctx(RANKED, {"d1": "high"}), ctx(RANKED, {"d1": -2})):
        result = create_check("ndcg").run("", bad)
        assert result.score is None
        assert result.error is not None
    for k in (0, -1, 1.5, True, "3"):
        with pytest.raises(PolicyError):
            create_check("hit-at-k", k=k)
