"""Exact match, contains, regex, SQuAD token F1, Levenshtein and the JSON wrappers."""

from __future__ import annotations

import collections
import re
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spyglass.evals.metrics  # noqa: F401  (registers the metric checks)
from spyglass.checks import CheckContext, create_check
from spyglass.evals.metrics import (
    contains,
    exact_match,
    json_schema_valid,
    json_valid,
    levenshtein_distance,
    levenshtein_similarity,
    regex_match,
    token_f1,
)
from spyglass.evals.metrics.similarity import squad_normalize
from spyglass.exceptions import PolicyError

# -- exact match -------------------------------------------------------------------------------


def test_exact_match_is_strict_by_default() -> None:
    assert exact_match("Paris", "Paris") == 1.0
    assert exact_match("Paris\n", "Paris") == 0.0
    assert exact_match("paris", "Paris") == 0.0
    assert exact_match("Paris.", "Paris") == 0.0
    assert exact_match("Lyon", ["Paris", "Lyon"]) == 1.0


def test_exact_match_normalisation() -> None:
    assert exact_match("  Paris \n", "Paris", ignore_whitespace=True) == 1.0
    assert exact_match("New  York", "New York", ignore_whitespace=True) == 1.0
    assert exact_match("NewYork", "New York", ignore_whitespace=True) == 0.0
    assert exact_match("PARIS", "paris", ignore_case=True) == 1.0
    assert exact_match("STRASSE", "Straße", ignore_case=True) == 1.0  # case folding
    assert exact_match("Paris!", "Paris", ignore_punctuation=True) == 1.0
    assert exact_match("«Paris»…", "Paris", ignore_punctuation=True) == 1.0  # Unicode P*
    assert exact_match("$5", "5", ignore_punctuation=True) == 1.0  # ASCII symbols too
    assert exact_match(
        " It's PARIS! ",
        "its paris",
        ignore_case=True,
        ignore_whitespace=True,
        ignore_punctuation=True,
    )
    with pytest.raises(ValueError):
        exact_match("a", [])


# -- contains and regex ------------------------------------------------------------------------


def test_contains() -> None:
    text = "The capital of France is Paris, on the Seine."
    assert contains(text, "Paris") == 1.0
    assert contains(text, ["Paris", "Seine"]) == 1.0
    assert contains(text, ["Paris", "Lyon"]) == 0.5
    assert contains(text, ["Lyon", "Nice", "Paris", "Seine"]) == 0.5
    assert contains(text, ["Paris", "Lyon"], mode="any") == 1.0
    assert contains(text, ["Lyon", "Nice"], mode="any") == 0.0
    assert contains(text, "paris") == 0.0
    assert contains(text, "paris", ignore_case=True) == 1.0
    assert contains("GROSSE Straße", "strasse", ignore_case=True) == 1.0
    with pytest.raises(ValueError):
        contains(text, "Paris", mode="some")  # type: ignore[arg-type]


def test_regex_match() -> None:
    assert regex_match("Total: 42 EUR", r"\d+ EUR") == 1.0
    assert regex_match("Total: 42 EUR", r"\d+ EUR", mode="fullmatch") == 0.0
    assert regex_match("42 EUR", r"\d+ EUR", mode="fullmatch") == 1.0
    assert regex_match("42 eur", r"\d+ EUR") == 0.0
    assert regex_match("42 eur", r"\d+ EUR", ignore_case=True) == 1.0
    assert regex_match("42 eur", re.compile(r"\d+ eur")) == 1.0
    with pytest.raises(ValueError):
        regex_match("a", "a", mode="match")  # type: ignore[arg-type]


# -- token F1 (SQuAD) --------------------------------------------------------------------------


def squad_normalize_answer(s: str) -> str:
    """Verbatim from the official SQuAD 2.0 evaluation script (evaluate-v2.0.py)."""

    def remove_articles(text: str) -> str:
        regex = re.compile(r"\b(a|an|the)\b", re.UNICODE)
        return re.sub(regex, " ", text)

    def white_space_fix(text: str) -> str:
        return " ".join(text.split())

    def remove_punc(text: str) -> str:
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    def lower(text: str) -> str:
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def squad_get_tokens(s: str) -> list[str]:
    if not s:
        return []
    return squad_normalize_answer(s).split()


def squad_compute_f1(a_gold: str, a_pred: str) -> float:
    gold_toks = squad_get_tokens(a_gold)
    pred_toks = squad_get_tokens(a_pred)
    common = collections.Counter(gold_toks) & collections.Counter(pred_toks)
    num_same = sum(common.values())
    if len(gold_toks) == 0 or len(pred_toks) == 0:
        return int(gold_toks == pred_toks)
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(pred_toks)
    recall = 1.0 * num_same / len(gold_toks)
    return (2 * precision * recall) / (precision + recall)


def test_token_f1_by_hand() -> None:
    # "cat sat" against "cat sat down": P = 1, R = 2/3, F1 = 0.8.
    assert token_f1("The cat sat.", "a cat sat down") == pytest.approx(0.8)
    assert token_f1("cat cat", "cat") == pytest.approx(2 * 0.5 * 1 / 1.5)  # multiset overlap
    assert token_f1("the", "a") == 1.0  # both empty after normalisation
    assert token_f1("", "Paris") == 0.0
    assert token_f1("Paris", ["Lyon", "Paris!"]) == 1.0
    assert squad_normalize("The  Eiffel-Tower, an icon!") == "eiffeltower icon"


ANSWER_WORDS = st.sampled_from(
    ["the", "a", "an", "The", "Paris", "paris", "cat", "cat.", "(1990)", "U.S.", "naïve", "«x»"]
)
ANSWERS = st.lists(ANSWER_WORDS | st.text(max_size=6), max_size=8).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(ANSWERS, st.lists(ANSWERS, min_size=1, max_size=3))
def test_token_f1_equals_the_squad_script(prediction: str, golds: list[str]) -> None:
    expected = max(squad_compute_f1(g, prediction) for g in golds)
    assert token_f1(prediction, golds) == expected
    assert squad_normalize(prediction) == squad_normalize_answer(prediction)


# -- Levenshtein -------------------------------------------------------------------------------


def naive_levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def test_levenshtein_by_hand() -> None:
    assert levenshtein_distance("kitten", "sitting") == 3
    assert levenshtein_similarity("kitten", "sitting") == pytest.approx(1 - 3 / 7)
    assert levenshtein_distance("flaw", "lawn") == 2
    assert levenshtein_distance("", "abc") == 3
    assert levenshtein_similarity("", "") == 1.0
    assert levenshtein_similarity("abc", "xyz") == 0.0
    assert levenshtein_similarity("ABC", "abc") == 0.0
    assert levenshtein_similarity("ABC", "abc", ignore_case=True) == 1.0
    assert levenshtein_similarity("kitten", ["xyz", "kitten"]) == 1.0


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="abcde", max_size=90) | st.text(max_size=20),
    st.text(alphabet="abcde", max_size=90) | st.text(max_size=20),
)
def test_levenshtein_equals_the_textbook_dp(a: str, b: str) -> None:
    # Up to 90 characters: the bit vectors outgrow one 64-bit word.
    assert levenshtein_distance(a, b) == naive_levenshtein(a, b)
    assert levenshtein_distance(a, b) == levenshtein_distance(b, a)


# -- JSON --------------------------------------------------------------------------------------


def test_json_wrappers() -> None:
    assert json_valid('{"a": 1}') == 1.0
    assert json_valid("```json\n[1]\n```") == 1.0
    assert json_valid("```json\n[1]\n```", allow_fenced=False) == 0.0
    assert json_valid("{'a': 1}") == 0.0
    schema = {"type": "object", "required": ["a"]}
    assert json_schema_valid('{"a": 1}', schema) == 1.0
    assert json_schema_valid('{"b": 1}', schema) == 0.0
    assert json_schema_valid("nope", schema) == 0.0
    with pytest.raises(PolicyError):
        json_schema_valid("{}", {"type": 12})


# -- checks ------------------------------------------------------------------------------------

NAMES = ("exact-match", "contains", "regex-match", "token-f1", "levenshtein")


@pytest.mark.parametrize(
    ("name", "threshold"),
    [
        ("exact-match", 1.0),
        ("contains", 1.0),
        ("regex-match", 1.0),
        ("token-f1", 0.5),
        ("levenshtein", 0.8),
    ],
)
def test_check_registration_and_defaults(name: str, threshold: float) -> None:
    check = create_check(name)
    assert check.higher_is_better is True
    assert check.threshold == threshold


@pytest.mark.parametrize("name", NAMES)
def test_missing_expected_output_is_unscored(name: str) -> None:
    result = create_check(name).run("Paris", CheckContext())
    assert (result.score, result.passed, result.explanation) == (None, None, "no expected output")


def test_exact_match_check() -> None:
    check = create_check("exact-match", ignore_case=True, ignore_whitespace=True)
    assert check.run("paris\n", CheckContext(expected="Paris")).passed is True
    result = check.run("Lyon", CheckContext(expected="Paris"))
    assert (result.score, result.passed) == (0.0, False)
    assert result.explanation == "does not match the expected output"
    ctx = CheckContext(metadata={"expected_list": ["Paris", "Lyon"]})
    assert check.run("lyon", ctx).score == 1.0
    with pytest.raises(PolicyError):
        create_check("exact-match", ignore_case="yes")


def test_contains_check_sources_and_findings() -> None:
    text = "Paris is on the Seine."
    fixed = create_check("contains", substrings=["Paris", "Seine", "Louvre"])
    result = fixed.run(text)  # no context needed: the policy fixes the substrings
    assert result.score == pytest.approx(2 / 3)
    assert result.passed is False
    assert [(f.start, f.end, f.text) for f in result.findings] == [
        (0, 5, "Paris"),
        (16, 21, "Seine"),
    ]
    assert "missing: 'Louvre'" in result.explanation
    assert create_check("contains", substrings=["Louvre", "Seine"], mode="any").run(text).passed
    from_context = create_check("contains", ignore_case=True)
    ctx = CheckContext(expected="paris", metadata={"expected_list": ["SEINE"]})
    result = from_context.run(text, ctx)
    assert (result.score, result.passed) == (1.0, True)
    assert [f.text for f in result.findings] == ["Paris", "Seine"]
    params: dict[str, Any]
    for params in ({"substrings": "Paris"}, {"substrings": []}, {"mode": "most"}):
        with pytest.raises(PolicyError):
            create_check("contains", **params)


def test_regex_match_check() -> None:
    fixed = create_check("regex-match", pattern=r"^\d{4}-\d{2}-\d{2}$", mode="fullmatch")
    assert fixed.run("2024-05-01").passed is True
    assert fixed.run("on 2024-05-01").passed is False
    from_expected = create_check("regex-match")
    ctx = CheckContext(expected=r"\bParis\b", metadata={"expected_list": [r"\bLyon\b"]})
    assert from_expected.run("I live in Lyon", ctx).score == 1.0
    failed = from_expected.run("I live in Nice", ctx)
    assert failed.score == 0.0
    assert "or 1 other patterns" in failed.explanation
    broken = from_expected.run("x", CheckContext(expected="(unclosed"))
    assert broken.score is None
    assert broken.error is not None
    assert "not a valid pattern" in broken.error
    with pytest.raises(PolicyError):
        create_check("regex-match", pattern="(unclosed")
    with pytest.raises(PolicyError):
        create_check("regex-match", pattern="a", mode="match")


def test_token_f1_and_levenshtein_checks() -> None:
    ctx = CheckContext(expected="a cat sat down")
    result = create_check("token-f1").run("The cat sat.", ctx)
    assert result.score == pytest.approx(0.8)
    assert result.passed is True
    assert result.explanation == "token F1 0.800"
    lev = create_check("levenshtein").run("kitten", CheckContext(expected="sitting"))
    assert lev.score == pytest.approx(1 - 3 / 7)
    assert lev.passed is False
    many = CheckContext(metadata={"expected_list": ["sitting", "kitten"]})
    assert (
        create_check("levenshtein")
        .run("kitten", many)
        .explanation.endswith("(best of 2 expected outputs)")
    )
