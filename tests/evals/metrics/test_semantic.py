"""Semantic similarity to the expected output (extra: embeddings)."""

from __future__ import annotations

import math
from typing import Any

import pytest

import spyglass.evals.metrics  # noqa: F401  (registers the metric checks)
from spyglass.checks import CheckContext, available_checks, create_check
from spyglass.evals.metrics import SemanticSimilarity, semantic_similarity
from spyglass.exceptions import PolicyError


def words(texts: list[str]) -> list[list[float]]:
    """Axes alpha, beta, gamma; "anti" points against alpha."""
    return [
        [
            float(t.count("alpha") - t.count("anti")),
            float(t.count("beta")),
            float(t.count("gamma")),
        ]
        for t in texts
    ]


# -- with a fake embedder ----------------------------------------------------------------------


def test_scores_with_a_fake_embedder() -> None:
    assert semantic_similarity("alpha", "alpha", words) == pytest.approx(1.0)
    assert semantic_similarity("alpha", "beta", words) == 0.0  # orthogonal
    assert semantic_similarity("anti", "alpha", words) == 0.0  # cosine -1, clamped
    assert semantic_similarity("alpha beta", "alpha", words) == pytest.approx(1 / math.sqrt(2))
    assert semantic_similarity("alpha", ["beta", "gamma", "alpha gamma"], words) == (
        pytest.approx(1 / math.sqrt(2))
    )
    assert semantic_similarity("alpha", ("beta", "alpha"), words) == pytest.approx(1.0)


def test_a_score_is_never_above_one() -> None:
    # (1, 1, 4) in float32 has a self-similarity of 1.0000001.
    text = "alpha beta gamma gamma gamma gamma"
    assert semantic_similarity(text, text, words) == 1.0


def test_blank_texts_score_zero() -> None:
    assert semantic_similarity("", "alpha", words) == 0.0
    assert semantic_similarity("alpha", "  ", words) == 0.0
    assert semantic_similarity("", "", words) == 0.0


def test_no_references_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="at least one expected text"):
        semantic_similarity("alpha", [], words)


def test_unscored_without_an_expected_output() -> None:
    check = SemanticSimilarity(embedder=words)
    for context in (None, CheckContext(), CheckContext(metadata={"expected_list": []})):
        result = check.run("alpha", context)
        assert result.score is None and result.passed is None
        assert result.explanation == "no expected output"
        assert result.error is None


def test_the_best_of_expected_and_expected_list_counts() -> None:
    check = SemanticSimilarity(embedder=words)
    context = CheckContext(expected="beta", metadata={"expected_list": ["gamma", "alpha"]})
    result = check.run("alpha", context)
    assert result.score == pytest.approx(1.0)
    assert result.passed is True
    assert result.explanation == "embedding similarity 1.000 (best of 3)"
    one = check.run("alpha gamma gamma", CheckContext(expected="alpha"))
    assert one.score == pytest.approx(1 / math.sqrt(5), abs=1e-6)
    assert one.passed is False  # below the default 0.5
    assert one.explanation == "embedding similarity 0.447"
    above = check.run("alpha beta", CheckContext(expected="alpha"))
    assert above.score == pytest.approx(1 / math.sqrt(2), abs=1e-6)
    assert above.passed is True


def test_threshold_decides() -> None:
    context = CheckContext(expected="alpha")
    assert SemanticSimilarity(embedder=words, threshold=0.7).run("alpha beta", context).passed
    assert not SemanticSimilarity(embedder=words, threshold=0.75).run("alpha beta", context).passed


def test_a_crashing_embedder_gives_an_unscored_result() -> None:
    def broken(texts: list[str]) -> Any:
        raise RuntimeError("no model")

    result = SemanticSimilarity(embedder=broken).run("a", CheckContext(expected="b"))
    assert result.score is None and result.error == "RuntimeError: no model"


def test_registered_with_its_direction_and_default_threshold() -> None:
    assert available_checks()["semantic-similarity"] is SemanticSimilarity
    check = create_check("semantic-similarity")
    assert isinstance(check, SemanticSimilarity)
    assert check.higher_is_better is True
    # Ragas' default (src/spyglass/evals/metrics/semantic.py documents the choice).
    assert SemanticSimilarity.default_threshold == 0.5
    assert check.threshold == 0.5
    assert create_check("semantic-similarity", threshold=0.5).threshold == 0.5


@pytest.mark.parametrize("embedder", ["wordllama", 3])
def test_a_non_callable_embedder_is_a_policy_error(embedder: object) -> None:
    with pytest.raises(PolicyError, match="embedder must be callable"):
        create_check("semantic-similarity", embedder=embedder)


# -- the shipped model -------------------------------------------------------------------------


def test_the_model_credits_paraphrase() -> None:
    expected = "We rescheduled the meeting for Friday."
    paraphrase = semantic_similarity("The meeting moved to Friday.", expected)
    unrelated = semantic_similarity("Bananas are a yellow fruit.", expected)
    assert paraphrase > unrelated + 0.3
    assert 0.0 <= unrelated < paraphrase < 1.0
    assert semantic_similarity(expected, expected) == pytest.approx(1.0, abs=1e-5)


def test_the_model_result_passes_and_fails_by_threshold() -> None:
    check = create_check("semantic-similarity", threshold=0.5)
    context = CheckContext(expected="How do I reset my password?")
    close = check.run("I forgot my password, how can I change it?", context)
    far = check.run("What's the weather in Paris?", context)
    assert close.error is None and far.error is None
    assert close.passed is True and far.passed is False
    assert close.score is not None and far.score is not None and close.score > far.score
    same = create_check("semantic-similarity").run("How do I reset my password?", context)
    assert same.passed is True and same.score == pytest.approx(1.0, abs=1e-5)
