"""LLM-judge checks against the fake OpenAI upstream with scripted judge answers."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from spyglass.checks import CheckContext, available_checks, create_check
from spyglass.checks._judge_parse import (
    Unparseable,
    find_json,
    parse_choice,
    parse_flags,
    parse_score,
    parse_strings,
)
from spyglass.checks.judge import (
    AnswerRelevancy,
    ContextPrecision,
    ContextRecall,
    Faithfulness,
    LLMCorrectness,
    LLMJudge,
    LLMPairwise,
    LLMRubric,
    average_precision,
)
from spyglass.exceptions import CheckError, PolicyError
from spyglass.llm import ChatModel, LLMCache
from tests.fakes.openai_upstream import FakeOpenAI, Reply, Script

Handler = Callable[[dict[str, Any]], "str | Reply"]
CRITERIA = "The answer is polite."


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def _model(fake: FakeOpenAI) -> Iterator[ChatModel]:
    # One client per module: building an openai client costs ~50 ms (its SSL context).
    with ChatModel(
        "judge-model", base_url=fake.base_url, api_key="sk-test", max_retries=0, cache=None
    ) as model:
        yield model


@pytest.fixture
def client(fake: FakeOpenAI, _model: ChatModel, tmp_path: Path) -> Iterator[ChatModel]:
    """The module's client with a fresh cache and a fresh json_schema verdict."""
    fake.script = Script()
    with LLMCache(tmp_path / "llm.sqlite") as cache:
        _model.cache = cache
        _model._schema_supported = True
        yield _model
        _model.cache = None


def answer(handler: Handler | str, fake: FakeOpenAI) -> None:
    """Script the fake: a fixed reply or a function of the request body."""
    fake.script = Script(handler=(lambda body: handler) if isinstance(handler, str) else handler)


def prompt_of(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


def calls(fake: FakeOpenAI) -> int:
    return sum(r.path == "/v1/chat/completions" for r in fake.requests)


def rubric(client: ChatModel, **kw: Any) -> LLMRubric:
    return LLMRubric(criteria=CRITERIA, client=client, **kw)


# -- llm-rubric ----------------------------------------------------------------------------


def test_rubric_well_formed_json(fake: FakeOpenAI, client: ChatModel) -> None:
    answer('{"reasoning": "Polite but curt.", "score": 4}', fake)
    before = len(fake.requests)
    result = rubric(client).run("Thanks, bye.", CheckContext(input="Say goodbye."))

    assert result.score == 0.75
    assert result.passed is True
    assert result.error is None
    assert result.explanation == "4 on 1-5: Polite but curt."
    (request,) = fake.requests[before:]
    body = request.body
    assert body["model"] == "judge-model"
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["score"] == {"type": "integer", "minimum": 1, "maximum": 5}
    text = prompt_of(body)
    assert CRITERIA in text
    assert "<output>\nThanks, bye.\n</output>" in text
    assert "<input>\nSay goodbye.\n</input>" in text
    assert "1. Read the input" in text  # the generic evaluation steps


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        ("Score: 4", 0.75),
        ("The answer is courteous.\n\nRating: **5**", 1.0),
        ("I'd give it 3/5 because it is terse.", 0.5),
        ("2 out of 5", 0.25),
        ('```json\n{"reasoning": "fine", "score": 4}\n```', 0.75),
        ('Here is my verdict: {"score": 1, "reasoning": "rude"} Hope this helps!', 0.0),
        ("4\nThe answer is polite enough.", 0.75),
        ('{"score": "3"}', 0.5),
    ],
)
def test_rubric_tolerant_parsing(
    fake: FakeOpenAI, client: ChatModel, reply: str, score: float
) -> None:
    answer(reply, fake)
    assert rubric(client).run("ok").score == score


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("I think it is quite good overall.", "no score found"),
        ('{"reasoning": "great", "score": 7}', "outside the 1-5 scale"),
        ("Score: 0", "outside the 1-5 scale"),
        ("8/10", "not on the 1-5 scale"),
        ('{"score": "excellent"}', "is not a number"),
        ("", "no score found"),
    ],
)
def test_rubric_unparseable_is_unscored_with_its_reason(
    fake: FakeOpenAI, client: ChatModel, reply: str, reason: str
) -> None:
    answer(reply, fake)
    judge = rubric(client)
    result = judge.run("ok")
    assert result.score is None
    assert result.passed is None
    assert result.error is None  # not an infrastructure error: the judge answered
    assert result.explanation.startswith("unparseable judge output: ")
    assert reason in result.explanation
    assert judge.stats.unparseable == 1
    assert judge.stats.judged == 1


def test_rubric_configurable_scale(fake: FakeOpenAI, client: ChatModel) -> None:
    answer('{"reasoning": "x", "score": 7}', fake)
    assert rubric(client, scale=10).run("ok").score == pytest.approx(6 / 9)
    assert rubric(client, scale=[0, 10]).run("ok").score == pytest.approx(0.7)
    answer("7/10", fake)
    assert rubric(client, scale=10, refresh=True).run("ok").score == pytest.approx(6 / 9)


def test_rubric_custom_steps_and_reference(fake: FakeOpenAI, client: ChatModel) -> None:
    answer('{"reasoning": "x", "score": 5}', fake)
    before = len(fake.requests)
    judge = rubric(client, steps=["Check the tone.", "Check the greeting."])
    judge.run("Hello!", CheckContext(expected="Hi there!", documents=("doc one",)))
    text = prompt_of(fake.requests[before].body)
    assert "1. Check the tone.\n2. Check the greeting." in text
    assert "<reference_answer>\nHi there!\n</reference_answer>" in text
    assert "<document_1>\ndoc one\n</document_1>" in text


def test_rubric_logprobs_weighted_score(fake: FakeOpenAI, client: ChatModel) -> None:
    content = '{"reasoning": "ok", "score": 4}'
    pieces = ['{"', "reasoning", '":', ' "', "ok", '",', ' "', "score", '":', " ", "4", "}"]
    assert "".join(pieces) == content
    top = [
        {"token": "4", "logprob": math.log(0.6), "bytes": None},
        {"token": "5", "logprob": math.log(0.3), "bytes": None},
        {"token": "3", "logprob": math.log(0.1), "bytes": None},
        {"token": "x", "logprob": math.log(0.0001), "bytes": None},
        # A digit to str.isdigit(), not to int(): skipped, not a crash.
        {"token": "\u00b2", "logprob": math.log(0.0001), "bytes": None},
    ]
    logprobs = [
        {"token": p, "logprob": -0.1, "bytes": None, "top_logprobs": top if p == "4" else []}
        for p in pieces
    ]
    answer(lambda body: Reply(content, logprobs=logprobs), fake)  # type: ignore[arg-type]
    before = len(fake.requests)
    result = rubric(client, logprobs=True).run("ok")
    body = fake.requests[before].body
    assert body["logprobs"] is True and body["top_logprobs"] >= 5
    weighted = 0.6 * 4 + 0.3 * 5 + 0.1 * 3
    assert result.score == pytest.approx((weighted - 1) / 4)
    assert "probability-weighted" in result.explanation


def test_rubric_logprobs_missing_falls_back_to_the_sampled_score(
    fake: FakeOpenAI, client: ChatModel
) -> None:
    answer('{"reasoning": "ok", "score": 2}', fake)
    assert rubric(client, logprobs=True).run("ok").score == 0.25


def test_rubric_falls_back_when_response_format_is_refused(
    fake: FakeOpenAI, client: ChatModel
) -> None:
    def handler(body: dict[str, Any]) -> str | Reply:
        if "response_format" in body:
            return Reply("response_format json_schema is not supported", status=400)
        return "Reasoning: polite.\nScore: 5"

    answer(handler, fake)
    judge = rubric(client)
    before = client.stats.calls
    assert judge.run("a").score == 1.0
    assert judge.run("b").score == 1.0
    assert not client.supports_json_schema
    assert client.stats.calls - before == 3  # refused + fallback, then straight to fallback


def test_endpoint_500_is_an_unscored_result_with_error(fake: FakeOpenAI, client: ChatModel) -> None:
    fake.script = Script(error_status=500, error_message="judge is down")
    judge = rubric(client)
    result = judge.run("ok")
    assert result.score is None and result.passed is None
    assert result.error is not None and "HTTP 500: judge is down" in result.error
    assert result.explanation.startswith("check failed: ")
    with pytest.raises(CheckError, match="HTTP 500"):
        judge.evaluate("ok", CheckContext())
    assert judge.stats.errors == 2
    async_result = asyncio.run(judge.arun("ok"))
    assert async_result.error is not None and "HTTP 500" in async_result.error


def test_rubric_needs_criteria_and_valid_parameters(client: ChatModel) -> None:
    with pytest.raises(PolicyError, match="criteria"):
        LLMRubric(client=client)
    with pytest.raises(PolicyError, match="scale"):
        LLMRubric(criteria="x", scale=1, client=client)
    with pytest.raises(PolicyError, match="scale"):
        LLMRubric(criteria="x", scale=[5, 1], client=client)
    with pytest.raises(PolicyError, match="steps"):
        LLMRubric(criteria="x", steps="one step", client=client)
    with pytest.raises(PolicyError, match="repeats"):
        LLMRubric(criteria="x", repeats=0, client=client)
    with pytest.raises(PolicyError, match="threshold"):
        LLMRubric(criteria="x", threshold=3, client=client)


# -- repeats -------------------------------------------------------------------------------


def test_repeats_report_mean_and_spread(fake: FakeOpenAI, client: ChatModel) -> None:
    scores = iter([5, 3, 4])
    answer(lambda body: json.dumps({"reasoning": "r", "score": next(scores)}), fake)
    judge = rubric(client, repeats=3)
    result = judge.run("ok")
    assert result.score == pytest.approx(0.75)
    assert "mean 0.750 of 3 repeats, stdev 0.250 (1, 0.5, 0.75)" in result.explanation
    assert judge.stats.judged == 3

    # Each repeat is its own cache entry: the re-run is free and gives the same spread.
    before = calls(fake)
    assert rubric(client, repeats=3).run("ok").explanation == result.explanation
    assert calls(fake) == before


def test_repeats_with_some_unparseable(fake: FakeOpenAI, client: ChatModel) -> None:
    replies = iter(["Score: 5", "no idea", "Score: 3"])
    answer(lambda body: next(replies), fake)
    result = rubric(client, repeats=3).run("ok")
    assert result.score == pytest.approx(0.75)
    assert "1 of 3 repeats unscored: unparseable judge output" in result.explanation


def test_repeats_all_unparseable(fake: FakeOpenAI, client: ChatModel) -> None:
    answer("hmm", fake)
    result = rubric(client, repeats=2).run("ok")
    assert result.score is None
    assert result.explanation.startswith("unparseable judge output: ")
    assert "all 2 repeats unscored" in result.explanation


def test_async_repeats_run_concurrently_and_match_sync(fake: FakeOpenAI, client: ChatModel) -> None:
    answer('{"reasoning": "r", "score": 4}', fake)
    judge = rubric(client, repeats=3)
    result = asyncio.run(judge.arun("ok", CheckContext(input="hi")))
    assert result.score == 0.75
    before = calls(fake)
    assert judge.run("ok", CheckContext(input="hi")).score == 0.75
    assert calls(fake) == before


# -- llm-pairwise --------------------------------------------------------------------------

GOOD = "Paris is the capital of France."
BAD = "France's capital is Lyon."


def _pairwise(prefers: str | None, *, biased_to: str | None = None) -> Handler:
    """A judge that prefers the response containing ``prefers`` (None: tie), or always
    answers ``biased_to`` (position bias)."""

    def handler(body: dict[str, Any]) -> str:
        if biased_to is not None:
            return json.dumps({"reasoning": "first looks better", "winner": biased_to})
        text = prompt_of(body)
        if prefers is None:
            return json.dumps({"reasoning": "equal", "winner": "tie"})
        a = text.split("<response_A>")[1].split("</response_A>")[0]
        return json.dumps({"reasoning": "one is right", "winner": "A" if prefers in a else "B"})

    return handler


def test_pairwise_asks_both_orders_and_scores_a_win(fake: FakeOpenAI, client: ChatModel) -> None:
    answer(_pairwise(GOOD), fake)
    before = len(fake.requests)
    ctx = CheckContext(input="Capital of France?", metadata={"other_output": BAD})
    result = LLMPairwise(client=client).run(GOOD, ctx)
    assert (result.score, result.label, result.passed) == (1.0, "win", True)
    assert result.explanation.startswith("win in both orders")
    first, second = (prompt_of(r.body) for r in fake.requests[before:])
    assert first.index(GOOD) < first.index(BAD)
    assert second.index(BAD) < second.index(GOOD)


def test_pairwise_loss_and_tie(fake: FakeOpenAI, client: ChatModel) -> None:
    answer(_pairwise(GOOD), fake)
    lost = LLMPairwise(client=client).run(BAD, CheckContext(metadata={"other_output": GOOD}))
    assert (lost.score, lost.label, lost.passed) == (0.0, "loss", False)
    answer(_pairwise(None), fake)
    tie = LLMPairwise(client=client, refresh=True).run(BAD, CheckContext(expected=GOOD))
    assert (tie.score, tie.label) == (0.5, "tie")


def test_pairwise_position_bias_becomes_a_tie(fake: FakeOpenAI, client: ChatModel) -> None:
    answer(_pairwise(None, biased_to="A"), fake)
    result = LLMPairwise(client=client).run(GOOD, CheckContext(metadata={"other_output": BAD}))
    assert (result.score, result.label) == (0.5, "tie")
    assert "inconsistent across orders" in result.explanation
    assert "output first: win; output second: loss" in result.explanation


def test_pairwise_prose_verdicts(fake: FakeOpenAI, client: ChatModel) -> None:
    def handler(body: dict[str, Any]) -> str:
        a = prompt_of(body).split("<response_A>")[1]
        return "Response A is accurate. [[A]]" if a.lstrip().startswith(GOOD) else "Winner: B"

    answer(handler, fake)
    result = LLMPairwise(client=client).run(GOOD, CheckContext(expected=BAD))
    assert result.label == "win"


def test_pairwise_unparseable_and_missing_other(fake: FakeOpenAI, client: ChatModel) -> None:
    answer('{"winner": "both are bad"}', fake)
    judge = LLMPairwise(client=client)
    result = judge.run(GOOD, CheckContext(expected=BAD))
    assert result.score is None
    assert result.explanation.startswith("unparseable judge output: ")
    before = calls(fake)
    missing = judge.run(GOOD, CheckContext())
    assert missing.score is None and "other_output" in missing.explanation
    assert calls(fake) == before


def test_pairwise_async(fake: FakeOpenAI, client: ChatModel) -> None:
    answer(_pairwise(GOOD), fake)
    result = asyncio.run(LLMPairwise(client=client).arun(GOOD, CheckContext(expected=BAD)))
    assert result.label == "win"


# -- llm-correctness and answer-relevancy --------------------------------------------------


def test_correctness_uses_the_reference(fake: FakeOpenAI, client: ChatModel) -> None:
    answer('{"reasoning": "matches", "score": 5}', fake)
    before = len(fake.requests)
    judge = LLMCorrectness(client=client)
    result = judge.run(GOOD, CheckContext(input="Capital?", expected="Paris", documents=("d",)))
    assert result.score == 1.0
    text = prompt_of(fake.requests[before].body)
    assert "<reference_answer>\nParis\n</reference_answer>" in text
    assert "<document_1>" not in text
    assert "Correctness" in text
    missing = judge.run(GOOD, CheckContext(input="Capital?"))
    assert missing.score is None
    assert missing.explanation == "llm-correctness needs context.expected"


def test_answer_relevancy(fake: FakeOpenAI, client: ChatModel) -> None:
    answer('{"reasoning": "off topic", "score": 2}', fake)
    judge = AnswerRelevancy(client=client)
    result = judge.run("Bananas are yellow.", CheckContext(input="Capital of France?"))
    assert result.score == 0.25 and result.passed is False
    assert judge.run("x").explanation == "answer-relevancy needs context.input"


# -- RAG -----------------------------------------------------------------------------------

DOCS = ("Paris is the capital of France.", "France uses the euro.")


def _faithfulness(claims: list[str], supported: list[bool]) -> Handler:
    def handler(body: dict[str, Any]) -> str:
        text = prompt_of(body)
        if "<claims>" in text:
            verdicts = [
                {"claim": n, "reason": "r", "supported": ok} for n, ok in enumerate(supported, 1)
            ]
            return json.dumps({"verdicts": verdicts})
        return json.dumps({"claims": claims})

    return handler


def test_faithfulness_counts_supported_claims(fake: FakeOpenAI, client: ChatModel) -> None:
    claims = ["Paris is the capital of France.", "France uses the euro.", "Paris has 9M people."]
    answer(_faithfulness(claims, [True, True, False]), fake)
    before = len(fake.requests)
    judge = Faithfulness(client=client)
    result = judge.run("Paris, the capital, ...", CheckContext(input="q", documents=DOCS))
    assert result.score == pytest.approx(2 / 3)
    assert "2 of 3 claims supported" in result.explanation
    assert "unsupported: Paris has 9M people." in result.explanation
    extract, verify = (prompt_of(r.body) for r in fake.requests[before:])
    assert "<answer>" in extract
    assert "1. Paris is the capital of France." in verify
    assert "<document_2>\nFrance uses the euro.\n</document_2>" in verify
    assert asyncio.run(
        judge.arun("Paris, the capital, ...", CheckContext(input="q", documents=DOCS))
    ).score == pytest.approx(2 / 3)


def test_faithfulness_edge_cases(fake: FakeOpenAI, client: ChatModel) -> None:
    judge = Faithfulness(client=client)
    before = calls(fake)
    assert judge.run("x").explanation == "faithfulness needs context.documents"
    assert calls(fake) == before

    answer(_faithfulness([], []), fake)
    none = judge.run("Hello!", CheckContext(documents=DOCS))
    assert none.score is None and "no factual claims" in none.explanation

    answer(_faithfulness(["a", "b"], [True]), fake)
    short = judge.run("a b", CheckContext(documents=DOCS))
    assert short.score is None
    assert "expected 2 verdicts" in short.explanation
    assert judge.stats.unparseable == 1


def test_context_precision_is_rank_weighted(fake: FakeOpenAI, client: ChatModel) -> None:
    def handler(body: dict[str, Any]) -> str:
        flags = [True, False, True]
        return json.dumps(
            {
                "verdicts": [
                    {"document": n, "reason": "r", "useful": f} for n, f in enumerate(flags, 1)
                ]
            }
        )

    answer(handler, fake)
    docs = ("Paris is the capital.", "Bananas.", "Paris is in France.")
    result = ContextPrecision(client=client).run(
        "Paris", CheckContext(input="Capital?", expected="Paris", documents=docs)
    )
    assert result.score == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert "2 of 3 documents useful for the expected answer (ranks: 1, 3)" in result.explanation


def test_average_precision() -> None:
    assert average_precision([True, True]) == 1.0
    assert average_precision([False, True]) == 0.5
    assert average_precision([False, False]) == 0.0
    assert average_precision([]) == 0.0


def test_context_recall(fake: FakeOpenAI, client: ChatModel) -> None:
    statements = [
        {"statement": "Paris is the capital.", "reason": "doc 1", "attributed": True},
        {"statement": "It has 9M people.", "reason": "absent", "attributed": "no"},
    ]
    answer(json.dumps({"statements": statements}), fake)
    judge = ContextRecall(client=client)
    ctx = CheckContext(
        input="q", expected="Paris is the capital. It has 9M people.", documents=DOCS
    )
    result = judge.run("whatever", ctx)
    assert result.score == 0.5
    assert "not found: It has 9M people." in result.explanation
    assert judge.run("x", CheckContext(documents=DOCS)).explanation == (
        "context-recall needs context.expected"
    )
    answer('{"statements": []}', fake)
    empty = ContextRecall(client=client, refresh=True).run("whatever", ctx)
    assert empty.score is None and empty.explanation.startswith("unparseable judge output")


# -- registry and settings -----------------------------------------------------------------


def test_judges_are_registered() -> None:
    checks = available_checks()
    for name, cls in [
        ("llm-rubric", LLMRubric),
        ("llm-pairwise", LLMPairwise),
        ("llm-correctness", LLMCorrectness),
        ("faithfulness", Faithfulness),
        ("answer-relevancy", AnswerRelevancy),
        ("context-precision", ContextPrecision),
        ("context-recall", ContextRecall),
    ]:
        assert checks[name] is cls
        assert cls.higher_is_better is True
        assert issubclass(cls, LLMJudge)


def test_create_check_from_settings(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPYGLASS_JUDGE_MODEL", "settings-model")
    monkeypatch.setenv("SPYGLASS_JUDGE_BASE_URL", fake.base_url)
    monkeypatch.setenv("SPYGLASS_JUDGE_API_KEY", "sk-from-settings")
    monkeypatch.setenv("SPYGLASS_LLM_CACHE_PATH", str(tmp_path / "judge-cache.sqlite"))
    answer('{"reasoning": "r", "score": 3}', fake)
    judge = create_check("llm-rubric", criteria=CRITERIA, threshold=0.6, max_retries=0)
    assert isinstance(judge, LLMRubric)
    before = len(fake.requests)
    result = judge.run("ok")
    assert (result.score, result.passed) == (0.5, False)
    (request,) = fake.requests[before:]
    assert request.body["model"] == "settings-model"
    assert request.headers["authorization"] == "Bearer sk-from-settings"
    assert judge.client.cache is not None
    assert Path(judge.client.cache.path).name == "judge-cache.sqlite"

    explicit = create_check("faithfulness", model="other", cache=False, max_retries=0)
    assert isinstance(explicit, Faithfulness)
    assert explicit.client.model == "other" and explicit.client.cache is None
    judge.client.close()
    explicit.client.close()


# -- parsing -------------------------------------------------------------------------------


def test_find_json() -> None:
    assert find_json('{"a": 1}') == {"a": 1}
    assert find_json('```json\n{"a": 1}\n```') == {"a": 1}
    assert find_json('Sure! {"a": {"b": [1]}} done') == {"a": {"b": [1]}}
    assert find_json("no json {here") is None
    assert find_json("  ") is None


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ('{"winner": "A"}', "A"),
        ('{"winner": "Response B"}', "B"),
        ('{"verdict": "tie"}', "tie"),
        ("[[B]]", "B"),
        ("[[C]]", "tie"),
        ("After comparing, the winner is: B.", "B"),
        ("Verdict: Tie", "tie"),
        ("A", "A"),
        ("**b**", "B"),
    ],
)
def test_parse_choice(text: str, choice: str) -> None:
    assert parse_choice(text)[0] == choice


@pytest.mark.parametrize("text", ["I like a lot of things.", '{"winner": "C++"}', ""])
def test_parse_choice_rejects(text: str) -> None:
    with pytest.raises(Unparseable):
        parse_choice(text)


def test_parse_score_prefers_the_last_labelled_score() -> None:
    text = "A score of 5 would need citations. Final score: 3"
    assert parse_score(text, 1, 5)[0] == 3
    with pytest.raises(Unparseable):
        parse_score('{"score": true}', 1, 5)
    with pytest.raises(Unparseable):
        parse_score('{"score": NaN}', 1, 5)
    # A denominator of more digits than int() takes: unparseable, not a ValueError.
    with pytest.raises(Unparseable):
        parse_score("Score: 5/" + "1" * 5_000, 1, 10)


def test_parse_lists() -> None:
    assert parse_strings('["a", " b ", ""]', "claims") == ["a", "b"]
    with pytest.raises(Unparseable):
        parse_strings('{"claims": [1, 2]}', "claims")
    flags = parse_flags('[{"ok": "yes"}, {"ok": 0, "reason": "r"}]', "x", "ok", count=2)
    assert [f for f, _, _ in flags] == [True, False]
    with pytest.raises(Unparseable, match="true/false"):
        parse_flags('[{"ok": "maybe"}]', "x", "ok")
    with pytest.raises(Unparseable, match="not an object"):
        parse_flags('["yes"]', "x", "ok")
