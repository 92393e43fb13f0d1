"""Banned topics by meaning (extra: embeddings): sentences, parameters, scoring, the model."""

from __future__ import annotations

import asyncio
import math
import threading
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spyglass.checks import available_checks, create_check, embedding, semantic_topics
from spyglass.checks.semantic_topics import SemanticTopics, builtin_descriptions, sentences
from spyglass.checks.topics import builtin_topics
from spyglass.exceptions import PolicyError
from spyglass.guard import Guard, Policy

BUILTIN = [
    "politics",
    "medical-advice",
    "legal-advice",
    "financial-advice",
    "violence",
    "weapons",
    "gambling",
    "religion",
]


class Words:
    """A fake embedder whose axes are words: alpha, beta, gamma ("anti" is minus alpha).

    A text with none of them is the zero vector. Records every batch it embeds.
    """

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [
            [
                float(t.count("alpha") - t.count("anti")),
                float(t.count("beta")),
                float(t.count("gamma")),
            ]
            for t in texts
        ]


def spans(text: str) -> list[str]:
    return [text[a:b] for a, b in sentences(text)]


# -- sentences ---------------------------------------------------------------------------------


def test_sentences_merge_short_pieces_and_index_the_original_text() -> None:
    text = "Hi. Please help me. This is longer!\nNew line here?  End"
    assert sentences(text) == [(0, 19), (20, 35), (36, 50), (52, 55)]
    assert spans(text) == ["Hi. Please help me.", "This is longer!", "New line here?", "End"]


def test_sentences_trim_whitespace_and_skip_blank_lines() -> None:
    text = "  He said to stop right there. Then he left the room.  \n\n  A new paragraph.\n"
    assert sentences(text)[0][0] == 2
    assert spans(text) == [
        "He said to stop right there.",
        "Then he left the room.",
        "A new paragraph.",
    ]


def test_a_closing_quote_or_bracket_belongs_to_its_sentence() -> None:
    text = 'He said "Stop right there." Then he left the room. (See the map.) Next one here.'
    assert spans(text) == [
        'He said "Stop right there."',
        "Then he left the room.",
        "(See the map.)",
        "Next one here.",
    ]


@pytest.mark.parametrize("text", ["", " ", "   \n\t  \n"])
def test_no_sentences_in_blank_text(text: str) -> None:
    assert sentences(text) == []


@given(st.text(alphabet=st.sampled_from("ab .!?\n\t\u00a0"), max_size=80))
def test_sentence_spans_are_trimmed_ordered_and_disjoint(text: str) -> None:
    found = sentences(text)
    previous_end = 0
    for a, b in found:
        assert 0 <= previous_end <= a < b <= len(text)
        piece = text[a:b]
        assert piece == piece.strip()
        previous_end = b
    # Every non-space character is in some sentence.
    covered = {i for a, b in found for i in range(a, b)}
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())


@given(st.text(max_size=60))
def test_sentence_spans_hold_for_any_text(text: str) -> None:
    previous_end = 0
    for a, b in sentences(text):
        assert previous_end <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()
        previous_end = b


# -- parameters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "needs `topics` or `builtin`"),
        ({"topics": {}}, "needs `topics` or `builtin`"),
        ({"builtin": ["astrology"]}, r"no built-in topic 'astrology'; known: financial-advice"),
        ({"builtin": "politics"}, "builtin must be a list of names"),
        ({"builtin": 3}, "builtin must be a list of names"),
        ({"topics": ["alpha"]}, "topics must map a topic name to examples"),
        ({"topics": {"pets": []}}, "pets needs example sentences"),
        ({"topics": {"pets": 3}}, "pets needs example sentences"),
        ({"topics": {"pets": ["a cat", ""]}}, "examples of pets must be non-empty strings"),
        ({"topics": {"pets": ["a cat", 3]}}, "examples of pets must be non-empty strings"),
        ({"topics": {"": ["a cat"]}}, "topic names must be strings"),
        ({"topics": {3: ["a cat"]}}, "topic names must be strings"),
        ({"topics": {"pets": "a cat"}, "embedder": "wordllama"}, "embedder must be callable"),
    ],
)
def test_bad_parameters(params: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        create_check("semantic-topics", **params)


def test_unknown_builtin_lists_every_known_name() -> None:
    with pytest.raises(PolicyError) as info:
        SemanticTopics(builtin=["gambling", "astrology"])
    assert all(name in str(info.value) for name in BUILTIN)


def test_a_single_string_is_one_example_and_builtins_combine_with_topics() -> None:
    check = SemanticTopics(topics={"pets": "  my cat  "})
    assert check.topics == {"pets": ["my cat"]}
    both = SemanticTopics(builtin=["gambling"], topics={"gambling": "A bet.", "pets": ["cat"]})
    assert both.topics["gambling"] == [*builtin_descriptions()["gambling"], "A bet."]
    assert both.topics["pets"] == ["cat"]


def test_builtin_descriptions_are_the_keyword_topics() -> None:
    described = builtin_descriptions()
    assert sorted(described) == sorted(BUILTIN)
    assert set(described) == set(builtin_topics())
    for examples in described.values():
        assert len(examples) >= 3
        assert all(isinstance(e, str) and e.strip() == e and e for e in examples)


def test_registered_by_name() -> None:
    check = create_check("semantic-topics", builtin=["gambling"], threshold=0.7)
    assert isinstance(check, SemanticTopics)
    assert list(check.topics) == ["gambling"] and check.threshold == 0.7
    assert available_checks()["semantic-topics"] is SemanticTopics
    assert SemanticTopics(builtin=["gambling"]).threshold == SemanticTopics.default_threshold


# -- scoring with a fake embedder --------------------------------------------------------------


def test_score_is_the_best_similarity_and_the_label_needs_the_threshold() -> None:
    check = SemanticTopics(
        topics={"medical-advice": ["alpha"], "gambling": ["beta", "beta gamma"]},
        embedder=Words(),
        threshold=0.5,
    )
    text = "alpha alpha gamma"  # (2, 0, 1): cos 2/sqrt(5) with alpha
    about = check.run(text)
    assert about.score == pytest.approx(2 / math.sqrt(5), abs=1e-6)
    assert about.passed is False and about.label == "medical-advice"
    assert about.explanation == "about medical-advice (similarity 0.89)"
    assert [(f.start, f.end, f.entity, f.text) for f in about.findings] == [
        (0, len(text), "MEDICAL_ADVICE", text)
    ]
    assert about.findings[0].score == pytest.approx(about.score)

    # (1, 0, 2): 0.45 with alpha but 0.63 with "beta gamma", so the closest topic is gambling
    near = check.run("gamma gamma alpha")
    assert near.score == pytest.approx(2 / math.sqrt(10), abs=1e-6)
    assert near.passed is False and near.label == "gambling"

    closest = SemanticTopics(
        topics={"medical-advice": ["alpha"]}, embedder=Words(), threshold=0.5
    ).run("gamma gamma alpha")
    assert closest.score == pytest.approx(1 / math.sqrt(5), abs=1e-6)
    assert closest.passed is True and closest.label is None and closest.findings == ()
    assert closest.explanation == "closest topic medical-advice (similarity 0.45)"


def test_scores_are_clamped_to_zero_and_one() -> None:
    check = SemanticTopics(topics={"medical-advice": ["alpha"]}, embedder=Words())
    opposite = check.run("anti")  # cosine -1
    assert opposite.score == 0.0 and opposite.passed is True
    # (1, 1, 4) as float32 has a self-similarity of 1.0000001.
    same = SemanticTopics(topics={"t": ["alpha beta gamma gamma gamma gamma"]}, embedder=Words())
    assert same.run("alpha beta gamma gamma gamma gamma").score == 1.0


def test_findings_are_the_matching_sentences() -> None:
    check = SemanticTopics(
        topics={"medical-advice": ["alpha"], "gambling": ["beta"]}, embedder=Words()
    )
    text = "  Tell me about alpha today. The weather is fine here.\nMore beta talk is here! "
    result = check.run(text)
    assert [(f.entity, f.text) for f in result.findings] == [
        ("MEDICAL_ADVICE", "Tell me about alpha today."),
        ("GAMBLING", "More beta talk is here!"),
    ]
    for f in result.findings:
        assert text[f.start : f.end] == f.text
        assert f.score == pytest.approx(1.0)
    # A tie goes to the topic named first.
    assert result.label == "medical-advice" and result.passed is False


def test_a_topic_spread_over_sentences_is_one_finding_over_the_whole_text() -> None:
    check = SemanticTopics(topics={"alpha & beta": ["alpha beta"]}, embedder=Words(), threshold=0.9)
    text = " Some alpha words here. And some beta words there.\n"
    result = check.run(text)  # each sentence 0.71, the whole text 1.0
    assert result.score == pytest.approx(1.0)
    assert result.label == "alpha & beta"
    assert [(f.start, f.end, f.entity) for f in result.findings] == [
        (1, len(text) - 1, "ALPHA_BETA")
    ]
    assert result.findings[0].text == text.strip()

    low = SemanticTopics(topics={"t": ["alpha beta"]}, embedder=Words(), threshold=0.9)
    one_sentence = low.run("Some alpha words here and nothing else at all.")
    assert one_sentence.findings == () and one_sentence.passed is True


def test_odd_topic_names_become_entities() -> None:
    check = SemanticTopics(topics={"!!!": ["alpha"], "x/y z": ["beta"]}, embedder=Words())
    assert [f.entity for f in check.run("It is all alpha here. And then came beta.").findings] == [
        "TOPIC",
        "X_Y_Z",
    ]


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_text_passes_with_score_zero(text: str) -> None:
    result = SemanticTopics(topics={"t": ["alpha"]}, embedder=Words()).run(text)
    assert result.score == 0.0 and result.passed is True and result.findings == ()
    assert result.error is None


def test_text_with_nothing_known_scores_zero() -> None:
    result = SemanticTopics(topics={"t": ["alpha"]}, embedder=Words()).run("Nothing to see.")
    assert result.score == 0.0 and result.passed is True


def test_examples_are_embedded_once_and_only_when_needed() -> None:
    embedder = Words()
    check = SemanticTopics(topics={"a": ["alpha", "alpha two"], "b": ["beta"]}, embedder=embedder)
    assert embedder.calls == []  # building a policy needs no model
    check.run("alpha. That is a long sentence about beta.")
    check.run("gamma is here")
    example_batches = [c for c in embedder.calls if c == ["alpha", "alpha two", "beta"]]
    assert len(example_batches) == 1
    assert embedder.calls[0] == ["alpha", "alpha two", "beta"]


def test_a_crashing_embedder_gives_an_unscored_result() -> None:
    def broken(texts: list[str]) -> Any:
        raise RuntimeError("model exploded")

    result = SemanticTopics(topics={"t": ["alpha"]}, embedder=broken).run("alpha")
    assert result.score is None and result.passed is None
    assert result.error == "RuntimeError: model exploded"
    assert "model exploded" in result.explanation


def test_a_wrongly_shaped_embedder_gives_an_unscored_result() -> None:
    result = SemanticTopics(topics={"t": ["alpha"]}, embedder=lambda texts: [[1.0]] * 5).run("x")
    assert result.score is None
    assert result.error is not None and "one vector per text" in result.error


# -- the shipped model -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def builtin_check() -> SemanticTopics:
    return SemanticTopics(builtin=BUILTIN)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Which casino has the loosest slot machines in Vegas?", "gambling"),
        ("What dosage of ibuprofen should I take for my migraine?", "medical-advice"),
    ],
)
def test_the_model_finds_builtin_topics(
    builtin_check: SemanticTopics, text: str, label: str
) -> None:
    result = builtin_check.run(text)
    assert result.error is None
    assert result.passed is False and result.label == label
    assert [f.entity for f in result.findings] == [label.upper().replace("-", "_")]


@pytest.mark.parametrize(
    "text",
    ["How do I center a div in CSS?", "Summarise the quarterly report in three bullet points."],
)
def test_the_model_passes_ordinary_text(builtin_check: SemanticTopics, text: str) -> None:
    result = builtin_check.run(text)
    assert result.error is None
    assert result.passed is True and result.label is None and result.findings == ()
    assert result.explanation.startswith("closest topic ")


def test_a_policy_blocks_by_meaning() -> None:
    policy = Policy.from_yaml(
        """
name: no-gambling
input:
  - check: semantic-topics
    action: block
    builtin: [gambling]
"""
    )
    guard = Guard(policy, record=False)
    blocked = guard.check_input("Which casino has the loosest slot machines in Vegas?")
    assert blocked.blocked
    assert blocked.reason is not None and "semantic-topics" in blocked.reason
    fine = guard.check_input("How do I center a div in CSS?")
    assert not fine.blocked and fine.text == "How do I center a div in CSS?"


# -- limits, async, missing extra (review findings) ------------------------------------------


def test_long_text_is_read_in_bounded_windows_up_to_a_limit() -> None:
    seen: list[str] = []

    def recording(texts: list[str]) -> list[list[float]]:
        seen.extend(texts)
        return [[1.0, float(len(t) % 7)] for t in texts]

    check = SemanticTopics(topics={"t": ["an example"]}, embedder=recording)
    blob = "x" * 250_000  # no sentence ends, no spaces: a log line or an encoded payload
    result = check.run(blob)
    assert not result.error
    assert "only the first 100,000 characters" in result.explanation
    pieces = [t for t in seen if t != "an example"]
    assert max(len(p) for p in pieces) <= semantic_topics.WINDOW_CHARS
    assert sum(len(p) for p in pieces) == semantic_topics.MAX_TEXT_CHARS


def test_cjk_full_stops_end_sentences() -> None:
    first = "今天天气很好我们去公园散步吧\u3002"
    second = "明天我们一起去图书馆看书好吗\uff1f"
    assert spans(first + second) == [first, second]


def test_async_runs_evaluate_off_the_event_loop_thread() -> None:
    threads: list[int] = []

    def recording(texts: list[str]) -> list[list[float]]:
        threads.append(threading.get_ident())
        return [[1.0, 0.0] for _ in texts]

    check = SemanticTopics(topics={"t": ["an example"]}, embedder=recording)
    loop_thread = threading.get_ident()
    result = asyncio.run(check.arun("An example sentence here."))
    assert result.passed is False
    assert threads and loop_thread not in threads


def test_without_the_extra_the_policy_is_refused_when_it_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Failing at each run instead would leave an on_error: open rule silently not blocking.
    monkeypatch.setattr(embedding, "has_default_model", lambda: False)
    with pytest.raises(PolicyError, match=r"pip install 'spyglass\[embeddings\]'"):
        SemanticTopics(builtin=["gambling"])
    # A custom embedder needs no extra.
    SemanticTopics(builtin=["gambling"], embedder=lambda texts: [[1.0] for _ in texts])


def test_blank_text_needs_no_model() -> None:
    calls: list[list[str]] = []

    def recording(texts: list[str]) -> list[list[float]]:
        calls.append(texts)
        return [[1.0] for _ in texts]

    check = SemanticTopics(topics={"t": ["an example"]}, embedder=recording)
    assert check.run("   ").score == 0.0
    assert calls == []
