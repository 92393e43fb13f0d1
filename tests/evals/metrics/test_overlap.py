"""BLEU, chrF and ROUGE: hand-checked values and exact agreement with sacrebleu and rouge-score."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest
import sacrebleu
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.porter import PorterStemmer  # type: ignore[import-untyped]
from rouge_score import rouge_scorer  # type: ignore[import-untyped]

import spyglass.evals.metrics  # noqa: F401  (registers the metric checks)
from spyglass.checks import CheckContext, create_check
from spyglass.evals.metrics import (
    bleu,
    chrf,
    corpus_bleu,
    corpus_chrf,
    overlap,
    rouge_l,
    rouge_n,
    token_f1,
)
from spyglass.evals.metrics._porter import stem
from spyglass.evals.metrics.overlap import rouge_tokenize, tokenize_13a
from spyglass.exceptions import PolicyError

# -- hand-checked values -----------------------------------------------------------------------

CAT = "the cat sat on the mat"
CAT_REF = "the cat is on the mat"


def test_bleu_by_hand() -> None:
    # p1 = 5/6, p2 = 3/5, p3 = 1/4, p4: no match of 3, exp smoothing 1 / (2 * 3); BP = 1.
    expected = 100 * (5 / 6 * 3 / 5 * 1 / 4 * 1 / 6) ** 0.25
    assert bleu(CAT, CAT_REF) == pytest.approx(expected)
    assert bleu(CAT, CAT_REF) == pytest.approx(37.9918, abs=1e-4)


def test_bleu_brevity_penalty_and_effective_order() -> None:
    # c = 2, r = 6: BP = exp(1 - 6/2); only orders 1 and 2 exist, both 100 %.
    assert bleu("the cat", CAT) == pytest.approx(100 * math.exp(-2))
    assert bleu("the cat", CAT, effective_order=False) == pytest.approx(0.0, abs=1e-12)


def test_bleu_edges() -> None:
    assert bleu(CAT, CAT) == pytest.approx(100.0)
    assert bleu("", CAT) == 0.0
    assert bleu("dog", CAT) == 0.0
    assert bleu("THE CAT", "the cat", lowercase=True) == pytest.approx(100.0)
    # The closest reference length decides the brevity penalty.
    assert bleu("the cat", ["the cat", CAT]) == pytest.approx(100.0)
    with pytest.raises(ValueError, match="reference"):
        bleu(CAT, [])


def test_13a_tokenizer() -> None:
    assert tokenize_13a("Hello, world! It costs $3.50 (1,000 items).") == (
        *("Hello", ",", "world", "!", "It", "costs", "$", "3.50", "("),
        *("1,000", "items", ")", "."),
    )
    assert tokenize_13a("a &amp; b &quot;c&quot; 1-2") == (
        "a",
        "&",
        "b",
        '"',
        "c",
        '"',
        "1",
        "-",
        "2",
    )


def test_chrf_by_hand() -> None:
    # 1-grams 2/3 matched each way, 2-grams 1/2, 3-grams 0/1, higher orders absent:
    # P = R = (2/3 + 1/2 + 0) / 3 = 7/18, so F = 7/18.
    assert chrf("abc", "abd") == pytest.approx(100 * 7 / 18)
    assert chrf("a b c", "abc") == pytest.approx(100.0)  # whitespace is ignored
    assert chrf("", "abc") == 0.0
    assert chrf("same text", "same text", word_order=2) == pytest.approx(100.0)


def test_rouge_l_by_hand() -> None:
    # LCS "the cat on the mat" = 5 of 6 tokens each way.
    assert rouge_l(CAT, CAT_REF) == pytest.approx(5 / 6)
    assert rouge_l("running dogs", "run dog") == 0.0
    assert rouge_l("running dogs", "run dog", use_stemmer=True) == 1.0
    assert (
        rouge_l("日本語のテキスト", "日本語のテキスト") == 0.0
    )  # no [a-z0-9] token, as rouge-score
    assert rouge_l("", CAT) == 0.0
    assert rouge_tokenize("Don't STOP-me, 2x!") == ("don", "t", "stop", "me", "2x")


def test_rouge_n_by_hand() -> None:
    # Bigrams: prediction 5, reference 5, shared "the cat", "on the", "the mat".
    assert rouge_n(CAT, CAT_REF, n=2) == pytest.approx(3 / 5)
    assert rouge_n(CAT, CAT_REF, n=1) == pytest.approx(5 / 6)
    with pytest.raises(ValueError):
        rouge_n(CAT, CAT_REF, n=0)


# -- identical to the reference implementations ----------------------------------------------

SCORER = rouge_scorer.RougeScorer(["rougeL", "rouge1", "rouge2"])
STEMMING_SCORER = rouge_scorer.RougeScorer(["rougeL", "rouge1", "rouge2"], use_stemmer=True)
PORTER = PorterStemmer()

TRICKY = [
    "",
    " ",
    "Hello, world!",
    "The U.S. economy grew 3.5% in Q1, i.e. $1,000.50 per head.",
    "e-mail me at a.b@c.com -- or don't!",
    "1-2 3.14 1,000 10. 5, (hi) [x] {y} <z>",
    "a &amp; b &quot;quoted&quot; &lt;tag&gt; <skipped> end-\nline",
    "Straße café naïve İstanbul ﬁne ΑΒΓ δέλτα 日本語 😀 emoji",
    "tabs\tand\nnewlines\r\n  trailing   ",
    "running runs ran runner easily fairly generously happily",
    "The quick brown fox jumps over the lazy dog.",
    "the the the the the",
    "...!!!???",
]

WORDS = st.sampled_from(
    [
        *("the", "cat", "sat", "on", "mat", "dog", "The", "CAT", "running", "runs", "happily"),
        *("generalization", "relational", "skies", "dying", "3.14", "1,000", "10", "-", "--"),
        *("U.S.", "don't", "e-mail", "(hi)", "[x]", "&amp;", "&quot;", "<skipped>", "...", "!"),
        *("?", ",", ".", "café", "naïve", "Straße", "İ", "ﬁ", "日本", "😀", "ΑΒΓ", "1-2", "a.b"),
    ]
)
CHARS = st.text(
    alphabet=st.sampled_from("abcdeyz ABZ0129.,;:-!?'\"()&$%/\\é日😀\t\n"), min_size=1, max_size=8
)
SENTENCES = st.lists(WORDS | CHARS, max_size=14).flatmap(
    lambda words: st.lists(
        st.sampled_from([" ", " ", " ", "", "  ", "\n"]), min_size=len(words)
    ).map(lambda seps: "".join(w + s for w, s in zip(words, seps, strict=False)))
)
REFERENCES = st.lists(SENTENCES, min_size=1, max_size=3)


def assert_same_as_references(hypothesis: str, references: list[str]) -> None:
    assert bleu(hypothesis, references) == sacrebleu.sentence_bleu(hypothesis, references).score
    kwargs: dict[str, Any]
    for kwargs in (
        {"smooth_method": "floor"},
        {"smooth_method": "none"},
        {"smooth_method": "add-k"},
        {"lowercase": True},
        {"effective_order": False},
    ):
        theirs_kwargs: dict[str, Any] = dict(kwargs)
        if "effective_order" in theirs_kwargs:
            theirs_kwargs["use_effective_order"] = theirs_kwargs.pop("effective_order")
        theirs = sacrebleu.sentence_bleu(hypothesis, references, **theirs_kwargs).score
        assert bleu(hypothesis, references, **kwargs) == theirs
    assert chrf(hypothesis, references) == sacrebleu.sentence_chrf(hypothesis, references).score
    assert chrf(hypothesis, references, word_order=2) == (
        sacrebleu.sentence_chrf(hypothesis, references, word_order=2).score
    )
    for scorer, stemmed in ((SCORER, False), (STEMMING_SCORER, True)):
        theirs = scorer.score_multi(references, hypothesis)
        assert rouge_l(hypothesis, references, use_stemmer=stemmed) == theirs["rougeL"].fmeasure
        assert rouge_n(hypothesis, references, n=1, use_stemmer=stemmed) == (
            theirs["rouge1"].fmeasure
        )
        assert rouge_n(hypothesis, references, n=2, use_stemmer=stemmed) == (
            theirs["rouge2"].fmeasure
        )


@pytest.mark.parametrize("hypothesis", TRICKY)
def test_tricky_inputs_score_exactly_as_the_references(hypothesis: str) -> None:
    for reference in TRICKY:
        assert_same_as_references(hypothesis, [reference])
    assert_same_as_references(hypothesis, TRICKY[1:5])


@settings(max_examples=200, deadline=None)
@given(SENTENCES, REFERENCES)
def test_random_sentences_score_exactly_as_the_references(
    hypothesis: str, references: list[str]
) -> None:
    assert_same_as_references(hypothesis, references)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(SENTENCES, SENTENCES), min_size=1, max_size=6))
def test_corpus_scores_exactly_as_sacrebleu(pairs: list[tuple[str, str]]) -> None:
    hyps = [h for h, _ in pairs]
    refs = [r for _, r in pairs]
    assert corpus_bleu(hyps, refs) == sacrebleu.corpus_bleu(hyps, [refs]).score
    assert corpus_chrf(hyps, refs) == sacrebleu.corpus_chrf(hyps, [refs]).score
    assert corpus_chrf(hyps, refs, word_order=2) == (
        sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score
    )
    # Two references per segment: ours per segment, sacrebleu's one stream per reference.
    refs2 = [[r, h[::-1]] for h, r in pairs]
    streams = [[r[0] for r in refs2], [r[1] for r in refs2]]
    assert corpus_bleu(hyps, refs2) == sacrebleu.corpus_bleu(hyps, streams).score


def test_corpus_needs_aligned_inputs() -> None:
    with pytest.raises(ValueError, match="same length"):
        corpus_bleu(["a"], [])
    with pytest.raises(ValueError, match="same length"):
        corpus_chrf(["a"], [])


PORTER_WORDS = [
    *("caresses", "ponies", "ties", "caress", "cats", "feed", "agreed", "plastered", "bled"),
    *("motoring", "sing", "conflated", "troubled", "sized", "hopping", "tanned", "falling"),
    *("hissing", "fizzed", "failing", "filing", "happy", "sky", "relational", "conditional"),
    *("rational", "valenci", "hesitanci", "digitizer", "conformabli", "radicalli", "differentli"),
    *("vileli", "analogousli", "vietnamization", "predication", "operator", "feudalism"),
    *("decisiveness", "hopefulness", "callousness", "formaliti", "sensitiviti", "sensibiliti"),
    *("triplicate", "formative", "formalize", "electriciti", "electrical", "hopeful", "goodness"),
    *("revival", "allowance", "inference", "airliner", "gyroscopic", "adjustable", "defensible"),
    *("irritant", "replacement", "adjustment", "dependent", "adoption", "homologou", "communism"),
    *("activate", "angulariti", "homologous", "effective", "bowdlerize", "probate", "rate"),
    *("cease", "controll", "roll", "dying", "lying", "skies", "news", "innings", "proceed"),
    *("generously", "spied", "died", "flies", "dies", "enjoy", "archaeology", "geology"),
    *("hopefulli", "yyyy", "syzygy", "toy", "ivy", "oats", "trees", "y2k", "abc123ing"),
]


@pytest.mark.parametrize("word", PORTER_WORDS)
def test_porter_stem_equals_nltk(word: str) -> None:
    assert stem(word) == PORTER.stem(word)


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="abcdeilmnorstuyz0", min_size=1, max_size=9),
    st.sampled_from(["", "ing", "ed", "ies", "ied", "ational", "alli", "logi", "fulli", "ness"])
    | st.sampled_from(["ement", "ion", "sses", "y", "e", "ll", "izer", "bli", "eed", "s", "ate"]),
)
def test_porter_stem_equals_nltk_on_random_words(word: str, suffix: str) -> None:
    assert stem(word + suffix) == PORTER.stem(word + suffix)


# -- checks ------------------------------------------------------------------------------------


def test_overlap_checks_score_zero_to_one() -> None:
    ctx = CheckContext(expected=CAT)
    for name in ("bleu", "chrf", "rouge-l", "rouge-n"):
        check = create_check(name)
        assert check.higher_is_better is True
        result = check.run(CAT, ctx)
        assert result.score == 1.0  # BLEU's 100.00000000000004 is clamped
        assert result.passed is True
        assert result.error is None
    bleu_check = create_check("bleu")
    result = bleu_check.run(CAT_REF, CheckContext(expected=CAT))
    assert result.score == pytest.approx(bleu(CAT_REF, CAT) / 100)
    assert result.explanation.startswith("BLEU 3")
    assert result.passed is True  # BLEU 38 >= 30


def test_overlap_check_defaults() -> None:
    assert {name: create_check(name).threshold for name in ("bleu", "chrf", "rouge-l")} == {
        "bleu": 0.3,
        "chrf": 0.5,
        "rouge-l": 0.4,
    }


@pytest.mark.parametrize("name", ["bleu", "chrf", "rouge-l", "rouge-n"])
def test_missing_expected_output_is_unscored(name: str) -> None:
    result = create_check(name).run("some output", CheckContext())
    assert (result.score, result.passed, result.explanation) == (None, None, "no expected output")


def test_expected_list_gives_several_references() -> None:
    ctx = CheckContext(metadata={"expected_list": ["no match here", CAT]})
    assert create_check("rouge-l").run(CAT, ctx).score == 1.0
    result = create_check("bleu").run(CAT, ctx)
    assert result.score == 1.0
    assert "2 references" in result.explanation
    bad = create_check("chrf").run(CAT, CheckContext(metadata={"expected_list": "oops"}))
    assert bad.score is None
    assert bad.error is not None
    assert "expected_list" in bad.error


def test_check_parameters() -> None:
    ctx = CheckContext(expected="running dogs")
    assert create_check("rouge-l", use_stemmer=True).run("run dog", ctx).score == 1.0
    assert create_check("rouge-n", n=2).run("a b c", CheckContext(expected="a b d")).score == 0.5
    plus = create_check("chrf", word_order=2).run("a cat", CheckContext(expected="a cat"))
    assert plus.explanation.startswith("chrF++ 100")
    assert create_check("bleu", lowercase=True).run("THE CAT", CheckContext(expected="the cat"))
    bad: list[tuple[str, dict[str, Any]]] = [
        ("bleu", {"tokenize": "intl"}),
        ("bleu", {"lowercase": "yes"}),
        ("chrf", {"word_order": -1}),
        ("rouge-n", {"n": 0}),
        ("rouge-l", {"use_stemmer": 1}),
        ("bleu", {"nonsense": 1}),
    ]
    for name, params in bad:
        with pytest.raises(PolicyError):
            create_check(name, **params)


# -- speed -------------------------------------------------------------------------------------


def test_thousand_items_three_metrics_well_under_a_second() -> None:
    tokenize_13a.cache_clear()
    rouge_tokenize.cache_clear()
    outputs = [f"The answer number {i} is that the cat sat on mat {i % 7}." for i in range(1000)]
    refs = [f"Answer {i}: the cat sat on the mat number {i % 5}, probably." for i in range(1000)]
    started = time.perf_counter()
    for output, ref in zip(outputs, refs, strict=True):
        bleu(output, ref)
        rouge_l(output, ref)
        token_f1(output, ref)
    elapsed = time.perf_counter() - started
    print(f"1000 items x (bleu, rouge_l, token_f1): {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0


def test_13a_padding_table_equals_sacrebleus_regex_on_the_whole_bmp() -> None:
    text = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000)
    assert text.translate(overlap._13A_PAD_TABLE) == overlap._13A_PAD.sub(r" \1 ", text)
