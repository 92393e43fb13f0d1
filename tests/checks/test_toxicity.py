"""The lexicon toxicity check: what it flags, where, how hard, and what it leaves alone."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spyglass.checks import create_check
from spyglass.checks.toxicity import Toxicity
from spyglass.exceptions import PolicyError

CHECK = Toxicity()


def spans(text: str) -> list[tuple[str, str]]:
    return [(f.text, f.entity) for f in CHECK.run(text).findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You are an idiot", [("idiot", "INSULT")]),
        ("you 1d10t!", [("1d10t", "INSULT")]),
        ("you are sooo stuuupid", [("stuuupid", "INSULT")]),
        ("f.u.c.k this", [("f.u.c.k", "PROFANITY")]),
        ("what the f**k", [("f**k", "PROFANITY")]),
        ("sh1t happens", [("sh1t", "PROFANITY")]),
        ("just kys", [("kys", "SELF_HARM")]),
        ("k y s now", [("k y s", "SELF_HARM")]),
        ("Go kill yourself", [("Go kill yourself", "SELF_HARM")]),
        ("please kill yourself", [("kill yourself", "SELF_HARM")]),
        ("I will kill you", [("I will kill you", "THREAT")]),
        ("I'm going to break your legs", [("I'm going to break your legs", "THREAT")]),
        ("you're dead meat", [("you're dead meat", "THREAT")]),
        ("send nudes", [("send nudes", "SEXUAL_HARASSMENT")]),
        ("you dick", [("dick", "INSULT")]),
        ("You are such a stupid moron", [("stupid", "INSULT"), ("moron", "INSULT")]),
        ("idiots, all of them", [("idiots", "INSULT")]),
    ],
)
def test_flags_abuse_with_exact_spans(text: str, expected: list[tuple[str, str]]) -> None:
    result = CHECK.run(text)
    assert spans(text) == expected
    for finding in result.findings:
        assert text[finding.start : finding.end] == finding.text


@pytest.mark.parametrize(
    "text",
    [
        "You are an idiot",
        "I will kill you",
        "kill yourself",
        "you worthless piece of shit",
        "fuck you",
    ],
)
def test_abuse_fails(text: str) -> None:
    result = CHECK.run(text)
    assert result.passed is False
    assert result.score is not None and result.score >= 0.5
    assert result.label is not None


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe United beat the assassin from Sussex over a cocktail.",
        "The analysis by the therapist covered grape juice in class.",
        "Middlesex, Essex, Dickensian novels, shiitake, cockpit, assume, passage.",
        "this bug is killing me",
        "I will kill the process and restart the server.",
        "Moby Dick is a novel by Herman Melville.",
        "Dick's Sporting Goods opens at nine.",
        "The Galaxy A55 has a good camera.",
        "Add some spicy food and a $5 tip.",
        "Breast cancer screening, anal fissures and penile injuries are treated here.",
        "Suicide prevention hotlines help people in crisis.",
        "The pig farm raised cows and a donkey.",
        "what the hell is going on",
        "The dead code was removed.",
        "I'll shoot you an email tomorrow and beat you to it.",
        "You killed it on stage! You're killing me, I could kill for a coffee.",
        "We will destroy you in the finals.",
        "",
    ],
)
def test_ordinary_text_is_clean(text: str) -> None:
    result = CHECK.run(text)
    assert result.passed is True
    assert result.findings == ()
    assert result.score == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "this code sucks",
        "is 'idiot' offensive?",
        "The word idiot comes from Greek.",
        'He called me an "idiot" yesterday.',
        "you are not an idiot",
        "Don't kill yourself over this deadline.",
        "this stupid printer",
    ],
)
def test_mild_quoted_negated_and_untargeted_pass(text: str) -> None:
    result = CHECK.run(text)
    assert result.passed is True
    assert result.score is not None and 0.0 < result.score < 0.5


def test_targeting_raises_the_score() -> None:
    alone = CHECK.run("what an idiot")
    aimed = CHECK.run("you are an idiot")
    assert alone.score is not None and aimed.score is not None
    assert alone.score < 0.5 <= aimed.score


def test_more_hits_score_higher() -> None:
    one = CHECK.run("stupid")
    two = CHECK.run("stupid moron")
    assert one.score is not None and two.score is not None
    assert two.score > one.score


def test_parameters_choose_and_extend_the_lexicon() -> None:
    only_threats = Toxicity(categories=["threat"])
    assert only_threats.run("You are an idiot").findings == ()
    assert only_threats.run("I will kill you").passed is False

    excluded = Toxicity(exclude=["idiot"])
    assert excluded.run("You are an idiot").findings == ()

    extended = Toxicity(extra_words={"insult": ["nincompoop"]})
    result = extended.run("you nincompoop")
    assert [(f.text, f.entity) for f in result.findings] == [("nincompoop", "INSULT")]

    strict = Toxicity(threshold=0.1)
    assert strict.run("this code sucks").passed is False


def test_registered_under_its_name() -> None:
    check = create_check("toxicity", categories=["insult"], threshold=0.6)
    assert isinstance(check, Toxicity)
    assert check.threshold == 0.6


@pytest.mark.parametrize(
    "params",
    [
        {"categories": ["rudeness"]},
        {"categories": "insult"},
        {"exclude": "idiot"},
        {"exclude": [""]},
        {"extra_words": {"rudeness": ["x"]}},
        {"extra_words": {"insult": "x"}},
        {"extra_words": ["x"]},
    ],
)
def test_bad_parameters_raise_policy_error(params: dict[str, object]) -> None:
    with pytest.raises(PolicyError, match="toxicity"):
        create_check("toxicity", **params)


WORDS = ["you", "are", "an", "idiot", "f.u.c.k", "1d10t", "class", "kill", "yourself", "I", "will"]


@given(st.lists(st.sampled_from([*WORDS, " ", ", ", "'", "!"]), max_size=30))
def test_findings_are_sorted_exact_and_disjoint(parts: list[str]) -> None:
    text = " ".join(parts)
    result = CHECK.run(text)
    assert result.error is None
    previous_end = 0
    for finding in result.findings:
        assert previous_end <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
        assert finding.entity.isupper()
        previous_end = finding.end


ADVERSARIAL = {
    "letters": "a" * 100_000,
    "stretched": "a" + "s" * 100_000 + "x",
    "leet": "1!|" * 33_000,
    "spaced": "a " * 50_000,
    "dotted": "f." * 50_000,
    "masked": "f*" * 50_000,
    "threat words": "i will " * 14_000 + "kill you",
}


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_adversarial_input_finishes_quickly(name: str) -> None:
    started = time.perf_counter()
    result = CHECK.run(ADVERSARIAL[name])
    assert result.error is None
    assert time.perf_counter() - started < 1.0


PROSE = (
    "Spyglass records traces from your application, scores them with checks and shows the "
    "results in a web interface. Each check looks at one text and returns a score, findings "
    "and an explanation; guard policies combine checks to block, redact or repair answers. "
) * 40


def test_ordinary_prose_is_fast() -> None:
    # The budget is 0.2 ms per KB; this bound is ten times looser so busy machines pass.
    text = PROSE[:10_240]
    CHECK.run(text)
    started = time.perf_counter()
    for _ in range(10):
        assert CHECK.run(text).findings == ()
    assert (time.perf_counter() - started) / 10 < 0.02
