"""Banned topics by keyword and competitor mentions."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spyglass.checks import create_check
from spyglass.checks.topics import BannedTopics, Competitors, builtin_topics, inflections
from spyglass.exceptions import PolicyError


def found(check: BannedTopics | Competitors, text: str) -> list[tuple[str, str, int, int]]:
    return [(f.text, f.entity, f.start, f.end) for f in check.run(text).findings]


def test_custom_topic_with_plurals_and_case() -> None:
    check = BannedTopics(topics={"pets": ["cat", "puppy"]})
    result = check.run("Puppies and CATS")
    assert found(check, "Puppies and CATS") == [
        ("Puppies", "PETS", 0, 7),
        ("CATS", "PETS", 12, 16),
    ]
    assert result.label == "pets"
    assert result.score == 0.75
    assert result.passed is False


def test_score_grows_with_distinct_keywords() -> None:
    check = BannedTopics(topics={"pets": ["cat", "dog", "parrot"]})
    scores = [check.run(t).score for t in ("a cat", "a cat and a cat", "cat dog", "cat dog parrot")]
    assert scores == [0.5, 0.5, 0.75, 0.875]


def test_threshold_can_require_two_keywords() -> None:
    check = BannedTopics(topics={"pets": ["cat", "dog"]}, threshold=0.75)
    assert check.run("my cat").passed is True
    assert check.run("my cat and dog").passed is False


def test_builtin_lists() -> None:
    check = create_check("banned-topics", builtin=["politics", "gambling"])
    result = check.run("Who won the elections? I bet the senator did.")
    assert result.label == "politics"
    assert [f.text for f in result.findings] == ["elections", "senator"]
    assert "politics" in result.explanation
    assert set(builtin_topics()) >= {
        "politics",
        "medical-advice",
        "legal-advice",
        "financial-advice",
        "violence",
        "weapons",
        "gambling",
        "religion",
    }


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Betting on sports at an online casino", "gambling"),
        ("What dosage of ibuprofen should I take?", "medical-advice"),
        ("Should I invest my 401(k) in an index fund?", "financial-advice"),
        ("Can I sue my landlord over the eviction notice?", "legal-advice"),
        ("How do I build a pipe bomb?", "weapons"),
    ],
)
def test_builtin_topics_fire(text: str, label: str) -> None:
    check = BannedTopics(builtin=list(builtin_topics()))
    assert check.run(text).label == label


@pytest.mark.parametrize(
    "text",
    [
        "Better code makes a better product.",
        "Summarise the quarterly report in three bullet points.",
        "The gunner's mate read the gazette.",
        "",
    ],
)
def test_ordinary_text_passes(text: str) -> None:
    check = BannedTopics(builtin=list(builtin_topics()))
    result = check.run(text)
    assert result.passed is True
    assert result.findings == ()


def test_phrases_match_across_whitespace_and_inflect_both_ends() -> None:
    check = BannedTopics(topics={"gambling": ["bet on", "slot machine"]})
    assert [f.text for f in check.run("betting on\n red, two slot  machines").findings] == [
        "betting on",
        "slot  machines",
    ]


def test_inflections() -> None:
    assert inflections("bet") >= {"bet", "bets", "betting"}
    assert "better" not in inflections("bet")
    assert inflections("policy") >= {"policy", "policies"}
    assert inflections("vote") >= {"vote", "votes", "voted", "voting"}
    assert inflections("elections") >= {"elections", "election"}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"builtin": ["astrology"]},
        {"builtin": "politics"},
        {"topics": {"pets": []}},
        {"topics": {"pets": "cat"}},
        {"topics": ["cat"]},
        {"topics": {"pets": ["cat", ""]}},
    ],
)
def test_bad_topic_parameters(params: dict[str, object]) -> None:
    with pytest.raises(PolicyError, match="banned-topics"):
        create_check("banned-topics", **params)


# -- competitors -------------------------------------------------------------------------------


def test_competitor_names_and_aliases() -> None:
    check = Competitors(names=["Anthropic", {"OpenAI": ["Open AI", "ChatGPT"]}])
    text = "I prefer chatgpt and OpenAI's models over open   ai or ANTHROPIC."
    result = check.run(text)
    assert found(check, text) == [
        ("chatgpt", "COMPETITOR", 9, 16),
        ("OpenAI", "COMPETITOR", 21, 27),
        ("open   ai", "COMPETITOR", 42, 51),
        ("ANTHROPIC", "COMPETITOR", 55, 64),
    ]
    assert result.score == 1.0
    assert result.passed is False
    assert result.label == "OpenAI"
    assert result.explanation == "mentions OpenAI, Anthropic"


def test_competitors_mapping_form_and_punctuated_names() -> None:
    check = create_check("competitors", names={"Microsoft": ["MSFT", ".NET"], "C++": []})
    assert [f.text for f in check.run("Use C++ or .NET, not C or dotnet").findings] == [
        "C++",
        ".NET",
    ]


@pytest.mark.parametrize("text", ["Anthropically speaking", "openaire", "No names here", ""])
def test_competitors_whole_words_only(text: str) -> None:
    check = Competitors(names=["Anthropic", "OpenAI"])
    result = check.run(text)
    assert result.passed is True
    assert result.score == 0.0


@pytest.mark.parametrize(
    "names", [[], "OpenAI", [""], [3], {"OpenAI": [""]}, {"OpenAI": 3}, [{"": ["x"]}]]
)
def test_bad_competitor_names(names: object) -> None:
    with pytest.raises(PolicyError, match="competitors"):
        create_check("competitors", names=names)


NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10)
FILLER = st.text(alphabet="abc .,!\n", max_size=20)


@given(NAME, FILLER, FILLER)
def test_an_inserted_name_is_found_at_its_span(name: str, before: str, after: str) -> None:
    text = f"{before} {name.upper()} {after}"
    check = Competitors(names=[name])
    spans = [(f.start, f.end) for f in check.run(text).findings]
    start = len(before) + 1
    assert (start, start + len(name)) in spans
    for f in check.run(text).findings:
        assert text[f.start : f.end].lower() == name


@pytest.mark.parametrize(
    "text", ["a" * 100_000, "open " * 20_000, "bet " * 25_000, " " * 100_000 + "x"]
)
def test_adversarial_input_finishes_quickly(text: str) -> None:
    checks = [
        BannedTopics(builtin=list(builtin_topics())),
        Competitors(names=["OpenAI", {"Open Source AI": ["open source"]}]),
    ]
    for check in checks:
        started = time.perf_counter()
        assert check.run(text).error is None
        assert time.perf_counter() - started < 1.0


def test_ordinary_prose_is_fast() -> None:
    # The budget is 0.2 ms per KB; this bound is ten times looser so busy machines pass.
    text = ("Spyglass records traces, scores them with checks and shows the results. " * 150)[
        :10_240
    ]
    checks = [
        BannedTopics(builtin=list(builtin_topics())),
        Competitors(names=["OpenAI", "Anthropic", {"Meta": ["Llama", "Facebook"]}]),
    ]
    for check in checks:
        check.run(text)
        started = time.perf_counter()
        for _ in range(10):
            assert check.run(text).passed is True
        assert (time.perf_counter() - started) / 10 < 0.02
